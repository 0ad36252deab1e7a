import { concat, concatMap, defer, interval, mergeMap, take, timer, toArray, type Observable } from 'rxjs';
import { InMemoryCluster } from '../../../src/testing';
import { Member, at, outcome, testScheduler } from './support';

const after = <T>(ms: number, source$: Observable<T>): Observable<T> => timer(ms).pipe(mergeMap(() => source$));

/** Two members joined and synced at frame 0 (latency 0); m1 leads. */
const stableGroup = (cluster: InMemoryCluster, options = {}) => {
  const m1 = new Member(cluster.transport({ clientId: 'c1' }), options);
  const m2 = new Member(cluster.transport({ clientId: 'c2' }), options);
  const joined1$ = concat(outcome(m1.join$(), (r) => `gen ${r.generationId}`), defer(() => outcome(m1.sync$({ [m1.memberId]: 'p0', [m2.memberId]: 'p1' }))));
  const joined2$ = concat(outcome(m2.join$(), (r) => `gen ${r.generationId}`), defer(() => outcome(m2.sync$())));
  return { m1, m2, joined1$, joined2$ };
};

/**
 * Membership after the join: heartbeats and their errors, session expiry in virtual time, LeaveGroup, and the
 * pending-sync timeout that removes members which got their JoinGroup response but never sent SyncGroup.
 */
