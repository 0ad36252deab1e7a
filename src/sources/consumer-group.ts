import { asyncScheduler, BehaviorSubject, concat, defer, EMPTY, merge, Observable, of, ReplaySubject, SchedulerLike, Subject, throwError, timer } from 'rxjs';
import { distinctUntilChanged, finalize, map, mergeMap, share } from 'rxjs/operators';
import { KafkaClientError } from '../errors';
import { flattenBatches } from '../operators/flatten-batches';
import { MarkCoalescer } from './mark-coalescer';
import type { MarkableOffset, OffsetMarker } from '../operators/mark-offsets';
import { assignmentOf, partitionsOf, type Assignment } from '../protocol/assignment';
import type { KafkaMessage } from '../protocol/message';
import { instrumentTransport } from '../observability/instrumented-transport';
import type { ConsumerMetrics } from '../observability/metrics';
import { MetricsRecorder } from '../observability/metrics-recorder';
import { channels } from '../observability/diagnostics';
import { diagnosticsPublisher } from '../observability/diagnostics-publisher';
import { groupLogging, stderrLogger, type Logger } from '../observability/logger';
import { StallDetector, type Stall } from '../observability/stall-detector';
import type { MarkResult } from '../protocol/offset-ledger';
import type { OffsetStash } from '../protocol/offset-stash';
import type { Transport } from '../transport';
import type { Generation, GroupNotification } from './group-membership';
import { GroupSession, SessionSettings, type GroupMetadata } from './group-session';
import { partitionKey } from './start-positions';

/** One partition's messages in partition mode: subscribe to fetch it; completes when the partition is revoked. */
export interface PartitionConsumer extends Observable<KafkaMessage> {
  readonly topic: string;
  readonly partition: number;
  readonly generationId: number;
  /** The offset fetching starts from (the committed offset, or the initial one). */
  readonly initialOffset: bigint;
  /** The partition's high-water mark as last fetched (undefined before the first fetch). */
  highWaterMark(): bigint | undefined;
  /** Marks `offset` (and everything before it) processed. */
  markOffset(offset: bigint, metadata?: string | null): MarkResult;
  /** Rewinds (or moves) the position that will be committed to `offset + 1` (sarama-cluster ResetOffset). */
  resetOffset(offset: bigint, metadata?: string | null): MarkResult;
}

/** A batch of one partition's messages, as fetched (the fast path: no per-message emission). */
export interface MessageBatch {
  readonly topic: string;
  readonly partition: number;
  readonly messages: readonly KafkaMessage[];
}

