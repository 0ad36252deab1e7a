import { KafkaClientError, protocolError } from '../../../src/errors';
import { cooperativeGroupReducer } from '../../../src/protocol/cooperative-group-machine';
import { GroupEffect, GroupEvent, GroupState, initialGroupState } from '../../../src/protocol/group-machine';

/** The cooperative (KIP-429) classic machine, transition by transition. */
const settings = { retryMax: 3, initialBackoffMs: 100, maxBackoffMs: 1000 };
const run = (events: readonly GroupEvent[], from: GroupState = initialGroupState(settings, '', 'cooperative')) =>
  events.reduce<{ s: GroupState; effects: GroupEffect[]; all: GroupEffect[] }>(
    ({ s, all }, e) => {
      const [next, effects] = cooperativeGroupReducer(s, e);
      return { s: next, effects: [...effects], all: [...all, ...effects] };
    },
    { s: from, effects: [], all: [] },
  );
const types = (effects: readonly GroupEffect[]) => effects.map((e) => (e.type === 'notify' ? `notify:${e.notification.type}` : e.type));
const pick = <T extends GroupEffect['type']>(effects: readonly GroupEffect[], type: T) => effects.filter((e): e is Extract<GroupEffect, { type: T }> => e.type === type);

const conn = new KafkaClientError({ tag: 'ConnectionError', message: 'connection closed', retriable: true });
const joined = (generationId: number, memberId = 'm1'): GroupEvent => ({ type: 'Joined', generationId, memberId, leaderId: memberId, protocol: 'cooperative-sticky', members: [] });
const synced = (generationId: number, partitions: number[]): GroupEvent => ({ type: 'Synced', generationId, assignment: partitions.length ? { t: partitions } : {} });
const heartbeatFails = (generationId: number, code: Parameters<typeof protocolError>[0]): GroupEvent => ({ type: 'HeartbeatFailed', generationId, error: protocolError(code) });
/** Stable in generation 1 owning t-0..3. */
const toStable: GroupEvent[] = [{ type: 'Start' }, { type: 'CoordinatorFound', nodeId: 1 }, joined(1), synced(1, [0, 1, 2, 3])];
/** Then a rebalance: the member rejoins still owning t-0..3. */
const rebalancing: GroupEvent[] = [...toStable, heartbeatFails(1, 'REBALANCE_IN_PROGRESS')];

