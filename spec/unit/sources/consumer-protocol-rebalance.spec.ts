/**
 * The consumer group protocol (KIP-848) end to end on the in-memory cluster, in virtual time: its coordinator
 * assigns (uniform) and members reconcile by heartbeat while records are produced continuously. A member joining
 * ends only the streams of partitions that move; kept partitions keep flowing; every offset is consumed once.
 */
import { InMemoryCluster } from '../../../src/testing';
import { expectExactlyOnce, expectJoinRevokesOne, expectOnlyRevokedStreamsEnd, runRebalanceScenario } from '../../support/rebalance-scenario';

describe('consumer group protocol (in-memory cluster, virtual time)', () => {
  /** a and b from the start (b leaving at 20 s when `leaveB`), c joining at 10 s; the others leave at 40 s. */
  const scenario = (mode: 'messages' | 'partitions', leaveB = false) => {
    const cluster = new InMemoryCluster({ topics: { t: 6 }, consumerGroup: { heartbeatIntervalMs: 500, sessionTimeoutMs: 10000 } });
    /** Every 50 ms: partitions two members were assigned at once (none expected), and the group's state. */
    const samples: { at: number; overlaps: string[]; state?: string; counts: number[] }[] = [];
    const sample = (at: number) => {
      const group = cluster.describeConsumerGroup('g');
      const owners = new Map<number, number>();
      for (const m of group?.members ?? []) for (const p of m.assigned['t'] ?? []) owners.set(p, (owners.get(p) ?? 0) + 1);
      samples.push({ at, overlaps: [...owners].filter(([, n]) => n > 1).map(([p]) => `t-${p}`), state: group?.state, counts: (group?.members ?? []).map((m) => m.assigned['t']?.length ?? 0).sort() });
    };
    const result = runRebalanceScenario({
      cluster,
      config: { groupProtocol: 'consumer', group: { rebalance: { timeout: 30000, drainTimeout: 5000 } } },
      mode,
      members: [{ at: 0, leaveAt: 40_000 }, { at: 250, leaveAt: leaveB ? 20_000 : 40_000 }, { at: 10_000, leaveAt: 40_000 }],
      during: (ts) => {
        for (let t = 0; t < 40_000; t += 50) ts.schedule(() => sample(t), t);
      },
    });
    return { ...result, cluster, samples };
  };

  it.each(['messages', 'partitions'] as const)('%s$: every produced offset is consumed exactly once while a third member joins', (mode) => {
    const result = scenario(mode);
    expect(result.produced).toBe(1800);
    expectExactlyOnce(result);
  });

  it('a member leaving cleanly mid-stream hands over committed partitions: nothing lost or twice', () => {
    const result = scenario('messages', true);
    expectExactlyOnce(result);
    const { members } = result;
    expect(members[0]?.generations.at(-1)?.current['t']?.length).toBe(3);
  });

  it('generations are the consumer protocol, from the coordinator\'s assignor, with their increments', () => {
    const { members } = scenario('messages');
    const [a, , c] = members;
    expect(members.flatMap((m) => m.generations).every((g) => g.rebalanceProtocol === 'consumer' && g.protocol === 'uniform')).toBe(true);
    // c's join at 10 s: a gives one partition up (revoked, nothing added), and c gets it once it is released.
    expectJoinRevokesOne(a, c, 10_000);
  });

  it("partitions$: only the revoked partitions' streams complete, when revoked; kept ones keep delivering with no gap", () => {
    const { members } = scenario('partitions');
    for (const m of members.slice(0, 2)) expectOnlyRevokedStreamsEnd(m, 10_000, 40_000);
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