describe('in-memory group coordinator: sessions', () => {
  it('evicts a member whose session expires, and the survivor learns it from its next heartbeat', () => {
    testScheduler().run(({ expectObservable }) => {
      const cluster = new InMemoryCluster();
      const { m1, joined1$, joined2$ } = stableGroup(cluster, { sessionTimeoutMs: 10000 });
      const beats$ = interval(3000).pipe(
        take(4),
        concatMap(() => outcome(m1.heartbeat$())),
      );
      const m1$ = concat(joined1$, beats$, outcome(m1.join$(), (r) => `gen ${r.generationId}: ${r.members.length} member`));
      expectObservable(m1$).toBe('(ab) 2996ms c 2999ms d 2999ms e 2999ms (fg|)', {
        a: 'gen 1',
        b: 'p0',
        c: 'ok',
        d: 'ok',
        e: 'ok',
        f: 'REBALANCE_IN_PROGRESS',
        g: 'gen 2: 1 member',
      });
      expectObservable(joined2$).toBe('(ab|)', { a: 'gen 1', b: 'p1' });
      expectObservable(at(9999, () => cluster.members('g').length)).toBe('9999ms (a|)', { a: 2 });
      expectObservable(at(10001, () => [cluster.groupState('g'), cluster.members('g').map((m) => m.clientId)])).toBe('10001ms (a|)', {
        a: ['PreparingRebalance', ['c1']],
      });
    });
  });

  it('answers heartbeats with ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID or REBALANCE_IN_PROGRESS as the broker does', () => {
    testScheduler().run(({ expectObservable }) => {
      const cluster = new InMemoryCluster();
      const { m1, m2, joined1$, joined2$ } = stableGroup(cluster);
      const stale = new Member(m1.transport);
      const m3 = new Member(cluster.transport({ clientId: 'c3' }));
      expectObservable(joined1$).toBe('(ab|)', { a: 'gen 1', b: 'p0' });
      expectObservable(joined2$).toBe('(ab|)', { a: 'gen 1', b: 'p1' });
      expectObservable(
        after(
          10,
          defer(() => {
            stale.memberId = m1.memberId;
            stale.generationId = 7;
            return outcome(stale.heartbeat$());
          }),
        ),
      ).toBe('10ms (a|)', { a: 'ILLEGAL_GENERATION' });
      expectObservable(after(10, defer(() => outcome(new Member(m1.transport).heartbeat$())))).toBe('10ms (a|)', { a: 'UNKNOWN_MEMBER_ID' });
      // m3 joins at 20: the group prepares a rebalance; m2's heartbeat and SyncGroup now answer REBALANCE_IN_PROGRESS.
      expectObservable(after(20, outcome(m3.join$(), (r) => r.generationId))).toBe('30ms (a|)', { a: 2 });
      expectObservable(after(25, concat(outcome(m2.heartbeat$()), outcome(m2.sync$())))).toBe('25ms (ab|)', {
        a: 'REBALANCE_IN_PROGRESS',
        b: 'REBALANCE_IN_PROGRESS',
      });
      expectObservable(after(30, concat(outcome(m1.join$(), (r) => r.generationId)))).toBe('30ms (a|)', { a: 2 });
      expectObservable(after(30, concat(outcome(m2.join$(), (r) => r.generationId)))).toBe('30ms (a|)', { a: 2 });
    });
  });

  it('removes a leaving member and rebalances the rest; the last member leaving empties the group', () => {
    testScheduler().run(({ expectObservable }) => {
      const cluster = new InMemoryCluster();
      const { m1, m2, joined1$, joined2$ } = stableGroup(cluster);
      // m1 subscribes first, so it leads.
      const m1$ = concat(
        joined1$,
        after(2000, outcome(m1.heartbeat$())),
        outcome(m1.join$(), (r) => `gen ${r.generationId}: ${r.members.length} member`),
        defer(() => outcome(m1.sync$({ [m1.memberId]: 'p0,p1' }))),
        after(1000, outcome(m1.leave$())),
      );
      expectObservable(m1$).toBe('(ab) 1996ms (cde) 995ms (f|)', {
        a: 'gen 1',
        b: 'p0',
        c: 'REBALANCE_IN_PROGRESS',
        d: 'gen 2: 1 member',
        e: 'p0,p1',
        f: 'left',
      });
      expectObservable(concat(joined2$, after(1000, outcome(m2.leave$())), outcome(m2.leave$()))).toBe('(ab) 996ms (cd|)', {
        a: 'gen 1',
        b: 'p1',
        c: 'left',
        d: 'UNKNOWN_MEMBER_ID',
      });
      expectObservable(at(1500, () => cluster.groupState('g'))).toBe('1500ms (a|)', { a: 'PreparingRebalance' });
      expectObservable(at(2500, () => cluster.describeGroup('g'))).toBe('2500ms (a|)', { a: expect.objectContaining({ state: 'Stable', generationId: 2 }) });
      expectObservable(at(4500, () => cluster.describeGroup('g'))).toBe('4500ms (a|)', {
        a: expect.objectContaining({ state: 'Empty', generationId: 3, members: [] }),
      });
    });
  });

  it('removes members that got their JoinGroup response but sent no SyncGroup within the rebalance timeout', () => {
    testScheduler().run(({ expectObservable }) => {
      const cluster = new InMemoryCluster();
      const options = { rebalanceTimeoutMs: 5000 };
      const m1 = new Member(cluster.transport({ clientId: 'c1' }), options);
      const m2 = new Member(cluster.transport({ clientId: 'c2' }), options);
      const m1$ = concat(
        outcome(m1.join$(), (r) => r.generationId),
        defer(() => outcome(m1.sync$({ [m1.memberId]: 'p0', [m2.memberId]: 'p1' }))),
        after(6000, outcome(m1.heartbeat$())),
      );
      expectObservable(m1$).toBe('(ab) 5996ms (c|)', { a: 1, b: 'p0', c: 'REBALANCE_IN_PROGRESS' });
      expectObservable(outcome(m2.join$(), (r) => r.generationId)).toBe('(a|)', { a: 1 });
      expectObservable(at(5001, () => cluster.members('g').map((m) => m.clientId))).toBe('5001ms (a|)', { a: ['c1'] });
    });
  });

  it('keeps a member parked in a rebalance alive without heartbeats', () => {
    testScheduler().run(({ expectObservable }) => {
      const cluster = new InMemoryCluster();
      const options = { sessionTimeoutMs: 10000, rebalanceTimeoutMs: 60000 };
      const { m1, m2, joined1$, joined2$ } = stableGroup(cluster, options);
      const m3 = new Member(cluster.transport({ clientId: 'c3' }), options);
      // m1 rejoins at 1000 and waits, silent, far beyond its 10s session; m2 heartbeats but never rejoins.
      expectObservable(concat(joined1$, after(1000, outcome(m1.join$(), (r) => r.generationId)))).toBe('(ab) 60496ms (c|)', { a: 'gen 1', b: 'p0', c: 2 });
      expectObservable(joined2$).toBe('(ab|)', { a: 'gen 1', b: 'p1' });
      const beats$ = interval(3000).pipe(take(20), concatMap(() => outcome(m2.heartbeat$())), toArray());
      expectObservable(beats$).toBe('60000ms (a|)', { a: Array(20).fill('REBALANCE_IN_PROGRESS') });
      expectObservable(after(500, outcome(m3.join$(), (r) => `${r.generationId}: ${r.members.length}`))).toBe('60500ms (a|)', { a: '2: 0' });
      expectObservable(at(30000, () => cluster.members('g').map((m) => m.clientId))).toBe('30000ms (a|)', { a: ['c1', 'c2', 'c3'] });
      expectObservable(at(60501, () => cluster.members('g').map((m) => m.clientId))).toBe('60501ms (a|)', { a: ['c1', 'c3'] });
    });
  });
});
