/**
 * `partitionStrategy: ['sticky']` in a real group protocol run (the in-memory cluster, virtual time): members report
 * their assignment in the user data, so when a third member joins, the first two keep what balance lets them keep.
 */
import { markOffsets } from '../../../src';
import { InMemoryCluster } from '../../../src/testing';
import { inMemoryGroup, virtualTime } from '../../support/in-memory-group';

type Owned = Readonly<Record<string, readonly number[]>>;
const partitionsOf = (a: Owned | undefined): number[] => [...(a?.['t'] ?? [])];

describe("partitionStrategy 'sticky' in a group", () => {
  it('keeps two of three partitions on each old member when a third member joins a 6-partition topic', () => {
    const ts = virtualTime();
    ts.run(({ flush }) => {
      const cluster = new InMemoryCluster({ topics: { t: 6 } });
      const latest = new Map<string, { protocol: string; current: Owned }>();
      const member = (name: string, at: number) => {
        const { group } = inMemoryGroup(cluster, ts, { groupId: 'g', topics: ['t'], group: { partitionStrategy: ['sticky'] } });
        ts.schedule(() => {
          group.generations$.subscribe((g) => latest.set(name, { protocol: g.protocol, current: g.current as Owned }));
          group.messages$.pipe(markOffsets(group)).subscribe();
        }, at);
        return group;
      };
      const groups = [member('a', 0), member('b', 250)];
      let before: Map<string, number[]> = new Map();
      ts.schedule(() => {
        before = new Map([...latest].map(([n, g]) => [n, partitionsOf(g.current)]));
        groups.push(member('c', 0));
      }, 8000);
      ts.schedule(() => groups.forEach((g) => g.close().subscribe()), 20_000);
      flush();

      expect([...before.values()].map((ps) => ps.length)).toEqual([3, 3]);
      const after = new Map([...latest].map(([n, g]) => [n, partitionsOf(g.current)]));
      expect([...latest.values()].every((g) => g.protocol === 'sticky')).toBe(true);
      expect([...after.values()].map((ps) => ps.length)).toEqual([2, 2, 2]);
      for (const n of ['a', 'b']) {
        const kept = (after.get(n) ?? []).filter((p) => (before.get(n) ?? []).includes(p));
        expect(kept).toHaveLength(2);
      }
      expect(new Set([...after.values()].flat()).size).toBe(6);
    });
  });
});
