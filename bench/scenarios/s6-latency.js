// @ts-check
/**
 * Scenario 6: latency. The Java producer sends 100-byte records at 1,000 msg/s (linger 0) to a fresh 6-partition
 * topic while the client consumes; p50/p99 of (handler time - record timestamp), counting records produced after
 * the client saw its first record (so its group join is not counted). 20 s per client (quick: 5 s).
 */
module.exports = {
  id: 's6',
  title: 'Scenario 6: produce-to-handler latency at 1,000 msg/s',
  kind: 'latency',
  partitions: 6,
  valueBytes: 100,
  ratePerSec: 1000,
  seconds: 20,
  quickSeconds: 5,
};
