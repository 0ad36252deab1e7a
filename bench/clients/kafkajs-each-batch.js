// @ts-check
/** kafkajs 2.2.4 `eachBatch` (the fastest kafkajs path), autoCommit off, defaults otherwise. */
const { main } = require('./common');
const { kafkajsConsumer } = require('./kafkajs-common');

main(async (job, counter) => {
  const consumer = await kafkajsConsumer(job, counter);
  await consumer.run({
    autoCommit: false,
    eachBatch: async ({ batch }) => {
      for (const m of batch.messages) counter.onMessage(m.value ? m.value.length : 0, Number(m.timestamp));
    },
  });
  return () => consumer.disconnect();
});
