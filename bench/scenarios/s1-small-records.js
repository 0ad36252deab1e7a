// @ts-check
/** Scenario 1: 100-byte values, 6 partitions, 2M records (quick: 200k): per-record overhead dominates. */
module.exports = {
  id: 's1',
  title: 'Scenario 1: 100 B values, 6 partitions',
  kind: 'throughput',
  partitions: 6,
  valueBytes: 100,
  records: 2_000_000,
  quickRecords: 200_000,
};
