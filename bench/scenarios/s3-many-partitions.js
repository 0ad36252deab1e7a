// @ts-check
/** Scenario 3: 100-byte values over 200 partitions, 2M records (quick: 200k): per-partition fetch overhead. */
module.exports = {
  id: 's3',
  title: 'Scenario 3: 100 B values, 200 partitions',
  kind: 'throughput',
  partitions: 200,
  valueBytes: 100,
  records: 2_000_000,
  quickRecords: 200_000,
};
