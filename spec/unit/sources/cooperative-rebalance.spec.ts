/**
 * Cooperative rebalancing (KIP-429) end to end on the in-memory cluster, in virtual time: `cooperative-sticky`
 * members while records are produced continuously. A rebalance ends only the streams of partitions that move;
 * kept partitions keep flowing (no gap, no re-read), and every produced offset is consumed exactly once.
 */
import { InMemoryCluster } from '../../../src/testing';
import { expectExactlyOnce, expectJoinRevokesOne, expectOnlyRevokedStreamsEnd, runRebalanceScenario } from '../../support/rebalance-scenario';

describe('cooperative rebalancing (in-memory cluster, virtual time)', () => {
  /** a and b from the start, c joining at 10 s; all leave at 40 s. */
  const scenario = (mode: 'messages' | 'partitions') =>
    runRebalanceScenario({
      cluster: new InMemoryCluster({ topics: { t: 6 } }),
      config: { group: { partitionStrategy: ['cooperative-sticky'] } },
      mode,
      members: [{ at: 0, leaveAt: 40_000 }, { at: 250, leaveAt: 40_000 }, { at: 10_000, leaveAt: 40_000 }],
    });

  it.each(['messages', 'partitions'] as const)('%s$: every produced offset is consumed exactly once while a third member joins', (mode) => {
    const result = scenario(mode);
    expect(result.produced).toBe(1800);
    expectExactlyOnce(result);
  });

  it('every generation is cooperative and says what it added, revoked and kept', () => {
    const { members } = scenario('messages');
    expect(members.flatMap((m) => m.generations).every((g) => g.rebalanceProtocol === 'cooperative' && g.protocol === 'cooperative-sticky')).toBe(true);
    // c's join at 10 s: a first gives up one partition (revoked, nothing added), then the follow-up round hands it to c.
    expectJoinRevokesOne(members[0], members[2], 10_000);
  });

  it("partitions$: a rebalance completes only the revoked partitions' streams; kept ones stay open and keep delivering with no gap", () => {
    const { members } = scenario('partitions');
    for (const m of members.slice(0, 2)) expectOnlyRevokedStreamsEnd(m, 10_000, 40_000);
  });
});
