/**
 * metrics$ on the in-memory cluster, in virtual time: one snapshot per interval while subscribed, with the figures
 * the group's activity gives (rates from a known production rate, commits, fetches per broker, rebalances).
 */
import { tap } from 'rxjs';
import { markOffsets, type ConsumerMetrics } from '../../../src';
import { InMemoryCluster } from '../../../src/testing';
import { inMemoryGroup, virtualTime } from '../../support/in-memory-group';

describe('metrics$ (in-memory cluster, virtual time)', () => {
  const run = () => {
    const ts = virtualTime();
    const cluster = new InMemoryCluster({ topics: { t: 2 } }).setLatency(5);
    const snapshots: ConsumerMetrics[] = [];
    let consumed = 0;
    ts.run(({ flush }) => {
      const { group } = inMemoryGroup(cluster, ts, { groupId: 'g', topics: ['t'], monitoring: { metricsInterval: 1_000 } });
      // 10 records of 100 bytes per partition every 100 ms: 100 records/s per partition.
      for (let t = 0; t < 10_000; t += 100) ts.schedule(() => [0, 1].forEach((p) => cluster.produce('t', p, Array.from({ length: 10 }, () => ({ value: 'x'.repeat(100) })))), t);
      const consuming = group.messages$.pipe(tap(() => consumed++), markOffsets(group)).subscribe();
      const watching = group.metrics$.subscribe((m) => snapshots.push(m));
      ts.schedule(() => watching.unsubscribe(), 10_500);
      ts.schedule(() => consuming.unsubscribe(), 12_000);
      flush();
    });
    return { snapshots, consumed };
  };

  it('emits one snapshot per interval while subscribed, each covering the interval since the last', () => {
    const { snapshots } = run();
    expect(snapshots.map((m) => m.at)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((s) => s * 1_000));
    expect(snapshots.every((m) => m.intervalMs === 1_000 && m.groupId === 'g')).toBe(true);
  });

  it('per partition: records and bytes per second match the production rate, lag stays small, position and committed follow', () => {
    const { snapshots } = run();
    for (const m of snapshots.slice(2)) {
      expect(m.partitions.map((p) => p.partition)).toEqual([0, 1]);
      for (const p of m.partitions) {
        expect(p.recordsPerSecond).toBeGreaterThanOrEqual(90);
        expect(p.recordsPerSecond).toBeLessThanOrEqual(110);
        expect(p.bytesPerSecond / p.recordsPerSecond).toBeGreaterThan(100);
        expect(p.lag).toBeLessThanOrEqual(20);
        expect(p.position).toBeGreaterThan(0);
        expect(p.committed).toBeLessThanOrEqual(p.position ?? 0);
        expect(p.bufferedRecords + p.credit).toBe(10_000);
      }
    }
    const last = snapshots.at(-1);
    expect(last?.partitions.map((p) => p.position)).toEqual([1000, 1000]);
  });

  it('per broker: fetches with latencies at least the injected 5 ms and their sizes; commits counted with latencies; the join counted as a rebalance', () => {
    const { snapshots } = run();
    const m = snapshots[4] as ConsumerMetrics;
    expect(m.brokers.length).toBeGreaterThan(0);
    for (const b of m.brokers) {
      expect(b.fetches).toBeGreaterThan(0);
      expect(b.fetchErrors).toBe(0);
      expect(b.fetchLatencyP50Ms).toBeGreaterThanOrEqual(5);
      expect(b.fetchLatencyP99Ms).toBeGreaterThanOrEqual(b.fetchLatencyP50Ms ?? 0);
      expect(b.fetchBytesMax).toBeGreaterThanOrEqual(b.fetchBytesMean ?? 0);
    }
    expect(m.commits.count).toBeGreaterThanOrEqual(1);
    expect(m.commits.failures).toBe(0);
    expect(m.commits.latencyP50Ms).toBeGreaterThanOrEqual(5);
    expect(m.rebalances).toMatchObject({ count: 1, inProgress: false });
    expect(m.rebalances.sinceLastMs).toBeGreaterThan(4_000);
  });
});
