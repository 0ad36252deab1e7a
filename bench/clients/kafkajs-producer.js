// @ts-check
/**
 * `kafkajs-producer`: kafkajs 2.2.4's own producer, `idempotent: true` with `maxInFlightRequests: 1` (its docs mark
 * idempotence experimental and ordering needs one request in flight; its idempotent producer also serialises
 * requests per broker behind a lock), acks -1 (required for idempotence), no compression. kafkajs has no linger or
 * accumulator: a send is one request per leader with the messages given, so the lever its docs offer for throughput
 * is many messages per call. Here: `producer.send` of 10,000 messages at a time, each awaited before the next (a
 * concurrent send would only wait behind the same per-broker lock). `connect()` (which also gets the producer id)
 * happens before the window; the first send fetches the topic's metadata inside it.
 */
const path = require('node:path');
const { main } = require('./common');
const { keyOf, valueOf } = require('./produce-common');

const BATCH = 10_000;

main(async (job, counter) => {
  process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';
  const { Kafka, logLevel } = require(path.join(/** @type {string} */ (job.peers.kafkajs), 'node_modules', 'kafkajs'));
  const kafka = new Kafka({ brokers: job.brokers, clientId: 'bench-kafkajs-producer', logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  await producer.connect();
  const value = valueOf(job.valueBytes);
  const keyBytes = /** @type {any} */ (job).keyBytes ?? 16;
  counter.assigned(); // the window opens at the first send
  for (let i = 0; i < job.records; i += BATCH) {
    const n = Math.min(BATCH, job.records - i);
    const messages = new Array(n);
    for (let k = 0; k < n; k++) messages[k] = { key: keyOf(i + k, keyBytes), value };
    await producer.send({ topic: job.topic, acks: -1, messages });
    for (let k = 0; k < n; k++) counter.onMessage(value.length, 0);
  }
  return () => producer.disconnect();
});
