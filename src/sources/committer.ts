import { asyncScheduler, concat, defer, EMPTY, Observable, of, ReplaySubject, SchedulerLike, throwError, timer } from 'rxjs';
import { catchError, finalize, ignoreElements, map, mergeMap, retry, shareReplay } from 'rxjs/operators';
import { hasCode, KafkaClientError, toKafkaClientError } from '../errors';
import { backoffDelay } from '../protocol/backoff';
import type { OffsetLedger } from '../protocol/offset-ledger';
import type { TopicPartition, Transport } from '../transport';

/** Who commits: the member and generation the commit is fenced by. */
export interface CommitIdentity {
  readonly memberId: string;
  readonly generationId: number;
  readonly groupInstanceId?: string;
  /** 'consumer': commits carry the member epoch, on OffsetCommit v9. */
  readonly groupProtocol?: 'classic' | 'consumer';
}

export interface CommitterOptions {
  readonly transport: Transport;
  readonly groupId: string;
  readonly ledger: OffsetLedger;
  /** The current member and generation; undefined while none is held (commits wait for the next). */
  readonly identity: () => CommitIdentity | undefined;
  readonly retry: { readonly max: number; readonly initialBackoffMs: number; readonly maxBackoffMs: number };
  readonly scheduler?: SchedulerLike;
  /** Called after the broker confirmed a commit. */
  readonly onCommitted?: () => void;
}

/** The membership is gone: these marks can never be committed by this member. */
const FENCED = ['ILLEGAL_GENERATION', 'UNKNOWN_MEMBER_ID', 'FENCED_INSTANCE_ID', 'FENCED_MEMBER_EPOCH'] as const;
const COORDINATOR_MOVED = ['NOT_COORDINATOR', 'COORDINATOR_NOT_AVAILABLE', 'COORDINATOR_LOAD_IN_PROGRESS'] as const;

/**
 * Commits what the ledger says moved, to the group coordinator, fenced by generation. A failed commit keeps the
 * marks (the ledger only advances `committed` on success); retriable errors back off and retry; a fenced member
 * gets a `KafkaProtocolError` (ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID) and its marks stay uncommitted.
 *
 *
 * One commit at a time: a commit asked for while another is in flight (with its retries) starts when that one has
 * settled, and then sends the marks as they are by then. Two OffsetCommits in flight at once could reach the
 * coordinator out of order (e.g. the first on a connection that broke while the coordinator moved, handled after
 * the second on a new one) and move the committed offset backwards.
 *
 *   commit() ──FindCoordinator?──OffsetCommit──|      (NOT_COORDINATOR: re-find, retry with backoff)
 */
export class Committer {
  private coordinator$: Observable<number> | undefined;
  private readonly scheduler: SchedulerLike;
  /** Fires (and completes) when the commit in flight, if any, has settled. */
  private settled: ReplaySubject<void> | undefined;

  constructor(private readonly options: CommitterOptions) {
    this.scheduler = options.scheduler ?? asyncScheduler;
  }

  /** Commits every moved mark (or only those of `partitions`); completes when the broker confirmed. */
  commit(partitions?: readonly TopicPartition[]): Observable<void> {
    return defer(() => {
      const before = this.settled;
      const settled = new ReplaySubject<void>(1);
      this.settled = settled;
      const fire = () => {
        settled.next();
        settled.complete();
        if (this.settled === settled) this.settled = undefined;
      };
      // Settled only once the one before has too (this one may be unsubscribed while still waiting for it).
      const done = () => (before ? before.subscribe({ complete: fire }) : fire());
      return concat(before ? before.pipe(ignoreElements()) : EMPTY, this.commitWithRetry(partitions)).pipe(finalize(done));
    });
  }

  private commitWithRetry(partitions?: readonly TopicPartition[]): Observable<void> {
    return defer(() => this.commitOnce(partitions)).pipe(
      retry({
        count: this.options.retry.max,
        delay: (e: unknown, attempt) => {
          const error = toKafkaClientError(e, { group: this.options.groupId });
          if (!error.retriable || hasCode(error, ...FENCED)) return throwError(() => error);
          if (hasCode(error, ...COORDINATOR_MOVED) || error._tag === 'ConnectionError') this.coordinator$ = undefined;
          return timer(backoffDelay(attempt, this.options.retry.initialBackoffMs, this.options.retry.maxBackoffMs), this.scheduler);
        },
      }),
    );
  }

  private findCoordinator(): Observable<number> {
    return (this.coordinator$ ??= this.options.transport.findCoordinator({ groupId: this.options.groupId }).pipe(
      map((b) => b.nodeId),
      catchError((e: unknown) => {
        this.coordinator$ = undefined;
        return throwError(() => e);
      }),
      shareReplay({ bufferSize: 1, refCount: false }),
    ));
  }

  private commitOnce(partitions?: readonly TopicPartition[]): Observable<void> {
    const wanted = partitions && new Set(partitions.map((p) => `${p.topic}\u0000${p.partition}`));
    const pending = this.options.ledger.pendingCommits().filter((c) => !wanted || wanted.has(`${c.topic}\u0000${c.partition}`));
    if (pending.length === 0) return EMPTY;
    const who = this.options.identity();
    if (!who) {
      return throwError(() => new KafkaClientError({ tag: 'KafkaProtocolError', code: 'REBALANCE_IN_PROGRESS', message: 'No generation held: commit deferred', retriable: true, context: { group: this.options.groupId } }));
    }
    return this.findCoordinator().pipe(
      mergeMap((coordinator) =>
        this.options.transport.offsetCommit({
          groupId: this.options.groupId,
          coordinator,
          memberId: who.memberId,
          generationId: who.generationId,
          groupInstanceId: who.groupInstanceId,
          groupProtocol: who.groupProtocol,
          offsets: pending.map((c) => ({ topic: c.topic, partition: c.partition, offset: c.offset, metadata: c.metadata })),
        }),
      ),
      mergeMap((results) => {
        const failed = results.find((r) => r.error);
        const ok = pending.filter((c) => !results.some((r) => r.error && r.topic === c.topic && r.partition === c.partition));
        this.options.ledger.committed(ok);
        if (ok.length > 0) this.options.onCommitted?.();
        if (failed?.error) return throwError(() => failed.error?.withContext({ group: this.options.groupId, member: who.memberId, generation: who.generationId, topic: failed.topic, partition: failed.partition }));
        return of(undefined);
      }),
      map(() => undefined),
    );
  }
}
