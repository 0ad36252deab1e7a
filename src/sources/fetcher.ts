import { asyncScheduler, defer, EMPTY, from, merge, Observable, of, SchedulerLike, Subject, Subscription, timer } from 'rxjs';
import { catchError, concatMap, filter, map, mergeMap, repeat, take, takeUntil, tap, toArray } from 'rxjs/operators';
import { hasCode, KafkaClientError, toKafkaClientError } from '../errors';
import { backoffDelay } from '../protocol/backoff';
import type { KafkaMessage } from '../protocol/message';
import { decodeChunk, decodePartitionRecords, type DataChunk, type DecodedPartition } from '../protocol/record-batch';
import { EARLIEST_TIMESTAMP, LATEST_TIMESTAMP, type FetchPartition, type IsolationLevel, type Transport } from '../transport';

/** Where fetched messages of one partition go, and whether that partition may be fetched now (credit). */
export interface PartitionSink {
  deliver(messages: KafkaMessage[], highWatermark: bigint, bytes: number): void;
  hasCredit(): boolean;
  /** The most bytes the next fetch may bring for this partition (the remaining byte credit). */
  fetchBytes(): number;
  /** How many messages may be delivered now (the remaining message credit); the rest of a fetch is dropped and re-fetched. */
  room(): number;
}

export interface FetcherOptions {
  readonly transport: Transport;
  readonly maxWaitMs: number;
  readonly minBytes: number;
  readonly maxBytes: number;
  readonly partitionMaxBytes: number;
  readonly isolationLevel: IsolationLevel;
  readonly checkCrcs: boolean;
  /** What to do when a position is out of range: reset to oldest/newest (reported), or fail the partition. */
  readonly outOfRange: 'oldest' | 'newest' | 'error';
  readonly retry: { readonly initialBackoffMs: number; readonly maxBackoffMs: number };
  readonly scheduler?: SchedulerLike;
  readonly report: (error: KafkaClientError) => void;
  /** A partition that cannot continue (OFFSET_OUT_OF_RANGE with policy 'error', a corrupt batch). */
  readonly failPartition: (topic: string, partition: number, error: KafkaClientError) => void;
  /**
   * The partition's topic is unknown to its leader (deleted, perhaps recreated): its position means nothing any more
   * (Fetch v11 has no topic ids to tell a recreated topic apart), so the partition is no longer fetched and its owner
   * must re-resolve where to start (a group rejoins). Without this callback the partition fails instead.
   */
  readonly partitionLost?: (topic: string, partition: number, error: KafkaClientError) => void;
  /** A partition's high-water mark changed (from a Fetch response). */
  readonly onWatermark?: (topic: string, partition: number, highWatermark: bigint) => void;
  /** A fetch answered for the partition without an error (records or none). */
  readonly onAnswered?: (topic: string, partition: number) => void;
}

interface Fetched {
  readonly topic: string;
  readonly partition: number;
  position: bigint;
  /** Bumped on seek/remove: results of a fetch sent before are dropped. */
  epoch: number;
  readonly sink: PartitionSink;
  highWatermark: bigint;
  /** Bytes the next Fetch must allow this partition: set when its next batch did not fit the limit. */
  needBytes?: number;
}

const key = (topic: string, partition: number) => `${topic}\u0000${partition}`;
const LEADER_MOVED = ['NOT_LEADER_OR_FOLLOWER', 'LEADER_NOT_AVAILABLE', 'FENCED_LEADER_EPOCH', 'UNKNOWN_LEADER_EPOCH', 'KAFKA_STORAGE_ERROR'] as const;
const TOPIC_GONE = ['UNKNOWN_TOPIC_OR_PARTITION', 'UNKNOWN_TOPIC_ID'] as const;

/**
 * Fetching, per broker: one Fetch request per leader covers every partition it leads that has demand (a
 * registered sink) and credit. Leadership is read from metadata and refreshed when a partition reports it moved;
 * connection errors back off and retry. Positions advance past control and aborted batches.
 *
 *   add(t/0) add(t/1) ──Fetch(leader 1: t/0,t/1)──deliver──Fetch──…   remove(t/0) ──Fetch(leader 1: t/1)──…
 */
