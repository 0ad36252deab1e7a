/**
 * stalls$ on the in-memory cluster, in virtual time: a handler stuck on one partition, and a partition paused and
 * forgotten, each reported once after the stall timeout and again when they recover.
 */
import { concatMap, EMPTY, map, mergeMap, Subject, take, timer } from 'rxjs';
import { markOffsets, type KafkaMessage, type Stall } from '../../../src';
import { InMemoryCluster } from '../../../src/testing';
import { inMemoryGroup, virtualTime } from '../../support/in-memory-group';

describe('stalls$ (in-memory cluster, virtual time)', () => {
  const run = (act: (h: { release: Subject<void>; pause(): void; resume(): void }) => void, stuckAt?: { partition: number; offset: bigint }) => {
    const ts = virtualTime();
    const cluster = new InMemoryCluster({ topics: { t: 2 } });
    const stalls: Stall[] = [];
    const processed: string[] = [];
    ts.run(({ flush }) => {
      const { group } = inMemoryGroup(cluster, ts, { groupId: 'g', topics: ['t'], monitoring: { stallTimeout: 2_000 } });
      const release = new Subject<void>();
      // One record per partition every 200 ms until 10 s.
      for (let t = 0; t < 10_000; t += 200) ts.schedule(() => [0, 1].forEach((p) => cluster.produce('t', p, [{ value: `${p}@${t}` }])), t);
      const handle = (m: KafkaMessage) => {
        processed.push(`${m.partition}/${m.offset}`);
        const stuck = stuckAt && m.partition === stuckAt.partition && m.offset === stuckAt.offset;
        return stuck ? release.pipe(take(1), map(() => m)) : timer(5).pipe(map(() => m));
      };
      const consuming = group.partitions$.pipe(mergeMap((p) => p.pipe(concatMap(handle), markOffsets(group)))).subscribe();
      const watching = group.stalls$.subscribe((s) => stalls.push(s));
      act({ release, pause: () => group.pause('t', 0), resume: () => group.resume('t', 0) });
      ts.schedule(() => (watching.unsubscribe(), consuming.unsubscribe()), 14_000);
      flush();
    });
    return { stalls, processed };
  };

  it("a handler stuck on a record: one 'handler' stall for that partition after the timeout, naming it; 'recovered' once it goes on; the other partition never stalls", () => {
    const { stalls, processed } = run(({ release }) => void timer(6_000).subscribe(() => release.next()), { partition: 1, offset: 10n });
    expect(stalls.map((s) => [s.kind, s.topic, s.partition, s.recovered])).toEqual([
      ['handler', 't', 1, false],
      ['handler', 't', 1, true],
    ]);
    const [stall, recovered] = stalls as [Stall, Stall];
    // Offset 10 arrived at 2 s; the marked position stood at 10 (last processed 9) from then on.
    expect(stall.lastOffset).toBe(9n);
    expect(stall.since).toBeGreaterThanOrEqual(2_000);
    expect(stall.since).toBeLessThan(2_100);
    expect(stall.at - stall.since).toBeGreaterThanOrEqual(2_000);
    expect(stall.at - stall.since).toBeLessThanOrEqual(2_200);
    expect(stall.lag).toBeGreaterThan(0n);
    expect(recovered.at).toBeGreaterThanOrEqual(6_000);
    expect(recovered.at).toBeLessThanOrEqual(6_200);
    expect(processed.filter((k) => k.startsWith('1/')).length).toBe(50);
  });

  it("a partition paused and forgotten: a 'fetch' stall after the timeout; resumed, it recovers", () => {
    const { stalls } = run(({ pause, resume }) => {
      timer(1_000).subscribe(() => pause());
      timer(7_000).subscribe(() => resume());
    });
    expect(stalls.map((s) => [s.kind, s.partition, s.recovered])).toEqual([
      ['fetch', 0, false],
      ['fetch', 0, true],
    ]);
    const [stall, recovered] = stalls as [Stall, Stall];
    expect(stall.at).toBeGreaterThanOrEqual(3_000);
    expect(stall.at).toBeLessThanOrEqual(3_400);
    // Not fetched, the partition's lag is as of its last fetch (the high-water mark it saw then).
    expect(stall.lag).toBe(0n);
    expect(stall.lastOffset).toBeGreaterThanOrEqual(4n);
    expect(recovered.at).toBeGreaterThanOrEqual(7_000);
    expect(recovered.at).toBeLessThanOrEqual(7_800);
  });

  it('nothing stalls in a healthy group', () => {
    expect(run(() => EMPTY.subscribe()).stalls).toEqual([]);
  });
});
