// @ts-check
/**
 * @confluentinc/kafka-javascript 1.10.1 (librdkafka 2.15.1, built from the bundled source), its KafkaJS-compatible
 * API (`require(...).KafkaJS`) with `eachBatch`, configured as Confluent's own consumer benchmark
 * (examples/performance/performance-primitives.js and performance-consolidated.js in its repository) runs it:
 * `js.consumer.max.batch.size: -1` (no cap on the batch handed to eachBatch; the default cap is 32, MIGRATION.md),
 * `partitionsConsumedConcurrently: 2`, `fetch.queue.backoff.ms: 100`, auto-commit off, earliest offset; librdkafka
 * defaults otherwise. The same in latency mode: librdkafka's fetch.min.bytes 1 answers as soon as data exists, and
 * a batch is what the client's cache holds when eachBatch runs, so it does not wait to fill. See bench/README.md
 * "Peers and how each is configured".
 */
const path = require('node:path');
const { main } = require('./common');

main(async (job, counter) => {
  const { KafkaJS, CODES } = require(path.join(job.peers.confluent, 'node_modules', '@confluentinc', 'kafka-javascript'));
  const { Kafka, logLevel } = KafkaJS;
  const kafka = new Kafka({ kafkaJS: { brokers: job.brokers, clientId: 'bench-confluent', logLevel: logLevel.NOTHING } });
  const consumer = kafka.consumer({
    kafkaJS: { groupId: job.groupId, fromBeginning: true, autoCommit: false },
    'js.consumer.max.batch.size': -1,
    'fetch.queue.backoff.ms': 100,
    // Called before the library's own assign (which still runs: nothing is returned).
    rebalance_cb: (/** @type {any} */ err, /** @type {any[]} */ assignment) => {
      if (err.code === CODES.ERRORS.ERR__ASSIGN_PARTITIONS && assignment.length > 0) counter.assigned();
    },
  });
  await consumer.connect();
  await consumer.subscribe({ topics: [job.topic] });
  await consumer.run({
    partitionsConsumedConcurrently: 2,
    eachBatch: async (/** @type {any} */ { batch }) => {
      for (const m of batch.messages) counter.onMessage(m.value ? m.value.length : 0, Number(m.timestamp));
    },
  });
  return () => consumer.disconnect();
});
