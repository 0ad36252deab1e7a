/**
 * The producer's pure core: records waiting per partition, the batches drained from them, their sequence numbers,
 * and the delivery results handed out in input order. No I/O, no timers: the caller says what time it is, sends
 * what `drain` returns, and answers each batch with `acknowledge`, `retry` or `fail`.
 *
 * At most one batch per partition is in flight, so a retried batch is re-sent before anything after it and keeps
 * its sequence numbers: the broker's idempotence drops a retry it already wrote, and order is kept.
 */

export interface Queued<R> {
  /** The record's place in input order. */
  readonly ticket: number;
  readonly record: R;
  readonly bytes: number;
}

/** Records of one partition sent as one RecordBatch. */
export interface Batch<R> {
  readonly topic: string;
  readonly partition: number;
  readonly records: readonly Queued<R>[];
  readonly bytes: number;
  /** The first record's sequence number (0 for a producer without idempotence, unused). */
  readonly baseSequence: number;
  /** How many times it was sent before. */
  readonly attempts: number;
  /** When its first record was queued (the delivery timeout counts from there). */
  readonly queuedAt: number;
}

export interface Delivered<R> {
  readonly record: R;
  readonly topic: string;
  readonly partition: number;
  readonly offset: bigint;
  /** The broker's append time (ms) on a LogAppendTime topic, else -1n. */
  readonly logAppendTime: bigint;
}

export type Outcome<R, E> = { readonly ok: true; readonly delivered: Delivered<R> } | { readonly ok: false; readonly error: E; readonly record: R };

export interface AccumulatorOptions {
  /** A partition's batch is sent once it holds this many bytes, */
  readonly batchBytes: number;
  /** or once its first record waited this long. */
  readonly lingerMs: number;
}

interface PartitionQueue<R> {
  readonly topic: string;
  readonly partition: number;
  records: Queued<R>[];
  bytes: number;
  firstQueuedAt: number;
  /** A batch that failed retriably: sent again, unchanged, before anything else. */
  retry: Batch<R> | undefined;
  /** Not before this time (the retry backoff). */
  retryAt: number;
  inFlight: boolean;
  nextSequence: number;
}

const MAX_SEQUENCE = 0x7fffffff;

export class ProduceAccumulator<R, E> {
  private readonly queues = new Map<string, PartitionQueue<R>>();
  private readonly outcomes = new Map<number, Outcome<R, E>>();
  private nextTicket = 0;
  private headTicket = 0;
  private flushing = false;

  constructor(private readonly options: AccumulatorOptions) {}

  /** Queues a record for a partition; returns its ticket. */
  append(topic: string, partition: number, record: R, bytes: number, now: number): number {
    const queue = this.queue(topic, partition);
    if (queue.records.length === 0) queue.firstQueuedAt = now;
    const ticket = this.nextTicket++;
    queue.records.push({ ticket, record, bytes });
    queue.bytes += bytes;
    return ticket;
  }

  /** From now on every queued record is ready, lingering or not (the input completed). */
  flush(): void {
    this.flushing = true;
  }

  /**
   * The batches to send now, at most one per partition not in flight: a retry first, else the queued records up
   * to `batchBytes` once full, lingered long enough or flushing. At most `budget` bytes in flight with those
   * already (`inFlightBytes`), but always one batch when nothing is in flight, so an oversized record still goes
   * (and fails).
   */
  drain(now: number, budget: number, inFlightBytes: number): Batch<R>[] {
    const out: Batch<R>[] = [];
    let room = budget - inFlightBytes;
    for (const queue of this.queues.values()) {
      const alone = out.length === 0 && inFlightBytes === 0;
      if (room <= 0 && !alone) break;
      if (queue.inFlight || (queue.retry && queue.retryAt > now)) continue;
      if (queue.retry && queue.retry.bytes > room && !alone) continue;
      const batch = queue.retry ?? (this.ready(queue, now) ? this.cut(queue, Math.min(this.options.batchBytes, room), alone) : undefined);
      if (!batch) continue;
      queue.retry = undefined;
      queue.inFlight = true;
      room -= batch.bytes;
      out.push(batch);
    }
    return out;
  }

  /** When the next lingering partition becomes ready (undefined: none is waiting on time). */
  nextReadyAt(): number | undefined {
    let at: number | undefined;
    for (const q of this.queues.values()) {
      if (q.inFlight || (!q.retry && q.records.length === 0)) continue;
      const due = q.retry ? q.retryAt : this.flushing ? 0 : q.firstQueuedAt + this.options.lingerMs;
      if (at === undefined || due < at) at = due;
    }
    return at;
  }

