import { KafkaClientError, protocolError } from '../../../src/errors';
import { GroupEffect, GroupEvent, groupReducer, GroupState, initialGroupState } from '../../../src/protocol/group-machine';

const settings = { retryMax: 3, initialBackoffMs: 100, maxBackoffMs: 1000 };
const run = (events: readonly GroupEvent[], from: GroupState = initialGroupState(settings)) =>
  events.reduce<{ s: GroupState; effects: GroupEffect[] }>(
    ({ s }, e) => {
      const [next, effects] = groupReducer(s, e);
      return { s: next, effects: [...effects] };
    },
    { s: from, effects: [] },
  );
const types = (effects: readonly GroupEffect[]) => effects.map((e) => (e.type === 'notify' ? `notify:${e.notification.type}` : e.type));

const conn = new KafkaClientError({ tag: 'ConnectionError', message: 'connection closed', retriable: true });
const joined = (memberId = 'm1', generationId = 1): GroupEvent => ({ type: 'Joined', generationId, memberId, leaderId: memberId, protocol: 'range', members: [] });
const synced = (generationId = 1): GroupEvent => ({ type: 'Synced', generationId, assignment: { t: [0, 1] } });
const toStable: GroupEvent[] = [{ type: 'Start' }, { type: 'CoordinatorFound', nodeId: 1 }, joined(), synced()];

