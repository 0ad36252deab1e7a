import { catchError, concat, defer, EMPTY, forkJoin, ignoreElements, map, mergeMap, Observable, of, retry, tap, throwError, timer, toArray, type SchedulerLike } from 'rxjs';
import type { ProducerOptions } from '../config/producer';
import { hasCode, KafkaClientError, toKafkaClientError, type ErrorContext } from '../errors';
import type { DeliveryReport, ProducerRecord } from '../protocol/message';
import { coordinatorLost } from '../protocol/group-machine-steps';
import { DefaultPartitioner } from '../protocol/partitioner';
import type { OffsetCommitEntry, PartitionMetadata, PartitionResult, ProducerIdentity, TransactionalRequestBase, Transport } from '../transport';
import { encodeBatches } from './encode-batches';
import type { GroupMetadata } from './group-session';

export interface ConsumedOffset {
  readonly topic: string;
  readonly partition: number;
  readonly offset: bigint;
}

/** What one transaction holds: the records it writes and the consumed messages it finishes. */
export interface TransactionInput<R extends ProducerRecord = ProducerRecord> {
  readonly records: readonly R[];
  /** Consumed messages (any order): each partition's last offset + 1 commits with the transaction. */
  readonly consumed: readonly ConsumedOffset[];
}

/** A committed transaction: where its records landed and the offsets it committed. */
export interface TransactionReport<R extends ProducerRecord = ProducerRecord> {
  readonly deliveries: readonly DeliveryReport<R>[];
  readonly offsets: readonly OffsetCommitEntry[];
}

/** The group whose offsets transactions commit: its identity now, and where to rewind after an abort. */
export interface TransactionalGroup {
  readonly groupId: string;
  groupMetadata(): GroupMetadata | undefined;
  /**
   * Optional: whether the member still holds the partition. The broker fences a zombie by generation only; a
   * partition revoked and drained while its transaction ran must not have its offsets committed by it.
   */
  owns?(topic: string, partition: number): boolean;
  seek(topic: string, partition: number, offset: bigint): boolean;
  /**
   * Optional: the consumed message was delivered before a later seek of its partition (an abort's rewind). An
   * input holding one was queued behind the aborted transaction: it is skipped, as its messages come again.
   */
  isStale?(message: ConsumedOffset): boolean;
  /** Called after a commit with the committed positions' last messages: credit returns, the group's ledger moves. */
  markOffset(message: ConsumedOffset): unknown;
  /** Preferred over markOffset when present: the same, recorded as committed, so the group sends no OffsetCommit of its own. */
  markCommitted?(message: ConsumedOffset): unknown;
  /** Optional: a consumer group's credit then returns on those marks, bounding the inputs waiting for a transaction. */
  registerMarker?(): () => void;
}

/** Errors saying the member is no longer in that generation: the transaction is aborted, its inputs re-consumed. */
const GROUP_FENCED = ['ILLEGAL_GENERATION', 'UNKNOWN_MEMBER_ID', 'FENCED_INSTANCE_ID', 'REBALANCE_IN_PROGRESS', 'FENCED_MEMBER_EPOCH', 'STALE_MEMBER_EPOCH'] as const;

const key = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

/** Java's ADD_PARTITIONS_RETRY_BACKOFF_MS: how soon CONCURRENT_TRANSACTIONS is asked again. */
const CONCURRENT_TRANSACTIONS_BACKOFF_MS = 20;

/** After these a partition's leader may have moved: the metadata is read again before the retry. */
const LEADERSHIP = ['NOT_LEADER_OR_FOLLOWER', 'LEADER_NOT_AVAILABLE', 'UNKNOWN_TOPIC_OR_PARTITION', 'FENCED_LEADER_EPOCH', 'UNKNOWN_LEADER_EPOCH'] as const;
const unreachable = (e: KafkaClientError): boolean => e._tag === 'ConnectionError' || e._tag === 'BrokerUnavailable' || e._tag === 'RequestTimeout';

interface Coordinated extends ProducerIdentity {
  readonly coordinator: number;
}

/**
 * One transactional id's transactions, one at a time (KIP-98, KIP-447): InitProducerId at its coordinator, then
 * per transaction AddPartitionsToTxn, Produce (transactional batches), AddOffsetsToTxn and TxnOffsetCommit with
 * the group's member id and generation, EndTxn. Any failure aborts; the consumed partitions are rewound to their
 * first message, and the producer id is initialised again (a new epoch, fresh sequences). A member that left its
 * generation (a rebalance) only loses that transaction; other failures end the stream.
 */
