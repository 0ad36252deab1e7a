/**
 * A map that iterates in exactly the order `java.util.HashMap` (JDK 17) does, so that assignors ported from the Java
 * client walk members and partitions in Java's order and reach Java's answer. Java's sticky assignors iterate
 * HashMaps of member ids and partitions, so their output depends on String.hashCode, the table size and insertion
 * order; the real JoinGroup member ids make that order look random but it is fully determined, and reproducible here.
 *
 * Modelled: hash spreading (`h ^ h >>> 16`), the power-of-two table and its 0.75 resize threshold, capacity from
 * `new HashMap(n)` and `new HashMap(map)`, insertion order within a bucket (kept across resizes), removal, and the
 * resize a bucket of 9 triggers below 64 slots. Not modelled: tree bins (9+ keys in one bucket of a table of 64 or
 * more), which needs colliding hash codes that real member ids and topic names do not produce.
 */

/** Java's String.hashCode: `s[0]*31^(n-1) + ... + s[n-1]` over UTF-16 code units, in int32 arithmetic. */
export const javaStringHash = (s: string): number => {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return h;
};

/** org.apache.kafka.common.TopicPartition.hashCode. */
export const topicPartitionHash = (topic: string, partition: number): number =>
  (Math.imul(31, (31 + partition) | 0) + javaStringHash(topic)) | 0;

const MAXIMUM_CAPACITY = 1 << 30;
const TREEIFY_THRESHOLD = 8;
const MIN_TREEIFY_CAPACITY = 64;

/** HashMap.tableSizeFor: the smallest power of two at least `cap` (at least 1). */
const tableSizeFor = (cap: number): number => {
  let n = 1;
  while (n < cap && n < MAXIMUM_CAPACITY) n *= 2;
  return n;
};

export class JavaHashMap<K, V> {
  private table: K[][] | null = null;
  private threshold: number;
  private readonly values = new Map<K, V>();

  /**
   * `hashOf` is the key's Java hashCode; keys are equal when they are the same JS value (intern composite keys).
   * `initialCapacity` as in `new HashMap<>(n)`; omitted is `new HashMap<>()`.
   */
  constructor(private readonly hashOf: (key: K) => number, initialCapacity?: number) {
    this.threshold = initialCapacity === undefined ? 0 : tableSizeFor(initialCapacity);
  }

  /** `new HashMap<>(source)`: sized for the source, then filled in the source's iteration order. */
  static copyOf<K, V>(source: JavaHashMap<K, V>): JavaHashMap<K, V> {
    const copy = new JavaHashMap<K, V>(source.hashOf);
    copy.putAll(source);
    return copy;
  }

  get size(): number {
    return this.values.size;
  }

  has(key: K): boolean {
    return this.values.has(key);
  }

  get(key: K): V | undefined {
    return this.values.get(key);
  }

  set(key: K, value: V): this {
    if (this.values.has(key)) {
      this.values.set(key, value);
      return this;
    }
    if (this.table === null) this.resize();
    const table = this.table as K[][];
    const bucket = (table[this.indexFor(key, table.length)] ??= []);
    bucket.push(key);
    this.values.set(key, value);
    if (bucket.length > TREEIFY_THRESHOLD && table.length < MIN_TREEIFY_CAPACITY) this.resize();
    if (this.values.size > this.threshold) this.resize();
    return this;
  }

  /**
   * HashMap.computeIfAbsent: unlike `put`, it resizes before inserting and puts a new key at the head of its bucket,
   * so keys that share a bucket iterate newest first.
   */
  computeIfAbsent(key: K, make: () => V): V {
    if (this.values.has(key)) return this.values.get(key) as V;
    if (this.table === null || this.values.size > this.threshold) this.resize();
    const table = this.table as K[][];
    const bucket = (table[this.indexFor(key, table.length)] ??= []);
    bucket.unshift(key);
    const value = make();
    this.values.set(key, value);
    if (bucket.length >= TREEIFY_THRESHOLD && table.length < MIN_TREEIFY_CAPACITY) this.resize();
    return value;
  }

  /** HashMap.putAll (and the copy constructor's sizing when this map is still empty and unallocated). */
  putAll(source: JavaHashMap<K, V>): void {
    const s = source.size;
    if (s > 0 && this.table === null) {
      const ft = Math.fround(Math.fround(s / 0.75) + 1);
      const t = ft < MAXIMUM_CAPACITY ? Math.trunc(ft) : MAXIMUM_CAPACITY;
      if (t > this.threshold) this.threshold = tableSizeFor(t);
    } else if (s > this.threshold) {
      // JDK 17 pre-resizes while the source outgrows the threshold; resizing is order-preserving either way.
      while (s > this.threshold && (this.table?.length ?? 0) < MAXIMUM_CAPACITY) this.resize();
    }
    for (const [k, v] of source.entries()) this.set(k, v);
  }

  delete(key: K): boolean {
    if (!this.values.delete(key)) return false;
    const table = this.table as K[][];
    const bucket = table[this.indexFor(key, table.length)] ?? [];
    bucket.splice(bucket.indexOf(key), 1);
    return true;
  }

  /** HashMap.clear: empties the map, keeps the table size. */
  clear(): void {
    this.values.clear();
    if (this.table) this.table = this.table.map(() => []);
  }

  /** The keys in Java's iteration order (a snapshot: safe to mutate the map while walking it). */
  keys(): K[] {
    return (this.table ?? []).flatMap((bucket) => bucket ?? []);
  }

  entries(): [K, V][] {
    return this.keys().map((k) => [k, this.values.get(k) as V]);
  }

  private indexFor(key: K, length: number): number {
    const h = this.hashOf(key);
    return (h ^ (h >>> 16)) & (length - 1);
  }

  /** HashMap.resize: allocate or double; each bucket splits in two, keeping its order. */
  private resize(): void {
    const oldCap = this.table?.length ?? 0;
    const oldThr = this.threshold;
    let newCap: number;
    let newThr = 0;
    if (oldCap > 0) {
      if (oldCap >= MAXIMUM_CAPACITY) {
        this.threshold = 2 ** 31 - 1;
        return;
      }
      newCap = oldCap * 2;
      if (newCap < MAXIMUM_CAPACITY && oldCap >= 16) newThr = oldThr * 2;
    } else if (oldThr > 0) newCap = oldThr;
    else {
      newCap = 16;
      newThr = 12;
    }
    if (newThr === 0) {
      const ft = newCap * 0.75;
      newThr = newCap < MAXIMUM_CAPACITY && ft < MAXIMUM_CAPACITY ? Math.trunc(ft) : 2 ** 31 - 1;
    }
    this.threshold = newThr;
    const next: K[][] = Array.from({ length: newCap }, () => []);
    for (const bucket of this.table ?? []) for (const key of bucket ?? []) next[this.indexFor(key, newCap)]?.push(key);
    this.table = next;
  }
}
