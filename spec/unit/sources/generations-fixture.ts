import { defer, finalize, map, Observable, Subject, tap, timer, type SchedulerLike } from 'rxjs';
import { isKafkaClientError } from '../../../src/errors';
import { TestScheduler } from 'rxjs/testing';
import type { Assignment } from '../../../src/protocol/assignment';
import { generations, type Generation, type GroupNotification, type MembershipOptions } from '../../../src/sources/group-membership';
import { range } from '../../../src/strategies';
import { InMemoryCluster, type InMemoryClusterOptions, type InMemoryTransport } from '../../../src/testing';
import type { Transport } from '../../../src/transport';

/**
 * Shared machinery of the `generations$` virtual-time specs: a TestScheduler (with a frame cap, so a timer left
 * running by a bug ends the flush instead of spinning forever), an in-memory cluster on it, and members whose
 * requests are recorded with their virtual send times.
 */

/** Virtual time after which a flush stops: far beyond any scenario here (the longest runs a few minutes). */
export const MAX_FRAMES = 30 * 60 * 1000;

export const virtualTime = (): TestScheduler => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

/** Runs `body` in `scheduler.run`, with the frame cap applied (run mode starts with maxFrames = Infinity). */
export const runVirtual = <T>(body: (helpers: Parameters<Parameters<TestScheduler['run']>[0]>[0], scheduler: TestScheduler) => T): T => {
  const scheduler = virtualTime();
  return scheduler.run((helpers) => {
    scheduler.maxFrames = MAX_FRAMES;
    return body(helpers, scheduler);
  });
};

/** One request as the member sent it: virtual send time, API, the group fields that matter, and its answer. */
export interface SentRequest {
  readonly at: number;
  readonly api: string;
  readonly memberId?: string;
  readonly generationId?: number;
  readonly coordinator?: number;
  /** `'ok'`, the error's code (its tag when it has none), or `'abandoned'` (unsubscribed unanswered); undefined while in flight. */
  outcome?: string;
  answeredAt?: number;
}

/** A transport that records each request when it is sent (subscribed), then delegates. */
export const recording = (t: Transport, scheduler: SchedulerLike, sent: SentRequest[]): Transport => {
  const log =
    <R, T>(api: string, call: (r: R) => Observable<T>, fields: (r: R) => Omit<SentRequest, 'at' | 'api'> = () => ({})) =>
    (r: R): Observable<T> =>
      defer(() => {
        const entry: SentRequest = { at: scheduler.now(), api, ...fields(r) };
        sent.push(entry);
        const answer = (outcome: string) => {
          entry.outcome ??= outcome;
          entry.answeredAt ??= scheduler.now();
        };
        return call(r).pipe(
          tap({ next: () => answer('ok'), complete: () => answer('ok'), error: (e: unknown) => answer(isKafkaClientError(e) ? (e.code ?? e._tag) : String(e)) }),
          finalize(() => answer('abandoned')),
        );
      });
  return {
    metadata: log('metadata', (r) => t.metadata(r)),
    findCoordinator: log('findCoordinator', (r) => t.findCoordinator(r)),
    joinGroup: log('joinGroup', (r) => t.joinGroup(r), (r) => ({ memberId: r.memberId, coordinator: r.coordinator })),
    syncGroup: log('syncGroup', (r) => t.syncGroup(r), (r) => ({ memberId: r.memberId, generationId: r.generationId, coordinator: r.coordinator })),
    heartbeat: log('heartbeat', (r) => t.heartbeat(r), (r) => ({ memberId: r.memberId, generationId: r.generationId, coordinator: r.coordinator })),
    leaveGroup: log('leaveGroup', (r) => t.leaveGroup(r), (r) => ({ memberId: r.memberId, coordinator: r.coordinator })),
    offsetFetch: log('offsetFetch', (r) => t.offsetFetch(r)),
    offsetCommit: log('offsetCommit', (r) => t.offsetCommit(r)),
    listOffsets: log('listOffsets', (r) => t.listOffsets(r)),
    fetch: log('fetch', (r) => t.fetch(r)),
    close: () => t.close(),
  };
};

