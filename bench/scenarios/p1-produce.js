// @ts-check
/**
 * Producing 1: each client produces 1M records (quick: 100k) of 100-byte values with 16-byte keys (distinct, so the
 * default murmur2 partitioner spreads them) to a fresh 12-partition topic, acks all, idempotent. records/s from the
 * first send to the last acknowledgement; afterwards the runner checks the topic holds exactly that many records.
 */
module.exports = {
  id: 'p1',
  title: 'Producing (p1): 100 B values, 16 B keys, 12 partitions, acks all, idempotent',
  kind: 'produce',
  partitions: 12,
  valueBytes: 100,
  keyBytes: 16,
  records: 1_000_000,
  quickRecords: 100_000,
};
