/**
 * KIP-429's upgrade path on the in-memory cluster, in virtual time: a group of `range` members is moved to
 * cooperative rebalancing by two rolling restarts (first `['cooperative-sticky', 'range']`, then
 * `['cooperative-sticky']`) while records are produced; every produced offset is consumed, none twice.
 */
import { tap } from 'rxjs';
import { markOffsets, type ConsumerGroup, type Generation } from '../../../src';
import type { PartitionStrategySetting } from '../../../src/config';
import { InMemoryCluster } from '../../../src/testing';
import { inMemoryGroup, virtualTime } from '../../support/in-memory-group';

const PARTITIONS = 6;

describe('moving a running group from eager to cooperative by rolling restarts', () => {
  it('loses nothing, consumes nothing twice, and ends cooperative with cooperative-sticky', () => {
    const ts = virtualTime();
    const delivered = new Map<string, number>();
    const generations: { member: string; strategies: string; g: Generation }[] = [];
    let produced = 0;
    const cluster = new InMemoryCluster({ topics: { t: PARTITIONS } });
    ts.run(({ flush }) => {
      const start = (member: string, strategies: PartitionStrategySetting[]): ConsumerGroup => {
        const { group } = inMemoryGroup(cluster, ts, { groupId: 'g', topics: ['t'], group: { partitionStrategy: strategies } });
        group.generations$.subscribe((g) => generations.push({ member, strategies: strategies.join(','), g }));
        group.messages$
          .pipe(
            tap((m) => delivered.set(`${m.partition}/${m.offset}`, (delivered.get(`${m.partition}/${m.offset}`) ?? 0) + 1)),
            markOffsets(group),
          )
          .subscribe();
        return group;
      };
      const running = new Map<string, ConsumerGroup>();
      for (const [i, name] of ['a', 'b', 'c'].entries()) ts.schedule(() => running.set(name, start(name, ['range'])), i * 250);
      /** Restarts a member with new strategies: a clean close (drain, commit, leave), then a new member. */
      const restart = (name: string, strategies: PartitionStrategySetting[], at: number) =>
        ts.schedule(() => {
          running.get(name)?.close().subscribe({ complete: () => running.set(name, start(name, strategies)) });
        }, at);
      ['a', 'b', 'c'].forEach((name, i) => restart(name, ['cooperative-sticky', 'range'], 10_000 + i * 5_000));
      ['a', 'b', 'c'].forEach((name, i) => restart(name, ['cooperative-sticky'], 25_000 + i * 5_000));
      for (let t = 0; t < 40_000; t += 100) {
        ts.schedule(() => {
          for (let p = 0; p < PARTITIONS; p++) cluster.produce('t', p, [{ value: `${p}@${t}` }]);
          produced += PARTITIONS;
        }, t);
      }
      ts.schedule(() => running.forEach((g) => g.close().subscribe()), 50_000);
      flush();
    });
    expect(produced).toBe(2400);
    expect(delivered.size).toBe(produced);
    expect([...delivered.entries()].filter(([, n]) => n > 1)).toEqual([]);
    // The first roll keeps rebalancing eagerly (range and cooperative-sticky listed); the group moves to
    // cooperative-sticky once no member lacks it.
    const firstRoll = generations.filter((x) => x.strategies === 'cooperative-sticky,range');
    expect(firstRoll.length).toBeGreaterThan(0);
    expect(firstRoll.every((x) => x.g.rebalanceProtocol === 'eager')).toBe(true);
    expect(firstRoll.at(-1)?.g.protocol).toBe('cooperative-sticky');
    const final = generations.filter((x) => x.strategies === 'cooperative-sticky');
    expect(final.every((x) => x.g.rebalanceProtocol === 'cooperative' && x.g.protocol === 'cooperative-sticky')).toBe(true);
    const last = new Map(final.map((x) => [x.member, x.g.current['t'] ?? []]));
    expect([...last.values()].map((ps) => ps.length)).toEqual([2, 2, 2]);
    expect(new Set([...last.values()].flat()).size).toBe(PARTITIONS);
  });
});
