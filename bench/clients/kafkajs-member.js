// @ts-check
/** Rebalance scenario, kafkajs 2.2.4 `eachBatch` member (autoCommit on, its default). */
const path = require('node:path');
const { member } = require('./member-common');

member(async (job, t) => {
  const { Kafka, logLevel } = require(path.join(job.peers.kafkajs, 'node_modules', 'kafkajs'));
  const kafka = new Kafka({ brokers: job.brokers, clientId: 'bench-kafkajs-member', logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: job.groupId, sessionTimeout: job.sessionTimeoutMs, heartbeatInterval: job.heartbeatIntervalMs });
  consumer.on(consumer.events.GROUP_JOIN, (/** @type {any} */ e) => t.assigned(e.payload.memberAssignment[job.topic] ?? []));
  await consumer.connect();
  t.subscribed();
  await consumer.subscribe({ topics: [job.topic], fromBeginning: true });
  await consumer.run({
    eachBatch: async ({ batch }) => {
      if (batch.messages.length > 0) t.message(batch.partition);
    },
  });
  return () => consumer.disconnect();
});