export class Fetcher {
  private readonly partitions = new Map<string, Fetched>();
  private readonly leaders = new Map<string, number>();
  private readonly loops = new Map<number, Subscription>();
  private readonly wake$ = new Subject<void>();
  private readonly stop$ = new Subject<void>();
  private metadataRefresh: Subscription | undefined;
  private readonly scheduler: SchedulerLike;
  private stopped = false;

  constructor(private readonly options: FetcherOptions) {
    this.scheduler = options.scheduler ?? asyncScheduler;
  }

  /** Starts fetching a partition from `position`. */
  add(topic: string, partition: number, position: bigint, sink: PartitionSink): void {
    const existing = this.partitions.get(key(topic, partition));
    this.partitions.set(key(topic, partition), { topic, partition, position, sink, epoch: (existing?.epoch ?? 0) + 1, highWatermark: -1n });
    if (this.leaders.has(key(topic, partition))) this.wake();
    else this.refreshLeaders();
  }

  /** True while the partition is being fetched. */
  has(topic: string, partition: number): boolean {
    return this.partitions.has(key(topic, partition));
  }

  /** Stops fetching a partition (in-flight results for it are dropped); with `sink`, only if it is still that sink's. */
  remove(topic: string, partition: number, sink?: PartitionSink): void {
    if (sink && this.partitions.get(key(topic, partition))?.sink !== sink) return;
    this.partitions.delete(key(topic, partition));
  }

  /** Moves a partition's position (seek); in-flight results from before are dropped. */
  seek(topic: string, partition: number, position: bigint): void {
    const p = this.partitions.get(key(topic, partition));
    if (!p) return;
    p.position = position;
    p.epoch++;
    this.wake();
  }

  position(topic: string, partition: number): bigint | undefined {
    return this.partitions.get(key(topic, partition))?.position;
  }

  highWatermark(topic: string, partition: number): bigint | undefined {
    const hw = this.partitions.get(key(topic, partition))?.highWatermark;
    return hw === undefined || hw < 0n ? undefined : hw;
  }

  /** Credit came back or demand changed: waiting loops re-check. */
  wake(): void {
    if (this.wake$.observed) this.wake$.next();
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.stop$.next();
    this.metadataRefresh?.unsubscribe();
    for (const s of this.loops.values()) s.unsubscribe();
    this.loops.clear();
    this.partitions.clear();
  }

  private refreshLeaders(failures = 0): void {
    if (this.stopped || this.metadataRefresh && !this.metadataRefresh.closed) return;
    const topics = [...new Set([...this.partitions.values()].map((p) => p.topic))];
    if (topics.length === 0) return;
    this.metadataRefresh = this.options.transport
      .metadata({ topics })
      .pipe(takeUntil(this.stop$))
      .subscribe({
        next: (md) => {
          for (const t of md.topics) for (const p of t.partitions) if (p.leader >= 0) this.leaders.set(key(t.topic, p.partition), p.leader);
          for (const nodeId of new Set(this.leaders.values())) this.ensureLoop(nodeId);
          const missing = [...this.partitions.keys()].some((k) => !this.leaders.has(k));
          this.metadataRefresh = undefined;
          if (missing) this.retryLater(() => this.refreshLeaders(failures + 1), failures + 1);
          else this.wake();
        },
        error: (e: unknown) => {
          this.metadataRefresh = undefined;
          this.options.report(toKafkaClientError(e, { api: 'Metadata' }));
          this.retryLater(() => this.refreshLeaders(failures + 1), failures + 1);
        },
      });
  }

  private retryLater(work: () => void, failures: number): void {
    timer(backoffDelay(failures, this.options.retry.initialBackoffMs, this.options.retry.maxBackoffMs), this.scheduler)
      .pipe(takeUntil(this.stop$))
      .subscribe(work);
  }

