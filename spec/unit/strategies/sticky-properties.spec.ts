/**
 * Properties of sticky() and cooperativeSticky() over random groups evolving through rebalances (fast-check):
 * no partition goes to two members, equal subscriptions give counts that differ by at most one, and a partition
 * moves only when balance needs it (members that keep their quota keep their partitions).
 */
import fc from 'fast-check';
import { cooperativeSticky, sticky, type AssignmentPlan, type MemberSubscription, type PartitionCounts } from '../../../src/strategies';

const owners = (plan: AssignmentPlan): Map<string, string[]> => {
  const byPartition = new Map<string, string[]>();
  for (const [member, topics] of plan) {
    for (const [t, ps] of Object.entries(topics)) for (const p of ps) byPartition.set(`${t}-${p}`, [...(byPartition.get(`${t}-${p}`) ?? []), member]);
  }
  return byPartition;
};
const sizes = (plan: AssignmentPlan): number[] => [...plan.values()].map((tp) => Object.values(tp).reduce((n, ps) => n + ps.length, 0));

const group = fc.record({
  counts: fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 4 }),
  members: fc.uniqueArray(fc.string({ minLength: 1, maxLength: 12 }), { minLength: 1, maxLength: 7 }),
  joiner: fc.string({ minLength: 13, maxLength: 20 }),
});

/** Generation 1 from nothing, generation 2 after one member joins, as each member would report it. */
const rebalance = (
  make: typeof sticky,
  counts: PartitionCounts,
  ids: readonly string[],
  previous: AssignmentPlan | undefined,
  generation: number,
): AssignmentPlan => {
  const topics = Object.keys(counts);
  const members: MemberSubscription[] = ids.map((memberId) => {
    const s = make();
    const prev = previous?.get(memberId);
    if (prev) s.onAssignment?.(prev, generation - 1);
    const cooperative = s.name === 'cooperative-sticky';
    return {
      memberId,
      topics,
      userData: s.userData?.() ?? null,
      ownedPartitions: cooperative && prev ? Object.entries(prev).map(([topic, partitions]) => ({ topic, partitions })) : [],
      generationId: prev ? generation - 1 : -1,
    };
  });
  return make().assign(members, counts);
};

describe.each([
  ['sticky', sticky],
  ['cooperative-sticky', cooperativeSticky],
] as const)('%s', (_name, make) => {
  it('never assigns a partition to two members, and (eventually) assigns every partition', () => {
    fc.assert(
      fc.property(group, ({ counts, members, joiner }) => {
        const pc = Object.fromEntries(counts.map((n, i) => [`t${i}`, n]));
        const g1 = rebalance(make, pc, members, undefined, 1);
        const ids = [...members, joiner];
        const g2 = rebalance(make, pc, ids, g1, 2);
        const g3 = rebalance(make, pc, ids, g2, 3); // cooperative's follow-up rebalance hands withheld partitions over
        for (const plan of [g1, g2, g3]) for (const [, who] of owners(plan)) expect(who).toHaveLength(1);
        expect(owners(g3).size).toBe(counts.reduce((a, b) => a + b, 0));
      }),
      { numRuns: 150 },
    );
  });

  it('balances equal subscriptions to within one partition', () => {
    fc.assert(
      fc.property(group, ({ counts, members, joiner }) => {
        const pc = Object.fromEntries(counts.map((n, i) => [`t${i}`, n]));
        const ids = [...members, joiner];
        const g3 = rebalance(make, pc, ids, rebalance(make, pc, ids, rebalance(make, pc, members, undefined, 1), 2), 3);
        const s = sizes(g3);
        expect(Math.max(...s) - Math.min(...s)).toBeLessThanOrEqual(1);
      }),
      { numRuns: 150 },
    );
  });

  it('is sticky: after a join, each old member keeps all it had up to the new quota', () => {
    fc.assert(
      fc.property(group, ({ counts, members, joiner }) => {
        const pc = Object.fromEntries(counts.map((n, i) => [`t${i}`, n]));
        const total = counts.reduce((a, b) => a + b, 0);
        const g1 = rebalance(make, pc, members, undefined, 1);
        const g2 = rebalance(make, pc, [...members, joiner], g1, 2);
        const minQuota = Math.floor(total / (members.length + 1));
        for (const m of members) {
          const before = Object.entries(g1.get(m) ?? {}).flatMap(([t, ps]) => ps.map((p) => `${t}-${p}`));
          const after = new Set(Object.entries(g2.get(m) ?? {}).flatMap(([t, ps]) => ps.map((p) => `${t}-${p}`)));
          const kept = before.filter((p) => after.has(p)).length;
          expect(kept).toBeGreaterThanOrEqual(Math.min(before.length, minQuota));
          // Nothing new arrives at a member that had to give partitions up: moves happen only for balance.
          if (kept < before.length) expect(after.size).toBe(kept);
        }
      }),
      { numRuns: 150 },
    );
  });
});
