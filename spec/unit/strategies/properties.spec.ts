/**
 * Properties of the built-in strategies, checked with fast-check over random groups: every partition of a
 * subscribed, known topic is assigned exactly once and only to a subscriber; range balances each topic among its
 * subscribers; roundrobin balances member totals when subscriptions are identical; plans do not depend on the order
 * of members, topics or partition counts. Also Java's member order (AbstractPartitionAssignorTest) and the registry.
 */
import fc from 'fast-check';
import {
  AssignmentPlan,
  AssignmentStrategy,
  MemberSubscription,
  PartitionCounts,
  compareMembers,
  rebalanceProtocolOf,
  range,
  roundrobin,
  strategyByName,
} from '../../../src/strategies';

const TOPICS = ['a', 'b', 'c', 'orders', '__proto__', 'constructor', 'Z'];

interface Group {
  readonly members: MemberSubscription[];
  readonly counts: PartitionCounts;
}

const memberArb = (id: string): fc.Arbitrary<MemberSubscription> =>
  fc.record({
    memberId: fc.constant(id),
    topics: fc.subarray(TOPICS),
    groupInstanceId: fc.option(fc.constantFrom('i1', 'i2', 'i3', 'i4', 'i5', 'i6', 'i7', 'i8'), { nil: undefined }),
  });

