// @ts-check
/** The kafkajs peer (installed by the runner into bench/.peers/npm-kafkajs): a connected, subscribed consumer. */
const path = require('node:path');

/** @param {import('./common').Job} job @param {ReturnType<typeof import('./common').counter>} counter */
async function kafkajsConsumer(job, counter) {
  const { Kafka, logLevel } = require(path.join(job.peers.kafkajs, 'node_modules', 'kafkajs'));
  const kafka = new Kafka({ brokers: job.brokers, clientId: 'bench-kafkajs', logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: job.groupId });
  consumer.on(consumer.events.GROUP_JOIN, () => counter.assigned());
  await consumer.connect();
  await consumer.subscribe({ topics: [job.topic], fromBeginning: true });
  return consumer;
}

module.exports = { kafkajsConsumer };
