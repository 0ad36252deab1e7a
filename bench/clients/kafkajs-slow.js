// @ts-check
/** Memory scenario, kafkajs 2.2.4 `eachMessage` with an async handler much slower than fetching; autoCommit on (its default). */
const { main, slowHandler } = require('./common');
const { kafkajsConsumer } = require('./kafkajs-common');

main(async (job, counter) => {
  const consumer = await kafkajsConsumer(job, counter);
  const ms = job.handlerMs ?? 1;
  await consumer.run({
    eachMessage: async ({ message: m }) => {
      await slowHandler(ms);
      counter.onMessage(m.value ? m.value.length : 0, Number(m.timestamp));
    },
  });
  return () => consumer.disconnect();
});
