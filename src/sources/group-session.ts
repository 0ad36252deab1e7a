import { asyncScheduler, combineLatest, concat, defer, EMPTY, Observable, of, SchedulerLike, Subject, Subscription, timer } from 'rxjs';
import { catchError, filter, ignoreElements, map, mergeMap, retry, shareReplay, take, takeUntil, tap, timeout } from 'rxjs/operators';
import { hasCode, KafkaClientError, toKafkaClientError } from '../errors';
import { type Assignment, partitionsOf } from '../protocol/assignment';
import { backoffDelay } from '../protocol/backoff';
import type { KafkaMessage } from '../protocol/message';
import { OffsetLedger, type MarkResult } from '../protocol/offset-ledger';
import { LATEST_TIMESTAMP, type Transport } from '../transport';
import { Committer } from './committer';
import { Fetcher, type PartitionSink } from './fetcher';
import { startConsumerMembership } from './consumer-membership';
import { Generation, GroupNotification, MembershipHandle, MembershipOptions, startMembership } from './group-membership';
import { partitionKey, startPositions } from './start-positions';

/** Everything a session needs, resolved from the validated config by `consumerGroup`. */
export interface SessionSettings {
  readonly transport: Transport;
  readonly membership: Omit<MembershipOptions, 'transport' | 'onRevoke' | 'notifications' | 'scheduler'>;
  readonly initial: 'oldest' | 'newest';
  readonly outOfRange: 'oldest' | 'newest' | 'error';
  readonly isolationLevel: 'read_uncommitted' | 'read_committed';
  readonly checkCrcs: boolean;
  readonly fetch: { readonly minBytes: number; readonly maxBytes: number; readonly partitionMaxBytes: number; readonly maxWaitMs: number };
  readonly credit: { readonly maxMessages: number; readonly maxBytes: number; readonly globalMaxBytes: number; readonly returnOn: 'mark' | 'emit' | 'auto' };
  readonly commitIntervalMs: number;
  readonly commitRetryMax: number;
  readonly drainTimeoutMs: number;
  readonly scheduler?: SchedulerLike;
  readonly notifications: Subject<GroupNotification>;
  readonly errors: Subject<KafkaClientError>;
  /** True once a marker (markOffsets operator, a mark call) exists for the group: credit then returns on marks. */
  readonly hasMarkers: () => boolean;
  /** True while the user paused this partition: it is not fetched (heartbeats go on). */
  readonly isPaused?: (topic: string, partition: number) => boolean;
  /** A partition's high-water mark changed. */
  readonly onWatermark?: (topic: string, partition: number, highWatermark: bigint) => void;
  /** Offsets were committed. */
  readonly onCommitted?: () => void;
  /** A fetch answered for the partition (for stalls$). */
  readonly onFetchAnswered?: (topic: string, partition: number) => void;
  /** A batch of a partition's messages reached the application (for metrics). */
  readonly onDelivered?: (topic: string, partition: number, messages: number, bytes: number) => void;
}

/** While a partition's message size is unknown, its first fetch under mark credit asks for at most this much. */
const FIRST_FETCH_BYTES = 64 * 1024;

/** A partition's delivery target inside a generation. */
/** A member's identity in its group, as Java's ConsumerGroupMetadata: what a transaction's offset commit carries. */
export interface GroupMetadata {
  readonly groupId: string;
  readonly memberId: string;
  /** The classic generation id, or the member epoch under the consumer group protocol. */
  readonly generationId: number;
  readonly groupInstanceId?: string;
}

export type BatchListener = (messages: KafkaMessage[], highWatermark: bigint) => void;

/**
 * One member's life in the group, from join to leave: membership, the offset ledger, the fetcher and the
 * committer, wired together. Created when the first stream subscribes, stopped when the last one unsubscribes or
 * `close()` is called. Revocation drains (waits for marks, bounded by the drain timeout), commits, then rejoins.
 */
