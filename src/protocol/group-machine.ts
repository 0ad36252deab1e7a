import { hasCode, KafkaClientError } from '../errors';
import { Assignment, diffAssignments, emptyAssignment } from './assignment';
import { backoffDelay } from './backoff';

/**
 * The consumer-group membership protocol (classic, eager) as a pure reducer: `(state, event) -> [state, effects]`.
 * No I/O, no timers, no RxJS: the runtime (`sources/group-membership`) performs the effects and feeds results
 * back as events. Each transition is table-tested in `spec/unit/protocol/group-machine.spec.ts`.
 *
 *   idle -> discovering -> joining -> syncing -> stable -> revoking -> joining ... -> leaving -> done
 *                 ^            |          |          |  (coordinator lost: discovering, then heartbeats resume)
 *                 +--- waiting (backoff) <+----------+
 */

export type Phase = 'idle' | 'discovering' | 'waiting' | 'joining' | 'syncing' | 'stable' | 'revoking' | 'leaving' | 'done';

export interface GenerationInfo {
  readonly generationId: number;
  readonly memberId: string;
  readonly leaderId: string;
  readonly isLeader: boolean;
  readonly protocol: string;
  readonly assignment: Assignment;
  readonly claimed: Assignment;
  readonly released: Assignment;
  readonly current: Assignment;
}

export interface JoinedMember {
  readonly memberId: string;
  readonly groupInstanceId?: string;
  readonly metadata: Buffer;
}

export type Notification =
  | { readonly type: 'RebalanceStart'; readonly claims: Assignment }
  | { readonly type: 'RebalanceOK'; readonly generationId: number; readonly claimed: Assignment; readonly released: Assignment; readonly current: Assignment }
  | { readonly type: 'RebalanceError'; readonly error: KafkaClientError };

export type GroupEvent =
  | { readonly type: 'Start' }
  | { readonly type: 'CoordinatorFound'; readonly nodeId: number }
  | { readonly type: 'CoordinatorFailed'; readonly error: KafkaClientError }
  | { readonly type: 'Joined'; readonly generationId: number; readonly memberId: string; readonly leaderId: string; readonly protocol: string; readonly members: readonly JoinedMember[] }
  | { readonly type: 'JoinFailed'; readonly error: KafkaClientError }
  | { readonly type: 'Synced'; readonly generationId: number; readonly assignment: Assignment }
  | { readonly type: 'SyncFailed'; readonly error: KafkaClientError }
  | { readonly type: 'HeartbeatFailed'; readonly generationId: number; readonly error: KafkaClientError }
  | { readonly type: 'RevokeDone' }
  | { readonly type: 'RetryDue' }
  | { readonly type: 'RejoinRequested' }
  | { readonly type: 'Stop' }
  | { readonly type: 'LeaveDone' };

export type GroupEffect =
  | { readonly type: 'findCoordinator' }
  | { readonly type: 'joinGroup'; readonly memberId: string }
  | { readonly type: 'syncGroup'; readonly generationId: number; readonly memberId: string; readonly isLeader: boolean; readonly protocol: string; readonly members: readonly JoinedMember[] }
  | { readonly type: 'startHeartbeat'; readonly generationId: number; readonly memberId: string }
  | { readonly type: 'stopHeartbeat' }
  | { readonly type: 'emitGeneration'; readonly generation: GenerationInfo }
  | { readonly type: 'revoke'; readonly generation: GenerationInfo; readonly fenced: boolean }
  | { readonly type: 'leaveGroup'; readonly memberId: string }
  | { readonly type: 'scheduleRetry'; readonly delayMs: number }
  | { readonly type: 'notify'; readonly notification: Notification }
  | { readonly type: 'complete' }
  | { readonly type: 'fail'; readonly error: KafkaClientError };

export interface GroupMachineSettings {
  readonly retryMax: number;
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
}

export interface GroupState {
  readonly phase: Phase;
  readonly memberId: string;
  readonly generationId: number;
  readonly leaderId: string;
  readonly protocol: string;
  readonly coordinator: number | undefined;
  /** The generation handed downstream (stable or revoking), if any. */
  readonly generation: GenerationInfo | undefined;
  /** Claims held before the current rebalance: the base of the next diff and of RebalanceStart. */
  readonly owned: Assignment;
  /** Consecutive failures of discovery or join/sync, for backoff and the retry bound. */
  readonly failures: number;
  /** What `discovering` or `waiting` leads to. */
  readonly resume: 'join' | 'heartbeat' | 'discover';
  /** The current revocation found the membership gone: its marks must not be committed. */
  readonly fenced: boolean;
  readonly closing: boolean;
  readonly settings: GroupMachineSettings;
}

export const initialGroupState = (settings: GroupMachineSettings, memberId = ''): GroupState => ({
  phase: 'idle',
  memberId,
  generationId: -1,
  leaderId: '',
  protocol: '',
  coordinator: undefined,
  generation: undefined,
  owned: emptyAssignment,
  failures: 0,
  resume: 'join',
  fenced: false,
  closing: false,
  settings,
});

