// @ts-check
/**
 * Scenario 4: rebalance. Two members of one group on a 6-partition topic fed at 2,000 msg/s: the time from the
 * second member's subscribe until both consume, and from SIGKILL of that member until the survivor consumes its
 * partitions. Every client gets session timeout 6 s and heartbeat 500 ms (the broker allows 500 ms sessions).
 */
module.exports = {
  id: 's4',
  title: 'Scenario 4: rebalance (session timeout 6 s, heartbeat 500 ms)',
  kind: 'rebalance',
  partitions: 6,
  valueBytes: 100,
  ratePerSec: 2000,
  sessionTimeoutMs: 6000,
  heartbeatIntervalMs: 500,
};
