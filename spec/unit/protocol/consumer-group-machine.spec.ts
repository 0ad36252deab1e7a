import { KafkaClientError, protocolError } from '../../../src/errors';
import { ConsumerEffect, ConsumerEvent, consumerGroupReducer, ConsumerState, initialConsumerState } from '../../../src/protocol/consumer-group-machine';

/** The consumer group protocol (KIP-848) member machine, transition by transition. */
const settings = { retryMax: 3, initialBackoffMs: 100, maxBackoffMs: 1000, staticMember: false, assignor: 'uniform' };
const run = (events: readonly ConsumerEvent[], from: ConsumerState = initialConsumerState(settings, 'm1')) =>
  events.reduce<{ s: ConsumerState; effects: ConsumerEffect[]; all: ConsumerEffect[] }>(
    ({ s, all }, e) => {
      const [next, effects] = consumerGroupReducer(s, e);
      return { s: next, effects: [...effects], all: [...all, ...effects] };
    },
    { s: from, effects: [], all: [] },
  );
const types = (effects: readonly ConsumerEffect[]) => effects.map((e) => (e.type === 'notify' ? `notify:${e.notification.type}` : e.type));
const pick = <T extends ConsumerEffect['type']>(effects: readonly ConsumerEffect[], type: T) => effects.filter((e): e is Extract<ConsumerEffect, { type: T }> => e.type === type);

const conn = new KafkaClientError({ tag: 'ConnectionError', message: 'connection closed', retriable: true });
const ok = (memberEpoch: number, partitions?: number[]): ConsumerEvent => ({
  type: 'HeartbeatOK',
  memberId: 'm1',
  memberEpoch,
  heartbeatIntervalMs: 500,
  ...(partitions ? { assignment: partitions.length ? { t: partitions } : {} } : {}),
});
const fails = (code: Parameters<typeof protocolError>[0]): ConsumerEvent => ({ type: 'HeartbeatFailed', error: protocolError(code) });
const due: ConsumerEvent = { type: 'HeartbeatDue' };
/** Stable at epoch 1 owning t-0..3. */
const toStable: ConsumerEvent[] = [{ type: 'Start' }, { type: 'CoordinatorFound', nodeId: 1 }, ok(1, [0, 1, 2, 3])];
/** Then the coordinator takes t-2 and t-3 away. */
const shrinking: ConsumerEvent[] = [...toStable, ok(1), due, ok(2, [0, 1])];