  private eligible(nodeId: number): Fetched[] {
    const out: Fetched[] = [];
    for (const [k, p] of this.partitions) if (this.leaders.get(k) === nodeId && p.sink.hasCredit()) out.push(p);
    return out;
  }

  private ensureLoop(nodeId: number): void {
    if (this.loops.has(nodeId) || this.stopped) return;
    let failures = 0;
    /**
     * Decoded partitions waiting to be delivered, in order: after the next Fetch left, one partition per turn of the
     * event loop (`deliverInTurns`), or all at once before the next response is handled.
     */
    const pending: (() => void)[] = [];
    const flush = () => {
      for (let d = pending.shift(); d; d = pending.shift()) d();
    };
    // A large response takes the handler a while: between partitions the socket is read, so the next response
    // keeps arriving instead of stalling the broker once the socket's receive buffer is full.
    const deliverInTurns = () => {
      pending.shift()?.();
      if (pending.length > 0) this.yieldToIo(deliverInTurns);
    };
    const once = defer((): Observable<unknown> => {
      const batch = this.eligible(nodeId);
      if (batch.length === 0) return this.wake$.pipe(take(1));
      const epochs = batch.map((p) => p.epoch);
      const limits = batch.map((p) => Math.max(p.needBytes ?? 0, 1, Math.min(this.options.partitionMaxBytes, p.sink.fetchBytes())));
      return this.options.transport
        .fetch({
          nodeId,
          maxWaitMs: this.options.maxWaitMs,
          minBytes: this.options.minBytes,
          maxBytes: this.options.maxBytes,
          isolationLevel: this.options.isolationLevel,
          partitions: batch.map((p, i) => ({ topic: p.topic, partition: p.partition, fetchOffset: p.position, maxBytes: limits[i] ?? 1 })),
        })
        .pipe(
          concatMap((results) => {
            flush();
            return this.handle(nodeId, results, batch, epochs, limits, pending);
          }),
          tap({ complete: () => pending.length > 0 && this.yieldToIo(deliverInTurns) }),
          tap(() => (failures = 0)),
          catchError((e: unknown) => {
            failures++;
            const error = toKafkaClientError(e, { api: 'Fetch', broker: String(nodeId) });
            this.options.report(error);
            // Not retriable (e.g. an authorization error for the whole request): the same Fetch would fail again at
            // once, so it waits out the backoff too; leaders stay as they are.
            if (!error.retriable && error._tag !== 'ConnectionError' && error._tag !== 'BrokerUnavailable') {
              return timer(backoffDelay(failures, this.options.retry.initialBackoffMs, this.options.retry.maxBackoffMs), this.scheduler);
            }
            for (const p of batch) this.leaders.delete(key(p.topic, p.partition));
            return timer(backoffDelay(failures, this.options.retry.initialBackoffMs, this.options.retry.maxBackoffMs), this.scheduler).pipe(
              tap(() => this.refreshLeaders()),
            );
          }),
        );
    });
    this.loops.set(nodeId, once.pipe(repeat(), takeUntil(this.stop$)).subscribe());
  }

  /** Runs `work` after pending I/O (setImmediate); with an injected scheduler, on that scheduler (virtual time). */
  private yieldToIo(work: () => void): void {
    if (this.options.scheduler) this.scheduler.schedule(work);
    else setImmediate(work);
  }

