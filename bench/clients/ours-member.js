// @ts-check
/** Rebalance scenario, rx-kafka-cluster partition mode with markOffsets (commits every second, drain on revoke). */
const path = require('node:path');
const { mergeMap, tap } = require('rxjs');
const { member } = require('./member-common');

member(async (job, t) => {
  const lib = require(path.join(job.peers.ours, 'index.js'));
  const group = lib.consumerGroup({
    brokers: job.brokers,
    groupId: job.groupId,
    topics: [job.topic],
    group: { session: { timeout: job.sessionTimeoutMs }, heartbeat: { interval: job.heartbeatIntervalMs } },
    consumer: { offsets: { initial: 'oldest' } },
  });
  const notes = group.notifications$.subscribe((/** @type {any} */ n) => n.type === 'RebalanceOK' && t.assigned(n.current[job.topic] ?? []));
  t.subscribed();
  const sub = group.partitions$
    .pipe(mergeMap((/** @type {any} */ p) => p.pipe(tap((/** @type {any} */ m) => t.message(m.partition)), lib.markOffsets(group))))
    .subscribe({ error: (/** @type {unknown} */ e) => console.error('partitions$ error', e) });
  return async () => {
    sub.unsubscribe();
    await new Promise((resolve) => group.close().subscribe({ complete: resolve, error: resolve }));
    notes.unsubscribe();
  };
});
