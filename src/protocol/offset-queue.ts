/** Anything with an offset: a KafkaMessage, or `{ offset }`. */
export interface HasOffset {
  readonly offset: bigint;
}

/** One emitted batch of offsets, ascending: `first..last` exactly when `offsets` is undefined (no gaps). */
interface Chunk {
  readonly first: bigint;
  /** `first` as a number, for index arithmetic without BigInts when `numeric` (every offset a safe integer). */
  readonly firstN: number;
  readonly numeric: boolean;
  readonly last: bigint;
  readonly count: number;
  readonly offsets: BigInt64Array | undefined;
  readonly bytes: number;
  /** Items [0, head) are done and passed; item `head` is pending unless the chunk is behind the queue's front. */
  head: number;
  /** Items done (passed, plus out-of-order completions beyond head). */
  done: number;
  /** Bytes already returned: floor(bytes * done / count), all of them once done === count. */
  credited: number;
  /** Out-of-order completions (1 = done) at indexes >= head; allocated on the first one. */
  processed: Uint8Array | undefined;
}

/**
 * What `complete` did: 'absent', not a pending emitted offset (never emitted, a gap, or done already); 'done', done
 * now but an earlier offset is still pending; 'advanced', done now and it was the first pending one (the passed
 * prefix moved).
 */
export type Completion = 'absent' | 'done' | 'advanced';

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

const offsetAt = (c: Chunk, i: number): bigint => (c.offsets === undefined ? c.first + BigInt(i) : (c.offsets[i] as bigint));