  /** Decodes and delivers one Fetch response; partition errors move leaders or reset positions. */
  private handle(nodeId: number, results: readonly FetchPartition[], sent: readonly Fetched[], epochs: readonly number[], limits: readonly number[], pending: (() => void)[]): Observable<unknown> {
    const work: Observable<unknown>[] = [];
    let leaderMoved = false;
    let responseBytes = 0;
    let next = 0;
    for (const r of results) {
      // What the broker could send this partition: its limit, within what the response's maxBytes had left.
      const room = Math.max(0, this.options.maxBytes - responseBytes);
      responseBytes += r.records.length;
      // Brokers answer in the order asked: look there first, search only when it differs.
      const asked = sent[next];
      const i = asked && asked.topic === r.topic && asked.partition === r.partition ? next : sent.findIndex((p) => p.topic === r.topic && p.partition === r.partition);
      next = i + 1;
      const p = sent[i];
      if (!p || this.partitions.get(key(p.topic, p.partition)) !== p || p.epoch !== epochs[i]) continue; // removed or sought meanwhile
      if (r.error) {
        if (hasCode(r.error, ...LEADER_MOVED)) {
          this.leaders.delete(key(p.topic, p.partition));
          leaderMoved = true;
        } else if (hasCode(r.error, ...TOPIC_GONE)) {
          // Keeping the position could skip a recreated topic's first records, silently: stop and let the owner re-resolve.
          const error = r.error.withContext({ topic: p.topic, partition: p.partition, offset: p.position, broker: String(nodeId) });
          this.leaders.delete(key(p.topic, p.partition));
          if (this.options.partitionLost) {
            this.partitions.delete(key(p.topic, p.partition));
            this.options.report(error);
            this.options.partitionLost(p.topic, p.partition, error);
          } else this.fail(p, error);
        } else if (hasCode(r.error, 'OFFSET_OUT_OF_RANGE')) {
          work.push(this.resetOutOfRange(p, r.error));
        } else if (!r.error.retriable) {
          // Not retriable (e.g. TOPIC_AUTHORIZATION_FAILED): refetching cannot help (and would spin): the partition
          // fails, its stream errors, reported once.
          this.fail(p, r.error.withContext({ topic: p.topic, partition: p.partition, offset: p.position, broker: String(nodeId) }));
        } else {
          this.options.report(r.error.withContext({ topic: p.topic, partition: p.partition, offset: p.position, broker: String(nodeId) }));
        }
        continue;
      }
      this.options.onAnswered?.(p.topic, p.partition);
      if (p.highWatermark !== r.highWatermark) {
        p.highWatermark = r.highWatermark;
        this.options.onWatermark?.(p.topic, p.partition, r.highWatermark);
      }
      if (r.records.length === 0) continue;
      const epoch = p.epoch;
      work.push(
        // Deferred, so a synchronous decode failure (CRC, unknown codec, malformed batch) fails this partition below
        // instead of escaping to the Fetch loop, which would report it and fetch the same bytes again at once.
        defer(() => {
          const decoded = this.decode(p, r);
          return decoded instanceof Promise ? from(decoded) : of(decoded);
        }).pipe(
          tap((d) => {
            if (this.partitions.get(key(p.topic, p.partition)) !== p || p.epoch !== epoch) return;
            if (d.partialTail && d.bytes === 0) {
              // Only part of the next batch came. With room left in the limit it was sent cut short: corrupt. Else
              // the batch is larger than the limit (a broker applies KIP-74 to the first partition only): ask for it whole.
              const size = r.records.length >= 12 ? r.records.readInt32BE(8) + 12 : 0;
              const allowed = Math.min(limits[i] ?? 0, room);
              if (r.records.length < allowed) {
                throw new KafkaClientError({ tag: 'CorruptRecordBatch', message: `Truncated record batch: ${r.records.length} of ${size} bytes, though ${allowed} were allowed`, context: { topic: p.topic, partition: p.partition, offset: p.position } });
              }
              if (size > (limits[i] ?? 0)) p.needBytes = size;
              this.wake();
              return;
            }
            p.needBytes = undefined;
            // Positions move now, so the next Fetch can go out; the messages are handed over just after it left.
            if (d.nextOffset > p.position) p.position = d.nextOffset;
            if (d.chunks.length === 0) return;
            const deliveryEpoch = p.epoch;
            pending.push(() => this.deliver(p, deliveryEpoch, d.chunks, r.highWatermark));
          }),
          catchError((e: unknown) => {
            const error = toKafkaClientError(e, { topic: p.topic, partition: p.partition, offset: p.position });
            this.fail(p, error);
            return EMPTY;
          }),
        ),
      );
    }
    if (leaderMoved) this.refreshLeaders();
    return work.length === 0 ? of(undefined) : merge(...work.map((w) => w.pipe(toArray()))).pipe(toArray());
  }

