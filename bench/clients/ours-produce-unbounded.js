// @ts-check
/**
 * `ours-produce-unbounded`: the same operator and options as `ours-produce`, but the source pushes every record
 * synchronously on subscribe (`range(0, N).pipe(map(toRecord))`, as `from(array)` would), so the operator queues the
 * whole input at once. A throughput figure without the source's pacing; its peak RSS is what that queue costs.
 */
const { main } = require('./common');
const { produceWithOurs } = require('./ours-produce-common');

main(async (job, counter) => produceWithOurs(job, counter, {}));