/** The membership settings of these specs: heartbeat every second, 10 s session, 30 s rebalance timeout. */
export const SESSION_TIMEOUT_MS = 10000;
export const HEARTBEAT_INTERVAL_MS = 1000;
export const REBALANCE_TIMEOUT_MS = 30000;
export const RETRY = { max: 3, initialBackoffMs: 100, maxBackoffMs: 1000 } as const;

export interface TestMember {
  readonly transport: InMemoryTransport;
  /** Every request this member sent, in order. */
  readonly sent: SentRequest[];
  /** Every notification this member published, with its virtual time. */
  readonly notified: { at: number; notification: GroupNotification }[];
  readonly notifications: Subject<GroupNotification>;
  readonly options: MembershipOptions;
  /** `generations(options)`: cold; each subscription is one membership. */
  readonly generations$: Observable<Generation>;
  /** The requests of one API (send times and fields). */
  requests(api: string): SentRequest[];
}

/**
 * A member of `groupId` on `cluster`, subscribed to `topics`; its transport's client id is `clientId`, so its
 * member ids are `${clientId}-00000000-0000-4000-8000-<n>` (the in-memory broker's deterministic UUIDs).
 */
export const testMember = (
  cluster: InMemoryCluster,
  scheduler: SchedulerLike,
  clientId: string,
  overrides: Partial<MembershipOptions> & { topics?: () => readonly string[]; groupId?: string } = {},
): TestMember => {
  const transport = cluster.transport({ clientId });
  const sent: SentRequest[] = [];
  const notifications = overrides.notifications ?? new Subject<GroupNotification>();
  const notified: { at: number; notification: GroupNotification }[] = [];
  notifications.subscribe((notification) => notified.push({ at: scheduler.now(), notification }));
  const options: MembershipOptions = {
    transport: recording(transport, scheduler, sent),
    groupId: 'g',
    topics: () => ['t'],
    sessionTimeoutMs: SESSION_TIMEOUT_MS,
    rebalanceTimeoutMs: REBALANCE_TIMEOUT_MS,
    heartbeatIntervalMs: HEARTBEAT_INTERVAL_MS,
    strategies: [range],
    retry: RETRY,
    metadataRefreshMs: 60000,
    scheduler,
    notifications,
    ...overrides,
  };
  return {
    transport,
    sent,
    notified,
    notifications,
    options,
    generations$: generations(options),
    requests: (api) => sent.filter((r) => r.api === api),
  };
};

/** The in-memory cluster of these specs: one broker unless told, topic `t` with 4 partitions unless told. */
export const testCluster = (scheduler: SchedulerLike, options: InMemoryClusterOptions = {}): InMemoryCluster =>
  new InMemoryCluster({ scheduler, topics: { t: 4 }, ...options });

/** The in-memory broker's n-th member id for `clientId` (it counts member ids cluster-wide from 1). */
export const memberIdOf = (clientId: string, n: number): string => `${clientId}-00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

/** What a generation says, without its `revoked$` Observable: comparable in marbles. */
export interface GenerationView {
  readonly generationId: number;
  readonly memberId: string;
  readonly isLeader: boolean;
  readonly claimed: Assignment;
  readonly released: Assignment;
  readonly current: Assignment;
}

export const view = (g: Generation): GenerationView => ({
  generationId: g.generationId,
  memberId: g.memberId,
  isLeader: g.isLeader,
  claimed: g.claimed,
  released: g.released,
  current: g.current,
});

export const views = (source: Observable<Generation>): Observable<GenerationView> => source.pipe(map(view));

/** Emits `read()` once, at virtual time `ms`. */
export const at = <T>(ms: number, read: () => T): Observable<T> => timer(ms).pipe(map(read));

/** A notification as a short string: `Start t:0,1`, `OK 2 +t:2 -t:0 =t:1,2`, `Error NOT_COORDINATOR`. */
export const describeNotification = (n: GroupNotification): string => {
  const fmt = (a: Assignment) =>
    Object.keys(a)
      .sort()
      .map((t) => `${t}:${(a[t] ?? []).join(',')}`)
      .join(' ') || '-';
  switch (n.type) {
    case 'RebalanceStart':
      return `Start ${fmt(n.claims)}`;
    case 'RebalanceOK':
      return `OK ${n.generationId} +${fmt(n.claimed)} -${fmt(n.released)} =${fmt(n.current)}`;
    case 'RebalanceError':
      return `Error ${n.error.code ?? n.error._tag}`;
  }
};