/** Unique member ids and unique instance ids (the coordinator guarantees both). */
const groupArb = (sameTopics: boolean): fc.Arbitrary<Group> =>
  fc
    .tuple(
      fc.uniqueArray(fc.string({ minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 7 }),
      fc.dictionary(fc.constantFrom(...TOPICS), fc.integer({ min: 0, max: 13 })),
      fc.subarray(TOPICS, { minLength: 1 }),
    )
    .chain(([ids, countsDict, shared]) =>
      fc.tuple(...ids.map(memberArb)).map((members) => {
        const seen = new Set<string>();
        const fixed = members.map((mem) => {
          const gid = mem.groupInstanceId && !seen.has(mem.groupInstanceId) ? mem.groupInstanceId : undefined;
          if (gid) seen.add(gid);
          return { ...mem, groupInstanceId: gid, topics: sameTopics ? shared : mem.topics };
        });
        return { members: fixed, counts: Object.fromEntries(Object.entries(countsDict)) };
      }),
    );

const countOf = (counts: PartitionCounts, t: string): number => (Object.hasOwn(counts, t) ? (counts[t] ?? 0) : 0);

/** A canonical, order-independent rendering of a plan. */
const render = (plan: AssignmentPlan): string =>
  JSON.stringify([...plan].sort(([a], [b]) => (a < b ? -1 : 1)).map(([id, tps]) => [id, Object.entries(tps).sort()]));

const shuffle = <T>(xs: readonly T[], keys: readonly number[]): T[] =>
  xs.map((x, i) => ({ x, k: keys[i % Math.max(1, keys.length)] ?? 0, i })).sort((p, q) => p.k - q.k || q.i - p.i).map((p) => p.x);

const STRATEGIES: readonly AssignmentStrategy[] = [range, roundrobin];

describe.each(STRATEGIES)('$name properties', (strategy) => {
  it('assigns every partition of a subscribed, known topic exactly once, and only to a subscriber', () => {
    fc.assert(
      fc.property(groupArb(false), ({ members, counts }) => {
        const plan = strategy.assign(members, counts);
        expect([...plan.keys()].sort()).toEqual(members.map((x) => x.memberId).sort());
        const owners = new Map<string, string>();
        for (const [id, tps] of plan) {
          const member = members.find((x) => x.memberId === id);
          for (const [topic, partitions] of Object.entries(tps)) {
            expect(member?.topics).toContain(topic);
            expect(partitions.length).toBeGreaterThan(0);
            expect([...partitions]).toEqual([...partitions].sort((x, y) => x - y));
            for (const p of partitions) {
              expect(p).toBeGreaterThanOrEqual(0);
              expect(p).toBeLessThan(countOf(counts, topic));
              const key = `${topic}/${p}`;
              expect(owners.has(key)).toBe(false);
              owners.set(key, id);
            }
          }
        }
        const subscribed = new Set(members.flatMap((x) => x.topics));
        const expectedTotal = [...subscribed].reduce((n, t) => n + countOf(counts, t), 0);
        expect(owners.size).toBe(expectedTotal);
      }),
    );
  });

  it('gives the same plan whatever the order of members, of their topics, and of the partition counts', () => {
    fc.assert(
      fc.property(groupArb(false), fc.array(fc.nat(), { minLength: 1, maxLength: 10 }), ({ members, counts }, keys) => {
        const shuffledMembers = shuffle(members, keys).map((x) => ({ ...x, topics: shuffle(x.topics, [...keys].reverse()) }));
        const shuffledCounts = Object.fromEntries(shuffle(Object.entries(counts), keys));
        expect(render(strategy.assign(shuffledMembers, shuffledCounts))).toBe(render(strategy.assign(members, counts)));
      }),
    );
  });
});

describe('balance', () => {
  it('range: per topic, the partition counts of its subscribers differ by at most one, extras going first in Java order', () => {
    fc.assert(
      fc.property(groupArb(false), ({ members, counts }) => {
        const plan = range.assign(members, counts);
        for (const topic of new Set(members.flatMap((x) => x.topics))) {
          const sizes = members
            .filter((x) => x.topics.includes(topic))
            .sort(compareMembers)
            .map((x) => plan.get(x.memberId)?.[topic]?.length ?? 0);
          expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
          expect(sizes).toEqual([...sizes].sort((x, y) => y - x));
        }
      }),
    );
  });

  it('roundrobin: with identical subscriptions, member totals differ by at most one', () => {
    fc.assert(
      fc.property(groupArb(true), ({ members, counts }) => {
        const totals = [...roundrobin.assign(members, counts).values()].map((tps) =>
          Object.values(tps).reduce((n, ps) => n + ps.length, 0),
        );
        expect(Math.max(...totals) - Math.min(...totals)).toBeLessThanOrEqual(1);
      }),
    );
  });
});

describe('compareMembers (Java AbstractPartitionAssignor.MemberInfo.compareTo)', () => {
  const sorted = (ms: MemberSubscription[]): string[] => [...ms].sort(compareMembers).map((x) => x.memberId);
  const mi = (memberId: string, groupInstanceId?: string): MemberSubscription => ({ memberId, groupInstanceId, topics: [] });

  it('testMemberInfoSortingWithoutGroupInstanceId', () => expect(sorted([mi('c'), mi('a'), mi('b')])).toEqual(['a', 'b', 'c']));
  it('testMemberInfoSortingWithAllGroupInstanceId', () =>
    expect(sorted([mi('a', 'y'), mi('b', 'z'), mi('c', 'x')])).toEqual(['c', 'a', 'b']));
  it('testMemberInfoSortingSomeGroupInstanceId', () => expect(sorted([mi('a'), mi('b', 'y'), mi('c', 'x')])).toEqual(['c', 'b', 'a']));
  it('a null group instance id means dynamic; an empty one is static (Optional.of(""))', () =>
    expect(sorted([{ ...mi('a'), groupInstanceId: null }, mi('b', '')])).toEqual(['b', 'a']));
  it('compares UTF-16 code units like String.compareTo, not locale order', () =>
    expect(sorted([mi('b'), mi('B'), mi('a'), mi('é')])).toEqual(['B', 'a', 'b', 'é']));
});

describe('strategyByName', () => {
  it('resolves the built-ins by their protocol names', () => {
    expect(strategyByName('range')).toBe(range);
    expect(strategyByName('roundrobin')).toBe(roundrobin);
  });
  it.each(['sticky', 'cooperative-sticky'])('gives a fresh %s instance per call (it remembers its member\'s assignment)', (name) => {
    const a = strategyByName(name);
    const b = strategyByName(name);
    expect(a?.name).toBe(name);
    expect(a).not.toBe(b); // stateful: one instance per member
  });
  it('returns undefined for anything else', () => {
    expect(strategyByName('Range')).toBeUndefined();
    expect(strategyByName('uniform')).toBeUndefined();
  });
});

describe('rebalanceProtocolOf (Java ConsumerCoordinator: the most advanced protocol every assignor supports)', () => {
  const coop = { supportedProtocols: ['cooperative', 'eager'] as const };
  it.each<[string, Parameters<typeof rebalanceProtocolOf>[0], string | undefined]>([
    ['cooperative-sticky alone rebalances cooperatively', [coop], 'cooperative'],
    ['cooperative-sticky listed with range (the upgrade path) stays eager', [coop, range], 'eager'],
    ['range alone is eager', [range], 'eager'],
    ['no common protocol gives none', [{ supportedProtocols: ['cooperative'] }, range], undefined],
  ])('%s', (_name, strategies, expected) => expect(rebalanceProtocolOf(strategies)).toBe(expected));
});
