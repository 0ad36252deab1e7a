// @ts-check
/** rx-kafka-cluster, multiplex mode per fetched batch: `group.batches$` and a loop over each batch. */
const { main } = require('./common');
const { oursGroup } = require('./ours-common');

main(async (job, counter) => {
  const { group, close } = oursGroup(job, counter);
  const sub = group.batches$.subscribe({
    next: (/** @type {any} */ batch) => {
      for (const m of batch.messages) counter.onMessage(m.value ? m.value.length : 0, m.timestamp);
    },
    error: (/** @type {unknown} */ e) => console.error('batches$ error', e),
  });
  return async () => {
    sub.unsubscribe();
    await close();
  };
});