  /**
   * Hands a partition's fetched batches to its sink, decoding one batch at a time (only that batch's messages are
   * alive at once). Stops when the partition was removed or sought meanwhile (a synchronous handler may do either);
   * over the message credit, delivers what fits and fetches the rest again (bounded memory, exact position; a
   * Fetch already sent from the optimistic position is dropped by the epoch); a corrupt batch fails the partition
   * after the batches before it were delivered.
   */
  private deliver(p: Fetched, epoch: number, chunks: readonly DataChunk[], highWatermark: bigint): void {
    const current = () => this.partitions.get(key(p.topic, p.partition)) === p && p.epoch === epoch;
    for (const chunk of chunks) {
      if (!current()) return;
      let messages: KafkaMessage[];
      try {
        messages = decodeChunk(chunk, p.topic, p.partition);
      } catch (e: unknown) {
        this.fail(p, toKafkaClientError(e, { topic: p.topic, partition: p.partition, offset: chunk.batch.header.baseOffset }));
        return;
      }
      if (messages.length === 0) continue;
      const room = p.sink.room();
      if (messages.length > room) {
        const fits = messages.slice(0, Math.max(0, room));
        const last = fits[fits.length - 1];
        p.position = last ? last.offset + 1n : (messages[0] as KafkaMessage).offset;
        p.epoch++;
        if (last) p.sink.deliver(fits, highWatermark, Math.ceil((chunk.bytes * fits.length) / messages.length));
        this.wake();
        return;
      }
      p.sink.deliver(messages, highWatermark, chunk.bytes);
    }
  }

  /** The partition cannot continue: it is no longer fetched and its owner gets the typed error. */
  private fail(p: Fetched, error: KafkaClientError): void {
    this.partitions.delete(key(p.topic, p.partition));
    this.options.failPartition(p.topic, p.partition, error);
  }

  private decode(p: Fetched, r: FetchPartition): DecodedPartition | Promise<DecodedPartition> {
    const decompress = this.options.transport.decompress?.bind(this.options.transport);
    return decodePartitionRecords({
      topic: p.topic,
      partition: p.partition,
      records: r.records,
      fetchOffset: p.position,
      isolationLevel: this.options.isolationLevel,
      abortedTransactions: r.abortedTransactions,
      checkCrc: this.options.checkCrcs,
      decompress: (codec, data) => {
        if (!decompress) throw new KafkaClientError({ tag: 'CodecMissing', message: `No ${codec} codec: this transport cannot decompress`, context: { topic: p.topic, partition: p.partition } });
        return decompress(codec, data);
      },
    });
  }

  /** OFFSET_OUT_OF_RANGE: reset by policy (reported on errors$, never silently), or fail the partition. */
  private resetOutOfRange(p: Fetched, error: KafkaClientError): Observable<unknown> {
    const context = { topic: p.topic, partition: p.partition, offset: p.position };
    if (this.options.outOfRange === 'error') {
      this.fail(p, error.withContext(context));
      return EMPTY;
    }
    const timestamp = this.options.outOfRange === 'oldest' ? EARLIEST_TIMESTAMP : LATEST_TIMESTAMP;
    const epoch = p.epoch;
    return this.options.transport.listOffsets({ partitions: [{ topic: p.topic, partition: p.partition, timestamp }], isolationLevel: this.options.isolationLevel }).pipe(
      map((rs) => rs[0]),
      filter((r) => !!r && !r.error && p.epoch === epoch),
      tap((r) => {
        if (!r) return;
        this.options.report(
          new KafkaClientError({ tag: 'OffsetReset', message: `Offset ${p.position} out of range; reset to ${this.options.outOfRange} (${r.offset})`, context, retriable: true, cause: error }),
        );
        p.position = r.offset;
      }),
      catchError((e: unknown) => {
        this.options.report(toKafkaClientError(e, context));
        return EMPTY;
      }),
      mergeMap(() => EMPTY),
    );
  }
}