export type Transition = readonly [GroupState, readonly GroupEffect[]];

const COORDINATOR_LOST = ['NOT_COORDINATOR', 'COORDINATOR_NOT_AVAILABLE', 'COORDINATOR_LOAD_IN_PROGRESS'] as const;

/** The coordinator moved, is loading, or its connection failed: find it again. */
const coordinatorLost = (e: KafkaClientError): boolean =>
  hasCode(e, ...COORDINATOR_LOST) || e._tag === 'ConnectionError' || e._tag === 'RequestTimeout';

const notify = (notification: Notification): GroupEffect => ({ type: 'notify', notification });

const fail = (s: GroupState, error: KafkaClientError, extra: readonly GroupEffect[] = []): Transition => [
  { ...s, phase: 'done', generation: undefined },
  [...extra, notify({ type: 'RebalanceError', error }), { type: 'fail', error }],
];

/** A retriable failure: back off, or give up once the retry bound is passed. */
const retryLater = (s: GroupState, error: KafkaClientError, resume: GroupState['resume']): Transition => {
  const failures = s.failures + 1;
  if (failures > s.settings.retryMax) {
    const exhausted = new KafkaClientError({
      tag: error._tag === 'ConnectionError' || error._tag === 'RequestTimeout' ? 'BrokerUnavailable' : error._tag,
      code: error.code,
      message: `Gave up after ${failures} attempts: ${error.message}`,
      retriable: false,
      context: error.context,
      cause: error,
    });
    return fail(s, exhausted);
  }
  const delayMs = backoffDelay(failures, s.settings.initialBackoffMs, s.settings.maxBackoffMs);
  return [
    { ...s, phase: 'waiting', failures, resume },
    [notify({ type: 'RebalanceError', error }), { type: 'scheduleRetry', delayMs }],
  ];
};

const join = (s: GroupState, patch: Partial<GroupState> = {}): Transition => {
  const next = { ...s, ...patch, phase: 'joining' as const };
  return [next, [{ type: 'joinGroup', memberId: next.memberId }]];
};

const discover = (s: GroupState, resume: GroupState['resume']): Transition => [
  { ...s, phase: 'discovering', coordinator: undefined, resume },
  [{ type: 'findCoordinator' }],
];

/** JoinGroup / SyncGroup errors. */
const onJoinOrSyncError = (s: GroupState, error: KafkaClientError): Transition => {
  if (s.closing) return leaveOrFinish(s);
  if (hasCode(error, 'MEMBER_ID_REQUIRED')) return join(s, { memberId: error.memberId ?? '' });
  if (hasCode(error, 'UNKNOWN_MEMBER_ID')) return join(s, { memberId: '', generationId: -1 });
  if (hasCode(error, 'ILLEGAL_GENERATION', 'REBALANCE_IN_PROGRESS')) return join(s);
  if (coordinatorLost(error)) return retryLater({ ...s, coordinator: undefined }, error, 'discover');
  if (error.retriable) return retryLater(s, error, 'join');
  return fail(s, error);
};

/** Heartbeat errors while a generation is held (stable) or being revoked. */
const onHeartbeatError = (s: GroupState, error: KafkaClientError): Transition => {
  const gen = s.generation;
  const evicted = hasCode(error, 'UNKNOWN_MEMBER_ID', 'ILLEGAL_GENERATION');
  const memberPatch = hasCode(error, 'UNKNOWN_MEMBER_ID') ? { memberId: '', generationId: -1 } : {};
  if (hasCode(error, 'FENCED_INSTANCE_ID') || (!error.retriable && !evicted && !hasCode(error, 'REBALANCE_IN_PROGRESS'))) {
    return fail(s, error, [{ type: 'stopHeartbeat' }]);
  }
  if (s.phase === 'revoking') {
    if (hasCode(error, 'REBALANCE_IN_PROGRESS')) return [s, []]; // expected while draining: the session stays alive
    if (evicted) return [{ ...s, ...memberPatch, fenced: true }, [{ type: 'stopHeartbeat' }]];
    if (coordinatorLost(error)) return [{ ...s, coordinator: undefined }, [{ type: 'stopHeartbeat' }]];
    return [s, []];
  }
  if (!gen) return [s, []];
  if (hasCode(error, 'REBALANCE_IN_PROGRESS')) return revoke(s, gen, false);
  if (evicted) return revoke({ ...s, ...memberPatch }, gen, true, [{ type: 'stopHeartbeat' }]);
  if (coordinatorLost(error)) {
    const [next, effects] = discover(s, 'heartbeat');
    return [next, [{ type: 'stopHeartbeat' }, notify({ type: 'RebalanceError', error }), ...effects]];
  }
  return [s, [notify({ type: 'RebalanceError', error })]];
};

