import { hasCode, KafkaClientError } from '../errors';
import { diffAssignments } from './assignment';
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

export * from './group-machine-steps';

/**
 * The consumer-group membership protocol (classic, eager) as a pure reducer: `(state, event) -> [state, effects]`.
 * No I/O, no timers, no RxJS: the runtime (`sources/group-membership`) performs the effects and feeds results
 * back as events. Each transition is table-tested in `spec/unit/protocol/group-machine.spec.ts`. Every rebalance
 * revokes everything the member holds before it rejoins; `cooperative-group-machine.ts` is the incremental one.
 *
 *   idle -> discovering -> joining -> syncing -> stable -> revoking -> joining ... -> leaving -> done
 *                 ^            |          |          |  (coordinator lost: discovering, then heartbeats resume)
 *                 +--- waiting (backoff) <+----------+
 */

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
  if (fatalHeartbeatError(error)) return fail(s, error, [{ type: 'stopHeartbeat' }]);
  if (s.phase === 'revoking') {
    if (hasCode(error, 'REBALANCE_IN_PROGRESS')) return [s, []]; // expected while draining: the session stays alive
    if (evicted(error)) return [{ ...s, ...forgottenMember(error), fenced: true }, [{ type: 'stopHeartbeat' }]];
    if (coordinatorLost(error)) return [{ ...s, coordinator: undefined }, [{ type: 'stopHeartbeat' }]];
    return [s, []];
  }
  if (!gen) return [s, []];
  if (hasCode(error, 'REBALANCE_IN_PROGRESS')) return revoke(s, gen, false);
  if (evicted(error)) return revoke({ ...s, ...forgottenMember(error) }, gen, true, [{ type: 'stopHeartbeat' }]);
  if (coordinatorLost(error)) {
    const [next, effects] = discover(s, 'heartbeat');
    return [next, [{ type: 'stopHeartbeat' }, notify({ type: 'RebalanceError', error }), ...effects]];
  }
  return [s, [notify({ type: 'RebalanceError', error })]];
};

const revoke = (s: GroupState, gen: GenerationInfo, fenced: boolean, extra: readonly GroupEffect[] = []): Transition => [
  { ...s, phase: 'revoking', fenced },
  [
    ...extra,
    notify({ type: 'RebalanceStart', claims: gen.current, rebalanceProtocol: 'eager', lost: fenced ? gen.current : {} }),
    { type: 'revoke', generation: gen, partitions: gen.current, fenced },
  ],
];

/** The reducer. Events that do not fit the current phase (stale results) leave the state unchanged. */
export const groupReducer = (s: GroupState, e: GroupEvent): Transition => {
  if (s.phase === 'done') return [s, []];
  const common = commonStep(s, e);
  if (common) return common;
  switch (e.type) {
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
        rebalanceProtocol: 'eager',
        assignment: diff.current,
        ...diff,
        // Eager: everything held was revoked before this join, so every partition's stream starts again.
        added: diff.current,
        revoked: s.owned,
        kept: {},
      };
      return [
        { ...s, phase: 'stable', failures: 0, generation, owned: diff.current, fenced: false },
        [
          { type: 'startHeartbeat', generationId: s.generationId, memberId: s.memberId },
          { type: 'emitGeneration', generation },
          notify({ type: 'RebalanceOK', generationId: s.generationId, rebalanceProtocol: 'eager', ...diff, kept: {} }),
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

    case 'Stop': {
      if (s.closing) return [s, []];
      const closing = { ...s, closing: true };
      if (s.phase === 'idle') return [{ ...closing, phase: 'done' }, [{ type: 'complete' }]];
      if (s.phase === 'revoking') return [closing, []];
      // A held generation is drained and committed before leaving, even while the coordinator is being re-found.
      if (s.generation) return revoke(closing, s.generation, false);
      return leaveOrFinish(closing);
    }

    default:
      return [s, []];
  }
};