export class TransactionSession<R extends ProducerRecord> {
  private identity: Coordinated | undefined;
  /** The transaction coordinator moved or could not be reached: it is found again before the next request. */
  private coordinatorStale = false;
  /** A leader moved or could not be reached: the topics' metadata is read again before the next produce. */
  private leadersStale = false;
  /** A transaction was begun and not yet ended. */
  private open = false;
  private readonly sequences = new Map<string, number>();
  private readonly topics = new Map<string, readonly PartitionMetadata[]>();
  private readonly partitioner = new DefaultPartitioner();

  constructor(
    private readonly transport: Transport,
    private readonly options: ProducerOptions,
    private readonly scheduler: SchedulerLike,
    private readonly transactionalId: string,
    private readonly group: TransactionalGroup,
  ) {}

  /** Runs one transaction; emits its report once committed, nothing if it was aborted by a rebalance. */
  run(input: TransactionInput<R>): Observable<TransactionReport<R>> {
    return defer(() => this.runNow(input));
  }

  /** Staleness is judged when the transaction starts (inputs may wait behind an aborting one). */
  private runNow(input: TransactionInput<R>): Observable<TransactionReport<R>> {
    if (input.records.length === 0 && input.consumed.length === 0) return of({ deliveries: [], offsets: [] });
    if (this.group.isStale && input.consumed.some((m) => this.group.isStale?.(m))) return this.skipStale(input);
    const offsets = this.offsetsOf(input);
    return this.begin().pipe(
      mergeMap((id) =>
        this.place(input.records).pipe(
          map((placed) => ((this.open = true), placed)),
          mergeMap((placed) =>
            concat(this.addPartitions(id, placed), this.produceAll(id, placed), this.commitOffsets(id, input, offsets), this.stillCurrent(input, offsets), this.end(id, true)).pipe(
              toArray(),
              map((): TransactionReport<R> => ({ deliveries: placed.flatMap((p) => p.deliveries), offsets })),
            ),
          ),
        ),
      ),
      map((report) => {
        this.open = false;
        for (const o of report.offsets) {
          const last = { topic: o.topic, partition: o.partition, offset: o.offset - 1n };
          if (this.group.markCommitted) this.group.markCommitted(last);
          else this.group.markOffset(last);
        }
        return report;
      }),
      catchError((e: unknown) => this.abort(input, toKafkaClientError(e, { api: 'EndTxn' }))),
    );
  }

  /** Ends an open transaction by aborting it (the operator's unsubscription). */
  close(): Observable<void> {
    const id = this.identity;
    return id && this.open ? this.end(id, false).pipe(catchError(() => EMPTY)) : EMPTY;
  }

  private offsetsOf(input: TransactionInput<R>): OffsetCommitEntry[] {
    const last = new Map<string, OffsetCommitEntry>();
    for (const m of input.consumed) {
      const k = key(m.topic, m.partition);
      const held = last.get(k);
      if (!held || held.offset <= m.offset) last.set(k, { topic: m.topic, partition: m.partition, offset: m.offset + 1n });
    }
    return [...last.values()];
  }

  /**
   * An input delivered (partly) before an abort's rewind or in an earlier assignment: none of it is written, and
   * its other partitions are rewound to it so that all of it comes again.
   */
  private skipStale(input: TransactionInput<R>): Observable<never> {
    return defer(() => (this.rewind(input.consumed), EMPTY));
  }

  /**
   * Seeks each consumed partition back to its first fresh message here. Stale ones are consumed again from an
   * earlier seek or their assignment's committed offset already; an input can hold both (a buffer that spans a
   * rewind), and then the fresh ones, delivered since, must come again too.
   */
  private rewind(consumed: readonly ConsumedOffset[]): void {
    const fresh = this.group.isStale ? consumed.filter((m) => !this.group.isStale?.(m)) : consumed;
    for (const f of this.firstOffsets(fresh)) this.group.seek(f.topic, f.partition, f.offset);
  }

  /** Each partition's first consumed message. */
  private firstOffsets(consumed: readonly ConsumedOffset[]): ConsumedOffset[] {
    const first = new Map<string, ConsumedOffset>();
    for (const m of consumed) {
      const k = key(m.topic, m.partition);
      const held = first.get(k);
      if (!held || m.offset < held.offset) first.set(k, { topic: m.topic, partition: m.partition, offset: m.offset });
    }
    return [...first.values()];
  }

