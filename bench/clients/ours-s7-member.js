// @ts-check
/**
 * Scenario 7 (rebalance under load), rx-kafka-cluster: partitions$ + markOffsets (commits every second, drain on
 * revoke). job.protocol picks the rebalance protocol: 'eager' (range), 'cooperative' (cooperative-sticky) or
 * 'consumer' (groupProtocol 'consumer', KIP-848, server-side assignor uniform; session and heartbeat are then the
 * broker's group.consumer.* settings, which bench's broker sets to the same values). Reports through
 * s7-member-common.js; `owned` carries the protocol the library says it rebalanced with.
 */
const path = require('node:path');
const { mergeMap, tap } = require('rxjs');
const { member } = require('./s7-member-common');

member(async (job, t) => {
  const lib = require(path.join(job.peers.ours, 'index.js'));
  const classic = { group: { session: { timeout: job.sessionTimeoutMs }, heartbeat: { interval: job.heartbeatIntervalMs }, partitionStrategy: [job.protocol === 'cooperative' ? 'cooperative-sticky' : 'range'] } };
  const group = lib.consumerGroup({
    brokers: job.brokers,
    groupId: job.groupId,
    topics: [job.topic],
    ...(job.protocol === 'consumer' ? { groupProtocol: 'consumer', groupRemoteAssignor: 'uniform' } : classic),
    consumer: { offsets: { initial: 'oldest' } },
  });
  const notes = group.notifications$.subscribe((/** @type {any} */ n) => {
    if (n.type === 'RebalanceOK') t.owned(n.current[job.topic] ?? [], n.rebalanceProtocol);
    else if (n.type === 'RebalanceStart') {
      // Eager gives up everything when a rebalance starts; any protocol loses `lost` (no commit).
      const lost = new Set(n.lost?.[job.topic] ?? []);
      const keep = n.rebalanceProtocol === 'eager' ? [] : [...t.current()].filter((p) => !lost.has(p));
      t.owned(keep, n.rebalanceProtocol);
    } else if (n.type === 'RebalanceError') process.stderr.write(`RebalanceError ${String(n.error?.message ?? n.error)}\n`);
  });
  t.subscribed();
  const sub = group.partitions$
    .pipe(mergeMap((/** @type {any} */ p) => p.pipe(tap((/** @type {any} */ m) => t.delivered(m.partition)), lib.markOffsets(group))))
    .subscribe({ error: (/** @type {unknown} */ e) => console.error('partitions$ error', e) });
  return async () => {
    sub.unsubscribe();
    await new Promise((resolve) => group.close().subscribe({ complete: resolve, error: resolve }));
    notes.unsubscribe();
  };
});
