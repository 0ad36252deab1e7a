/**
 * The consumer group protocol (KIP-848) end to end on the in-memory cluster, in virtual time: its coordinator
 * assigns (uniform) and members reconcile by heartbeat while records are produced continuously. A member joining
 * ends only the streams of partitions that move; kept partitions keep flowing; every offset is consumed once.
 */
import { mergeMap, tap } from 'rxjs';
import { markOffsets, type ConsumerGroup, type Generation } from '../../../src';
import { InMemoryCluster } from '../../../src/testing';
import { inMemoryGroup, virtualTime } from '../../support/in-memory-group';

interface Member {
  readonly group: ConsumerGroup;
  readonly generations: Generation[];
  readonly generationTimes: number[];
  readonly arrivals: Map<number, number[]>;
  readonly streams: { partition: number; started: number; completed?: number }[];
}

const PARTITIONS = 6;
const consumerProtocol = { groupProtocol: 'consumer', group: { rebalance: { timeout: 30000, drainTimeout: 5000 } } } as const;

describe('consumer group protocol (in-memory cluster, virtual time)', () => {
  const scenario = (mode: 'messages' | 'partitions', leaveB = false) => {
    const ts = virtualTime();
    const delivered = new Map<string, number>();
    const members: Member[] = [];
    let produced = 0;
    /** Every 50 ms: partitions two members were assigned at once (none expected), and the group's state. */
    const samples: { at: number; overlaps: string[]; state?: string; counts: number[] }[] = [];
    const cluster = new InMemoryCluster({ topics: { t: PARTITIONS }, consumerGroup: { heartbeatIntervalMs: 500, sessionTimeoutMs: 10000 } });
    ts.run(({ flush }) => {
      const join = (at: number, leaveAt: number) => {
        const { group } = inMemoryGroup(cluster, ts, { groupId: 'g', topics: ['t'], ...consumerProtocol });
        const m: Member = { group, generations: [], generationTimes: [], arrivals: new Map(), streams: [] };
        members.push(m);
        const seen = (partition: number, offset: bigint) => {
          const key = `${partition}/${offset}`;
          delivered.set(key, (delivered.get(key) ?? 0) + 1);
          m.arrivals.set(partition, [...(m.arrivals.get(partition) ?? []), ts.now()]);
        };
        ts.schedule(() => {
          const subs = [group.generations$.subscribe((g) => (m.generations.push(g), m.generationTimes.push(ts.now())))];
          if (mode === 'messages') subs.push(group.messages$.pipe(tap((msg) => seen(msg.partition, msg.offset)), markOffsets(group)).subscribe());
          else {
            subs.push(
              group.partitions$
                .pipe(
                  mergeMap((p) => {
                    const stream = { partition: p.partition, started: ts.now() } as Member['streams'][number];
                    m.streams.push(stream);
                    return p.pipe(tap({ next: (msg) => seen(msg.partition, msg.offset), complete: () => (stream.completed = ts.now()) }), markOffsets(group));
                  }),
                )
                .subscribe(),
            );
          }
          ts.schedule(() => subs.forEach((s) => s.unsubscribe()), leaveAt - at);
        }, at);
      };
      join(0, 40_000);
      join(250, leaveB ? 20_000 : 40_000);
      join(10_000, 40_000);
      for (let t = 0; t < 40_000; t += 50) {
        ts.schedule(() => {
          const group = cluster.describeConsumerGroup('g');
          const owners = new Map<number, number>();
          for (const m of group?.members ?? []) for (const p of m.assigned['t'] ?? []) owners.set(p, (owners.get(p) ?? 0) + 1);
          samples.push({ at: ts.now(), overlaps: [...owners].filter(([, n]) => n > 1).map(([p]) => `t-${p}`), state: group?.state, counts: (group?.members ?? []).map((m) => m.assigned['t']?.length ?? 0).sort() });
        }, t);
      }
      for (let t = 0; t < 30_000; t += 100) {
        ts.schedule(() => {
          for (let p = 0; p < PARTITIONS; p++) cluster.produce('t', p, [{ value: `${p}@${t}` }]);
          produced += PARTITIONS;
        }, t);
      }
      flush();
    });
    return { members, delivered, produced, cluster, samples };
  };

  it.each(['messages', 'partitions'] as const)('%s$: every produced offset is consumed exactly once while a third member joins', (mode) => {
    const { delivered, produced } = scenario(mode);
    expect(produced).toBe(1800);
    expect(delivered.size).toBe(produced);
    expect([...delivered.values()].filter((n) => n > 1)).toEqual([]);
  });

  it('a member leaving cleanly mid-stream hands over committed partitions: nothing lost or twice', () => {
    const { delivered, produced, members } = scenario('messages', true);
    expect(delivered.size).toBe(produced);
    expect([...delivered.values()].filter((n) => n > 1)).toEqual([]);
    expect(members[0]?.generations.at(-1)?.current['t']?.length).toBe(3);
  });

  it('generations are the consumer protocol, from the coordinator\'s assignor, with their increments', () => {
    const { members } = scenario('messages');
    const [a, , c] = members;
    expect(members.flatMap((m) => m.generations).every((g) => g.rebalanceProtocol === 'consumer' && g.protocol === 'uniform')).toBe(true);
    // c's join at 10 s: a gives one partition up (revoked, nothing added), and c gets it once it is released.
    const afterJoin = a?.generations.filter((g, i) => (a.generationTimes[i] ?? 0) >= 10_000 && Object.keys(g.revoked).length > 0) ?? [];
    expect(afterJoin).toHaveLength(1);
    expect(afterJoin[0]?.added).toEqual({});
    expect(afterJoin[0]?.kept['t']).toHaveLength(2);
    expect(afterJoin[0]?.revoked['t']).toHaveLength(1);
    const cOwns = c?.generations.at(-1)?.current['t'] ?? [];
    expect(cOwns).toHaveLength(2);
    expect(cOwns).toContain(afterJoin[0]?.revoked['t']?.[0]);
  });

  it("partitions$: only the revoked partitions' streams complete; kept ones keep delivering with no gap", () => {
    const { members } = scenario('partitions');
    for (const m of members.slice(0, 2)) {
      const revokedAt = m.generations.flatMap((g) => g.revoked['t'] ?? []);
      const completedEarly = m.streams.filter((s) => s.completed !== undefined && s.completed < 40_000).map((s) => s.partition);
      expect(completedEarly.sort()).toEqual(revokedAt.sort());
      const final = m.generations.at(-1)?.current['t'] ?? [];
      expect(final).toHaveLength(2);
      for (const p of final) {
        const streams = m.streams.filter((s) => s.partition === p);
        expect(streams).toHaveLength(1);
        expect(streams[0]?.started).toBeLessThan(10_000);
        const times = (m.arrivals.get(p) ?? []).filter((t) => t >= 5_000);
        const gaps = times.slice(1).map((t, i) => t - (times[i] ?? t));
        expect(times.length).toBeGreaterThan(200);
        expect(Math.max(...gaps)).toBeLessThanOrEqual(200);
      }
    }
  });

  it('the coordinator never assigns a partition to two members at once, and settles stable and balanced', () => {
    const { samples, cluster } = scenario('messages');
    expect(samples.length).toBe(800);
    expect(samples.filter((x) => x.overlaps.length > 0)).toEqual([]);
    // Settled long after c's join, before anyone leaves: three members, two partitions each.
    const settled = samples.find((x) => x.at === 30_000);
    expect(settled).toMatchObject({ state: 'Stable', counts: [2, 2, 2] });
    expect(cluster.describeConsumerGroup('g')?.state).toBe('Empty');
  });
});
