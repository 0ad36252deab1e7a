// @ts-check
/**
 * What the producer clients of the produce scenario (p1, bench/lib/scenario-kinds.js runProduce) share, on top of
 * bench/clients/common.js (`main` and its counter):
 *   - the records: record i has a 16-byte key, i in decimal, zero-padded (so the default murmur2 partitioner of every
 *     client spreads them alike over the partitions), and one `valueBytes` value shared by all records (as the Java
 *     producers here do). Each client makes record i when it sends it, so no client holds the whole input up front.
 *   - the window: a client calls `counter.assigned()` just before its first send and `counter.onMessage(valueBytes)`
 *     per acknowledged record, so the harness's window (assignedMs .. lastMs, bench/lib/report.js runStats) runs from
 *     the first send to the last acknowledgement, and windowCpuMs is the CPU over it. firstMs is the first
 *     acknowledgement. The Java client (bench/java/BenchThroughputProducer.java) prints the same fields.
 */

/** The key of record i: `keyBytes` ASCII digits. @param {number} i @param {number} [keyBytes] */
function keyOf(i, keyBytes = 16) {
  const key = Buffer.allocUnsafe(keyBytes);
  let n = i;
  for (let p = keyBytes - 1; p >= 0; p--) {
    key[p] = 48 + (n % 10);
    n = Math.floor(n / 10);
  }
  return key;
}

/** The value every record carries: `bytes` printable letters. @param {number} bytes */
function valueOf(bytes) {
  const value = Buffer.allocUnsafe(bytes);
  let seed = 42;
  for (let i = 0; i < bytes; i++) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    value[i] = 97 + (seed % 26);
  }
  return value;
}

module.exports = { keyOf, valueOf };
