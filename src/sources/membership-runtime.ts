import { asyncScheduler, EMPTY, Observable, Subject, type Subscription } from 'rxjs';
import { toKafkaClientError, type ErrorContext, type KafkaClientError } from '../errors';
import type { SharedEffect } from '../protocol/group-machine-steps';
import { GenerationClaims, revokeTimeout } from './generation-claims';
import type { MembershipHandle, MembershipObserver, MembershipOptions, MembershipState } from './group-membership';

/**
 * What every membership runtime (classic, consumer protocol) does around its pure machine, whatever the protocol:
 * the event queue (an event dispatched while effects run is handled after them, in order), the partition claims,
 * the effects all machines share (revoke through `onRevoke`, notify, complete, fail), and the end, once.
 */
export class MembershipRuntime<S, E, F> {
  readonly claims = new GenerationClaims();
  private readonly queue: E[] = [];
  private draining = false;
  private readonly done = new Subject<void>();
  private finished = false;

  constructor(
    public state: S,
    private readonly reducer: (s: S, e: E) => readonly [S, readonly F[]],
    /** Carries out one protocol-specific effect (handing shared ones to `performShared`). */
    private readonly perform: (effect: F) => void,
    private readonly options: MembershipOptions,
    private readonly observer: MembershipObserver,
    /** The member's error context now (group, member, generation or epoch). */
    readonly context: () => ErrorContext,
    /** The runtime's own subscriptions (requests, timers), ended when the membership ends. */
    private readonly owned: () => readonly Subscription[],
  ) {}

  dispatch = (event: E): void => {
    this.queue.push(event);
    if (this.draining) return;
    this.draining = true;
    try {
      for (let e = this.queue.shift(); e; e = this.queue.shift()) {
        const [next, effects] = this.reducer(this.state, e);
        this.state = next;
        for (const effect of effects) this.perform(effect);
      }
    } finally {
      this.draining = false;
    }
  };

  asError = (e: unknown): KafkaClientError => toKafkaClientError(e, this.context());

  performShared(effect: SharedEffect, revokeDone: E): void {
    const { options } = this;
    switch (effect.type) {
      case 'revoke':
        return this.claims.revoke(
          effect.partitions,
          (g) => (options.onRevoke ? options.onRevoke(g, effect.partitions, effect.fenced) : EMPTY),
          { timeoutMs: options.rebalanceTimeoutMs, scheduler: options.scheduler ?? asyncScheduler, timeoutError: () => revokeTimeout(options.rebalanceTimeoutMs, this.context()) },
          (e) => options.notifications?.next({ type: 'RebalanceError', error: this.asError(e) }),
          () => this.dispatch(revokeDone),
        );
      case 'notify':
        options.notifications?.next(effect.notification);
        return;
      case 'complete':
        this.finish();
        this.observer.complete();
        return;
      case 'fail':
        this.finish();
        this.observer.error(effect.error);
        return;
    }
  }

  /** The handle: `stop()` asks the machine to stop (`stopEvent`) and completes once the membership has ended. */
  handle(stopEvent: E, rejoin: () => void, state: () => MembershipState): MembershipHandle {
    return {
      stop: () =>
        new Observable<void>((sub) => {
          const s = this.done.subscribe({ complete: () => sub.complete() });
          if (this.finished) sub.complete();
          else this.dispatch(stopEvent);
          return s;
        }),
      rejoin,
      state,
    };
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    for (const s of this.owned()) s.unsubscribe();
    // A generation still held (the membership failed) ends with it: its partitions are lost, not kept.
    this.claims.finish();
    this.done.next();
    this.done.complete();
  }
}