const revoke = (s: GroupState, gen: GenerationInfo, fenced: boolean, extra: readonly GroupEffect[] = []): Transition => [
  { ...s, phase: 'revoking', fenced },
  [...extra, notify({ type: 'RebalanceStart', claims: gen.current }), { type: 'revoke', generation: gen, fenced }],
];

const leaveOrFinish = (s: GroupState): Transition =>
  s.memberId && s.coordinator !== undefined
    ? [{ ...s, phase: 'leaving', generation: undefined }, [{ type: 'stopHeartbeat' }, { type: 'leaveGroup', memberId: s.memberId }]]
    : [{ ...s, phase: 'done', generation: undefined }, [{ type: 'stopHeartbeat' }, { type: 'complete' }]];

/** The reducer. Events that do not fit the current phase (stale results) leave the state unchanged. */
export const groupReducer = (s: GroupState, e: GroupEvent): Transition => {
  if (s.phase === 'done') return [s, []];
  switch (e.type) {
    case 'Start':
      if (s.phase !== 'idle') return [s, []];
      return [{ ...s, phase: 'discovering', resume: 'join' }, [notify({ type: 'RebalanceStart', claims: s.owned }), { type: 'findCoordinator' }]];

    case 'CoordinatorFound': {
      if (s.phase !== 'discovering') return [s, []];
      const found = { ...s, coordinator: e.nodeId };
      if (s.resume === 'heartbeat' && s.generation) {
        return [{ ...found, phase: 'stable' }, [{ type: 'startHeartbeat', generationId: s.generationId, memberId: s.memberId }]];
      }
      return join(found);
    }

    case 'CoordinatorFailed':
      if (s.phase !== 'discovering') return [s, []];
      if (s.closing) return leaveOrFinish(s);
      return e.error.retriable ? retryLater(s, e.error, 'discover') : fail(s, e.error);

    case 'Joined':
      if (s.phase !== 'joining') return [s, []];
      return [
        { ...s, phase: 'syncing', memberId: e.memberId, generationId: e.generationId, leaderId: e.leaderId, protocol: e.protocol },
        [{ type: 'syncGroup', generationId: e.generationId, memberId: e.memberId, isLeader: e.leaderId === e.memberId, protocol: e.protocol, members: e.members }],
      ];

    case 'JoinFailed':
    case 'SyncFailed':
      if (s.phase !== (e.type === 'JoinFailed' ? 'joining' : 'syncing')) return [s, []];
      return onJoinOrSyncError(s, e.error);

    case 'Synced': {
      if (s.phase !== 'syncing' || e.generationId !== s.generationId) return [s, []];
      const diff = diffAssignments(s.owned, e.assignment);
      const generation: GenerationInfo = {
        generationId: s.generationId,
        memberId: s.memberId,
        leaderId: s.leaderId,
        isLeader: s.leaderId === s.memberId,
        protocol: s.protocol,
        assignment: diff.current,
        ...diff,
      };
      return [
        { ...s, phase: 'stable', failures: 0, generation, owned: diff.current, fenced: false },
        [
          { type: 'startHeartbeat', generationId: s.generationId, memberId: s.memberId },
          { type: 'emitGeneration', generation },
          notify({ type: 'RebalanceOK', generationId: s.generationId, ...diff }),
        ],
      ];
    }

    case 'HeartbeatFailed':
      if ((s.phase !== 'stable' && s.phase !== 'revoking') || e.generationId !== s.generationId) return [s, []];
      return onHeartbeatError(s, e.error);

    case 'RejoinRequested':
      if (s.phase !== 'stable' || !s.generation) return [s, []];
      return revoke(s, s.generation, false);

    case 'RevokeDone': {
      if (s.phase !== 'revoking') return [s, []];
      const released = { ...s, generation: undefined, fenced: false };
      if (s.closing) return leaveOrFinish(released);
      if (released.coordinator === undefined) {
        const [next, effects] = discover(released, 'join');
        return [next, [{ type: 'stopHeartbeat' }, ...effects]];
      }
      const [next, effects] = join(released);
      return [next, [{ type: 'stopHeartbeat' }, ...effects]];
    }

    case 'RetryDue':
      if (s.phase !== 'waiting') return [s, []];
      if (s.resume === 'join' && s.coordinator !== undefined) return join(s);
      return discover(s, s.generation ? 'heartbeat' : 'join');

    case 'Stop': {
      if (s.closing) return [s, []];
      const closing = { ...s, closing: true };
      if (s.phase === 'idle') return [{ ...closing, phase: 'done' }, [{ type: 'complete' }]];
      if (s.phase === 'revoking') return [closing, []];
      // A held generation is drained and committed before leaving, even while the coordinator is being re-found.
      if (s.generation) return revoke(closing, s.generation, false);
      return leaveOrFinish(closing);
    }

    case 'LeaveDone':
      if (s.phase !== 'leaving') return [s, []];
      return [{ ...s, phase: 'done', memberId: '' }, [{ type: 'complete' }]];
  }
};
