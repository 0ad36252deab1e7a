import { Observable, catchError, defer, map, of, tap, throwError, timer, type SchedulerLike } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { hasCode, isKafkaClientError } from '../../../src/errors';
import type { GroupProtocol, JoinGroupResponse, OffsetCommitEntry, PartitionResult } from '../../../src/transport/port';
import type { InMemoryTransport } from '../../../src/testing';

/** A fresh TestScheduler comparing with jest's toEqual. */
export const testScheduler = (): TestScheduler => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

/** Values as they are, an error as its code (or tag): so marbles can name broker errors. */
export const outcome = <T, R = T>(source: Observable<T>, project: (v: T) => R = (v) => v as unknown as R): Observable<R | string> =>
  source.pipe(
    map(project),
    catchError((e: unknown) => of(isKafkaClientError(e) ? (e.code ?? e._tag) : String(e))),
  );

/** Emits `read()` once, at virtual time `ms`: how the specs look at the broker mid-scenario. */
export const at = <T>(ms: number, read: () => T, scheduler?: SchedulerLike): Observable<T> => timer(ms, scheduler).pipe(map(read));

export const protocol = (name: string, metadata = name): GroupProtocol => ({ name, metadata: Buffer.from(metadata) });

export interface MemberOptions {
  readonly groupId?: string;
  readonly coordinator?: number;
  readonly groupInstanceId?: string;
  readonly sessionTimeoutMs?: number;
  readonly rebalanceTimeoutMs?: number;
  readonly protocols?: readonly GroupProtocol[];
}

/**
 * A scripted group member over one transport: it remembers its member id and generation, so a spec reads as
 * the protocol exchange (`m.join$()`, `m.sync$(...)`, `m.heartbeat$()`) rather than request literals.
 */
export class Member {
  memberId = '';
  generationId = -1;
  /** The member ids of the last JoinGroup response (non-empty for the leader only). */
  members: readonly string[] = [];
  coordinator: number;
  protocols: readonly GroupProtocol[];

  constructor(
    readonly transport: InMemoryTransport,
    readonly options: MemberOptions = {},
  ) {
    this.coordinator = options.coordinator ?? 0;
    this.protocols = options.protocols ?? [protocol('range')];
  }

  get groupId(): string {
    return this.options.groupId ?? 'g';
  }

  private get base() {
    const { groupInstanceId } = this.options;
    return { groupId: this.groupId, coordinator: this.coordinator, ...(groupInstanceId === undefined ? {} : { groupInstanceId }) };
  }

  /** One JoinGroup with the current member id; MEMBER_ID_REQUIRED is surfaced (its member id remembered). */
  joinOnce$(): Observable<JoinGroupResponse> {
    return defer(() =>
      this.transport.joinGroup({
        ...this.base,
        memberId: this.memberId,
        sessionTimeoutMs: this.options.sessionTimeoutMs ?? 10000,
        rebalanceTimeoutMs: this.options.rebalanceTimeoutMs ?? 30000,
        protocolType: 'consumer',
        protocols: this.protocols,
      }),
    ).pipe(
      tap({
        next: (r) => {
          this.memberId = r.memberId;
          this.generationId = r.generationId;
          this.members = r.members.map((m) => m.memberId);
        },
        error: (e: unknown) => {
          if (isKafkaClientError(e) && e.code === 'MEMBER_ID_REQUIRED' && e.memberId !== undefined) this.memberId = e.memberId;
        },
      }),
    );
  }

  /** JoinGroup, rejoining once with the assigned id on MEMBER_ID_REQUIRED (what a v4+ client does). */
  join$(): Observable<JoinGroupResponse> {
    return this.joinOnce$().pipe(catchError((e: unknown) => (hasCode(e, 'MEMBER_ID_REQUIRED') ? this.joinOnce$() : throwError(() => e))));
  }

  /** SyncGroup; as leader, `assignments` maps member ids to their assignment (as text). */
  sync$(assignments: Readonly<Record<string, string>> = {}): Observable<string> {
    return defer(() =>
      this.transport.syncGroup({
        ...this.base,
        memberId: this.memberId,
        generationId: this.generationId,
        assignments: Object.entries(assignments).map(([memberId, a]) => ({ memberId, assignment: Buffer.from(a) })),
      }),
    ).pipe(map((r) => r.assignment.toString()));
  }

  heartbeat$(): Observable<'ok'> {
    return defer(() => this.transport.heartbeat({ ...this.base, memberId: this.memberId, generationId: this.generationId })).pipe(map(() => 'ok' as const));
  }

  leave$(): Observable<'left'> {
    return defer(() => this.transport.leaveGroup({ ...this.base, memberId: this.memberId })).pipe(map(() => 'left' as const));
  }

  commit$(offsets: readonly OffsetCommitEntry[]): Observable<readonly PartitionResult[]> {
    return defer(() => this.transport.offsetCommit({ ...this.base, memberId: this.memberId, generationId: this.generationId, offsets }));
  }
}

/** Per-partition commit results as `topic/partition: ok | CODE`. */
export const commitResults = (results: readonly PartitionResult[]): Record<string, string> =>
  Object.fromEntries(results.map((r) => [`${r.topic}/${r.partition}`, r.error?.code ?? 'ok']));
