import { firstValueFrom, Observable, ReplaySubject, Subject, Subscription } from 'rxjs';
import { filter } from 'rxjs/operators';
import { Generation, GroupNotification, MembershipHandle, MembershipOptions, startMembership } from '../../src/sources/group-membership';
import { range } from '../../src/strategies';
import { overriding, type Transport } from '../../src/transport';
import { KafkaClientError } from '../../src/errors';

/** One member under test: its generations, notifications and how it ended, recorded for assertions. */
export interface TestMember {
  readonly generations: ReplaySubject<Generation>;
  readonly notifications: Subject<GroupNotification>;
  readonly handle: MembershipHandle;
  readonly ended: Promise<'complete' | KafkaClientError>;
  /** Resolves with the first generation (from now on, or already seen) matching the predicate. */
  generation(predicate?: (g: Generation) => boolean): Promise<Generation>;
  stop(): Promise<void>;
}

export const membershipDefaults = (transport: Transport, groupId: string, topics: readonly string[]): MembershipOptions => ({
  transport,
  groupId,
  topics: () => topics,
  sessionTimeoutMs: 6000,
  rebalanceTimeoutMs: 10000,
  heartbeatIntervalMs: 500,
  strategies: [range],
  retry: { max: 5, initialBackoffMs: 100, maxBackoffMs: 2000 },
  metadataRefreshMs: 60000,
});

export const startTestMember = (options: MembershipOptions): TestMember => {
  const generations = new ReplaySubject<Generation>();
  const notifications = options.notifications ?? new Subject<GroupNotification>();
  let resolveEnded: (v: 'complete' | KafkaClientError) => void = () => undefined;
  const ended = new Promise<'complete' | KafkaClientError>((r) => (resolveEnded = r));
  const handle = startMembership({ ...options, notifications }, {
    next: (g) => generations.next(g),
    error: (e) => resolveEnded(e),
    complete: () => resolveEnded('complete'),
  });
  return {
    generations,
    notifications,
    handle,
    ended,
    generation: (predicate = () => true) => firstValueFrom(generations.pipe(filter(predicate))),
    stop: () => new Promise<void>((resolve, reject) => handle.stop().subscribe({ complete: resolve, error: reject })),
  };
};

/** A transport whose heartbeats can be switched off (a member that stops heartbeating, e.g. stalled). */
export const stallableHeartbeats = (transport: Transport): { transport: Transport; stall(on: boolean): void } => {
  let stalled = false;
  return {
    transport: overriding(transport, { heartbeat: (r) => (stalled ? new Observable<void>(() => undefined) : transport.heartbeat(r)) }),
    stall: (on) => (stalled = on),
  };
};

/** Every partition of `topic` across the generations, as "partition" strings, sorted. */
export const coverage = (topic: string, ...gens: readonly Generation[]): number[] =>
  gens.flatMap((g) => g.current[topic] ?? []).sort((a, b) => a - b);

export const unsubscribeAll = (subs: Subscription[]): void => subs.forEach((s) => s.unsubscribe());