export class GroupSession {
  readonly ledger = new OffsetLedger({ creditReturn: 'mark' });
  readonly generations$ = new Subject<Generation>();
  private readonly marks$ = new Subject<void>();
  private readonly fetcher: Fetcher;
  private readonly committer: Committer;
  private readonly membership: MembershipHandle;
  private readonly scheduler: SchedulerLike;
  /** Per claimed partition, the lookup of where it starts: made once for the partitions a generation added. */
  private readonly starts = new Map<string, Observable<ReadonlyMap<string, bigint>>>();
  /** Per generation, where its partitions start (built from `starts` when first asked). */
  private readonly startsOfGeneration = new WeakMap<Generation, Observable<ReadonlyMap<string, bigint>>>();
  private readonly failedPartitions = new Subject<{ topic: string; partition: number; error: KafkaClientError }>();
  private commitTimer = Subscription.EMPTY;
  /** Per sought partition, the messages delivered since its last seek: marks of any other message are fenced. */
  private readonly sinceSeek = new Map<string, WeakSet<object>>();
  private current: Generation | undefined;
  private stopped = false;
  /** Someone asks whether messages are stale (deliveredBeforeSeek): revocations then count as seeks. */
  private staleTracking = false;
  readonly done$ = new Subject<void>();

  constructor(private readonly settings: SessionSettings) {
    this.scheduler = settings.scheduler ?? asyncScheduler;
    const { transport } = settings;
    const retry = settings.membership.retry;
    this.fetcher = new Fetcher({
      transport,
      maxWaitMs: settings.fetch.maxWaitMs,
      minBytes: settings.fetch.minBytes,
      maxBytes: settings.fetch.maxBytes,
      partitionMaxBytes: settings.fetch.partitionMaxBytes,
      isolationLevel: settings.isolationLevel,
      checkCrcs: settings.checkCrcs,
      outOfRange: settings.outOfRange,
      retry,
      scheduler: this.scheduler,
      report: (e) => settings.errors.next(e),
      onWatermark: settings.onWatermark,
      onAnswered: settings.onFetchAnswered,
      failPartition: (topic, partition, error) => {
        settings.errors.next(error);
        this.failedPartitions.next({ topic, partition, error });
      },
      // Its topic was deleted (or is not yet known to the leader): the next generation starts it from the committed
      // offset, else the initial policy, never from a position in a log that may no longer exist.
      partitionLost: () => this.membership.rejoin(),
    });
    this.committer = new Committer({
      transport,
      groupId: settings.membership.groupId,
      ledger: this.ledger,
      identity: () => {
        const s = this.membership.state();
        return s.generation ? { memberId: s.memberId, generationId: s.generationId, groupInstanceId: settings.membership.instanceId, groupProtocol: s.groupProtocol } : undefined;
      },
      retry: { max: settings.commitRetryMax, initialBackoffMs: retry.initialBackoffMs, maxBackoffMs: retry.maxBackoffMs },
      scheduler: this.scheduler,
      onCommitted: settings.onCommitted,
    });
    const start = settings.membership.groupProtocol === 'consumer' ? startConsumerMembership : startMembership;
    this.membership = start(
      { ...settings.membership, transport, scheduler: this.scheduler, notifications: settings.notifications, report: (e) => settings.errors.next(e), onRevoke: (g, partitions, fenced) => this.revoke(g, partitions, fenced) },
      {
        next: (g) => this.onGeneration(g),
        error: (e) => {
          settings.errors.next(e);
          this.finish();
          this.generations$.error(e);
        },
        complete: () => {
          this.finish();
          this.generations$.complete();
        },
      },
    );
    this.commitTimer = timer(settings.commitIntervalMs, settings.commitIntervalMs, this.scheduler).subscribe(() => this.commitInBackground());
  }

  /** The generation currently held, if any (late subscribers start from it). */
  get generation(): Generation | undefined {
    return this.current;
  }

  private get tracking(): boolean {
    const mode = this.settings.credit.returnOn;
    return mode === 'mark' || (mode === 'auto' && this.settings.hasMarkers());
  }

  /** Added partitions start afresh; kept ones carry their marks and credit into the new generation. */
  private onGeneration(g: Generation): void {
    for (const { topic, partition } of partitionsOf(g.added)) this.ledger.assign(topic, partition, g.generationId, -1n);
    for (const { topic, partition } of partitionsOf(g.kept)) this.ledger.renew(topic, partition, g.generationId);
    this.current = g;
    this.generations$.next(g);
  }

