import { HasOffset, OffsetQueue } from './offset-queue';

export type { HasOffset } from './offset-queue';

export interface PartitionKey {
  readonly topic: string;
  readonly partition: number;
}

/** 'ok'; 'not-owned': dropped, the partition is not assigned; 'stale': the position was already past it. */
export type MarkResult = 'ok' | 'not-owned' | 'stale';

/** When credit (in-flight messages and bytes) is returned: when offsets are marked, or at once when emitted. */
export type CreditReturn = 'mark' | 'emit';

export interface OffsetLedgerOptions {
  readonly creditReturn: CreditReturn;
}

export interface Credit {
  readonly messages: number;
  readonly bytes: number;
}

export interface PendingCommit {
  readonly topic: string;
  readonly partition: number;
  /** The mark position: the next offset to consume. */
  readonly offset: bigint;
  readonly metadata: string | null;
  /** The generation the partition was assigned in: the commit is fenced by it. */
  readonly generationId: number;
}

export interface CommittedEntry {
  readonly topic: string;
  readonly partition: number;
  readonly offset: bigint;
  /** When given and not the partition's current generation, the entry is ignored. */
  readonly generationId?: number;
}

export interface PartitionPosition {
  /** The mark position: what a commit sends (next offset to consume). */
  readonly mark: bigint;
  readonly committed: bigint;
  readonly generationId: number;
}

interface PartitionState {
  generationId: number;
  position: bigint;
  committed: bigint;
  metadata: string | null;
  /** undefined with creditReturn 'emit': nothing is held. */
  readonly queue: OffsetQueue | undefined;
}

const NO_CREDIT: Credit = Object.freeze({ messages: 0, bytes: 0 });

/**
 * Per (topic, partition) of this member: what was emitted downstream and not yet marked (credit), the mark position
 * (what a commit sends: the next offset to consume), the last committed offset, and the generation. Pure and
 * mutable; no I/O. Offsets are bigint, exact at any magnitude.
 *
 * Invariants:
 * - Only assigned partitions have state. A call for any other partition changes nothing ('not-owned', false,
 *   undefined, zero credit); release drops everything, so a later assign starts afresh.
 * - The mark position only moves forward (mark, markProcessed), except by reset, which sets it exactly.
 *   mark(o) passes everything <= o; markProcessed never passes an emitted offset that is not done, and moves the
 *   position only when the first pending emitted offset is done: to the next pending one, or past the last passed.
 *   Offsets never emitted (gaps) hold nothing back.
 * - committed moves only through committed(): forward, or exactly onto the mark position (a commit of a rewind).
 *   A partition has a pending commit exactly when its mark position differs from committed.
 * - Credit: in-flight messages = emitted and not done; bytes are returned per emitted batch in proportion to its
 *   done messages, all of them once the batch is done. totalInFlightBytes() is the sum over partitions. With
 *   creditReturn 'emit' nothing is held: in-flight is always zero, and markProcessed acts as mark.
 * - Emitted offsets ascend per partition while any are in flight (a backwards seek needs an empty queue).
 */
export class OffsetLedger {
  private readonly byTopic = new Map<string, Map<number, PartitionState>>();
  private readonly holdCredit: boolean;
  private inFlightBytes = 0;

  constructor(opts: OffsetLedgerOptions) {
    this.holdCredit = opts.creditReturn === 'mark';
  }

  /**
   * Starts tracking a partition for a generation from its fetch start position (committed offset, or the reset
   * one), which counts as committed: nothing is pending until the position moves. Replaces any state it had.
   */
  assign(topic: string, partition: number, generationId: number, startOffset: bigint): void {
    let partitions = this.byTopic.get(topic);
    if (partitions === undefined) this.byTopic.set(topic, (partitions = new Map()));
    const old = partitions.get(partition);
    if (old?.queue !== undefined) this.inFlightBytes -= old.queue.bytes;
    partitions.set(partition, {
      generationId,
      position: startOffset,
      committed: startOffset,
      metadata: null,
      queue: this.holdCredit ? new OffsetQueue() : undefined,
    });
  }

  /** Moves a kept partition into a new generation with its state (cooperative rebalancing). False if not owned. */
  renew(topic: string, partition: number, generationId: number): boolean {
    const s = this.get(topic, partition);
    if (s === undefined) return false;
    s.generationId = generationId;
    return true;
  }

  /** Stops tracking (revoked): the position if it was not committed, and the credit still held, for reporting. */
  release(topic: string, partition: number): { uncommitted: bigint | undefined; inFlight: Credit } {
    const partitions = this.byTopic.get(topic);
    const s = partitions?.get(partition);
    if (partitions === undefined || s === undefined) return { uncommitted: undefined, inFlight: NO_CREDIT };
    partitions.delete(partition);
    if (partitions.size === 0) this.byTopic.delete(topic);
    const inFlight = creditOf(s);
    this.inFlightBytes -= inFlight.bytes;
    return { uncommitted: s.position !== s.committed ? s.position : undefined, inFlight };
  }

  owns(topic: string, partition: number): boolean {
    return this.get(topic, partition) !== undefined;
  }

  /**
   * Records messages emitted downstream: ascending offsets (gaps allowed; a KafkaMessage[] will do, it is not
   * retained) and their total bytes (key + value + headers). False, recording nothing, if the partition is not
   * owned. Throws RangeError if they do not follow the offsets still in flight.
   */
  emitted(topic: string, partition: number, messages: readonly HasOffset[], bytes: number): boolean {
    const s = this.get(topic, partition);
    if (s === undefined) return false;
    const q = s.queue;
    if (q === undefined || messages.length === 0) return true;
    const first = (messages[0] as HasOffset).offset;
    if (q.messages > 0 && q.lastPushed !== undefined && first <= q.lastPushed) {
      throw new RangeError(`${topic}/${partition}: emitted offset ${first} does not follow ${q.lastPushed} still in flight`);
    }
    q.push(messages, bytes);
    this.inFlightBytes += bytes;
    return true;
  }

