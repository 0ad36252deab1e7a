import { hasCode, KafkaClientError } from '../errors';
import { Assignment, diffAssignments, emptyAssignment, partitionsOf } from './assignment';
import {
  commonStep,
  coordinatorLost,
  discover,
  evicted,
  fail,
  fatalHeartbeatError,
  forgottenMember,
  GenerationInfo,
  GroupEffect,
  GroupEvent,
  GroupState,
  join,
  leaveOrFinish,
  notify,
  retryLater,
  Transition,
} from './group-machine-steps';

/**
 * The classic consumer-group protocol with cooperative (incremental) rebalancing, KIP-429, as a pure reducer:
 * what the Java ConsumerCoordinator does when every assignor supports COOPERATIVE. A rebalance does not revoke
 * anything up front: the member rejoins still owning (and consuming) its partitions, and says so in its
 * subscription. The new assignment is compared with what it owns: added partitions start, kept ones go on, and
 * revoked ones are drained and committed, after which it rejoins at once so that the leader can hand them to
 * their new owner (the assignor withholds a moving partition for one round: never owned by two members at once).
 * Lost partitions (the membership was gone: UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION) end without a commit.
 *
 *   stable --REBALANCE_IN_PROGRESS--> joining --> syncing --(nothing revoked)--> stable
 *                                                    +--(revoked R)--> revoking R --> joining ...
 */

const lose = (s: GroupState, patch: Partial<GroupState>, extra: readonly GroupEffect[] = []): Transition => {
  const next = { ...s, ...patch };
  if (partitionsOf(s.owned).length === 0) {
    const [joined, effects] = join({ ...next, generation: undefined });
    return [joined, [...extra, ...effects]];
  }
  return revoke(next, s.owned, true, [...extra, notify({ type: 'RebalanceStart', claims: s.owned, rebalanceProtocol: 'cooperative', lost: s.owned })]);
};

/** Ends `partitions`' streams (drained and committed unless fenced); the member owns what is left. */
const revoke = (s: GroupState, partitions: Assignment, fenced: boolean, extra: readonly GroupEffect[] = []): Transition => {
  const owned = diffAssignments(partitions, s.owned).claimed;
  const generation = s.generation;
  if (!generation) return [{ ...s, owned }, extra];
  return [
    { ...s, phase: 'revoking', owned, fenced },
    [...extra, { type: 'revoke', generation, partitions, fenced }],
  ];
};

/** A rebalance begins: rejoin, keeping (and consuming) everything owned. */
const rejoin = (s: GroupState): Transition => {
  const [next, effects] = join(s);
  return [next, [{ type: 'stopHeartbeat' }, notify({ type: 'RebalanceStart', claims: s.owned, rebalanceProtocol: 'cooperative', lost: emptyAssignment }), ...effects]];
};

/** Closing: what is owned is drained and committed, then the member leaves. */
const close = (s: GroupState): Transition =>
  partitionsOf(s.owned).length > 0
    ? revoke(s, s.owned, false, [notify({ type: 'RebalanceStart', claims: s.owned, rebalanceProtocol: 'cooperative', lost: emptyAssignment })])
    : leaveOrFinish(s);

/** JoinGroup / SyncGroup errors: Java resets the generation on UNKNOWN_MEMBER_ID and ILLEGAL_GENERATION, losing what it owns. */
const onJoinOrSyncError = (s: GroupState, error: KafkaClientError): Transition => {
  if (s.closing) return close(s);
  if (hasCode(error, 'MEMBER_ID_REQUIRED')) return join(s, { memberId: error.memberId ?? '' });
  if (hasCode(error, 'UNKNOWN_MEMBER_ID')) return lose(s, { memberId: '', generationId: -1 });
  if (hasCode(error, 'ILLEGAL_GENERATION')) return lose(s, { generationId: -1 });
  if (hasCode(error, 'REBALANCE_IN_PROGRESS')) return join(s);
  if (coordinatorLost(error)) return retryLater({ ...s, coordinator: undefined }, error, 'discover');
  if (error.retriable) return retryLater(s, error, 'join');
  return fail(s, error);
};

