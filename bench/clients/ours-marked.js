// @ts-check
/**
 * rx-kafka-cluster as the README shows it: `messages$`, a (synchronous) handler, then the `markOffsets(group)` sink,
 * so credit returns on marks and commits follow every second.
 */
const { tap } = require('rxjs');
const { main } = require('./common');
const { oursGroup } = require('./ours-common');

main(async (job, counter) => {
  const { lib, group, close } = oursGroup(job, counter);
  const sub = group.messages$
    .pipe(
      tap((/** @type {any} */ m) => counter.onMessage(m.value ? m.value.length : 0, m.timestamp)),
      lib.markOffsets(group),
    )
    .subscribe({ error: (/** @type {unknown} */ e) => console.error('messages$ error', e) });
  return async () => {
    sub.unsubscribe();
    await close();
  };
});
