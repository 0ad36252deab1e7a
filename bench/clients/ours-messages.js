// @ts-check
/** rx-kafka-cluster, multiplex mode: `group.messages$` and a counter (no marks, so no commits). */
const { main } = require('./common');
const { oursGroup } = require('./ours-common');

main(async (job, counter) => {
  const { group, close } = oursGroup(job, counter);
  const sub = group.messages$.subscribe({
    next: (/** @type {any} */ m) => counter.onMessage(m.value ? m.value.length : 0, m.timestamp),
    error: (/** @type {unknown} */ e) => console.error('messages$ error', e),
  });
  return async () => {
    sub.unsubscribe();
    await close();
  };
});
