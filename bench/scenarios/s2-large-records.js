// @ts-check
/** Scenario 2: 1 KiB values, 6 partitions, 500k records (quick: 50k): bytes (socket, copies) dominate. */
module.exports = {
  id: 's2',
  title: 'Scenario 2: 1 KiB values, 6 partitions',
  kind: 'throughput',
  partitions: 6,
  valueBytes: 1024,
  records: 500_000,
  quickRecords: 50_000,
};