/** Number of offsets of `c` that are <= `x`, for c.first <= x < c.last. */
const countThrough = (c: Chunk, x: bigint): number => {
  if (c.offsets === undefined) return c.numeric ? Number(x) - c.firstN + 1 : Number(x - c.first) + 1;
  const a = c.offsets;
  let lo = 0;
  let hi = c.count;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((a[mid] as bigint) <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
};

/** Index of `x` in `c` (c.first <= x <= c.last), or -1 when `x` falls in a gap. */
const indexOf = (c: Chunk, x: bigint): number => {
  if (c.offsets === undefined) return c.numeric ? Number(x) - c.firstN : Number(x - c.first);
  const i = countThrough(c, x) - 1;
  return c.offsets[i] === x ? i : -1;
};

/**
 * The emitted-but-not-done offsets of one partition, as a FIFO of emitted batches (chunks). Done offsets at the
 * front are passed (dropped); out-of-order completions behind a pending offset are kept in a per-chunk bitmap until
 * the front reaches them. A contiguous batch costs O(1) to push whatever its size; a batch with gaps is copied into
 * a BigInt64Array. Completing is O(1) amortised per offset (binary search to find it when out of order).
 *
 * `messages` and `bytes` are the credit held: pending offsets, and the bytes not yet returned (a chunk's bytes
 * are returned in proportion to its done offsets, exactly all of them when the chunk is done).
 *
 * Preconditions (the ledger checks them): offsets ascending within a push, and above every offset still queued.
 */
export class OffsetQueue {
  messages = 0;
  bytes = 0;
  /** The chunk holding the highest passed offset, and its index there (read lazily: no BigInt per completion). */
  private passedChunk: Chunk | undefined = undefined;
  private passedIndex = 0;
  /** The last offset ever pushed. */
  lastPushed: bigint | undefined = undefined;
  private chunks: Chunk[] = [];
  private front = 0;

  /** Records a batch; `items` is not retained. */
  push(items: readonly HasOffset[], bytes: number): void {
    const count = items.length;
    if (count === 0) return;
    const first = (items[0] as HasOffset).offset;
    const last = (items[count - 1] as HasOffset).offset;
    let offsets: BigInt64Array | undefined;
    if (last - first !== BigInt(count - 1)) {
      offsets = new BigInt64Array(count);
      for (let i = 0; i < count; i++) offsets[i] = (items[i] as HasOffset).offset;
    }
    this.chunks.push({ first, firstN: Number(first), numeric: last <= MAX_SAFE, last, count, offsets, bytes, head: 0, done: 0, credited: 0, processed: undefined });
    this.messages += count;
    this.bytes += bytes;
    this.lastPushed = last;
  }

  /** The highest passed offset + 1, or undefined while nothing has been passed. */
  get passedEnd(): bigint | undefined {
    const c = this.passedChunk;
    return c === undefined ? undefined : offsetAt(c, this.passedIndex) + 1n;
  }

  /** True when the highest passed offset is above `x` (out-of-order completions beyond it were passed too). */
  passedBeyond(x: bigint): boolean {
    const c = this.passedChunk;
    if (c === undefined) return false;
    if (c.offsets === undefined && c.numeric) return c.firstN + this.passedIndex > Number(x);
    return offsetAt(c, this.passedIndex) > x;
  }

  /** The smallest pending offset, or undefined when nothing is pending. */
  firstPending(): bigint | undefined {
    const c = this.chunks[this.front];
    return c === undefined ? undefined : offsetAt(c, c.head);
  }

  /** Every queued offset <= `x` is done. Returns whether the passed prefix moved. */
  completeThrough(x: bigint): boolean {
    const chunks = this.chunks;
    let moved = false;
    while (this.front < chunks.length) {
      const c = chunks[this.front] as Chunk;
      if (c.last <= x) {
        this.credit(c, c.count - c.done);
        this.passAll(c);
        this.front++;
        moved = true;
        continue;
      }
      if (c.first > x) break;
      const k = countThrough(c, x);
      if (k > c.head) {
        let fresh = k - c.head;
        const p = c.processed;
        if (p !== undefined) for (let i = c.head; i < k; i++) fresh -= p[i] as number;
        c.head = k;
        this.credit(c, fresh);
        moved = true;
      }
      break;
    }
    if (moved) {
      this.settle();
      this.compact();
    }
    return moved;
  }

  /** Offset `x` alone is done. */
  complete(x: bigint): Completion {
    const chunks = this.chunks;
    let lo = this.front;
    let hi = chunks.length;
    const head = chunks[lo];
    if (head === undefined || x < head.first) return 'absent';
    if (x > head.last) {
      lo++;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if ((chunks[mid] as Chunk).last < x) lo = mid + 1;
        else hi = mid;
      }
    }
    const c = chunks[lo];
    if (c === undefined || x < c.first) return 'absent';
    const i = indexOf(c, x);
    if (i < c.head) return 'absent';
    if (i === c.head && lo === this.front) {
      c.head++;
      this.credit(c, 1);
      this.settle();
      this.compact();
      return 'advanced';
    }
    const p = (c.processed ??= new Uint8Array(c.count));
    if (p[i] === 1) return 'absent';
    p[i] = 1;
    this.credit(c, 1);
    return 'done';
  }

  private passAll(c: Chunk): void {
    this.passedChunk = c;
    this.passedIndex = c.count - 1;
  }

  private credit(c: Chunk, fresh: number): void {
    if (fresh === 0) return;
    c.done += fresh;
    this.messages -= fresh;
    const credited = c.done === c.count ? c.bytes : Math.floor((c.bytes * c.done) / c.count);
    this.bytes -= credited - c.credited;
    c.credited = credited;
  }

  /** Passes done offsets at the front: advances the front chunk's head over completions, pops done chunks. */
  private settle(): void {
    const chunks = this.chunks;
    for (;;) {
      const c = chunks[this.front];
      if (c === undefined) return;
      const p = c.processed;
      if (p !== undefined) while (c.head < c.count && p[c.head] === 1) c.head++;
      if (c.head === c.count) {
        this.passAll(c);
        this.front++;
        continue;
      }
      if (c.head > 0) {
        this.passedChunk = c;
        this.passedIndex = c.head - 1;
      }
      return;
    }
  }

  private compact(): void {
    const chunks = this.chunks;
    if (this.front === chunks.length) {
      chunks.length = 0;
      this.front = 0;
    } else if (this.front >= 1024 && this.front * 2 >= chunks.length) {
      this.chunks = chunks.slice(this.front);
      this.front = 0;
    }
  }
}
