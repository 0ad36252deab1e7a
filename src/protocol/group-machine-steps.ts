import { hasCode, KafkaClientError } from '../errors';
import { Assignment, emptyAssignment } from './assignment';
import { backoffDelay } from './backoff';

/**
 * What the classic membership machines share: their state, events and effects, and the steps both take the same
 * way (discovery, backoff, join, leave). The eager machine (`group-machine.ts`) and the cooperative one
 * (`cooperative-group-machine.ts`) differ in what a rebalance revokes; both are pure reducers.
 */

export type Phase = 'idle' | 'discovering' | 'waiting' | 'joining' | 'syncing' | 'stable' | 'revoking' | 'leaving' | 'done';

/**
 * How a rebalance treats the partitions a member holds: eager revokes all of them, cooperative only those that
 * move; 'consumer' is the consumer group protocol (KIP-848), incremental like cooperative, driven by the coordinator.
 */
export type RebalanceProtocol = 'eager' | 'cooperative' | 'consumer';

export interface GenerationInfo {
  readonly generationId: number;
  readonly memberId: string;
  readonly leaderId: string;
  readonly isLeader: boolean;
  /** The assignment strategy the coordinator chose (`range`, `cooperative-sticky`, ...). */
  readonly protocol: string;
  readonly rebalanceProtocol: RebalanceProtocol;
  readonly assignment: Assignment;
  /** Against the previous generation's assignment (sarama-cluster's Claimed / Released / Current). */
  readonly claimed: Assignment;
  readonly released: Assignment;
  readonly current: Assignment;
  /** The increment, as partition streams live it: streams start for `added`, ended for `revoked`, go on for `kept`. */
  readonly added: Assignment;
  readonly revoked: Assignment;
  readonly kept: Assignment;
}

export interface JoinedMember {
  readonly memberId: string;
  readonly groupInstanceId?: string;
  readonly metadata: Buffer;
}

export type Notification =
  /** A rebalance began; `lost` are partitions whose streams end without a commit (the membership was gone). */
  | { readonly type: 'RebalanceStart'; readonly claims: Assignment; readonly rebalanceProtocol: RebalanceProtocol; readonly lost: Assignment }
  /** A generation: `released` are revoked now (cooperative) or were at its start (eager); `kept` go on flowing. */
  | {
      readonly type: 'RebalanceOK';
      readonly generationId: number;
      readonly rebalanceProtocol: RebalanceProtocol;
      readonly claimed: Assignment;
      readonly released: Assignment;
      readonly current: Assignment;
      readonly kept: Assignment;
    }
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

/** The effects every membership machine asks for alike, whatever its protocol (carried out by MembershipRuntime). */
export type SharedEffect =
  /** End `partitions`' streams; drain and commit them unless `fenced` (lost); then `RevokeDone`. */
  | { readonly type: 'revoke'; readonly generation: GenerationInfo; readonly partitions: Assignment; readonly fenced: boolean }
  | { readonly type: 'notify'; readonly notification: Notification }
  | { readonly type: 'complete' }
  | { readonly type: 'fail'; readonly error: KafkaClientError };

export type GroupEffect =
  | SharedEffect
  | { readonly type: 'findCoordinator' }
  /** Join, saying which partitions this member still owns and from which generation (ConsumerProtocol v1+). */
  | { readonly type: 'joinGroup'; readonly memberId: string; readonly ownedPartitions: Assignment; readonly generationId: number }
  | { readonly type: 'syncGroup'; readonly generationId: number; readonly memberId: string; readonly isLeader: boolean; readonly protocol: string; readonly members: readonly JoinedMember[] }
  | { readonly type: 'startHeartbeat'; readonly generationId: number; readonly memberId: string }
  | { readonly type: 'stopHeartbeat' }
  | { readonly type: 'emitGeneration'; readonly generation: GenerationInfo }
  | { readonly type: 'leaveGroup'; readonly memberId: string }
  | { readonly type: 'scheduleRetry'; readonly delayMs: number };

export interface GroupMachineSettings {
  readonly retryMax: number;
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
}

export interface GroupState {
  readonly phase: Phase;
  readonly rebalanceProtocol: RebalanceProtocol;
  readonly memberId: string;
  readonly generationId: number;
  readonly leaderId: string;
  readonly protocol: string;
  readonly coordinator: number | undefined;
  /** The generation handed downstream (stable or revoking), if any. */
  readonly generation: GenerationInfo | undefined;
  /** Eager: claims held before the current rebalance (the base of the next diff). Cooperative: the partitions held. */
  readonly owned: Assignment;
  /** Consecutive failures of discovery or join/sync, for backoff and the retry bound. */
  readonly failures: number;
  /** What `discovering` or `waiting` leads to. */
  readonly resume: 'join' | 'heartbeat' | 'discover';
  /** The current revocation found the membership gone: its marks must not be committed. */
  readonly fenced: boolean;
  /** Cooperative: the membership was lost while a revocation ran; what is still owned is lost once it is done. */
  readonly lossPending: boolean;
  readonly closing: boolean;
  readonly settings: GroupMachineSettings;
}

export const initialGroupState = (settings: GroupMachineSettings, memberId = '', rebalanceProtocol: RebalanceProtocol = 'eager'): GroupState => ({
  phase: 'idle',
  rebalanceProtocol,
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
  lossPending: false,
  closing: false,
  settings,
});