  /** The aborted transaction's inputs are rewound (when still consumed here) and the producer id renewed. */
  private abort(input: TransactionInput<R>, error: KafkaClientError): Observable<TransactionReport<R>> {
    const id = this.open ? this.identity : undefined;
    this.open = false;
    this.identity = undefined;
    this.sequences.clear();
    const aborted = id && !hasCode(error, 'PRODUCER_FENCED', 'INVALID_PRODUCER_EPOCH', 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED') ? this.end(id, false).pipe(catchError(() => EMPTY)) : EMPTY;
    return concat(
      aborted,
      defer(() => {
        this.rewind(input.consumed);
        return hasCode(error, ...GROUP_FENCED) ? EMPTY : throwError(() => error);
      }),
    ) as Observable<TransactionReport<R>>;
  }

  private begin(): Observable<Coordinated> {
    if (this.identity) return of(this.identity);
    const find = this.transport.findTransactionCoordinator?.bind(this.transport);
    const init = this.transport.initProducerId?.bind(this.transport);
    if (!find || !init) return throwError(() => new KafkaClientError({ tag: 'UsageError', message: 'This transport cannot run transactions' }));
    const context = { api: 'InitProducerId' };
    return this.retrying(
      defer(() => find({ transactionalId: this.transactionalId })).pipe(
        mergeMap((c) => init({ transactionalId: this.transactionalId, nodeId: c.nodeId, transactionTimeoutMs: this.options.transactionTimeoutMs }).pipe(map((id) => ({ ...id, coordinator: c.nodeId })))),
      ),
      context,
    ).pipe(map((id) => (this.identity = id)));
  }

  /** Each record's partition (metadata as needed), grouped per partition with the delivery reports to fill. */
  private place(records: readonly R[]): Observable<Placed<R>[]> {
    const missing = [...new Set(records.map((r) => r.topic))].filter((t) => !this.topics.has(t));
    const load = missing.length === 0 ? of(undefined) : this.retrying(this.transport.metadata({ topics: missing }), { api: 'Metadata' }).pipe(
      map((m) => {
        for (const t of m.topics) {
          if (t.error) throw t.error.withContext({ topic: t.topic });
          this.topics.set(t.topic, [...t.partitions].sort((a, b) => a.partition - b.partition));
        }
      }),
    );
    return load.pipe(
      map(() => {
        const now = this.scheduler.now();
        const byPartition = new Map<string, Placed<R>>();
        records.forEach((record) => {
          const partitions = this.topics.get(record.topic) ?? [];
          const keyBytes = record.key === undefined || record.key === null ? null : Buffer.from(record.key);
          const partition = record.partition ?? this.partitioner.partition(record.topic, keyBytes, partitions.length);
          const leader = partitions[partition]?.leader;
          if (leader === undefined) throw new KafkaClientError({ tag: 'UsageError', message: `Partition ${partition} is not in the range [0...${partitions.length}) of topic ${record.topic}`, context: { topic: record.topic, partition } });
          const k = key(record.topic, partition);
          const placed = byPartition.get(k) ?? { topic: record.topic, partition, leader, records: [], deliveries: [] };
          placed.records.push({ key: record.key, value: record.value, headers: record.headers, timestamp: record.timestamp ?? now });
          placed.deliveries.push({ topic: record.topic, partition, offset: -1n, timestamp: record.timestamp ?? now, record });
          byPartition.set(k, placed);
        });
        for (const p of byPartition.values()) this.partitioner.batchSent(p.topic, p.partition);
        return [...byPartition.values()];
      }),
    );
  }

  private addPartitions(id: Coordinated, placed: readonly Placed<R>[]): Observable<never> {
    const add = this.transport.addPartitionsToTxn?.bind(this.transport);
    if (placed.length === 0 || !add) return EMPTY;
    const partitions = placed.map((p) => ({ topic: p.topic, partition: p.partition }));
    return this.toCoordinator(id, (base) => add({ ...base, partitions }).pipe(map(firstError)), { api: 'AddPartitionsToTxn' }).pipe(ignoreElements());
  }

  /**
   * A request to the transaction coordinator, retried: after NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE or a lost
   * connection the coordinator is found again first (its broker died, say), keeping the producer id and epoch.
   */
  private toCoordinator<T>(id: Coordinated, send: (base: TransactionalRequestBase) => Observable<T>, context: ErrorContext): Observable<T> {
    const find = this.transport.findTransactionCoordinator?.bind(this.transport);
    const current = defer(() => {
      const held = this.identity ?? id;
      if (!this.coordinatorStale || !find) return of(held);
      return find({ transactionalId: this.transactionalId }).pipe(
        map((c) => {
          this.coordinatorStale = false;
          return (this.identity = { ...held, coordinator: c.nodeId });
        }),
      );
    });
    return this.retrying(
      current.pipe(
        mergeMap((held) => send(this.base(held))),
        catchError((e: unknown) => {
          const error = toKafkaClientError(e, context);
          if (coordinatorLost(error) || unreachable(error)) this.coordinatorStale = true;
          return throwError(() => error);
        }),
      ),
      context,
    );
  }

  /**
   * One batch per partition, one request per leader; the reports get their offsets. A partition whose leader moved
   * or could not be reached is sent again, unchanged (same sequence numbers, so the broker writes it once), to its
   * leader in fresh metadata; those already written are not sent again.
   */
  private produceAll(id: Coordinated, placed: readonly Placed<R>[]): Observable<never> {
    const produce = this.transport.produce?.bind(this.transport);
    if (placed.length === 0) return EMPTY;
    if (!produce) return throwError(() => new KafkaClientError({ tag: 'UsageError', message: 'This transport cannot produce' }));
    const sequenced = placed.map((p) => ({ placed: p, baseSequence: this.sequences.get(key(p.topic, p.partition)) ?? 0 }));
    return encodeBatches(
      sequenced.map((s) => ({ records: s.placed.records, baseSequence: s.baseSequence })),
      this.options.compression,
      this.transport,
      id,
      true,
    ).pipe(
      mergeMap((encoded) => {
        const pending = new Set<Sending<R>>(sequenced.map((s, i) => ({ ...s, records: encoded[i] as Buffer })));
        const attempt = defer(() => this.freshLeaders([...new Set(placed.map((p) => p.topic))])).pipe(
          mergeMap(() => {
            const byLeader = new Map<number, Sending<R>[]>();
            for (const s of pending) {
              const leader = this.topics.get(s.placed.topic)?.[s.placed.partition]?.leader ?? s.placed.leader;
              byLeader.set(leader, [...(byLeader.get(leader) ?? []), s]);
            }
            return forkJoin(
              [...byLeader].map(([nodeId, mine]) =>
                produce({ nodeId, transactionalId: this.transactionalId, acks: -1, timeoutMs: this.options.ackTimeoutMs, partitions: mine.map((s) => ({ topic: s.placed.topic, partition: s.placed.partition, records: s.records })) }).pipe(
                  map((results) => {
                    let failure: KafkaClientError | undefined;
                    for (const s of mine) {
                      const r = results.find((x) => x.topic === s.placed.topic && x.partition === s.placed.partition);
                      if (!r || r.error) {
                        failure ??= r?.error ?? new KafkaClientError({ tag: 'Unexpected', message: 'No answer for this partition', context: { topic: s.placed.topic, partition: s.placed.partition } });
                        continue;
                      }
                      s.placed.deliveries.forEach((d, i) => ((d as { offset: bigint }).offset = r.baseOffset + BigInt(i)));
                      this.sequences.set(key(s.placed.topic, s.placed.partition), s.baseSequence + s.placed.records.length);
                      pending.delete(s);
                    }
                    if (failure) throw failure;
                  }),
                  catchError((e: unknown) => {
                    const error = toKafkaClientError(e, { api: 'Produce', broker: String(nodeId) });
                    if (hasCode(error, ...LEADERSHIP) || unreachable(error)) this.leadersStale = true;
                    return throwError(() => error);
                  }),
                ),
              ),
            );
          }),
        );
        return this.retrying(attempt, { api: 'Produce' });
      }),
      ignoreElements(),
    );
  }

  /** The topics' partition leaders, read again when a produce found one moved (or unreachable). */
  private freshLeaders(topics: readonly string[]): Observable<unknown> {
    if (!this.leadersStale) return of(undefined);
    return this.transport.metadata({ topics }).pipe(
      tap((m) => {
        this.leadersStale = false;
        for (const t of m.topics) if (!t.error && t.partitions.length > 0) this.topics.set(t.topic, [...t.partitions].sort((a, b) => a.partition - b.partition));
      }),
    );
  }

  /** AddOffsetsToTxn at the transaction coordinator, TxnOffsetCommit at the group's, with the member's generation. */
  private commitOffsets(id: Coordinated, input: TransactionInput<R>, offsets: readonly OffsetCommitEntry[]): Observable<never> {
    const addOffsets = this.transport.addOffsetsToTxn?.bind(this.transport);
    const commit = this.transport.txnOffsetCommit?.bind(this.transport);
    if (offsets.length === 0) return EMPTY;
    if (!addOffsets || !commit) return throwError(() => new KafkaClientError({ tag: 'UsageError', message: 'This transport cannot commit offsets in a transaction' }));
    const groupId = this.group.groupId;
    const context = { group: groupId, api: 'TxnOffsetCommit' };
    return concat(
      this.toCoordinator(id, (base) => addOffsets({ ...base, groupId }), { group: groupId, api: 'AddOffsetsToTxn' }),
      this.stillCurrent(input, offsets),
      defer(() => {
        const member = this.group.groupMetadata();
        if (!member) return throwError(() => new KafkaClientError({ tag: 'KafkaProtocolError', code: 'REBALANCE_IN_PROGRESS', message: 'The member is between generations', context }));
        return this.retrying(
          this.transport.findCoordinator({ groupId }).pipe(
            mergeMap((c) =>
              commit({
                ...this.base(id),
                coordinator: c.nodeId,
                groupId,
                memberId: member.memberId,
                generationId: member.generationId,
                ...(member.groupInstanceId ? { groupInstanceId: member.groupInstanceId } : {}),
                offsets,
              }),
            ),
            map(firstError),
          ),
          { ...context, member: member.memberId, generation: member.generationId },
        );
      }),
    ).pipe(ignoreElements());
  }

  /**
   * Fails (REBALANCE_IN_PROGRESS: the transaction aborts, nothing is emitted) when a consumed partition was
   * released, or came back in a new assignment, while the transaction ran.
   */
  private stillCurrent(input: TransactionInput<R>, offsets: readonly OffsetCommitEntry[]): Observable<never> {
    return defer(() => {
      const released = offsets.find((o) => this.group.owns && !this.group.owns(o.topic, o.partition)) ?? input.consumed.find((m) => this.group.isStale?.(m));
      if (!released) return EMPTY;
      const { topic, partition } = released;
      return throwError(() => new KafkaClientError({ tag: 'KafkaProtocolError', code: 'REBALANCE_IN_PROGRESS', message: `Partition ${topic}/${partition} was released or reassigned by a rebalance while its transaction ran`, context: { group: this.group.groupId, topic, partition, api: 'TxnOffsetCommit' } }));
    });
  }

  private end(id: Coordinated, commit: boolean): Observable<never> {
    const endTxn = this.transport.endTxn?.bind(this.transport);
    if (!endTxn) return throwError(() => new KafkaClientError({ tag: 'UsageError', message: 'This transport cannot end transactions' }));
    return this.toCoordinator(id, (base) => endTxn({ ...base, commit }), { api: 'EndTxn' }).pipe(ignoreElements());
  }

  private base(id: Coordinated) {
    return { coordinator: id.coordinator, transactionalId: this.transactionalId, producerId: id.producerId, producerEpoch: id.producerEpoch };
  }

  /**
   * Retries retriable failures every `retryBackoffMs` while within the delivery timeout. CONCURRENT_TRANSACTIONS
   * (the coordinator still completing the previous transaction, usually a few ms) is asked again after at most
   * 20 ms, as the Java producer does (KAFKA-5482).
   */
  private retrying<T>(work: Observable<T>, context: ErrorContext): Observable<T> {
    return defer(() => {
      const deadline = this.scheduler.now() + this.options.deliveryTimeoutMs;
      return work.pipe(
        retry({
          delay: (e: unknown) => {
            const error = toKafkaClientError(e, context);
            if (!error.retriable || this.scheduler.now() >= deadline) return throwError(() => error);
            const backoff = hasCode(error, 'CONCURRENT_TRANSACTIONS') ? Math.min(CONCURRENT_TRANSACTIONS_BACKOFF_MS, this.options.retryBackoffMs) : this.options.retryBackoffMs;
            return timer(backoff, this.scheduler);
          },
        }),
        catchError((e: unknown) => throwError(() => toKafkaClientError(e, context))),
      );
    });
  }
}

/** A partition's encoded batch on its way, with the sequence number it was framed with. */
interface Sending<R extends ProducerRecord> {
  readonly placed: Placed<R>;
  readonly baseSequence: number;
  readonly records: Buffer;
}

interface Placed<R extends ProducerRecord> {
  readonly topic: string;
  readonly partition: number;
  readonly leader: number;
  readonly records: { key?: Buffer | string | null; value: Buffer | string | null; headers?: Readonly<Record<string, Buffer | string>>; timestamp: number }[];
  readonly deliveries: DeliveryReport<R>[];
}

/** A per-partition answer's first error, thrown (so the request is retried or fails as one). */
const firstError = (results: readonly PartitionResult[]): void => {
  const failed = results.find((r) => r.error);
  if (failed?.error) throw failed.error;
};
