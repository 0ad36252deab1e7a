// @ts-check
/**
 * Scenario 7: rebalance under load. A fresh 12-partition topic the Java producer feeds at 6,000 msg/s (100-byte
 * values, round-robin, linger 0: one record per partition about every 2 ms); members of one fresh group, all with
 * session timeout 10 s and heartbeat 500 ms (classic: set by the member; consumer protocol: the broker's
 * group.consumer.session.timeout.ms / group.consumer.heartbeat.interval.ms, set to the same by broker/kafka-broker.js).
 * Steps: A consumes all 12; B joins (6 + 6); a baseline window; C joins (join event); A is stopped with SIGTERM (it
 * closes and leaves) and, once it has exited, a new A process starts (restart event). Runner:
 * bench/lib/rebalance-under-load.js; members: bench/clients/ours-s7-member.js, bench/java/BenchS7Member.java.
 *
 * Definitions (times are each member's Date.now() at delivery to the application: the record handler, or the Java
 * poll loop's per-record body):
 *   event start: join, C's `subscribed` (just before its subscribe); restart, the moment A is sent SIGTERM.
 *   settled: the live members (A, B, C; B, C, new A) hold disjoint equal shares (4 + 4 + 4) covering all 12
 *     partitions, and every partition has delivered a record to its owner at or after both the event start and
 *     that owner's last ownership change (revoke, lose or assign); settled = the last of those deliveries.
 *   settleMs = settled - event start. The row's `settleMs` is the join's (the acceptance: "from the join to every
 *     partition consuming again"); `restartSettleMs` is the restart's (it includes A's close and the new process's
 *     start-up: JVM or Node).
 *   keptPauseMs per event: for each member present across the event (join: A and B; restart: B and C), the
 *     partitions it owned both at the event start and when settled; over those, the longest gap between consecutive
 *     deliveries of one partition that ends at or after the event start and starts at or before settled (a gap still
 *     open at settled + 300 ms counts up to then). Max over members. The row's `keptPauseMs` is the larger of the
 *     join's and the restart's (`joinKeptPauseMs`, `restartKeptPauseMs`); undefined for an event with no kept
 *     partition (range can move every partition on a restart).
 *   baselineGapMs: the same longest gap over every partition of A and B in a window of the steady stream (3 s;
 *     quick: 2 s) before the join: the noise floor (feed, fetch round trips, GC, a shared machine).
 * Medians over rounds. Members report compactly: ownership changes, the first delivery per partition after each
 * change, gaps above 25 ms (diagnostics), one tick a second, and per window one line of per-partition maxima.
 */
module.exports = {
  id: 's7',
  title: 'Scenario 7: rebalance under load (12 partitions at 6,000 msg/s; join of a third member, then a restart; session 10 s, heartbeat 500 ms)',
  kind: 'rebalance-under-load',
  partitions: 12,
  valueBytes: 100,
  ratePerSec: 6000,
  sessionTimeoutMs: 10000,
  heartbeatIntervalMs: 500,
  steadyMs: 3000,
  quickSteadyMs: 2000,
};