export type Transition = readonly [GroupState, readonly GroupEffect[]];

const COORDINATOR_LOST = ['NOT_COORDINATOR', 'COORDINATOR_NOT_AVAILABLE', 'COORDINATOR_LOAD_IN_PROGRESS'] as const;

/** The coordinator moved, is loading, or its connection failed: find it again. */
export const coordinatorLost = (e: KafkaClientError): boolean =>
  hasCode(e, ...COORDINATOR_LOST) || e._tag === 'ConnectionError' || e._tag === 'RequestTimeout';

/** The heartbeat says this member is no longer in the group (or in this generation). */
export const evicted = (e: KafkaClientError): boolean => hasCode(e, 'UNKNOWN_MEMBER_ID', 'ILLEGAL_GENERATION');

/** UNKNOWN_MEMBER_ID: the coordinator forgot this member; it joins again as a new one. */
export const forgottenMember = (e: KafkaClientError): Partial<GroupState> => (hasCode(e, 'UNKNOWN_MEMBER_ID') ? { memberId: '', generationId: -1 } : {});

/** Heartbeat errors no rejoin can mend: a static member fenced by another instance, or a non-retriable failure. */
export const fatalHeartbeatError = (e: KafkaClientError): boolean =>
  hasCode(e, 'FENCED_INSTANCE_ID') || (!e.retriable && !evicted(e) && !hasCode(e, 'REBALANCE_IN_PROGRESS'));

export const notify = (notification: Notification): GroupEffect => ({ type: 'notify', notification });

export const fail = (s: GroupState, error: KafkaClientError, extra: readonly GroupEffect[] = []): Transition => [
  { ...s, phase: 'done', generation: undefined },
  [...extra, notify({ type: 'RebalanceError', error }), { type: 'fail', error }],
];

/** What a membership fails with once a retriable error outlasts the retry bound (an unreachable broker says so). */
export const retriesExhausted = (error: KafkaClientError, attempts: number): KafkaClientError =>
  new KafkaClientError({
    tag: error._tag === 'ConnectionError' || error._tag === 'RequestTimeout' ? 'BrokerUnavailable' : error._tag,
    code: error.code,
    message: `Gave up after ${attempts} attempts: ${error.message}`,
    retriable: false,
    context: error.context,
    cause: error,
  });

/** A retriable failure: back off, or give up once the retry bound is passed. */
export const retryLater = (s: GroupState, error: KafkaClientError, resume: GroupState['resume']): Transition => {
  const failures = s.failures + 1;
  if (failures > s.settings.retryMax) {
    return fail(s, retriesExhausted(error, failures));
  }
  const delayMs = backoffDelay(failures, s.settings.initialBackoffMs, s.settings.maxBackoffMs);
  return [
    { ...s, phase: 'waiting', failures, resume },
    [notify({ type: 'RebalanceError', error }), { type: 'scheduleRetry', delayMs }],
  ];
};

/**
 * Joins; the subscription carries what the member still owns (cooperative), or nothing (eager: all was revoked),
 * and the generation it got them in: the one it holds, not one a failed sync never gave it (an unchanged
 * subscription lets the coordinator answer a repeated join without another rebalance).
 */
export const join = (s: GroupState, patch: Partial<GroupState> = {}): Transition => {
  const next = { ...s, ...patch, phase: 'joining' as const };
  const held = next.rebalanceProtocol === 'cooperative' ? next.generation : undefined;
  return [next, [{ type: 'joinGroup', memberId: next.memberId, ownedPartitions: held ? next.owned : emptyAssignment, generationId: held?.generationId ?? -1 }]];
};

export const discover = (s: GroupState, resume: GroupState['resume']): Transition => [
  { ...s, phase: 'discovering', coordinator: undefined, resume },
  [{ type: 'findCoordinator' }],
];

export const leaveOrFinish = (s: GroupState): Transition =>
  s.memberId && s.coordinator !== undefined
    ? [{ ...s, phase: 'leaving', generation: undefined }, [{ type: 'stopHeartbeat' }, { type: 'leaveGroup', memberId: s.memberId }]]
    : [{ ...s, phase: 'done', generation: undefined }, [{ type: 'stopHeartbeat' }, { type: 'complete' }]];

/** Start, discovery, retries and leaving: the same in both classic machines. Undefined for the events that differ. */
export const commonStep = (s: GroupState, e: GroupEvent): Transition | undefined => {
  switch (e.type) {
    case 'Start':
      if (s.phase !== 'idle') return [s, []];
      return [{ ...s, phase: 'discovering', resume: 'join' }, [notify({ type: 'RebalanceStart', claims: s.owned, rebalanceProtocol: s.rebalanceProtocol, lost: emptyAssignment }), { type: 'findCoordinator' }]];

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

    case 'RetryDue':
      if (s.phase !== 'waiting') return [s, []];
      if (s.resume === 'join' && s.coordinator !== undefined) return join(s);
      return discover(s, s.generation ? 'heartbeat' : 'join');

    case 'LeaveDone':
      if (s.phase !== 'leaving') return [s, []];
      return [{ ...s, phase: 'done', memberId: '' }, [{ type: 'complete' }]];

    default:
      return undefined;
  }
};
