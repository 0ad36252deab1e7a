// @ts-check
/**
 * Memory scenario, rx-kafka-cluster partition mode: per partition, an async handler much slower than fetching
 * (`concatMap`) and `markOffsets(group)`; partitions proceed concurrently, each bounded by its own credit.
 */
const { concatMap, mergeMap, tap } = require('rxjs');
const { main, slowHandler } = require('./common');
const { oursGroup } = require('./ours-common');

main(async (job, counter) => {
  const { lib, group, close } = oursGroup(job, counter);
  const ms = job.handlerMs ?? 1;
  const sub = group.partitions$
    .pipe(
      mergeMap((/** @type {any} */ p) =>
        p.pipe(
          concatMap(async (/** @type {any} */ m) => {
            await slowHandler(ms);
            return m;
          }),
          tap((/** @type {any} */ m) => counter.onMessage(m.value ? m.value.length : 0, m.timestamp)),
          lib.markOffsets(group),
        ),
      ),
    )
    .subscribe({ error: (/** @type {unknown} */ e) => console.error('partitions$ error', e) });
  return async () => {
    sub.unsubscribe();
    await close();
  };
});
