import { concat, defer, map, mergeMap, timer, type Observable } from 'rxjs';
import { InMemoryCluster, type InMemoryTransport } from '../../../src/testing';
import type { OffsetCommitEntry } from '../../../src/transport/port';
import { Member, at, commitResults, outcome, testScheduler } from './support';

const after = <T>(ms: number, source$: Observable<T>): Observable<T> => timer(ms).pipe(mergeMap(() => source$));

const orders0: OffsetCommitEntry = { topic: 'orders', partition: 0, offset: 5n };

/** A commit with explicit member and generation, answered as `topic/partition: ok | CODE`. */
const commit = (t: InMemoryTransport, groupId: string, memberId: string, generationId: number, offsets = [orders0]) =>
  defer(() => t.offsetCommit({ groupId, coordinator: 0, memberId, generationId, offsets })).pipe(map(commitResults));

/**
 * OffsetCommit and OffsetFetch against the classic group: commits fenced by member and generation as the
 * broker fences them (REBALANCE_IN_PROGRESS while the group completes a rebalance, simple commits only into an
 * empty group), per-partition results, -1n for partitions with no commit.
 */
describe('in-memory group coordinator: offsets', () => {
  it('stores commits from the current generation and serves them to OffsetFetch', () => {
    testScheduler().run(({ expectObservable }) => {
      const cluster = new InMemoryCluster({ topics: { orders: 2 } });
      const m = new Member(cluster.transport());
      const fetch$ = defer(() =>
        m.transport.offsetFetch({
          groupId: 'g',
          coordinator: 0,
          partitions: [0, 1, 2].map((partition) => ({ topic: 'orders', partition })).concat([{ topic: 'other', partition: 0 }]),
        }),
      ).pipe(map((ps) => ps.map((p) => `${p.topic}-${p.partition}: ${p.offset} '${p.metadata ?? 'null'}'${p.error ? ` ${p.error.code}` : ''}`)));
      const flow$ = concat(
        outcome(m.join$(), (r) => r.generationId),
        defer(() => outcome(m.sync$({ [m.memberId]: 'all' }))),
        defer(() => m.commit$([orders0, { topic: 'orders', partition: 1, offset: 7n, metadata: 'x' }, { topic: 'nope', partition: 0, offset: 1n }])).pipe(map(commitResults)),
        fetch$,
      );
      expectObservable(flow$).toBe('(abcd|)', {
        a: 1,
        b: 'all',
        c: { 'orders/0': 'ok', 'orders/1': 'ok', 'nope/0': 'UNKNOWN_TOPIC_OR_PARTITION' },
        d: ["orders-0: 5 ''", "orders-1: 7 'x'", "orders-2: -1 ''", "other-0: -1 ''"],
      });
      expectObservable(at(1, () => cluster.committed('g'))).toBe('1ms (a|)', { a: { 'orders/0': 5n, 'orders/1': 7n } });
    });
  });

  it('fences commits by member and generation', () => {
    testScheduler().run(({ expectObservable }) => {
      const cluster = new InMemoryCluster({ topics: { orders: 1 } });
      const m = new Member(cluster.transport());
      const t = cluster.transport();
      expectObservable(concat(outcome(m.join$(), (r) => r.generationId), defer(() => outcome(m.sync$({ [m.memberId]: 'all' }))))).toBe('(ab|)', { a: 1, b: 'all' });
      const ok = { 'orders/0': 'ok' };
      const failed = (code: string) => ({ 'orders/0': code });
      expectObservable(after(1, defer(() => commit(t, 'g', m.memberId, 2)))).toBe('1ms (a|)', { a: failed('ILLEGAL_GENERATION') });
      expectObservable(after(1, commit(t, 'g', 'stranger', 1))).toBe('1ms (a|)', { a: failed('UNKNOWN_MEMBER_ID') });
      expectObservable(after(1, commit(t, 'g', '', -1))).toBe('1ms (a|)', { a: failed('UNKNOWN_MEMBER_ID') });
      expectObservable(after(1, commit(t, 'simple', '', -1))).toBe('1ms (a|)', { a: ok });
      expectObservable(after(1, commit(t, 'gone', 'old-member', 3))).toBe('1ms (a|)', { a: failed('ILLEGAL_GENERATION') });
      expectObservable(after(2, defer(() => commit(t, 'g', m.memberId, 1)))).toBe('2ms (a|)', { a: ok });
      expectObservable(at(3, () => [cluster.groupState('simple'), cluster.committed('simple')])).toBe('3ms (a|)', { a: ['Empty', { 'orders/0': 5n }] });
    });
  });

  it('answers REBALANCE_IN_PROGRESS while the group completes a rebalance, and accepts the old generation while it prepares one', () => {
    testScheduler().run(({ expectObservable }) => {
      const cluster = new InMemoryCluster({ topics: { orders: 1 } });
      const m1 = new Member(cluster.transport({ clientId: 'c1' }));
      const m2 = new Member(cluster.transport({ clientId: 'c2' }));
      const m1$ = concat(
        outcome(m1.join$(), (r) => r.generationId),
        defer(() => outcome(m1.sync$({ [m1.memberId]: 'all' }))),
        // m2 joins at 10: PreparingRebalance, generation 1 still current.
        after(20, defer(() => m1.commit$([orders0])).pipe(map(commitResults))),
        outcome(m1.join$(), (r) => r.generationId),
        // Generation 2 is CompletingRebalance until the leader's SyncGroup.
        defer(() => m1.commit$([orders0])).pipe(map(commitResults)),
      );
      expectObservable(m1$).toBe('(ab) 16ms (cde|)', { a: 1, b: 'all', c: { 'orders/0': 'ok' }, d: 2, e: { 'orders/0': 'REBALANCE_IN_PROGRESS' } });
      expectObservable(after(10, outcome(m2.join$(), (r) => r.generationId))).toBe('20ms (a|)', { a: 2 });
    });
  });
});
