/**
 * Kafka's default partitioner for keyed records: `toPositive(murmur2(keyBytes)) % numPartitions`, exactly as the
 * Java client computes it (`Utils.murmur2`), so records produced to the in-memory broker land in the partitions
 * a real producer would choose. String keys are hashed as their UTF-8 bytes.
 */
export const murmur2 = (data: Uint8Array): number => {
  const m = 0x5bd1e995;
  const length = data.length;
  let h = (0x9747b28c ^ length) | 0;
  const byte = (i: number): number => (data[i] ?? 0) & 0xff;
  const whole = length & ~3;
  for (let i = 0; i < whole; i += 4) {
    let k = byte(i) | (byte(i + 1) << 8) | (byte(i + 2) << 16) | (byte(i + 3) << 24);
    k = Math.imul(k, m);
    k ^= k >>> 24;
    k = Math.imul(k, m);
    h = Math.imul(h, m) ^ k;
  }
  const rest = length % 4;
  if (rest === 3) h ^= byte(whole + 2) << 16;
  if (rest >= 2) h ^= byte(whole + 1) << 8;
  if (rest >= 1) h = Math.imul(h ^ byte(whole), m);
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h | 0;
};

/** The partition the Java client's default partitioner picks for a key. */
export const partitionForKey = (key: Buffer | string, numPartitions: number): number =>
  (murmur2(typeof key === 'string' ? Buffer.from(key, 'utf8') : key) & 0x7fffffff) % numPartitions;

/** Picks a record's partition from its key and the topic's partition count; keyless records may get `undefined`. */
export type Partitioner = (topic: string, key: Buffer | null, partitionCount: number) => number | undefined;

/**
 * Java's built-in partitioner (KIP-480/KIP-794): keyed records by murmur2 of the key; keyless records stick to
 * one partition per topic until its batch is sent (`batchSent`), then move on, so they fill whole batches.
 */
export class DefaultPartitioner {
  private readonly sticky = new Map<string, number>();
  private next = 0;

  partition(topic: string, key: Buffer | null, partitionCount: number): number {
    if (key !== null) return partitionForKey(key, partitionCount);
    const current = this.sticky.get(topic);
    if (current !== undefined && current < partitionCount) return current;
    const chosen = this.next++ % partitionCount;
    this.sticky.set(topic, chosen);
    return chosen;
  }

  /** A batch of `topic` was sent from `partition`: keyless records move to the next partition. */
  batchSent(topic: string, partition: number): void {
    if (this.sticky.get(topic) === partition) this.sticky.delete(topic);
  }
}