  /**
   * Start positions of a generation's partitions: each claim's is looked up once, when the generation that added
   * it arrives (retriable errors retried with backoff); kept partitions answer with what was found for them then.
   */
  startPositionsOf(g: Generation): Observable<ReadonlyMap<string, bigint>> {
    // Every partition stream of a generation asks: the answer is worked out once per generation, not once per
    // partition over all of its partitions (quadratic with 200 partitions).
    let positions = this.startsOfGeneration.get(g);
    if (!positions) {
      positions = this.lookUpStartsOf(g);
      this.startsOfGeneration.set(g, positions);
    }
    return positions;
  }

  private lookUpStartsOf(g: Generation): Observable<ReadonlyMap<string, bigint>> {
    const parts = partitionsOf(g.current);
    const fresh = parts.filter(({ topic, partition }) => !this.starts.has(partitionKey(topic, partition)));
    if (fresh.length > 0) {
      const lookup = this.lookUpStarts(g, fresh);
      for (const { topic, partition } of fresh) this.starts.set(partitionKey(topic, partition), lookup);
    }
    const lookups = [...new Set(parts.flatMap(({ topic, partition }) => this.starts.get(partitionKey(topic, partition)) ?? []))];
    if (lookups.length === 0) return of(new Map<string, bigint>());
    if (lookups.length === 1 && lookups[0]) return lookups[0];
    return combineLatest(lookups).pipe(
      take(1),
      map((found) => new Map(found.flatMap((m) => [...m]))),
    );
  }

  private lookUpStarts(g: Generation, parts: readonly { topic: string; partition: number }[]): Observable<ReadonlyMap<string, bigint>> {
    const s = this.settings;
    return defer(() => this.coordinator()).pipe(
      mergeMap((coordinator) => startPositions(s.transport, { groupId: s.membership.groupId, coordinator, member: this.fetchingMember() }, parts, s.initial, s.isolationLevel)),
      // Offsets an open transaction holds (a zombie's, say): asked again until it ends, committed or aborted (at the
      // latest when its timeout aborts it), however long that takes, as the Java consumer does; reported once.
      retry({
        delay: (e: unknown, attempt) => {
          const error = toKafkaClientError(e, { group: s.membership.groupId, generation: g.generationId });
          if (!hasCode(error, 'UNSTABLE_OFFSET_COMMIT')) throw e;
          if (attempt === 1) s.errors.next(error);
          return timer(backoffDelay(attempt, s.membership.retry.initialBackoffMs, s.membership.retry.maxBackoffMs), this.scheduler);
        },
      }),
      takeUntil(this.done$),
      retry({
        count: s.membership.retry.max,
        delay: (e: unknown, attempt) => {
          const error = toKafkaClientError(e, { group: s.membership.groupId, generation: g.generationId });
          // e.g. GROUP_AUTHORIZATION_FAILED: asking again cannot help. A fenced consumer-protocol member is the
          // exception: it rejoins, and either the partition is lost (the stream ends) or it asks as the new member.
          if (!error.retriable && !(this.fetchingMember() && hasCode(error, 'UNKNOWN_MEMBER_ID', 'FENCED_MEMBER_EPOCH'))) throw error;
          s.errors.next(error);
          return timer(backoffDelay(attempt, s.membership.retry.initialBackoffMs, s.membership.retry.maxBackoffMs), this.scheduler);
        },
      }),
      tap((positions) => {
        for (const { topic, partition } of parts) {
          const offset = positions.get(partitionKey(topic, partition));
          // In the generation it is in by now (a later one may have kept it while the lookup ran).
          const held = this.ledger.position(topic, partition);
          if (offset !== undefined && held) this.ledger.assign(topic, partition, held.generationId, offset);
        }
      }),
      shareReplay({ bufferSize: 1, refCount: false }),
    );
  }

  /** A consumer-protocol member fetches committed offsets as itself, with its epoch at the time of asking (a retry after STALE_MEMBER_EPOCH carries the new one). */
  private fetchingMember(): { memberId: string; memberEpoch: number } | undefined {
    const m = this.membership.state();
    return m.groupProtocol === 'consumer' ? { memberId: m.memberId, memberEpoch: m.generationId } : undefined;
  }

