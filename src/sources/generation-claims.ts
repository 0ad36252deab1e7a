import { AsyncSubject, EMPTY, ignoreElements, Observable, of, SchedulerLike, Subject, Subscription, throwError, timeout } from 'rxjs';
import { catchError } from 'rxjs/operators';
import { KafkaClientError, type ErrorContext } from '../errors';
import { type Assignment, diffAssignments, partitionsOf } from '../protocol/assignment';
import type { GenerationInfo } from '../protocol/group-machine-steps';

/**
 * A generation handed downstream: the assignment, its increment, and when its partitions' claims end. A partition's
 * stream lives as long as its claim, which under incremental rebalancing spans every generation that keeps it.
 */
export interface Generation extends GenerationInfo {
  /** Emits once (then completes) when this generation is no longer the current one: revoked, lost, or superseded. */
  readonly revoked$: Observable<void>;
  /** Emits once (then completes) when the claim on this partition ends (revoked or lost); at once if not held. */
  ended$(topic: string, partition: number): Observable<void>;
}

/** The revocation outlived the rebalance timeout: the member goes on (rejoins) without waiting longer. */
export const revokeTimeout = (timeoutMs: number, context: ErrorContext): KafkaClientError =>
  new KafkaClientError({ tag: 'RequestTimeout', retriable: true, message: `onRevoke did not complete within the rebalance timeout (${timeoutMs} ms); rejoining`, context });

const claimKey = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

/**
 * The claims a membership holds, whatever its protocol: one per partition, from the generation that added it until
 * it is revoked or lost, and the current generation. Each membership machine says when; this keeps the streams'
 * lifetimes in step with it.
 */
export class GenerationClaims {
  private readonly claims = new Map<string, AsyncSubject<void>>();
  private current: { generation: Generation; revoked: Subject<void> } | undefined;
  private revocation = Subscription.EMPTY;

  /** A new generation: claims start for what it added; the one before is superseded. */
  emit(info: GenerationInfo): Generation {
    for (const { topic, partition } of partitionsOf(info.added)) {
      const key = claimKey(topic, partition);
      if (!this.claims.has(key)) this.claims.set(key, new AsyncSubject<void>());
    }
    const held = new Map(partitionsOf(info.current).map(({ topic, partition }) => [claimKey(topic, partition), this.claims.get(claimKey(topic, partition))] as const));
    const revoked = new Subject<void>();
    const generation: Generation = {
      ...info,
      revoked$: revoked.asObservable(),
      ended$: (topic, partition) => held.get(claimKey(topic, partition))?.asObservable() ?? of(undefined),
    };
    this.endCurrent();
    this.current = { generation, revoked };
    return generation;
  }

  /**
   * Ends `partitions`' claims and runs `work` (drain and commit, or just release when lost), bounded by `timeoutMs`;
   * `done` follows either way (a failure is reported to `onError` first). The generation ends too once nothing of it
   * is left.
   */
  revoke(
    partitions: Assignment,
    work: (generation: Generation) => Observable<unknown>,
    bound: { readonly timeoutMs: number; readonly scheduler: SchedulerLike; readonly timeoutError: () => KafkaClientError },
    onError: (e: unknown) => void,
    done: () => void,
  ): void {
    const gen = this.current;
    this.endClaims(partitions);
    if (gen && partitionsOf(diffAssignments(partitions, gen.generation.current).claimed).length === 0) this.endCurrent();
    this.revocation = (gen ? work(gen.generation) : EMPTY)
      .pipe(
        // A bound on the whole revocation, not on the gap between its values: with its values ignored, `first`
        // is how long the work may take to complete.
        ignoreElements(),
        timeout({ first: bound.timeoutMs, scheduler: bound.scheduler, with: () => throwError(bound.timeoutError) }),
        catchError((e: unknown) => {
          onError(e);
          return EMPTY;
        }),
      )
      .subscribe({ complete: done });
  }

  /** The membership ended: every claim still held ends with it (lost, not kept). */
  finish(): void {
    this.revocation.unsubscribe();
    for (const claim of this.claims.values()) {
      claim.next();
      claim.complete();
    }
    this.claims.clear();
    this.endCurrent();
  }

  private endClaims(partitions: Assignment): void {
    for (const { topic, partition } of partitionsOf(partitions)) {
      const key = claimKey(topic, partition);
      const claim = this.claims.get(key);
      this.claims.delete(key);
      claim?.next();
      claim?.complete();
    }
  }

  private endCurrent(): void {
    const held = this.current;
    this.current = undefined;
    held?.revoked.next();
    held?.revoked.complete();
  }
}