  /**
   * Cumulative mark (sarama-cluster MarkOffset): everything up to and including `offset` is processed. The position
   * becomes max(position, offset + 1); credit is returned for every emitted offset <= `offset`, even when 'stale'.
   */
  mark(topic: string, partition: number, offset: bigint, metadata?: string | null): MarkResult {
    const s = this.get(topic, partition);
    return s === undefined ? 'not-owned' : this.markThrough(s, offset, metadata);
  }

  /**
   * Out-of-order completion (mergeMap with concurrency): `offset` alone is processed; its credit is returned. The
   * position moves over the contiguous done prefix of what was emitted. An offset not in flight (creditReturn
   * 'emit', or never emitted) acts as mark() when no emitted offset below it is pending, else changes nothing.
   */
  markProcessed(topic: string, partition: number, offset: bigint, metadata?: string | null): MarkResult {
    const s = this.get(topic, partition);
    if (s === undefined) return 'not-owned';
    const q = s.queue;
    if (q === undefined) return this.markThrough(s, offset, metadata);
    const stale = offset < s.position;
    const bytes = q.bytes;
    const done = q.complete(offset);
    if (done !== 'absent') {
      this.inFlightBytes -= bytes - q.bytes;
      if (done === 'advanced') this.moveTo(s, q.firstPending() ?? (q.passedEnd as bigint), metadata);
      return stale ? 'stale' : 'ok';
    }
    const pending = q.firstPending();
    if (pending !== undefined && pending < offset) return stale ? 'stale' : 'ok';
    return this.markThrough(s, offset, metadata);
  }

  /** ResetOffset (sarama-cluster): sets the mark position to `position` (next offset to consume), even backwards. */
  reset(topic: string, partition: number, position: bigint, metadata?: string | null): MarkResult {
    const s = this.get(topic, partition);
    if (s === undefined) return 'not-owned';
    s.position = position;
    s.metadata = metadata ?? null;
    return 'ok';
  }

  /** Credit held by a partition: emitted and not yet marked (zero with creditReturn 'emit', or if not owned). */
  inFlight(topic: string, partition: number): Credit {
    const s = this.get(topic, partition);
    return s === undefined ? NO_CREDIT : creditOf(s);
  }

  /** True when a partition holds at most `messages` and `bytes` of credit (not owned: holds nothing). Allocates nothing. */
  holdsAtMost(topic: string, partition: number, messages: number, bytes: number): boolean {
    const q = this.get(topic, partition)?.queue;
    return q === undefined || (q.messages <= messages && q.bytes <= bytes);
  }

  /** Bytes held across all partitions. */
  totalInFlightBytes(): number {
    return this.inFlightBytes;
  }

  /** What a commit should send: every partition whose mark position differs from its committed offset. */
  pendingCommits(): PendingCommit[] {
    const out: PendingCommit[] = [];
    for (const [topic, partitions] of this.byTopic) {
      for (const [partition, s] of partitions) {
        if (s.position !== s.committed) {
          out.push({ topic, partition, offset: s.position, metadata: s.metadata, generationId: s.generationId });
        }
      }
    }
    return out;
  }

  /**
   * A commit of these entries succeeded: committed := offset when that is forward or exactly the mark position
   * (never backwards otherwise, so a late response cannot undo a newer commit). Entries of partitions not owned,
   * or of another generation, are ignored.
   */
  committed(entries: readonly CommittedEntry[]): void {
    for (const e of entries) {
      const s = this.get(e.topic, e.partition);
      if (s === undefined || (e.generationId !== undefined && e.generationId !== s.generationId)) continue;
      if (e.offset > s.committed || e.offset === s.position) s.committed = e.offset;
    }
  }

  /** True when no partition (or none of the given ones) holds in-flight messages: drain complete. */
  drained(partitions?: readonly PartitionKey[]): boolean {
    if (partitions === undefined) {
      for (const byPartition of this.byTopic.values()) {
        for (const s of byPartition.values()) if (s.queue !== undefined && s.queue.messages > 0) return false;
      }
      return true;
    }
    for (const p of partitions) {
      const q = this.get(p.topic, p.partition)?.queue;
      if (q !== undefined && q.messages > 0) return false;
    }
    return true;
  }

  position(topic: string, partition: number): PartitionPosition | undefined {
    const s = this.get(topic, partition);
    return s === undefined ? undefined : { mark: s.position, committed: s.committed, generationId: s.generationId };
  }

  private get(topic: string, partition: number): PartitionState | undefined {
    return this.byTopic.get(topic)?.get(partition);
  }

  private markThrough(s: PartitionState, offset: bigint, metadata: string | null | undefined): MarkResult {
    const stale = offset < s.position;
    const q = s.queue;
    let to = offset + 1n;
    if (q !== undefined) {
      const bytes = q.bytes;
      if (q.completeThrough(offset)) {
        this.inFlightBytes -= bytes - q.bytes;
        if (q.passedBeyond(offset)) to = q.passedEnd as bigint;
      }
    }
    this.moveTo(s, to, metadata);
    return stale ? 'stale' : 'ok';
  }

  private moveTo(s: PartitionState, to: bigint, metadata: string | null | undefined): void {
    if (to > s.position) {
      s.position = to;
      s.metadata = metadata ?? null;
    }
  }
}

const creditOf = (s: PartitionState): Credit =>
  s.queue === undefined ? NO_CREDIT : { messages: s.queue.messages, bytes: s.queue.bytes };