  private coordinator(): Observable<number> {
    const c = this.membership.state().coordinator;
    return c !== undefined ? of(c) : this.settings.transport.findCoordinator({ groupId: this.settings.membership.groupId }).pipe(map((b) => b.nodeId));
  }

  /**
   * A partition's messages for one generation, as batches: fetching starts on subscription, stops on
   * unsubscription (no rebalance), and the stream completes when the generation is revoked.
   */
  partitionBatches(g: Generation, topic: string, partition: number): Observable<KafkaMessage[]> {
    const s = this.settings;
    return new Observable<KafkaMessage[]>((sub) => {
      let sink: PartitionSink | undefined;
      const failed = this.failedPartitions.pipe(filter((f) => f.topic === topic && f.partition === partition), take(1)).subscribe((f) => sub.error(f.error));
      const start = this.startPositionsOf(g).subscribe({
        next: (positions) => {
          const position = positions.get(partitionKey(topic, partition));
          if (position === undefined || !this.ledger.owns(topic, partition)) return sub.complete();
          let bytesPerMessage: number | undefined;
          if (this.fetcher.has(topic, partition)) {
            return sub.error(new KafkaClientError({ tag: 'UsageError', message: 'This partition is already being consumed: use one mode per group (messages$/batches$ or partitions$), and subscribe a partition stream once', context: { group: s.membership.groupId, topic, partition } }));
          }
          sink = {
            deliver: (messages, _hw, bytes) => {
              bytesPerMessage = bytes / messages.length;
              const tagged = this.sinceSeek.get(partitionKey(topic, partition));
              if (tagged) for (const m of messages) tagged.add(m);
              if (this.tracking) this.ledger.emitted(topic, partition, messages, bytes);
              s.onDelivered?.(topic, partition, messages.length, bytes);
              sub.next(messages);
            },
            hasCredit: () => !this.settings.isPaused?.(topic, partition) && (!this.tracking || this.belowLowWater(topic, partition)),
            room: () => (this.tracking ? s.credit.maxMessages - this.ledger.inFlight(topic, partition).messages : Number.MAX_SAFE_INTEGER),
            fetchBytes: () => {
              if (!this.tracking) return Number.MAX_SAFE_INTEGER;
              const c = this.ledger.inFlight(topic, partition);
              // The message budget in bytes, at the partition's last seen size per message (a first fetch is small).
              const messageBudget = bytesPerMessage === undefined ? FIRST_FETCH_BYTES : Math.ceil((s.credit.maxMessages - c.messages) * bytesPerMessage);
              return Math.min(messageBudget, s.credit.maxBytes - c.bytes, s.credit.globalMaxBytes - this.ledger.totalInFlightBytes());
            },
          };
          this.fetcher.add(topic, partition, position, sink);
        },
        error: (e: unknown) => sub.error(toKafkaClientError(e, { topic, partition, generation: g.generationId })),
      });
      return () => {
        failed.unsubscribe();
        start.unsubscribe();
        if (sink) this.fetcher.remove(topic, partition, sink);
      };
    }).pipe(takeUntil(g.ended$(topic, partition)));
  }

  /**
   * Fetching resumes once at most half the budget is in flight (hysteresis): a fetch then brings at least half a
   * budget, instead of one message per mark when a slow handler keeps the credit exhausted.
   */
  private belowLowWater(topic: string, partition: number): boolean {
    const credit = this.settings.credit;
    return this.ledger.totalInFlightBytes() <= credit.globalMaxBytes / 2 && this.ledger.holdsAtMost(topic, partition, credit.maxMessages / 2, credit.maxBytes / 2);
  }

  highWatermark(topic: string, partition: number): bigint | undefined {
    return this.fetcher.highWatermark(topic, partition);
  }

  /** A held partition's gauges for metrics$: positions, and the credit its unmarked messages use. */
  gauges(topic: string, partition: number): { position: bigint | undefined; fetched: bigint | undefined; committed: bigint | undefined; bufferedRecords: number; bufferedBytes: number; credit: number } {
    const held = this.ledger.position(topic, partition);
    const used = this.tracking ? this.ledger.inFlight(topic, partition) : { messages: 0, bytes: 0 };
    return {
      position: this.position(topic, partition),
      fetched: this.fetcher.position(topic, partition),
      committed: held?.committed,
      bufferedRecords: used.messages,
      bufferedBytes: used.bytes,
      credit: Math.max(0, this.settings.credit.maxMessages - used.messages),
    };
  }

