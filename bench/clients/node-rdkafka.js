// @ts-check
/**
 * node-rdkafka 3.6.1 (librdkafka 2.12.0, built from the bundled source): throughput mode reads batches with
 * `consume(1000, cb)` in a loop (its fastest path); latency mode uses the flowing `consume()` ('data' per message),
 * since a batch read waits to fill. Committed offsets else earliest, auto-commit off; defaults otherwise.
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
