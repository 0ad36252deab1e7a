// @ts-check
/**
 * Memory scenario, rx-kafka-cluster multiplex mode as the README shows it: `messages$`, an async handler much slower
 * than fetching (`concatMap`), then `markOffsets(group)`, so credit (10,000 messages / 16 MiB per partition by
 * default) bounds what is fetched ahead of the handler.
 */
const { concatMap, tap } = require('rxjs');
const { main, slowHandler } = require('./common');
const { oursGroup } = require('./ours-common');

main(async (job, counter) => {
  const { lib, group, close } = oursGroup(job, counter);
  const ms = job.handlerMs ?? 1;
  const sub = group.messages$
    .pipe(
      concatMap(async (/** @type {any} */ m) => {
        await slowHandler(ms);
        return m;
      }),
      tap((/** @type {any} */ m) => counter.onMessage(m.value ? m.value.length : 0, m.timestamp)),
      lib.markOffsets(group),
    )
    .subscribe({ error: (/** @type {unknown} */ e) => console.error('messages$ error', e) });
  return async () => {
    sub.unsubscribe();
    await close();
  };
});
