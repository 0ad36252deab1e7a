/**
 * Cooperative rebalancing (KIP-429) end to end on the in-memory cluster, in virtual time: `cooperative-sticky`
 * members while records are produced continuously. A rebalance ends only the streams of partitions that move;
 * kept partitions keep flowing (no gap, no re-read), and every produced offset is consumed exactly once.
 */
import { mergeMap, tap } from 'rxjs';
import { markOffsets, type ConsumerGroup, type Generation } from '../../../src';
import { InMemoryCluster } from '../../../src/testing';
import { inMemoryGroup, virtualTime } from '../../support/in-memory-group';

interface Member {
  readonly name: string;
  readonly group: ConsumerGroup;
  readonly generations: Generation[];
  /** The virtual time each generation arrived. */
  readonly generationTimes: number[];
  /** Per partition, the virtual times its messages arrived. */
  readonly arrivals: Map<number, number[]>;
  /** Per partition stream (partition mode): when it started and when it completed. */
  readonly streams: { partition: number; started: number; completed?: number }[];
}

const PARTITIONS = 6;

describe('cooperative rebalancing (in-memory cluster, virtual time)', () => {
  const scenario = (mode: 'messages' | 'partitions') => {
    const ts = virtualTime();
    const delivered = new Map<string, number>();
    const members: Member[] = [];
    let produced = 0;
    const cluster = new InMemoryCluster({ topics: { t: PARTITIONS } });
    ts.run(({ flush }) => {
      const join = (name: string, at: number, leaveAt: number) => {
        const { group } = inMemoryGroup(cluster, ts, { groupId: 'g', topics: ['t'], group: { partitionStrategy: ['cooperative-sticky'] } });
        const m: Member = { name, group, generations: [], generationTimes: [], arrivals: new Map(), streams: [] };
        members.push(m);
        const seen = (partition: number, offset: bigint) => {
          const key = `${partition}/${offset}`;
          delivered.set(key, (delivered.get(key) ?? 0) + 1);
          m.arrivals.set(partition, [...(m.arrivals.get(partition) ?? []), ts.now()]);
        };
        ts.schedule(() => {
          const subs = [group.generations$.subscribe((g) => {
            m.generations.push(g);
            m.generationTimes.push(ts.now());
          })];
          if (mode === 'messages') {
            subs.push(group.messages$.pipe(tap((msg) => seen(msg.partition, msg.offset)), markOffsets(group)).subscribe());
          } else {
            subs.push(
              group.partitions$
                .pipe(
                  mergeMap((p) => {
                    const stream = { partition: p.partition, started: ts.now() } as Member['streams'][number];
                    m.streams.push(stream);
                    return p.pipe(
                      tap({ next: (msg) => seen(msg.partition, msg.offset), complete: () => (stream.completed = ts.now()) }),
                      markOffsets(group),
                    );
                  }),
                )
                .subscribe(),
            );
          }
          ts.schedule(() => subs.forEach((s) => s.unsubscribe()), leaveAt - at);
        }, at);
      };
      join('a', 0, 40_000);
      join('b', 250, 40_000);
      join('c', 10_000, 40_000);
      // One record per partition every 100 ms, from 0 to 30 s.
      for (let t = 0; t < 30_000; t += 100) {
        ts.schedule(() => {
          for (let p = 0; p < PARTITIONS; p++) cluster.produce('t', p, [{ value: `${p}@${t}` }]);
          produced += PARTITIONS;
        }, t);
      }
      flush();
    });
    return { members, delivered, produced };
  };

  it.each(['messages', 'partitions'] as const)('%s$: every produced offset is consumed exactly once while a third member joins', (mode) => {
    const { delivered, produced } = scenario(mode);
    expect(produced).toBe(1800);
    expect(delivered.size).toBe(produced);
    expect([...delivered.values()].filter((n) => n > 1)).toEqual([]);
  });

  it('every generation is cooperative and says what it added, revoked and kept', () => {
    const { members } = scenario('messages');
    const [a, , c] = members;
    expect(members.flatMap((m) => m.generations).every((g) => g.rebalanceProtocol === 'cooperative' && g.protocol === 'cooperative-sticky')).toBe(true);
    // c's join at 10 s: a first gives up one partition (revoked, nothing added), then the follow-up round hands it to c.
    const afterJoin = a?.generations.filter((g, i) => (a.generationTimes[i] ?? 0) >= 10_000 && Object.keys(g.revoked).length > 0) ?? [];
    expect(afterJoin).toHaveLength(1);
    const revoking = afterJoin[0];
    expect(revoking?.added).toEqual({});
    expect(revoking?.kept['t']).toHaveLength(2);
    expect(revoking?.revoked['t']).toHaveLength(1);
    const cOwns = c?.generations.at(-1)?.current['t'] ?? [];
    expect(cOwns).toHaveLength(2);
    expect(cOwns).toContain(revoking?.revoked['t']?.[0]);
  });

  it("partitions$: a rebalance completes only the revoked partitions' streams; kept ones stay open and keep delivering with no gap", () => {
    const { members } = scenario('partitions');
    for (const m of members.slice(0, 2)) {
      // Streams that ended before the members left are exactly those of revoked partitions, when they were revoked.
      const revokedAt = m.generations.flatMap((g, i) => (g.revoked['t'] ?? []).map((p) => `${p}@${m.generationTimes[i]}`));
      const completedAt = m.streams.filter((s) => s.completed !== undefined && s.completed < 40_000).map((s) => `${s.partition}@${s.completed}`);
      expect(completedAt.sort()).toEqual(revokedAt.sort());
      // What it owns at the end was owned before c joined, by one stream each (kept partitions are not re-emitted).
      const final = m.generations.at(-1)?.current['t'] ?? [];
      expect(final).toHaveLength(2);
      for (const p of final) {
        const streams = m.streams.filter((s) => s.partition === p);
        expect(streams).toHaveLength(1);
        expect(streams[0]?.started).toBeLessThan(10_000);
        const times = (m.arrivals.get(p) ?? []).filter((t) => t >= 5_000);
        const gaps = times.slice(1).map((t, i) => t - (times[i] ?? t));
        // Records arrive every 100 ms and a fetch waits up to 100 ms: across c's join a kept partition never pauses.
        expect(times.length).toBeGreaterThan(200);
        expect(Math.max(...gaps)).toBeLessThanOrEqual(200);
      }
    }
  });
});