/** A consumer group member, as Observables. Nothing happens until one of the streams is subscribed. */
export interface ConsumerGroup extends OffsetMarker {
  readonly groupId: string;
  /** Assignment generations; subscribing joins the group, unsubscribing (the last stream) drains, commits and leaves. */
  readonly generations$: Observable<Generation>;
  /** Multiplex mode: every assigned partition's messages, per-partition order preserved. */
  readonly messages$: Observable<KafkaMessage>;
  /** Multiplex mode, per record batch (as the producer wrote it; a fetch brings several, delivered one by one). */
  readonly batches$: Observable<MessageBatch>;
  /** Partition mode: one inner Observable per claimed partition. */
  readonly partitions$: Observable<PartitionConsumer>;
  readonly notifications$: Observable<GroupNotification>;
  readonly errors$: Observable<KafkaClientError>;
  /** The partitions held now (topic -> partitions), and every change of them. Views: they do not join the group. */
  subscriptions(): Assignment;
  readonly subscriptions$: Observable<Assignment>;
  /** High-water marks (topic -> partition -> offset) as last fetched, and their updates. */
  highWaterMarks(): PartitionOffsets;
  readonly highWaterMarks$: Observable<PartitionOffsets>;
  /** Lag per partition: high-water mark minus the next offset to consume after what was marked (updated on fetches and commits). */
  lag(): PartitionOffsets;
  readonly lag$: Observable<PartitionOffsets>;
  /**
   * A snapshot every `monitoring.metricsInterval` ms while subscribed (a view: it does not join the group):
   * per partition lag, position, committed offset, rates, buffered records/bytes and credit; per broker fetch
   * latency and sizes; commits; rebalances. Nothing is measured while nobody subscribes.
   *
   *   subscribe ──────5 s──────m1──────5 s──────m2── ...
   */
  readonly metrics$: Observable<ConsumerMetrics>;
  /**
   * A partition that made no progress for `monitoring.stallTimeout` ms, and again (recovered) when it does: 'handler'
   * when delivered records stay unmarked (a stuck handler), 'fetch' when fetching does not advance although records
   * wait, or no fetch answers (a stuck broker, a partition paused and forgotten). A view: it does not join the group.
   *
   *   messages: -a-b-c-(handler stuck on c)--------------------c marked-d-
   *   stalls$:  ------------------stall{handler, since: c}-----recovered---
   */
  readonly stalls$: Observable<Stall>;
  markOffset(message: MarkableOffset, metadata?: string | null): MarkResult;
  markProcessed(message: MarkableOffset, metadata?: string | null): MarkResult;
  markPartitionOffset(topic: string, partition: number, offset: bigint, metadata?: string | null): MarkResult;
  /** Moves the commit position back (or forward) to just after `message` (sarama-cluster ResetOffset). */
  resetOffset(message: MarkableOffset, metadata?: string | null): MarkResult;
  resetPartitionOffset(topic: string, partition: number, offset: bigint, metadata?: string | null): MarkResult;
  /** Applies an OffsetStash's marks and resets (sarama-cluster MarkOffsets(stash)); the stash is left as is. */
  markStash(stash: OffsetStash): readonly MarkResult[];
  /**
   * Moves a partition's fetch position to `offset` mid-stream: only that partition's fetching restarts; marks of
   * messages delivered before the seek are dropped (reported as MarkFenced); commits stay as they were. False
   * when the partition is not being consumed.
   */
  seek(topic: string, partition: number, offset: bigint): boolean;
  /** Seeks to the first message at or after `timestamp` (ms since the epoch); emits the offset it moved to. */
  seekToTimestamp(topic: string, partition: number, timestamp: number): Observable<bigint>;
  /** Stops fetching a partition until resumed; its stream stays open, heartbeats go on, no rebalance. */
  pause(topic: string, partition: number): void;
  resume(topic: string, partition: number): void;
  /** The partitions paused now (topic -> partitions). */
  paused(): Assignment;
  /** Commits every moved mark now; completes when the broker confirmed. */
  commitOffsets(): Observable<void>;
  /** This member's group identity now (member id, generation or member epoch), for transactional offset commits; undefined while not in a generation. */
  groupMetadata(): GroupMetadata | undefined;
  /**
   * Marks a message whose next offset was committed by other means (a transaction's TxnOffsetCommit): credit
   * returns as for a mark, and no OffsetCommit is sent for it, so a plain commit can never land after (and below)
   * a later transaction's.
   */
  markCommitted(message: MarkableOffset): MarkResult;
  /**
   * Whether the message (one this group delivered) came before a later seek of its partition: it will be
   * delivered again, and must not be committed now. Marks of such messages are dropped (MarkFenced).
   */
  isStale(message: MarkableOffset): boolean;
  /** Whether this member holds the partition now (assigned, or being drained after a revocation). */
  owns(topic: string, partition: number): boolean;
  /** Drains, commits, leaves the group and closes connections; completes when done. Idempotent. */
  close(): Observable<void>;
}

/** topic -> partition -> offset. */
export type PartitionOffsets = Readonly<Record<string, Readonly<Record<number, bigint>>>>;

/** How `consumerGroup` builds sessions: the resolved settings and a transport factory (one transport per session). */
export interface GroupWiring {
  readonly settings: Omit<SessionSettings, 'transport' | 'notifications' | 'errors' | 'hasMarkers'>;
  /** Named in traces (diagnostics channels). */
  readonly clientId?: string;
  readonly monitoring?: { readonly metricsIntervalMs: number; readonly stallTimeoutMs: number };
  /** The user's logger; unset: errors nobody subscribes to go to stderr. */
  readonly logger?: Logger;
  readonly createTransport: () => Transport;
  readonly scheduler?: SchedulerLike;
}

const asFirstSeen = (g: Generation): Generation => ({ ...g, added: g.current, kept: {} });