describe('consumer group protocol (KIP-848) state machine', () => {
  it.each<[string, ConsumerEvent[], string, string[]]>([
    ['start finds the coordinator first', [{ type: 'Start' }], 'joining', ['findCoordinator']],
    ['then joins with epoch 0', [{ type: 'Start' }, { type: 'CoordinatorFound', nodeId: 1 }], 'joining', ['heartbeat']],
    ['the first assignment is a generation, acknowledged at once', toStable, 'stable', ['emitGeneration', 'notify:RebalanceOK', 'heartbeat']],
    ['an unchanged answer schedules the next heartbeat at the interval given', [...toStable, ok(1)], 'stable', ['scheduleHeartbeat']],
    ['an epoch bump with the same assignment hands nothing downstream', [...toStable, ok(1), due, ok(5, [0, 1, 2, 3])], 'stable', ['scheduleHeartbeat']],
    ['partitions added start at once and are acknowledged', [...toStable, ok(1), due, ok(2, [0, 1, 2, 3, 4])], 'stable', ['emitGeneration', 'notify:RebalanceOK', 'heartbeat']],
    ['partitions taken away are revoked first', shrinking, 'reconciling', ['notify:RebalanceStart', 'revoke', 'scheduleHeartbeat']],
    ['once revoked, a generation says so and a heartbeat gives them up', [...shrinking, { type: 'RevokeDone' }], 'stable', ['emitGeneration', 'notify:RebalanceOK', 'heartbeat']],
    ['FENCED_MEMBER_EPOCH loses everything (no commit)', [...toStable, ok(1), due, fails('FENCED_MEMBER_EPOCH')], 'reconciling', ['notify:RebalanceError', 'stopHeartbeat', 'notify:RebalanceStart', 'revoke']],
    ['after the loss it rejoins with epoch 0', [...toStable, ok(1), due, fails('FENCED_MEMBER_EPOCH'), { type: 'RevokeDone' }], 'joining', ['heartbeat']],
    ['UNKNOWN_MEMBER_ID loses everything too', [...toStable, ok(1), due, fails('UNKNOWN_MEMBER_ID')], 'reconciling', ['notify:RebalanceError', 'stopHeartbeat', 'notify:RebalanceStart', 'revoke']],
    ['fenced while revoking: the revocation finishes first', [...shrinking, due, fails('FENCED_MEMBER_EPOCH')], 'reconciling', ['notify:RebalanceError', 'stopHeartbeat']],
    ['then what is left is lost', [...shrinking, due, fails('FENCED_MEMBER_EPOCH'), { type: 'RevokeDone' }], 'reconciling', ['stopHeartbeat', 'notify:RebalanceStart', 'revoke']],
    ['no heartbeat while a loss is processed', [...shrinking, due, fails('FENCED_MEMBER_EPOCH'), due], 'reconciling', []],
    ['a lost coordinator backs off, then finds it again', [...toStable, ok(1), due, { type: 'HeartbeatFailed', error: conn }, due], 'stable', ['findCoordinator']],
    ['NOT_COORDINATOR backs off and finds it again', [...toStable, ok(1), due, fails('NOT_COORDINATOR')], 'stable', ['notify:RebalanceError', 'scheduleHeartbeat']],
    ['UNRELEASED_INSTANCE_ID fails', [{ type: 'Start' }, { type: 'CoordinatorFound', nodeId: 1 }, fails('UNRELEASED_INSTANCE_ID')], 'done', ['stopHeartbeat', 'notify:RebalanceError', 'fail']],
    ['GROUP_MAX_SIZE_REACHED fails', [{ type: 'Start' }, { type: 'CoordinatorFound', nodeId: 1 }, fails('GROUP_MAX_SIZE_REACHED')], 'done', ['stopHeartbeat', 'notify:RebalanceError', 'fail']],
    ['UNSUPPORTED_ASSIGNOR fails', [{ type: 'Start' }, { type: 'CoordinatorFound', nodeId: 1 }, fails('UNSUPPORTED_ASSIGNOR')], 'done', ['stopHeartbeat', 'notify:RebalanceError', 'fail']],
    ['a broker without the API fails (no fallback)', [{ type: 'Start' }, { type: 'CoordinatorFound', nodeId: 1 }, fails('UNSUPPORTED_VERSION')], 'done', ['stopHeartbeat', 'notify:RebalanceError', 'fail']],
    ['stop drains and commits what is owned', [...toStable, ok(1), { type: 'Stop' }], 'reconciling', ['notify:RebalanceStart', 'revoke']],
    ['then leaves with epoch -1', [...toStable, ok(1), { type: 'Stop' }, { type: 'RevokeDone' }], 'leaving', ['stopHeartbeat', 'leaveGroup']],
    ['the leave done completes', [...toStable, ok(1), { type: 'Stop' }, { type: 'RevokeDone' }, { type: 'LeaveDone' }], 'done', ['complete']],
    ['stop during a revocation waits for it, then drains the rest', [...shrinking, { type: 'Stop' }, { type: 'RevokeDone' }], 'reconciling', ['notify:RebalanceStart', 'revoke']],
    ['stop before the first answer leaves', [{ type: 'Start' }, { type: 'CoordinatorFound', nodeId: 1 }, { type: 'Stop' }], 'leaving', ['stopHeartbeat', 'leaveGroup']],
    ['stop before a coordinator is known completes', [{ type: 'Start' }, { type: 'Stop' }], 'done', ['stopHeartbeat', 'complete']],
    ['a stale answer after leaving is ignored', [...toStable, ok(1), { type: 'Stop' }, { type: 'RevokeDone' }, ok(3, [])], 'leaving', []],
  ])('%s', (_name, events, phase, effects) => {
    const { s, effects: last } = run(events);
    expect(s.phase).toBe(phase);
    expect(types(last)).toEqual(effects);
  });

  it('joins owning nothing, with epoch 0', () => {
    const { effects } = run([{ type: 'Start' }, { type: 'CoordinatorFound', nodeId: 1 }]);
    expect(pick(effects, 'heartbeat')).toEqual([{ type: 'heartbeat', memberEpoch: 0, owned: {} }]);
  });

  it('the first generation carries the epoch, the assignor and everything as added', () => {
    const { all } = run(toStable);
    const [g] = pick(all, 'emitGeneration').map((e) => e.generation);
    expect(g).toMatchObject({ generationId: 1, memberId: 'm1', protocol: 'uniform', rebalanceProtocol: 'consumer', added: { t: [0, 1, 2, 3] }, revoked: {}, kept: {}, current: { t: [0, 1, 2, 3] } });
  });

  it('while revoking, heartbeats still report the revoked partitions as owned: the coordinator hands them on only once they are committed', () => {
    const { effects, s } = run([...shrinking, due]);
    expect(pick(effects, 'heartbeat')).toEqual([{ type: 'heartbeat', memberEpoch: 2, owned: { t: [0, 1, 2, 3] } }]);
    expect(s.owned).toEqual({ t: [0, 1] });
  });

  it('the revocation names only the partitions taken away, and commits them (not fenced)', () => {
    const { all } = run(shrinking);
    expect(pick(all, 'revoke').map((r) => [r.partitions, r.fenced])).toEqual([[{ t: [2, 3] }, false]]);
  });

  it('after a revocation the generation says revoked, kept and added; the acknowledgement owns just the assignment', () => {
    const { all, effects } = run([...shrinking, { type: 'RevokeDone' }]);
    const gens = pick(all, 'emitGeneration').map((e) => e.generation);
    expect(gens.at(-1)).toMatchObject({ generationId: 2, revoked: { t: [2, 3] }, kept: { t: [0, 1] }, added: {}, current: { t: [0, 1] } });
    expect(pick(effects, 'heartbeat')).toEqual([{ type: 'heartbeat', memberEpoch: 2, owned: { t: [0, 1] } }]);
  });

  it('an assignment that moves partitions both ways revokes first, then adds in the same generation', () => {
    const { all } = run([...toStable, due, ok(2, [0, 1, 7]), { type: 'RevokeDone' }]);
    const gens = pick(all, 'emitGeneration').map((e) => e.generation);
    expect(gens.at(-1)).toMatchObject({ revoked: { t: [2, 3] }, kept: { t: [0, 1] }, added: { t: [7] }, current: { t: [0, 1, 7] } });
  });

  it('a newer assignment arriving during a revocation is reconciled once it is done', () => {
    const { all, s } = run([...shrinking, due, ok(3, [0]), { type: 'RevokeDone' }]);
    expect(pick(all, 'revoke').map((r) => r.partitions)).toEqual([{ t: [2, 3] }, { t: [1] }]);
    expect(s.phase).toBe('reconciling');
    const done = run([{ type: 'RevokeDone' }], s);
    expect(pick(done.all, 'emitGeneration').at(-1)?.generation).toMatchObject({ revoked: { t: [1, 2, 3] }, kept: { t: [0] }, current: { t: [0] } });
  });

  it('a loss revokes fenced (nothing committed) and the rejoin owns nothing', () => {
    const { all } = run([...toStable, ok(1), due, fails('FENCED_MEMBER_EPOCH'), { type: 'RevokeDone' }]);
    expect(pick(all, 'revoke').map((r) => [r.partitions, r.fenced])).toEqual([[{ t: [0, 1, 2, 3] }, true]]);
    expect(pick(all, 'notify').map((n) => n.notification).find((n) => n.type === 'RebalanceStart')).toMatchObject({ lost: { t: [0, 1, 2, 3] }, rebalanceProtocol: 'consumer' });
    expect(pick(all, 'heartbeat').at(-1)).toEqual({ type: 'heartbeat', memberEpoch: 0, owned: {} });
  });

  it('only one heartbeat is in flight: a due heartbeat waits for the answer, then goes at once', () => {
    const inFlight = run([...toStable, due]);
    expect(types(inFlight.effects)).toEqual([]);
    const answered = run([ok(1)], inFlight.s);
    expect(types(answered.effects)).toEqual(['heartbeat']);
  });

  it('the heartbeat interval comes from the coordinator', () => {
    const { effects } = run([...toStable, ok(1)]);
    expect(pick(effects, 'scheduleHeartbeat')).toEqual([{ type: 'scheduleHeartbeat', delayMs: 500 }]);
  });

  it('a static member leaves with epoch -2', () => {
    const { effects } = run([...toStable, ok(1), { type: 'Stop' }, { type: 'RevokeDone' }], initialConsumerState({ ...settings, staticMember: true }, 'm1'));
    expect(pick(effects, 'leaveGroup')).toEqual([{ type: 'leaveGroup', memberEpoch: -2 }]);
  });

  it('retriable failures past the retry bound fail the membership', () => {
    const attempt: ConsumerEvent[] = [{ type: 'HeartbeatFailed', error: conn }, due, { type: 'CoordinatorFound', nodeId: 1 }];
    const { s, all } = run([...toStable, ok(1), due, ...attempt, ...attempt, ...attempt, ...attempt]);
    expect(s.phase).toBe('done');
    expect(pick(all, 'fail')[0]?.error).toMatchObject({ _tag: 'BrokerUnavailable' });
  });

  it('a success resets the failure count', () => {
    const { s } = run([...toStable, ok(1), due, { type: 'HeartbeatFailed', error: conn }, due, { type: 'CoordinatorFound', nodeId: 1 }, ok(1)]);
    expect(s.failures).toBe(0);
  });

  it('commits carry the latest epoch even when the assignment did not change', () => {
    const { s } = run([...toStable, ok(1), due, ok(7, [0, 1, 2, 3])]);
    expect(s.memberEpoch).toBe(7);
    expect(s.generation?.generationId).toBe(1);
  });
});