describe('group state machine', () => {
  it.each<[string, GroupEvent[], string, string[]]>([
    ['start discovers the coordinator', [{ type: 'Start' }], 'discovering', ['notify:RebalanceStart', 'findCoordinator']],
    ['a found coordinator is joined', [{ type: 'Start' }, { type: 'CoordinatorFound', nodeId: 1 }], 'joining', ['joinGroup']],
    ['MEMBER_ID_REQUIRED rejoins at once with the given id', [{ type: 'Start' }, { type: 'CoordinatorFound', nodeId: 1 }, { type: 'JoinFailed', error: protocolError('MEMBER_ID_REQUIRED', {}, { memberId: 'given' }) }], 'joining', ['joinGroup']],
    ['a join is followed by sync', [{ type: 'Start' }, { type: 'CoordinatorFound', nodeId: 1 }, joined()], 'syncing', ['syncGroup']],
    ['sync gives a stable generation with heartbeats', toStable, 'stable', ['startHeartbeat', 'emitGeneration', 'notify:RebalanceOK']],
    ['REBALANCE_IN_PROGRESS on heartbeat revokes (heartbeats continue)', [...toStable, { type: 'HeartbeatFailed', generationId: 1, error: protocolError('REBALANCE_IN_PROGRESS') }], 'revoking', ['notify:RebalanceStart', 'revoke']],
    ['UNKNOWN_MEMBER_ID on heartbeat revokes fenced, heartbeats stop', [...toStable, { type: 'HeartbeatFailed', generationId: 1, error: protocolError('UNKNOWN_MEMBER_ID') }], 'revoking', ['stopHeartbeat', 'notify:RebalanceStart', 'revoke']],
    ['ILLEGAL_GENERATION on heartbeat revokes fenced', [...toStable, { type: 'HeartbeatFailed', generationId: 1, error: protocolError('ILLEGAL_GENERATION') }], 'revoking', ['stopHeartbeat', 'notify:RebalanceStart', 'revoke']],
    ['NOT_COORDINATOR on heartbeat re-finds the coordinator and keeps the generation', [...toStable, { type: 'HeartbeatFailed', generationId: 1, error: protocolError('NOT_COORDINATOR') }], 'discovering', ['stopHeartbeat', 'notify:RebalanceError', 'findCoordinator']],
    ['a dropped coordinator connection re-finds the coordinator', [...toStable, { type: 'HeartbeatFailed', generationId: 1, error: conn }], 'discovering', ['stopHeartbeat', 'notify:RebalanceError', 'findCoordinator']],
    ['re-found coordinator resumes heartbeats of the same generation', [...toStable, { type: 'HeartbeatFailed', generationId: 1, error: conn }, { type: 'CoordinatorFound', nodeId: 2 }], 'stable', ['startHeartbeat']],
    ['a stale heartbeat failure is ignored', [...toStable, { type: 'HeartbeatFailed', generationId: 0, error: protocolError('REBALANCE_IN_PROGRESS') }], 'stable', []],
    ['revocation done rejoins', [...toStable, { type: 'HeartbeatFailed', generationId: 1, error: protocolError('REBALANCE_IN_PROGRESS') }, { type: 'RevokeDone' }], 'joining', ['stopHeartbeat', 'joinGroup']],
    ['COORDINATOR_LOAD_IN_PROGRESS on join backs off then re-discovers', [{ type: 'Start' }, { type: 'CoordinatorFound', nodeId: 1 }, { type: 'JoinFailed', error: protocolError('COORDINATOR_LOAD_IN_PROGRESS') }], 'waiting', ['notify:RebalanceError', 'scheduleRetry']],
    ['COORDINATOR_NOT_AVAILABLE on discovery backs off', [{ type: 'Start' }, { type: 'CoordinatorFailed', error: protocolError('COORDINATOR_NOT_AVAILABLE') }], 'waiting', ['notify:RebalanceError', 'scheduleRetry']],
    ['a non-retriable join error fails the stream', [{ type: 'Start' }, { type: 'CoordinatorFound', nodeId: 1 }, { type: 'JoinFailed', error: protocolError('GROUP_AUTHORIZATION_FAILED') }], 'done', ['notify:RebalanceError', 'fail']],
    ['REBALANCE_IN_PROGRESS on sync rejoins', [{ type: 'Start' }, { type: 'CoordinatorFound', nodeId: 1 }, joined(), { type: 'SyncFailed', error: protocolError('REBALANCE_IN_PROGRESS') }], 'joining', ['joinGroup']],
    ['stop while stable drains first', [...toStable, { type: 'Stop' }], 'revoking', ['notify:RebalanceStart', 'revoke']],
    ['stop after revoke leaves', [...toStable, { type: 'Stop' }, { type: 'RevokeDone' }], 'leaving', ['stopHeartbeat', 'leaveGroup']],
    ['leave done completes', [...toStable, { type: 'Stop' }, { type: 'RevokeDone' }, { type: 'LeaveDone' }], 'done', ['complete']],
    ['stop before anything completes at once', [{ type: 'Stop' }], 'done', ['complete']],
    ['a metadata change rejoins through a revocation', [...toStable, { type: 'RejoinRequested' }], 'revoking', ['notify:RebalanceStart', 'revoke']],
    ['FENCED_INSTANCE_ID fails', [...toStable, { type: 'HeartbeatFailed', generationId: 1, error: protocolError('FENCED_INSTANCE_ID') }], 'done', ['stopHeartbeat', 'notify:RebalanceError', 'fail']],
  ])('%s', (_name, events, phase, effects) => {
    const { s, effects: last } = run(events);
    expect(s.phase).toBe(phase);
    expect(types(last)).toEqual(effects);
  });

  it('MEMBER_ID_REQUIRED carries the given member id into the next join', () => {
    const { effects } = run([{ type: 'Start' }, { type: 'CoordinatorFound', nodeId: 1 }, { type: 'JoinFailed', error: protocolError('MEMBER_ID_REQUIRED', {}, { memberId: 'given' }) }]);
    expect(effects).toContainEqual({ type: 'joinGroup', memberId: 'given', ownedPartitions: {}, generationId: -1 });
  });

  it('UNKNOWN_MEMBER_ID rejoins with an empty member id', () => {
    const { s, effects } = run([...toStable, { type: 'HeartbeatFailed', generationId: 1, error: protocolError('UNKNOWN_MEMBER_ID') }, { type: 'RevokeDone' }]);
    expect(s.memberId).toBe('');
    expect(effects).toContainEqual({ type: 'joinGroup', memberId: '', ownedPartitions: {}, generationId: -1 });
  });

  it('eviction marks the revocation fenced so its marks are not committed', () => {
    const { effects } = run([...toStable, { type: 'HeartbeatFailed', generationId: 1, error: protocolError('ILLEGAL_GENERATION') }]);
    expect(effects.find((e) => e.type === 'revoke')).toMatchObject({ fenced: true });
  });

  it('RebalanceStart carries the claims held before the rebalance', () => {
    const { effects } = run([...toStable, { type: 'HeartbeatFailed', generationId: 1, error: protocolError('REBALANCE_IN_PROGRESS') }]);
    expect(effects[0]).toEqual({ type: 'notify', notification: { type: 'RebalanceStart', claims: { t: [0, 1] }, rebalanceProtocol: 'eager', lost: {} } });
  });

  it('the next generation diffs against the previous claims', () => {
    const { effects } = run([
      ...toStable,
      { type: 'HeartbeatFailed', generationId: 1, error: protocolError('REBALANCE_IN_PROGRESS') },
      { type: 'RevokeDone' },
      joined('m1', 2),
      { type: 'Synced', generationId: 2, assignment: { t: [1, 2] } },
    ]);
    expect(effects).toContainEqual({ type: 'notify', notification: { type: 'RebalanceOK', generationId: 2, rebalanceProtocol: 'eager', claimed: { t: [2] }, released: { t: [0] }, current: { t: [1, 2] }, kept: {} } });
  });

  it('backs off exponentially and gives up with BrokerUnavailable after the retry bound', () => {
    let state = run([{ type: 'Start' }]).s;
    const delays: number[] = [];
    let last: readonly GroupEffect[] = [];
    for (let i = 0; i < 4; i++) {
      [state, last] = groupReducer(state, { type: 'CoordinatorFailed', error: conn });
      const retry = last.find((e) => e.type === 'scheduleRetry');
      if (retry && retry.type === 'scheduleRetry') delays.push(retry.delayMs);
      [state, last] = groupReducer(state, { type: 'RetryDue' });
    }
    expect(delays).toEqual([100, 200, 400]);
    expect(state.phase).toBe('done');
  });

  it('the exhausted error is typed BrokerUnavailable and not retriable', () => {
    let state = run([{ type: 'Start' }]).s;
    let failed: KafkaClientError | undefined;
    for (let i = 0; i < 4 && !failed; i++) {
      const [next, effects] = groupReducer(state, { type: 'CoordinatorFailed', error: conn });
      for (const e of effects) if (e.type === 'fail') failed = e.error;
      state = groupReducer(next, { type: 'RetryDue' })[0];
    }
    expect(failed?._tag).toBe('BrokerUnavailable');
    expect(failed?.retriable).toBe(false);
  });
});