  /** The batch was written at `baseOffset` (-1n: acks 0, offsets unknown). */
  acknowledge(batch: Batch<R>, baseOffset: bigint, logAppendTime = -1n): void {
    const queue = this.settle(batch);
    queue.nextSequence = (batch.baseSequence + batch.records.length) % (MAX_SEQUENCE + 1);
    batch.records.forEach((q, i) =>
      this.outcomes.set(q.ticket, {
        ok: true,
        delivered: { record: q.record, topic: batch.topic, partition: batch.partition, offset: baseOffset < 0n ? -1n : baseOffset + BigInt(i), logAppendTime },
      }),
    );
  }

  /** The batch failed retriably: it is sent again, unchanged, next, not before `at`. */
  retry(batch: Batch<R>, at: number): void {
    const queue = this.settle(batch);
    queue.retry = { ...batch, attempts: batch.attempts + 1 };
    queue.retryAt = at;
  }

  /** The batch cannot be written: each of its records gets `error`. */
  fail(batch: Batch<R>, error: E): void {
    this.settle(batch);
    for (const q of batch.records) this.outcomes.set(q.ticket, { ok: false, error, record: q.record });
  }

  /** The outcomes now known at the head of input order, removed (stops at the first record still pending). */
  takeOutcomes(): Outcome<R, E>[] {
    const out: Outcome<R, E>[] = [];
    for (let o = this.outcomes.get(this.headTicket); o !== undefined; o = this.outcomes.get(this.headTicket)) {
      this.outcomes.delete(this.headTicket++);
      out.push(o);
    }
    return out;
  }

  /** Records queued or in flight whose outcome is not yet taken. */
  get pending(): number {
    return this.nextTicket - this.headTicket;
  }

  /** The partitions holding queued or retried records (waiting to be sent). */
  waiting(): readonly { readonly topic: string; readonly partition: number; readonly oldestQueuedAt: number }[] {
    return [...this.queues.values()]
      .filter((q) => !q.inFlight && (q.retry !== undefined || q.records.length > 0))
      .map((q) => ({ topic: q.topic, partition: q.partition, oldestQueuedAt: q.retry?.queuedAt ?? q.firstQueuedAt }));
  }

  /** Takes a waiting partition's retry and queued records out as one failed lot (the delivery timeout). */
  expire(topic: string, partition: number, error: E): void {
    const queue = this.queues.get(`${topic}\u0000${partition}`);
    if (!queue || queue.inFlight) return;
    const records = [...(queue.retry?.records ?? []), ...queue.records];
    queue.retry = undefined;
    queue.records = [];
    queue.bytes = 0;
    for (const q of records) this.outcomes.set(q.ticket, { ok: false, error, record: q.record });
  }

  private ready(queue: PartitionQueue<R>, now: number): boolean {
    if (queue.records.length === 0) return false;
    return this.flushing || queue.bytes >= this.options.batchBytes || now - queue.firstQueuedAt >= this.options.lingerMs;
  }

  /** The head of the queue up to `limit` bytes; with `atLeastOne`, its first record even if larger. */
  private cut(queue: PartitionQueue<R>, limit: number, atLeastOne: boolean): Batch<R> | undefined {
    let bytes = 0;
    let n = 0;
    for (const q of queue.records) {
      if (bytes + q.bytes > limit && (n > 0 || !atLeastOne)) break;
      bytes += q.bytes;
      n++;
    }
    if (n === 0) return undefined;
    const records = queue.records.splice(0, n);
    queue.bytes -= bytes;
    const batch = { topic: queue.topic, partition: queue.partition, records, bytes, baseSequence: queue.nextSequence, attempts: 0, queuedAt: queue.firstQueuedAt };
    queue.firstQueuedAt = queue.records.length > 0 ? queue.firstQueuedAt : 0;
    return batch;
  }

  private settle(batch: Batch<R>): PartitionQueue<R> {
    const queue = this.queue(batch.topic, batch.partition);
    queue.inFlight = false;
    return queue;
  }

  private queue(topic: string, partition: number): PartitionQueue<R> {
    const key = `${topic}\u0000${partition}`;
    let queue = this.queues.get(key);
    if (!queue) {
      queue = { topic, partition, records: [], bytes: 0, firstQueuedAt: 0, retry: undefined, retryAt: 0, inFlight: false, nextSequence: 0 };
      this.queues.set(key, queue);
    }
    return queue;
  }
}
