import { concat, defer, mergeMap, timer, type Observable } from 'rxjs';
import { InMemoryCluster } from '../../../src/testing';
import { Member, at, outcome, protocol, testScheduler } from './support';

/** `source$` subscribed `ms` after its turn comes. */
const after = <T>(ms: number, source$: Observable<T>): Observable<T> => timer(ms).pipe(mergeMap(() => source$));

/**
 * The join phase of the classic protocol in virtual time: MEMBER_ID_REQUIRED, parked JoinGroups released when
 * every member rejoined (or the rebalance timeout removed the others), the leader receiving the members'
 * metadata, generations, protocol selection and the initial rebalance delay.
 */
describe('in-memory group coordinator: joining', () => {
  it('admits a single member: MEMBER_ID_REQUIRED, JoinGroup, SyncGroup, then Stable', () => {
    testScheduler().run(({ expectObservable }) => {
      const cluster = new InMemoryCluster({ latencyMs: 10 });
      const m = new Member(cluster.transport({ clientId: 'c1' }));
      const flow$ = concat(
        outcome(m.joinOnce$()),
        outcome(m.joinOnce$(), (r) => `gen ${r.generationId}, leader ${r.leaderId === r.memberId}, ${r.members.length} member`),
        defer(() => outcome(m.sync$({ [m.memberId]: 'orders-0,orders-1' }))),
        outcome(m.heartbeat$()),
      );
      expectObservable(flow$).toBe('10ms a 9ms b 9ms c 9ms (d|)', {
        a: 'MEMBER_ID_REQUIRED',
        b: 'gen 1, leader true, 1 member',
        c: 'orders-0,orders-1',
        d: 'ok',
      });
      expectObservable(at(5, () => cluster.describeGroup('g').pendingMemberIds)).toBe('5ms (a|)', { a: ['c1-00000000-0000-4000-8000-000000000001'] });
      expectObservable(at(5, () => cluster.groupState('g'))).toBe('5ms (a|)', { a: 'Empty' });
      expectObservable(at(15, () => cluster.groupState('g'))).toBe('15ms (a|)', { a: 'CompletingRebalance' });
      expectObservable(at(25, () => cluster.groupState('g'))).toBe('25ms (a|)', { a: 'Stable' });
    });
  });

  it('rebalances when a second member joins: the first learns it from its heartbeat, both rejoin, the generation moves on', () => {
    testScheduler().run(({ expectObservable }) => {
      const cluster = new InMemoryCluster({ latencyMs: 10 });
      const m1 = new Member(cluster.transport({ clientId: 'c1' }));
      const m2 = new Member(cluster.transport({ clientId: 'c2' }));
      const m1$ = concat(
        outcome(m1.join$(), (r) => `gen ${r.generationId}`),
        defer(() => outcome(m1.sync$({ [m1.memberId]: 'all' }))),
        after(20, outcome(m1.heartbeat$())),
        outcome(m1.join$(), (r) => `gen ${r.generationId}: ${r.members.map((x) => x.memberId.slice(0, 2)).join(',')}`),
        defer(() => outcome(m1.sync$({ [m1.memberId]: 'orders/0', [m2.memberId]: 'orders/1' }))),
      );
      const m2$ = concat(
        after(35, outcome(m2.join$(), (r) => `gen ${r.generationId}: ${r.members.length} members, leader ${r.leaderId.slice(0, 2)}`)),
        defer(() => outcome(m2.sync$())),
      );
      expectObservable(m1$).toBe('20ms a 9ms b 29ms c 9ms d 9ms (e|)', {
        a: 'gen 1',
        b: 'all',
        c: 'REBALANCE_IN_PROGRESS',
        d: 'gen 2: c1,c2',
        e: 'orders/0',
      });
      expectObservable(m2$).toBe('70ms a 9ms (b|)', { a: 'gen 2: 0 members, leader c1', b: 'orders/1' });
      expectObservable(at(55, () => cluster.groupState('g'))).toBe('55ms (a|)', { a: 'PreparingRebalance' });
      expectObservable(at(65, () => cluster.groupState('g'))).toBe('65ms (a|)', { a: 'CompletingRebalance' });
      expectObservable(at(75, () => cluster.describeGroup('g'))).toBe('75ms (a|)', {
        a: expect.objectContaining({ state: 'Stable', generationId: 2, protocolName: 'range', leaderId: 'c1-00000000-0000-4000-8000-000000000001' }),
      });
    });
  });

  it('selects the protocol every member supports with the most votes', () => {
    testScheduler().run(({ expectObservable }) => {
      const cluster = new InMemoryCluster();
      const member = (clientId: string, ...names: string[]) => new Member(cluster.transport({ clientId }), { protocols: names.map((n) => protocol(n)) });
      const members = [member('a', 'roundrobin', 'range', 'sticky'), member('b', 'range', 'roundrobin'), member('c', 'range', 'roundrobin')];
      members.forEach((m) => expectObservable(outcome(m.join$(), (r) => r.protocolName)).toBe('(a|)', { a: 'range' }));
      const leader = members[0];
      if (!leader) throw new Error('no leader');
      expectObservable(at(1, () => leader.generationId)).toBe('1ms (a|)', { a: 1 });
    });
  });

  it('breaks a tie in favour of the protocol voted for first, in join order', () => {
    testScheduler().run(({ expectObservable }) => {
      const cluster = new InMemoryCluster();
      const m1 = new Member(cluster.transport({ clientId: 'a' }), { protocols: [protocol('roundrobin'), protocol('range')] });
      const m2 = new Member(cluster.transport({ clientId: 'b' }), { protocols: [protocol('range'), protocol('roundrobin')] });
      expectObservable(outcome(m1.join$(), (r) => [r.protocolName, r.members.map((x) => x.metadata.toString())])).toBe('(a|)', {
        a: ['roundrobin', ['roundrobin', 'roundrobin']],
      });
      expectObservable(outcome(m2.join$(), (r) => r.protocolName)).toBe('(a|)', { a: 'roundrobin' });
    });
  });

  it('refuses a member with no protocol in common, or another protocol type, with INCONSISTENT_GROUP_PROTOCOL', () => {
    testScheduler().run(({ expectObservable }) => {
      const cluster = new InMemoryCluster();
      const m1 = new Member(cluster.transport({ clientId: 'a' }));
      const m2 = new Member(cluster.transport({ clientId: 'b' }), { protocols: [protocol('sticky')] });
      const t = cluster.transport({ clientId: 'c' });
      const connect$ = t.joinGroup({
        groupId: 'g',
        coordinator: 0,
        memberId: '',
        sessionTimeoutMs: 10000,
        rebalanceTimeoutMs: 10000,
        protocolType: 'connect',
        protocols: [protocol('range')],
      });
      expectObservable(outcome(m1.join$(), (r) => r.generationId)).toBe('(a|)', { a: 1 });
      expectObservable(after(1, outcome(m2.join$()))).toBe('1ms (a|)', { a: 'INCONSISTENT_GROUP_PROTOCOL' });
      expectObservable(after(1, outcome(connect$))).toBe('1ms (a|)', { a: 'INCONSISTENT_GROUP_PROTOCOL' });
    });
  });

  it('removes members that do not rejoin within the rebalance timeout', () => {
    testScheduler().run(({ expectObservable }) => {
      const cluster = new InMemoryCluster();
      const options = { sessionTimeoutMs: 10000, rebalanceTimeoutMs: 5000 };
      const [m1, m2, m3] = ['c1', 'c2', 'c3'].map((clientId) => new Member(cluster.transport({ clientId }), options));
      if (!m1 || !m2 || !m3) throw new Error('members');
      const m1$ = concat(
        outcome(m1.join$(), (r) => `gen ${r.generationId}`),
        defer(() => outcome(m1.sync$({ [m1.memberId]: 'a', [m2.memberId]: 'b' }))),
        after(2000, outcome(m1.join$(), (r) => `gen ${r.generationId}: ${r.members.length} members`)),
      );
      expectObservable(m1$).toBe('(ab) 5996ms (c|)', { a: 'gen 1', b: 'a', c: 'gen 2: 2 members' });
      expectObservable(concat(outcome(m2.join$(), (r) => `gen ${r.generationId}`), defer(() => outcome(m2.sync$())))).toBe('(ab|)', {
        a: 'gen 1',
        b: 'b',
      });
      expectObservable(after(1000, outcome(m3.join$(), (r) => `gen ${r.generationId}`))).toBe('6000ms (a|)', { a: 'gen 2' });
      expectObservable(after(7000, outcome(m2.heartbeat$()))).toBe('7000ms (a|)', { a: 'UNKNOWN_MEMBER_ID' });
      expectObservable(at(6500, () => cluster.members('g').map((m) => m.clientId))).toBe('6500ms (a|)', { a: ['c1', 'c3'] });
    });
  });

  it('holds the first join phase for the initial rebalance delay, extended while members keep arriving', () => {
    testScheduler().run(({ expectObservable }) => {
      const cluster = new InMemoryCluster({ group: { initialRebalanceDelayMs: 3000 } });
      const m1 = new Member(cluster.transport({ clientId: 'c1' }));
      const m2 = new Member(cluster.transport({ clientId: 'c2' }));
      expectObservable(outcome(m1.join$(), (r) => `gen ${r.generationId}: ${r.members.length} members`)).toBe('6000ms (a|)', { a: 'gen 1: 2 members' });
      expectObservable(after(1000, outcome(m2.join$(), (r) => `gen ${r.generationId}`))).toBe('6000ms (a|)', { a: 'gen 1' });
    });
  });

  it('answers a follower rejoining a Stable group with unchanged metadata at once, without a rebalance', () => {
    testScheduler().run(({ expectObservable }) => {
      const cluster = new InMemoryCluster({ latencyMs: 1 });
      const m1 = new Member(cluster.transport({ clientId: 'c1' }));
      const m2 = new Member(cluster.transport({ clientId: 'c2' }));
      expectObservable(concat(outcome(m1.join$(), (r) => r.generationId), defer(() => outcome(m1.sync$({ [m1.memberId]: 'x', [m2.memberId]: 'y' }))))).toBe(
        '--a(b|)',
        { a: 1, b: 'x' },
      );
      const m2$ = concat(outcome(m2.join$(), (r) => r.generationId), defer(() => outcome(m2.sync$())), after(5, outcome(m2.joinOnce$(), (r) => r.generationId)));
      expectObservable(m2$).toBe('--ab 5ms (c|)', { a: 1, b: 'y', c: 1 });
      expectObservable(at(12, () => cluster.groupState('g'))).toBe('12ms (a|)', { a: 'Stable' });
    });
  });

  it('rejects JoinGroup with a session timeout outside the broker bounds, and an unknown member id', () => {
    testScheduler().run(({ expectObservable }) => {
      const cluster = new InMemoryCluster({ group: { minSessionTimeoutMs: 6000 } });
      const short = new Member(cluster.transport(), { sessionTimeoutMs: 100 });
      const stranger = new Member(cluster.transport());
      stranger.memberId = 'nobody';
      expectObservable(outcome(short.join$())).toBe('(a|)', { a: 'INVALID_SESSION_TIMEOUT' });
      expectObservable(outcome(stranger.join$())).toBe('(a|)', { a: 'UNKNOWN_MEMBER_ID' });
    });
  });
});