const onHeartbeatError = (s: GroupState, error: KafkaClientError): Transition => {
  if (fatalHeartbeatError(error)) return fail(s, error, [{ type: 'stopHeartbeat' }]);
  const membershipGone: Partial<GroupState> = { generationId: -1, ...forgottenMember(error) };
  if (s.phase === 'revoking') {
    // The rejoin follows the revocation anyway; a lost membership loses what is left once it is done.
    if (evicted(error)) return [{ ...s, ...membershipGone, lossPending: true }, [{ type: 'stopHeartbeat' }]];
    if (coordinatorLost(error)) return [{ ...s, coordinator: undefined }, [{ type: 'stopHeartbeat' }]];
    return [s, []];
  }
  if (hasCode(error, 'REBALANCE_IN_PROGRESS')) return rejoin(s);
  if (evicted(error)) return lose(s, membershipGone, [{ type: 'stopHeartbeat' }]);
  if (coordinatorLost(error)) {
    const [next, effects] = discover(s, 'heartbeat');
    return [next, [{ type: 'stopHeartbeat' }, notify({ type: 'RebalanceError', error }), ...effects]];
  }
  return [s, [notify({ type: 'RebalanceError', error })]];
};

const onSynced = (s: GroupState, assignment: Assignment): Transition => {
  const diff = diffAssignments(s.owned, assignment);
  const kept = diffAssignments(diff.claimed, diff.current).claimed;
  const generation: GenerationInfo = {
    generationId: s.generationId,
    memberId: s.memberId,
    leaderId: s.leaderId,
    isLeader: s.leaderId === s.memberId,
    protocol: s.protocol,
    rebalanceProtocol: 'cooperative',
    assignment: diff.current,
    ...diff,
    added: diff.claimed,
    revoked: diff.released,
    kept,
  };
  const stable: GroupState = { ...s, phase: 'stable', failures: 0, generation, owned: diff.current, fenced: false };
  const effects: GroupEffect[] = [
    { type: 'startHeartbeat', generationId: s.generationId, memberId: s.memberId },
    { type: 'emitGeneration', generation },
    notify({ type: 'RebalanceOK', generationId: s.generationId, rebalanceProtocol: 'cooperative', ...diff, kept }),
  ];
  if (partitionsOf(diff.released).length === 0) return [stable, effects];
  // Revoked: drain and commit them, then rejoin so that their new owners get them in the next round.
  return [{ ...stable, phase: 'revoking' }, [...effects, { type: 'revoke', generation, partitions: diff.released, fenced: false }]];
};

const onRevokeDone = (s: GroupState): Transition => {
  const done: GroupState = { ...s, fenced: false, generation: partitionsOf(s.owned).length > 0 ? s.generation : undefined };
  if (s.lossPending) return lose({ ...done, lossPending: false }, {});
  if (s.closing) return close(done);
  if (done.coordinator === undefined) {
    const [next, effects] = discover(done, 'join');
    return [next, [{ type: 'stopHeartbeat' }, ...effects]];
  }
  return rejoinAfterRevoke(done);
};

const rejoinAfterRevoke = (s: GroupState): Transition => {
  const [next, effects] = join(s);
  return [next, [{ type: 'stopHeartbeat' }, ...effects]];
};

/** The reducer. Events that do not fit the current phase (stale results) leave the state unchanged. */
export const cooperativeGroupReducer = (s: GroupState, e: GroupEvent): Transition => {
  if (s.phase === 'done') return [s, []];
  const common = commonStep(s, e);
  if (common) return common;
  switch (e.type) {
    case 'JoinFailed':
    case 'SyncFailed':
      if (s.phase !== (e.type === 'JoinFailed' ? 'joining' : 'syncing')) return [s, []];
      return onJoinOrSyncError(s, e.error);

    case 'Synced':
      if (s.phase !== 'syncing' || e.generationId !== s.generationId) return [s, []];
      return onSynced(s, e.assignment);

    case 'HeartbeatFailed':
      if ((s.phase !== 'stable' && s.phase !== 'revoking') || e.generationId !== s.generationId) return [s, []];
      return onHeartbeatError(s, e.error);

    case 'RejoinRequested':
      if (s.phase !== 'stable') return [s, []];
      return rejoin(s);

    case 'RevokeDone':
      if (s.phase !== 'revoking') return [s, []];
      return onRevokeDone(s);

    case 'Stop': {
      if (s.closing) return [s, []];
      const closing = { ...s, closing: true };
      if (s.phase === 'idle') return [{ ...closing, phase: 'done' }, [{ type: 'complete' }]];
      if (s.phase === 'revoking') return [closing, []];
      return close(closing);
    }

    default:
      return [s, []];
  }
};