/** Builds a ConsumerGroup over already-resolved settings (see `consumerGroup` for the config-driven entry point). */
export const createConsumerGroup = (wiring: GroupWiring): ConsumerGroup => {
  const notifications = new Subject<GroupNotification>();
  const errors = new Subject<KafkaClientError>();
  const held = new BehaviorSubject<Assignment>({});
  const watermarks = new Map<string, Map<number, bigint>>();
  const watermarkChanges = new Subject<void>();
  const snapshot = (read: (topic: string, partition: number, hw: bigint) => bigint | undefined): PartitionOffsets => {
    const out: Record<string, Record<number, bigint>> = {};
    for (const { topic, partition } of partitionsOf(held.value)) {
      const hw = watermarks.get(topic)?.get(partition);
      const v = hw === undefined ? undefined : read(topic, partition, hw);
      if (v !== undefined) (out[topic] ??= {})[partition] = v;
    }
    return out;
  };
  const highWaterMarks = () => snapshot((_t, _p, hw) => hw);
  const lag = () => {
    coalescer.flush();
    return snapshot((t, p, hw) => {
      const position = session?.position(t, p);
      return position === undefined || position < 0n ? undefined : hw > position ? hw - position : 0n;
    });
  };
  const groupId = wiring.settings.membership.groupId;
  let session: GroupSession | undefined;
  /** markOffsets' marks during one batch's delivery, applied as one at its end (every mark at once while tracing listens). */
  const coalescer = new MarkCoalescer((m, metadata) => apply('mark', m.topic, m.partition, m.offset, metadata, m), () => !channels.mark.hasSubscribers);
  /** Completes when the session has left the group and its transport is closed. */
  let closed$: Observable<void> = EMPTY;
  let refs = 0;
  let markers = 0;
  const pausedPartitions = new Map<string, { topic: string; partition: number }>();
  const scheduler = wiring.scheduler ?? asyncScheduler;
  /** What metrics$ snapshots are made of: fed while metrics$ has subscribers (rebalances always). */
  const recorder = new MetricsRecorder(groupId, scheduler.now());
  let measuring = false;
  /** When a fetch last answered per partition, recorded while stalls$ has subscribers. */
  const fetchAnswered = new Map<string, number>();
  let stallWatchers = 0;
  const meter = {
    active: () => measuring,
    fetched: (nodeId: number, ms: number, bytes: number, failed: boolean) => recorder.fetched(nodeId, ms, bytes, failed),
    committed: (ms: number, failed: boolean) => recorder.committed(ms, failed),
  };
  const diagnostics = diagnosticsPublisher({ group: groupId, clientId: wiring.clientId ?? '' }, scheduler);
  /** The user's subscribers of errors$ (the library's own listeners do not count). */
  let errorWatchers = 0;
  const logging = groupLogging((wiring.logger ?? stderrLogger()).child({ component: 'rx-kafka-cluster', group: groupId, clientId: wiring.clientId }), () => errorWatchers > 0, wiring.logger !== undefined);
  notifications.subscribe((n) => {
    if (n.type === 'RebalanceStart') recorder.rebalanceStarted(scheduler.now());
    else if (n.type === 'RebalanceOK') recorder.generationReceived(scheduler.now());
    diagnostics.notification(n);
    logging.notification(n);
  });
  errors.subscribe((e) => {
    diagnostics.error(e);
    logging.error(e);
  });

  const startSession = (): GroupSession => {
    const transport = instrumentTransport(wiring.createTransport(), { group: groupId, clientId: wiring.clientId ?? '' }, scheduler, meter);
    const s = new GroupSession({
      ...wiring.settings,
      scheduler: wiring.scheduler,
      transport,
      notifications,
      errors,
      hasMarkers: () => markers > 0,
      isPaused: (topic, partition) => pausedPartitions.size > 0 && pausedPartitions.has(partitionKey(topic, partition)),
      onWatermark: (topic, partition, hw) => {
        const byPartition = watermarks.get(topic) ?? new Map<number, bigint>();
        byPartition.set(partition, hw);
        watermarks.set(topic, byPartition);
        watermarkChanges.next();
      },
      onCommitted: () => watermarkChanges.next(),
      onDelivered: (topic, partition, messages, bytes) => measuring && recorder.deliveredTo(topic, partition, messages, bytes),
      onFetchAnswered: (topic, partition) => stallWatchers > 0 && fetchAnswered.set(partitionKey(topic, partition), scheduler.now()),
    });
    s.generations$.subscribe({ next: (g) => held.next(g.current), error: () => held.next({}), complete: () => held.next({}) });
    const closed = new ReplaySubject<void>(1);
    closed$ = closed;
    s.done$.subscribe({
      complete: () => {
        if (session === s) session = undefined;
        transport.close().subscribe({ error: () => closed.complete(), complete: () => closed.complete() });
      },
    });
    return s;
  };

  /** A stream that holds the session while subscribed; the last one to unsubscribe stops it. */
  const fromSession = <T>(build: (s: GroupSession) => Observable<T>): Observable<T> =>
    new Observable<T>((subscriber) => {
      const s = (session ??= startSession());
      refs++;
      const inner = build(s).subscribe(subscriber);
      return () => {
        inner.unsubscribe();
        refs--;
        if (refs === 0 && session === s) s.stop().subscribe({ error: () => undefined });
      };
    });

  /** A subscriber arriving mid-generation sees the generation held as if it had just added everything it holds. */
  const generationsOf = (s: GroupSession): Observable<Generation> => defer(() => (s.generation ? concat(of(asFirstSeen(s.generation)), s.generations$) : s.generations$));

  /** One multiplexed batch stream per session, shared by every subscriber of batches$ and messages$. */
  const sharedBatches = new WeakMap<GroupSession, Observable<MessageBatch>>();
  const batchesOf = (s: GroupSession): Observable<MessageBatch> => {
    let shared = sharedBatches.get(s);
    if (!shared) sharedBatches.set(s, (shared = multiplexed(s).pipe(share())));
    return shared;
  };
  /**
   * Each generation starts the streams of the partitions it added; each stream ends with its own claim (revoked or
   * lost), so a kept partition flows on untouched across rebalances. Under eager rebalancing every generation
   * adds everything after all was revoked: the same as switching to the next generation.
   */
  const multiplexed = (s: GroupSession) =>
    generationsOf(s).pipe(
      mergeMap((g) =>
        merge(...partitionsOf(g.added).map(({ topic, partition }) => s.partitionBatches(g, topic, partition).pipe(map((messages): MessageBatch => ({ topic, partition, messages }))))),
      ),
    );

  const apply = (kind: 'mark' | 'processed' | 'reset' | 'committed', topic: string, partition: number, offset: bigint, metadata?: string | null, message?: object): MarkResult => {
    coalescer.flush();
    if (session) {
      const result = session.applyMark(kind, topic, partition, offset, metadata, message);
      // The ledger's offsets are positions for resets (offset + 1): the channel says the offset the user named.
      if (result === 'ok' && channels.mark.hasSubscribers) {
        channels.mark.publish({ group: groupId, clientId: wiring.clientId ?? '', kind, topic, partition, offset: kind === 'reset' ? offset - 1n : offset, ...(message ? { message } : {}) });
      }
      return result;
    }
    errors.next(new KafkaClientError({ tag: 'MarkFenced', message: 'Mark dropped: the group is not consuming', context: { group: groupId, topic, partition, offset } }));
    return 'not-owned';
  };

  const partitionConsumer = (s: GroupSession, g: Generation, topic: string, partition: number, initialOffset: bigint): PartitionConsumer =>
    // Shared per batch, flattened per subscriber: one Subject emission per batch rather than per message.
    Object.assign(s.partitionBatches(g, topic, partition).pipe(share(), flattenBatches<KafkaMessage>(coalescer)), {
      topic,
      partition,
      generationId: g.generationId,
      initialOffset,
      highWaterMark: () => s.highWatermark(topic, partition),
      markOffset: (offset: bigint, metadata?: string | null) => apply('mark', topic, partition, offset, metadata),
      resetOffset: (offset: bigint, metadata?: string | null) => apply('reset', topic, partition, offset + 1n, metadata),
    });

  const metricsIntervalMs = wiring.monitoring?.metricsIntervalMs ?? 5_000;
  const metrics$ = defer(() => {
    measuring = true;
    recorder.restart(scheduler.now());
    return timer(metricsIntervalMs, metricsIntervalMs, scheduler).pipe(
      map(() => {
        const lags = lag();
        return recorder.snapshot(
          scheduler.now(),
          partitionsOf(held.value).map(({ topic, partition }) => {
            const g = session?.gauges(topic, partition);
            return { topic, partition, lag: lags[topic]?.[partition], position: g?.position, committed: g?.committed, bufferedRecords: g?.bufferedRecords ?? 0, bufferedBytes: g?.bufferedBytes ?? 0, credit: g?.credit ?? 0 };
          }),
        );
      }),
      finalize(() => (measuring = false)),
    );
  }).pipe(share());

  const stallTimeoutMs = wiring.monitoring?.stallTimeoutMs ?? 30_000;
  /** Checks ten times per timeout (at least every 100 ms, at most every 5 s). */
  const stallCheckMs = Math.min(5_000, Math.max(100, Math.floor(stallTimeoutMs / 10)));
  const stalls$ = defer(() => {
    const detector = new StallDetector(stallTimeoutMs);
    stallWatchers++;
    return timer(stallCheckMs, stallCheckMs, scheduler).pipe(
      finalize(() => {
        if (--stallWatchers === 0) fetchAnswered.clear();
      }),
      mergeMap(() => {
        const marks = markers > 0;
        const hws = highWaterMarks();
        return detector.check(
          scheduler.now(),
          partitionsOf(held.value).map(({ topic, partition }) => {
            const g = session?.gauges(topic, partition);
            return {
              topic,
              partition,
              processed: marks ? g?.position : undefined,
              fetched: g?.fetched,
              highWatermark: hws[topic]?.[partition],
              buffered: marks ? (g?.bufferedRecords ?? 0) : 0,
              lastFetchAt: fetchAnswered.get(partitionKey(topic, partition)),
            };
          }),
        );
      }),
    );
  }).pipe(share());

  return {
    groupId,
    metrics$,
    stalls$,
    generations$: fromSession(generationsOf),
    batches$: fromSession(batchesOf),
    messages$: fromSession((s) => batchesOf(s).pipe(map((b) => b.messages), flattenBatches<KafkaMessage>(coalescer))),
    partitions$: fromSession((s) =>
      generationsOf(s).pipe(
        mergeMap((g) =>
          s.startPositionsOf(g).pipe(
            mergeMap((positions) =>
              partitionsOf(g.added).flatMap(({ topic, partition }) => {
                const initial = positions.get(partitionKey(topic, partition));
                return initial === undefined ? [] : [partitionConsumer(s, g, topic, partition, initial)];
              }),
            ),
          ),
        ),
      ),
    ),
    notifications$: notifications.asObservable(),
    subscriptions: () => held.value,
    subscriptions$: held.pipe(distinctUntilChanged()),
    highWaterMarks,
    highWaterMarks$: watermarkChanges.pipe(map(highWaterMarks)),
    lag,
    lag$: merge(watermarkChanges, held).pipe(map(lag)),
    errors$: new Observable<KafkaClientError>((subscriber) => {
      errorWatchers++;
      const s = errors.subscribe(subscriber);
      return () => {
        errorWatchers--;
        s.unsubscribe();
      };
    }),
    registerMarker: () => {
      markers++;
      let registered = true;
      return () => {
        coalescer.flush();
        if (registered) markers--;
        registered = false;
        session?.markersChanged();
      };
    },
    markOffset: (m, metadata) => apply('mark', m.topic, m.partition, m.offset, metadata, m),
    markCommitted: (m) => apply('committed', m.topic, m.partition, m.offset),
    markOffsetLater: (m, metadata) => coalescer.mark(m, metadata),
    markProcessed: (m, metadata) => apply('processed', m.topic, m.partition, m.offset, metadata, m),
    markPartitionOffset: (topic, partition, offset, metadata) => apply('mark', topic, partition, offset, metadata),
    resetOffset: (m, metadata) => apply('reset', m.topic, m.partition, m.offset + 1n, metadata),
    resetPartitionOffset: (topic, partition, offset, metadata) => apply('reset', topic, partition, offset + 1n, metadata),
    seek: (topic, partition, offset) => {
      coalescer.flush();
      return session?.seek(topic, partition, offset) ?? false;
    },
    seekToTimestamp: (topic, partition, timestamp) =>
      defer(() => {
        const s = session;
        if (!s) return throwError(() => new KafkaClientError({ tag: 'UsageError', message: 'seek needs a consuming group', context: { group: groupId, topic, partition } }));
        return s.offsetForTimestamp(topic, partition, timestamp).pipe(
          map((offset) => {
            coalescer.flush();
            if (!s.seek(topic, partition, offset)) throw new KafkaClientError({ tag: 'UsageError', message: 'seek of a partition that is not being consumed', context: { group: groupId, topic, partition, offset } });
            return offset;
          }),
        );
      }),
    pause: (topic, partition) => void pausedPartitions.set(partitionKey(topic, partition), { topic, partition }),
    resume: (topic, partition) => {
      pausedPartitions.delete(partitionKey(topic, partition));
      session?.wake();
    },
    paused: () => assignmentOf(pausedPartitions.values()),
    markStash: (stash) => stash.list().map((e) => apply(e.reset ? 'reset' : 'mark', e.topic, e.partition, e.reset ? e.position : e.position - 1n, e.metadata)),
    groupMetadata: () => session?.groupMetadata(),
    owns: (topic, partition) => session?.owns(topic, partition) ?? false,
    isStale: (m) => session?.deliveredBeforeSeek(m.topic, m.partition, m) ?? false,
    commitOffsets: () =>
      defer(() => {
        coalescer.flush();
        return session ? session.commit() : EMPTY;
      }),
    close: () =>
      defer(() => {
        coalescer.flush();
        session?.stop().subscribe({ error: () => undefined });
        return closed$;
      }),
  };
};
