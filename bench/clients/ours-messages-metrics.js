// @ts-check
/**
 * rx-kafka-cluster `group.messages$` and a counter, as ours-messages, with `metrics$` subscribed at a 1 s interval
 * (five times the default rate): what measuring costs (issue 16's goal: at most 3% of messages$).
 */
const { main } = require('./common');
const { oursGroup } = require('./ours-common');

main(async (job, counter) => {
  const { group, close } = oursGroup(job, counter, { monitoring: { metricsInterval: 1_000 } });
  let snapshots = 0;
  const metrics = group.metrics$.subscribe(() => void snapshots++);
  const sub = group.messages$.subscribe({
    next: (/** @type {any} */ m) => counter.onMessage(m.value ? m.value.length : 0, m.timestamp),
    error: (/** @type {unknown} */ e) => console.error('messages$ error', e),
  });
  return async () => {
    sub.unsubscribe();
    metrics.unsubscribe();
    await close();
    if (snapshots === 0 && counter.count > 0) console.error('metrics$ emitted no snapshot');
  };
});
