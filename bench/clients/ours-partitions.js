// @ts-check
/** rx-kafka-cluster, partition mode: `group.partitions$`, one inner Observable per partition, merged into a counter. */
const { mergeMap } = require('rxjs');
const { main } = require('./common');
const { oursGroup } = require('./ours-common');

main(async (job, counter) => {
  const { group, close } = oursGroup(job, counter);
  const sub = group.partitions$.pipe(mergeMap((/** @type {any} */ p) => p)).subscribe({
    next: (/** @type {any} */ m) => counter.onMessage(m.value ? m.value.length : 0, m.timestamp),
    error: (/** @type {unknown} */ e) => console.error('partitions$ error', e),
  });
  return async () => {
    sub.unsubscribe();
    await close();
  };
});