  /** The next offset to consume after what was processed (marked), else the fetch position. */
  position(topic: string, partition: number): bigint | undefined {
    return this.ledger.position(topic, partition)?.mark ?? this.fetcher.position(topic, partition);
  }

  /** Applies a mark; reports marks for partitions not owned (fenced), wakes fetching when credit came back. */
  applyMark(kind: 'mark' | 'processed' | 'reset' | 'committed', topic: string, partition: number, offset: bigint, metadata?: string | null, message?: object): MarkResult {
    const sinceSeek = message && this.sinceSeek.size > 0 ? this.sinceSeek.get(partitionKey(topic, partition)) : undefined;
    if (sinceSeek && message && !sinceSeek.has(message)) {
      this.settings.errors.next(
        new KafkaClientError({ tag: 'MarkFenced', message: 'Mark dropped: the message was delivered before a seek of its partition', context: { group: this.settings.membership.groupId, topic, partition, offset } }),
      );
      return 'not-owned';
    }
    const result =
      kind === 'mark' || kind === 'committed'
        ? this.ledger.mark(topic, partition, offset, metadata)
        : kind === 'processed'
          ? this.ledger.markProcessed(topic, partition, offset, metadata)
          : this.ledger.reset(topic, partition, offset, metadata);
    // Committed elsewhere (in a transaction): the committer has nothing to send for it.
    if (kind === 'committed' && result === 'ok') this.ledger.committed([{ topic, partition, offset: offset + 1n }]);
    if (result === 'not-owned') {
      this.settings.errors.next(
        new KafkaClientError({ tag: 'MarkFenced', message: 'Mark dropped: the partition is not owned by this member (revoked or never assigned)', context: { group: this.settings.membership.groupId, topic, partition, offset } }),
      );
    } else {
      if (this.marks$.observed) this.marks$.next();
      // Wake fetching only when this mark brought the partition back under its low-water mark.
      if (this.tracking && this.belowLowWater(topic, partition)) this.fetcher.wake();
    }
    return result;
  }

  /**
   * Moves a partition's fetch position (seek): fetched-but-undelivered data is dropped, in-flight credit is returned,
   * marks and commits already made stay, and marks of messages delivered before the seek are fenced from now on.
   */
  /** Who this member is in the group now (KIP-447's group metadata for transactional offset commits); undefined between generations. */
  groupMetadata(): GroupMetadata | undefined {
    const s = this.membership.state();
    if (!s.generation) return undefined;
    const instanceId = this.settings.membership.instanceId;
    return { groupId: this.settings.membership.groupId, memberId: s.memberId, generationId: s.generationId, ...(instanceId ? { groupInstanceId: instanceId } : {}) };
  }

  /**
   * The message was delivered before the latest seek of its partition, or in an earlier assignment of it (once
   * this was first asked: tracking it costs a WeakSet entry per message of a reassigned partition): its offset is
   * consumed again from there on.
   */
  deliveredBeforeSeek(topic: string, partition: number, message: object): boolean {
    this.staleTracking = true;
    const since = this.sinceSeek.get(partitionKey(topic, partition));
    return since !== undefined && !since.has(message);
  }

  /** The partition is this member's now: in the ledger and fetched (until it is released after a revocation's drain). */
  owns(topic: string, partition: number): boolean {
    return this.ledger.position(topic, partition) !== undefined && this.fetcher.has(topic, partition);
  }

  seek(topic: string, partition: number, offset: bigint): boolean {
    const position = this.ledger.position(topic, partition);
    if (!position || !this.fetcher.has(topic, partition)) return false;
    this.ledger.assign(topic, partition, position.generationId, position.committed);
    if (position.mark !== position.committed) this.ledger.reset(topic, partition, position.mark);
    this.sinceSeek.set(partitionKey(topic, partition), new WeakSet());
    this.fetcher.seek(topic, partition, offset);
    this.marks$.next();
    return true;
  }

