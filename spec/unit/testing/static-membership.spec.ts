import { concat, defer, mergeMap, timer, type Observable } from 'rxjs';
import { InMemoryCluster } from '../../../src/testing';
import { Member, at, outcome, protocol, testScheduler } from './support';

const after = <T>(ms: number, source$: Observable<T>): Observable<T> => timer(ms).pipe(mergeMap(() => source$));
/** The leader's assignment: `parts` to the members of its JoinGroup response, in order. */
const assign = (members: readonly string[], ...parts: string[]) => Object.fromEntries(members.map((m, i) => [m, parts[i] ?? '']));
const id = (prefix: string, n: number) => `${prefix}-00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

/**
 * KIP-345 static membership: a member with a group instance id joins without MEMBER_ID_REQUIRED; restarting,
 * it takes over its old member id's place (the old id fenced) without a rebalance while the group's protocol
 * stays the same; a static member that does not rejoin stays through the join phase.
 */
describe('in-memory group coordinator: static membership', () => {
  it('replaces a restarted static member without a rebalance, and fences its old member id', () => {
    testScheduler().run(({ expectObservable }) => {
      const cluster = new InMemoryCluster();
      const s1 = new Member(cluster.transport({ clientId: 'a' }), { groupInstanceId: 'i1' });
      const s2 = new Member(cluster.transport({ clientId: 'b' }), { groupInstanceId: 'i2' });
      const restarted = new Member(cluster.transport({ clientId: 'a' }), { groupInstanceId: 'i1' });
      expectObservable(concat(outcome(s1.join$(), (r) => r.memberId), defer(() => outcome(s1.sync$(assign(s1.members, 'p0', 'p1')))))).toBe('(ab|)', {
        a: id('i1', 1),
        b: 'p0',
      });
      expectObservable(concat(outcome(s2.join$(), (r) => r.memberId), defer(() => outcome(s2.sync$())), after(2000, outcome(s2.heartbeat$())))).toBe(
        '(ab) 1996ms (c|)',
        { a: id('i2', 2), b: 'p1', c: 'ok' },
      );
      const restarted$ = concat(
        after(1000, outcome(restarted.join$(), (r) => [r.generationId, r.memberId, r.leaderId, r.members.length])),
        defer(() => outcome(restarted.sync$())),
      );
      expectObservable(restarted$).toBe('1000ms (ab|)', { a: [1, id('i1', 3), id('i1', 1), 0], b: 'p0' });
      expectObservable(after(2000, outcome(s1.heartbeat$()))).toBe('2000ms (a|)', { a: 'FENCED_INSTANCE_ID' });
      expectObservable(at(1500, () => cluster.describeGroup('g'))).toBe('1500ms (a|)', {
        a: expect.objectContaining({ state: 'Stable', generationId: 1, leaderId: id('i1', 3) }),
      });
    });
  });

  it('rebalances when the restarted member would change the group protocol', () => {
    testScheduler().run(({ expectObservable }) => {
      const cluster = new InMemoryCluster();
      const s1 = new Member(cluster.transport(), { groupInstanceId: 'i1', protocols: [protocol('range'), protocol('roundrobin')] });
      const restarted = new Member(cluster.transport(), { groupInstanceId: 'i1', protocols: [protocol('roundrobin'), protocol('range')] });
      expectObservable(concat(outcome(s1.join$(), (r) => r.protocolName), defer(() => outcome(s1.sync$({ [s1.memberId]: 'p0' }))))).toBe('(ab|)', {
        a: 'range',
        b: 'p0',
      });
      expectObservable(after(1000, outcome(restarted.join$(), (r) => [r.generationId, r.protocolName, r.leaderId === r.memberId]))).toBe('1000ms (a|)', {
        a: [2, 'roundrobin', true],
      });
    });
  });

  it('keeps a static member that does not rejoin through the join phase; the pending-sync timeout removes it', () => {
    testScheduler().run(({ expectObservable }) => {
      const cluster = new InMemoryCluster();
      const options = { sessionTimeoutMs: 30000, rebalanceTimeoutMs: 5000 };
      const s1 = new Member(cluster.transport({ clientId: 'a' }), { ...options, groupInstanceId: 'i1' });
      const s2 = new Member(cluster.transport({ clientId: 'b' }), { ...options, groupInstanceId: 'i2' });
      const d3 = new Member(cluster.transport({ clientId: 'c' }), options);
      const s1$ = concat(
        outcome(s1.join$(), (r) => r.generationId),
        defer(() => outcome(s1.sync$(assign(s1.members, 'p0', 'p1')))),
        after(1000, outcome(s1.join$(), (r) => [r.generationId, r.members.map((m) => m.groupInstanceId ?? '-')])),
        defer(() => outcome(s1.sync$(assign(s1.members, 'p0', 'p1', 'p2')))),
      );
      expectObservable(s1$).toBe('(ab) 5496ms (cd|)', { a: 1, b: 'p0', c: [2, ['i1', 'i2', '-']], d: 'p0' });
      expectObservable(concat(outcome(s2.join$(), (r) => r.generationId), defer(() => outcome(s2.sync$())))).toBe('(ab|)', { a: 1, b: 'p1' });
      // s2 gets no JoinGroup response (it sent none) and sends no SyncGroup: at 5500 + 5000 it is removed.
      expectObservable(concat(after(500, outcome(d3.join$(), (r) => r.generationId)), defer(() => outcome(d3.sync$())))).toBe('5500ms (ab|)', { a: 2, b: 'p2' });
      expectObservable(at(5501, () => cluster.members('g').map((m) => m.clientId))).toBe('5501ms (a|)', { a: ['a', 'b', 'c'] });
      expectObservable(at(10501, () => [cluster.groupState('g'), cluster.members('g').map((m) => m.clientId)])).toBe('10501ms (a|)', {
        a: ['PreparingRebalance', ['a', 'c']],
      });
    });
  });

  it('lets LeaveGroup remove a static member by its instance id alone', () => {
    testScheduler().run(({ expectObservable }) => {
      const cluster = new InMemoryCluster();
      const s1 = new Member(cluster.transport(), { groupInstanceId: 'i1' });
      const admin = new Member(cluster.transport(), { groupInstanceId: 'i1' });
      expectObservable(outcome(s1.join$(), (r) => r.generationId)).toBe('(a|)', { a: 1 });
      expectObservable(after(10, concat(outcome(admin.leave$()), outcome(admin.leave$())))).toBe('10ms (ab|)', { a: 'left', b: 'UNKNOWN_MEMBER_ID' });
      expectObservable(at(20, () => cluster.describeGroup('g'))).toBe('20ms (a|)', { a: expect.objectContaining({ state: 'Empty', members: [] }) });
    });
  });
});