describe('cooperative group state machine', () => {
  it.each<[string, GroupEvent[], string, string[]]>([
    ['the first sync gives a stable generation', toStable, 'stable', ['startHeartbeat', 'emitGeneration', 'notify:RebalanceOK']],
    ['REBALANCE_IN_PROGRESS rejoins at once, revoking nothing', rebalancing, 'joining', ['stopHeartbeat', 'notify:RebalanceStart', 'joinGroup']],
    ['a metadata change rejoins at once, revoking nothing', [...toStable, { type: 'RejoinRequested' }], 'joining', ['stopHeartbeat', 'notify:RebalanceStart', 'joinGroup']],
    ['an assignment that keeps everything is stable at once', [...rebalancing, joined(2), synced(2, [0, 1, 2, 3])], 'stable', ['startHeartbeat', 'emitGeneration', 'notify:RebalanceOK']],
    ['an assignment without some owned partitions revokes just those', [...rebalancing, joined(2), synced(2, [0, 1])], 'revoking', ['startHeartbeat', 'emitGeneration', 'notify:RebalanceOK', 'revoke']],
    ['once revoked, the member rejoins so the partitions can move', [...rebalancing, joined(2), synced(2, [0, 1]), { type: 'RevokeDone' }], 'joining', ['stopHeartbeat', 'joinGroup']],
    ['REBALANCE_IN_PROGRESS while revoking is expected: ignored', [...rebalancing, joined(2), synced(2, [0, 1]), heartbeatFails(2, 'REBALANCE_IN_PROGRESS')], 'revoking', []],
    ['UNKNOWN_MEMBER_ID on a heartbeat loses everything (fenced), then rejoins', [...toStable, heartbeatFails(1, 'UNKNOWN_MEMBER_ID')], 'revoking', ['stopHeartbeat', 'notify:RebalanceStart', 'revoke']],
    ['ILLEGAL_GENERATION on a heartbeat loses everything (fenced)', [...toStable, heartbeatFails(1, 'ILLEGAL_GENERATION')], 'revoking', ['stopHeartbeat', 'notify:RebalanceStart', 'revoke']],
    ['ILLEGAL_GENERATION on SyncGroup loses what is owned', [...rebalancing, joined(2), { type: 'SyncFailed', error: protocolError('ILLEGAL_GENERATION') }], 'revoking', ['notify:RebalanceStart', 'revoke']],
    ['UNKNOWN_MEMBER_ID on JoinGroup loses what is owned', [...rebalancing, { type: 'JoinFailed', error: protocolError('UNKNOWN_MEMBER_ID') }], 'revoking', ['notify:RebalanceStart', 'revoke']],
    ['UNKNOWN_MEMBER_ID on the first join (nothing owned) rejoins at once', [{ type: 'Start' }, { type: 'CoordinatorFound', nodeId: 1 }, { type: 'JoinFailed', error: protocolError('UNKNOWN_MEMBER_ID') }], 'joining', ['joinGroup']],
    ['REBALANCE_IN_PROGRESS on SyncGroup rejoins, keeping what is owned', [...rebalancing, joined(2), { type: 'SyncFailed', error: protocolError('REBALANCE_IN_PROGRESS') }], 'joining', ['joinGroup']],
    ['a lost coordinator during the rejoin backs off and re-discovers', [...rebalancing, { type: 'JoinFailed', error: conn }], 'waiting', ['notify:RebalanceError', 'scheduleRetry']],
    ['a lost coordinator while stable re-finds it, keeping the generation', [...toStable, { type: 'HeartbeatFailed', generationId: 1, error: conn }], 'discovering', ['stopHeartbeat', 'notify:RebalanceError', 'findCoordinator']],
    ['stop while stable drains everything owned first', [...toStable, { type: 'Stop' }], 'revoking', ['notify:RebalanceStart', 'revoke']],
    ['stop after the drain leaves', [...toStable, { type: 'Stop' }, { type: 'RevokeDone' }], 'leaving', ['stopHeartbeat', 'leaveGroup']],
    ['stop while rejoining drains what is owned', [...rebalancing, { type: 'Stop' }], 'revoking', ['notify:RebalanceStart', 'revoke']],
    ['stop during a partial revocation waits for it, then drains the rest', [...rebalancing, joined(2), synced(2, [0, 1]), { type: 'Stop' }, { type: 'RevokeDone' }], 'revoking', ['notify:RebalanceStart', 'revoke']],
    ['stop with nothing owned leaves at once', [{ type: 'Start' }, { type: 'CoordinatorFound', nodeId: 1 }, joined(1), synced(1, []), { type: 'Stop' }], 'leaving', ['stopHeartbeat', 'leaveGroup']],
    ['FENCED_INSTANCE_ID fails', [...toStable, heartbeatFails(1, 'FENCED_INSTANCE_ID')], 'done', ['stopHeartbeat', 'notify:RebalanceError', 'fail']],
    ['a stale heartbeat failure is ignored', [...toStable, heartbeatFails(0, 'REBALANCE_IN_PROGRESS')], 'stable', []],
  ])('%s', (_name, events, phase, effects) => {
    const { s, effects: last } = run(events);
    expect(s.phase).toBe(phase);
    expect(types(last)).toEqual(effects);
  });

  it('the rejoin says what the member owns and the generation it got them in (ConsumerProtocol owned partitions)', () => {
    const { effects } = run(rebalancing);
    expect(pick(effects, 'joinGroup')).toEqual([{ type: 'joinGroup', memberId: 'm1', ownedPartitions: { t: [0, 1, 2, 3] }, generationId: 1 }]);
  });

  it('a join before any generation owns nothing, at generation -1', () => {
    const { effects } = run([{ type: 'Start' }, { type: 'CoordinatorFound', nodeId: 1 }]);
    expect(pick(effects, 'joinGroup')).toEqual([{ type: 'joinGroup', memberId: '', ownedPartitions: {}, generationId: -1 }]);
  });

  it('the generation is the increment: added, revoked and kept against what the member owned', () => {
    const { effects } = run([...rebalancing, joined(2), synced(2, [0, 1, 5])]);
    const [emitted] = pick(effects, 'emitGeneration');
    expect(emitted?.generation).toMatchObject({ generationId: 2, rebalanceProtocol: 'cooperative', current: { t: [0, 1, 5] }, added: { t: [5] }, revoked: { t: [2, 3] }, kept: { t: [0, 1] } });
    expect(pick(effects, 'revoke')).toEqual([expect.objectContaining({ partitions: { t: [2, 3] }, fenced: false })]);
    expect(pick(effects, 'notify').map((n) => n.notification)).toEqual([
      { type: 'RebalanceOK', generationId: 2, rebalanceProtocol: 'cooperative', claimed: { t: [5] }, released: { t: [2, 3] }, current: { t: [0, 1, 5] }, kept: { t: [0, 1] } },
    ]);
  });

  it('after revoking, the rejoin reports only what is still owned, at the new generation', () => {
    const { effects } = run([...rebalancing, joined(2), synced(2, [0, 1]), { type: 'RevokeDone' }]);
    expect(pick(effects, 'joinGroup')).toEqual([{ type: 'joinGroup', memberId: 'm1', ownedPartitions: { t: [0, 1] }, generationId: 2 }]);
  });

  it('lost partitions end fenced (no commit); the rejoin owns nothing, as a new member on UNKNOWN_MEMBER_ID', () => {
    const lost = run([...toStable, heartbeatFails(1, 'UNKNOWN_MEMBER_ID')]);
    expect(pick(lost.effects, 'revoke')).toEqual([expect.objectContaining({ partitions: { t: [0, 1, 2, 3] }, fenced: true })]);
    expect(pick(lost.effects, 'notify').map((n) => n.notification)).toEqual([{ type: 'RebalanceStart', claims: { t: [0, 1, 2, 3] }, rebalanceProtocol: 'cooperative', lost: { t: [0, 1, 2, 3] } }]);
    const { effects } = run([{ type: 'RevokeDone' }], lost.s);
    expect(pick(effects, 'joinGroup')).toEqual([{ type: 'joinGroup', memberId: '', ownedPartitions: {}, generationId: -1 }]);
  });

  it('eviction during a partial revocation loses the rest once the revocation is done', () => {
    const during = run([...rebalancing, joined(2), synced(2, [0, 1]), heartbeatFails(2, 'ILLEGAL_GENERATION')]);
    expect(types(during.effects)).toEqual(['stopHeartbeat']);
    const done = run([{ type: 'RevokeDone' }], during.s);
    expect(pick(done.effects, 'revoke')).toEqual([expect.objectContaining({ partitions: { t: [0, 1] }, fenced: true })]);
    const { effects } = run([{ type: 'RevokeDone' }], done.s);
    expect(pick(effects, 'joinGroup')).toEqual([{ type: 'joinGroup', memberId: 'm1', ownedPartitions: {}, generationId: -1 }]);
  });

  it('a rebalance that revokes nothing never issues a revoke: kept partitions are never drained', () => {
    const { all } = run([...rebalancing, joined(2), synced(2, [0, 1, 2, 3]), heartbeatFails(2, 'REBALANCE_IN_PROGRESS'), joined(3), synced(3, [0, 1, 2, 3, 4])]);
    expect(pick(all, 'revoke')).toEqual([]);
  });
});