  /** The offset of the first message at or after `timestamp` (ms), or the end offset when there is none. */
  offsetForTimestamp(topic: string, partition: number, timestamp: number): Observable<bigint> {
    return this.settings.transport.listOffsets({ partitions: [{ topic, partition, timestamp: BigInt(timestamp) }], isolationLevel: this.settings.isolationLevel }).pipe(
      mergeMap((rs) => {
        const r = rs[0];
        if (!r || r.error) throw (r?.error ?? new KafkaClientError({ tag: 'KafkaProtocolError', message: 'ListOffsets returned nothing', context: { topic, partition } })).withContext({ topic, partition });
        if (r.offset >= 0n) return of(r.offset);
        return this.settings.transport.listOffsets({ partitions: [{ topic, partition, timestamp: LATEST_TIMESTAMP }], isolationLevel: this.settings.isolationLevel }).pipe(map((x) => x[0]?.offset ?? -1n));
      }),
    );
  }

  /** A partition was resumed (or credit changed): fetching re-checks. */
  wake(): void {
    this.fetcher.wake();
  }

  /** The set of markers changed (a markOffsets sink came or went): a waiting drain re-checks. */
  markersChanged(): void {
    this.marks$.next();
  }

  commit(): Observable<void> {
    return this.committer.commit();
  }

  private commitInBackground(): void {
    if (!this.current || this.ledger.pendingCommits().length === 0) return;
    this.committer.commit().subscribe({ error: (e: unknown) => this.settings.errors.next(toKafkaClientError(e, { group: this.settings.membership.groupId })) });
  }

  /** Revocation of some (cooperative) or all partitions: wait until every emitted message is marked (or the drain timeout), commit, release. */
  private revoke(g: Generation, revoked: Assignment, fenced: boolean): Observable<unknown> {
    const parts = partitionsOf(revoked);
    const revokedKeys = new Set(parts.map(({ topic, partition }) => partitionKey(topic, partition)));
    if (partitionsOf(g.current).every(({ topic, partition }) => revokedKeys.has(partitionKey(topic, partition)))) this.current = undefined;
    const release = () => {
      for (const { topic, partition } of parts) {
        const { uncommitted } = this.ledger.release(topic, partition);
        if (fenced && uncommitted !== undefined) {
          this.settings.errors.next(new KafkaClientError({ tag: 'MarkFenced', message: 'Generation lost: uncommitted marks dropped', context: { group: this.settings.membership.groupId, generation: g.generationId, topic, partition, offset: uncommitted } }));
        }
      }
      for (const key of revokedKeys) this.starts.delete(key);
      // Staleness is asked about (transactions): messages of this assignment are stale if it comes back.
      if (this.staleTracking) for (const key of revokedKeys) this.sinceSeek.set(key, new WeakSet());
    };
    if (fenced) return defer(() => (release(), EMPTY));
    // Drained: every emitted message marked, or no marker left that could mark them (the pipelines are gone).
    const drained = () => this.ledger.drained(parts) || !this.settings.hasMarkers();
    const drained$ = defer(() => (drained() ? of(undefined) : this.marks$.pipe(filter(drained), take(1)))).pipe(
      timeout({
        first: this.settings.drainTimeoutMs,
        scheduler: this.scheduler,
        with: () => {
          this.settings.errors.next(new KafkaClientError({ tag: 'RequestTimeout', message: `Drain timeout: messages still unmarked after ${this.settings.drainTimeoutMs} ms; committing what was marked`, retriable: true, context: { group: this.settings.membership.groupId, generation: g.generationId } }));
          return of(undefined);
        },
      }),
    );
    return concat(
      drained$,
      this.committer.commit(parts).pipe(
        catchError((e: unknown) => {
          this.settings.errors.next(toKafkaClientError(e, { group: this.settings.membership.groupId, generation: g.generationId }));
          return EMPTY;
        }),
      ),
      defer(() => (release(), EMPTY)),
    ).pipe(ignoreElements());
  }

  /** Drains, commits and leaves; completes when the member has left. Idempotent. */
  stop(): Observable<void> {
    return this.membership.stop();
  }

  private finish(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.commitTimer.unsubscribe();
    this.fetcher.stop();
    this.done$.next();
    this.done$.complete();
  }
}
