import { concat, defer, map, mergeMap, tap, timer, type Observable } from 'rxjs';
import { InMemoryCluster } from '../../../src/testing';
import { Member, at, commitResults, outcome, testScheduler } from './support';

const after = <T>(ms: number, source$: Observable<T>): Observable<T> => timer(ms).pipe(mergeMap(() => source$));

/**
 * Finding and moving the group coordinator: FindCoordinator names the node; after `moveCoordinator` the old
 * node answers NOT_COORDINATOR (parked JoinGroups included) and the new node has loaded the group as it was
 * last stored, so a Stable member carries on with its generation.
 */
describe('in-memory group coordinator: placement and moves', () => {
  it('places groups on nodes by hash, as Kafka places them on __consumer_offsets partitions', () => {
    const cluster = new InMemoryCluster({ brokers: 3 });
    // Java: Math.abs("g".hashCode()) % 50 = 3, led by broker 3 % 3.
    expect(cluster.coordinatorOf('g')).toBe(0);
    expect(new Set(['a', 'b', 'c', 'd', 'e', 'f'].map((g) => cluster.coordinatorOf(g))).size).toBeGreaterThan(1);
  });

  it('answers NOT_COORDINATOR from the old node after a move; the new node carries the Stable group on', () => {
    testScheduler().run(({ expectObservable }) => {
      const cluster = new InMemoryCluster({ brokers: 3, topics: { orders: 1 } });
      const t = cluster.transport({ clientId: 'c1' });
      const m = new Member(t);
      const old = cluster.coordinatorOf('g');
      const next = (old + 1) % 3;
      const flow$ = concat(
        t.findCoordinator({ groupId: 'g' }).pipe(
          tap((b) => (m.coordinator = b.nodeId)),
          map((b) => `${b.nodeId}@${b.host}:${b.port}`),
        ),
        outcome(m.join$(), (r) => r.generationId),
        defer(() => outcome(m.sync$({ [m.memberId]: 'p0' }))),
        after(2000, outcome(m.heartbeat$())),
        defer(() => outcome(m.commit$([{ topic: 'orders', partition: 0, offset: 1n }]), commitResults)),
        outcome(t.offsetFetch({ groupId: 'g', coordinator: old, partitions: [{ topic: 'orders', partition: 0 }] })),
        t.findCoordinator({ groupId: 'g' }).pipe(
          tap((b) => (m.coordinator = b.nodeId)),
          map((b) => b.nodeId),
        ),
        outcome(m.heartbeat$()),
        defer(() => outcome(m.commit$([{ topic: 'orders', partition: 0, offset: 1n }]), commitResults)),
      );
      expectObservable(flow$).toBe('(abc) 1995ms (defghi|)', {
        a: `${old}@in-memory-${old}:9092`,
        b: 1,
        c: 'p0',
        d: 'NOT_COORDINATOR',
        e: { 'orders/0': 'NOT_COORDINATOR' },
        f: 'NOT_COORDINATOR',
        g: next,
        h: 'ok',
        i: { 'orders/0': 'ok' },
      });
      expectObservable(at(1000, () => cluster.moveCoordinator('g', next).describeGroup('g'))).toBe('1000ms (a|)', {
        a: expect.objectContaining({ state: 'Stable', generationId: 1, coordinator: next }),
      });
      expectObservable(at(3000, () => cluster.committed('g'))).toBe('3000ms (a|)', { a: { 'orders/0': 1n } });
    });
  });

  it('answers a JoinGroup parked at the old coordinator with NOT_COORDINATOR; the new one knows only what was stored', () => {
    testScheduler().run(({ expectObservable }) => {
      const cluster = new InMemoryCluster({ brokers: 2 });
      const old = cluster.coordinatorOf('g');
      const next = 1 - old;
      const m1 = new Member(cluster.transport({ clientId: 'c1' }), { coordinator: old });
      const m2 = new Member(cluster.transport({ clientId: 'c2' }), { coordinator: old });
      expectObservable(concat(outcome(m1.join$(), (r) => r.generationId), defer(() => outcome(m1.sync$({ [m1.memberId]: 'p0' }))))).toBe('(ab|)', {
        a: 1,
        b: 'p0',
      });
      const m2$ = concat(
        after(1000, outcome(m2.join$())),
        defer(() => {
          m2.coordinator = next;
          return outcome(m2.joinOnce$());
        }),
      );
      expectObservable(m2$).toBe('2000ms (ab|)', { a: 'NOT_COORDINATOR', b: 'UNKNOWN_MEMBER_ID' });
      expectObservable(at(1500, () => cluster.groupState('g'))).toBe('1500ms (a|)', { a: 'PreparingRebalance' });
      expectObservable(at(2000, () => cluster.moveCoordinator('g', next).describeGroup('g').members.length)).toBe('2000ms (a|)', { a: 1 });
      expectObservable(at(2500, () => cluster.describeGroup('g'))).toBe('2500ms (a|)', {
        a: expect.objectContaining({ state: 'Stable', generationId: 1, coordinator: next }),
      });
    });
  });

  it('refuses an empty group id with INVALID_GROUP_ID', () => {
    testScheduler().run(({ expectObservable }) => {
      const cluster = new InMemoryCluster();
      expectObservable(outcome(cluster.transport().findCoordinator({ groupId: '' }))).toBe('(a|)', { a: 'INVALID_GROUP_ID' });
      expectObservable(outcome(new Member(cluster.transport(), { groupId: '' }).join$())).toBe('(a|)', { a: 'INVALID_GROUP_ID' });
    });
  });
});
