// @ts-check
/**
 * node-rdkafka 3.6.1 (librdkafka 2.12.0, built from the bundled source). Throughput mode: the non-flowing batch
 * loop its README documents, `consume(1000, cb)` and the next call from setImmediate (what its stream API does
 * inside, minus the stream); latency mode: the flowing `consume()` ('data' per message, "as quickly as possible").
 * librdkafka: `fetch.queue.backoff.ms: 100` instead of its 1000 ms default (see bench/README.md "Peers and how each
 * is configured": with a backlog the high-level consumer's queue passes queued.min.messages, and every partition
 * then waits out this backoff before its next fetch), and `setDefaultConsumeTimeout(10)` so that a batch short of
 * 1000 returns 10 ms after the queue runs dry instead of 1 s; librdkafka's fetch defaults otherwise
 * (fetch.min.bytes 1, fetch.wait.max.ms 500, fetch.message.max.bytes 1 MiB, fetch.max.bytes 50 MiB,
 * queued.min.messages 100000, queued.max.messages.kbytes 64 MiB). Committed offsets else earliest, auto-commit off.
 */
const path = require('node:path');
const { setImmediate } = require('node:timers');
const { main } = require('./common');

main(async (job, counter) => {
  const Kafka = require(path.join(job.peers.rdkafka, 'node_modules', 'node-rdkafka'));
  const { ERR__ASSIGN_PARTITIONS, ERR__REVOKE_PARTITIONS } = Kafka.CODES.ERRORS;
  /** @type {any} */
  const consumer = new Kafka.KafkaConsumer(
    {
      'group.id': job.groupId,
      'client.id': 'bench-rdkafka',
      'metadata.broker.list': job.brokers.join(','),
      'enable.auto.commit': false,
      'fetch.queue.backoff.ms': 100,
      rebalance_cb: function (/** @type {any} */ err, /** @type {any[]} */ assignment) {
        if (err.code === ERR__ASSIGN_PARTITIONS) {
          this.assign(assignment);
          if (assignment.length > 0) counter.assigned();
        } else if (err.code === ERR__REVOKE_PARTITIONS) this.unassign();
      },
    },
    { 'auto.offset.reset': 'earliest' },
  );
  await new Promise((resolve, reject) => consumer.connect({}, (/** @type {unknown} */ err) => (err ? reject(err) : resolve(undefined))));
  consumer.subscribe([job.topic]);
  let stopped = false;
  const onMessage = (/** @type {any} */ m) => counter.onMessage(m.value ? m.value.length : 0, m.timestamp);
  if (job.mode === 'latency') {
    consumer.on('data', onMessage);
    consumer.consume();
  } else {
    consumer.setDefaultConsumeTimeout(10);
    const loop = () =>
      consumer.consume(1000, (/** @type {unknown} */ err, /** @type {any[]} */ messages) => {
        if (stopped) return;
        if (err) console.error('consume error', String(err));
        else for (const m of messages) onMessage(m);
        setImmediate(loop);
      });
    loop();
  }
  return async () => {
    stopped = true;
    await new Promise((resolve) => consumer.disconnect(() => resolve(undefined)));
  };
});
