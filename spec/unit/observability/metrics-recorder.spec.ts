import { MetricsRecorder } from '../../../src/observability/metrics-recorder';

const gauges = (partition: number) => ({ topic: 't', partition, lag: 3n, position: 10n, committed: 8n, bufferedRecords: 2, bufferedBytes: 200, credit: 98 });

describe('MetricsRecorder', () => {
  it('turns one interval into a snapshot: per-second rates, per-broker fetch figures, commits, gauges as numbers', () => {
    const r = new MetricsRecorder('g', 1_000);
    r.deliveredTo('t', 0, 30, 3000);
    r.deliveredTo('t', 0, 20, 2000);
    r.fetched(2, 10, 500, false);
    r.fetched(2, 30, 1500, false);
    r.fetched(2, 90, 0, true);
    r.fetched(1, 5, 100, false);
    r.committed(4, false);
    r.committed(8, true);
    const m = r.snapshot(3_000, [gauges(0), gauges(1)]);
    expect(m).toMatchObject({ at: 3_000, intervalMs: 2_000, groupId: 'g', commits: { count: 2, failures: 1, latencyP50Ms: 4, latencyP99Ms: 8 } });
    expect(m.partitions).toEqual([
      { topic: 't', partition: 0, lag: 3, position: 10, committed: 8, recordsPerSecond: 25, bytesPerSecond: 2500, bufferedRecords: 2, bufferedBytes: 200, credit: 98 },
      { topic: 't', partition: 1, lag: 3, position: 10, committed: 8, recordsPerSecond: 0, bytesPerSecond: 0, bufferedRecords: 2, bufferedBytes: 200, credit: 98 },
    ]);
    expect(m.brokers).toEqual([
      { nodeId: 1, fetches: 1, fetchErrors: 0, fetchLatencyP50Ms: 5, fetchLatencyP99Ms: 5, fetchBytesMean: 100, fetchBytesMax: 100 },
      { nodeId: 2, fetches: 3, fetchErrors: 1, fetchLatencyP50Ms: 30, fetchLatencyP99Ms: 90, fetchBytesMean: 1000, fetchBytesMax: 1500 },
    ]);
  });

  it('starts a new interval after each snapshot: counters reset, gauges and rebalance history stay', () => {
    const r = new MetricsRecorder('g', 0);
    r.rebalanceStarted(100);
    expect(r.snapshot(500, []).rebalances).toEqual({ count: 0, lastDurationMs: undefined, sinceLastMs: undefined, inProgress: true });
    r.generationReceived(700);
    r.committed(3, false);
    r.fetched(1, 3, 10, false);
    expect(r.snapshot(1_000, []).rebalances).toEqual({ count: 1, lastDurationMs: 600, sinceLastMs: 300, inProgress: false });
    const next = r.snapshot(2_000, [gauges(0)]);
    expect(next).toMatchObject({ intervalMs: 1_000, brokers: [], commits: { count: 0, failures: 0, latencyP50Ms: undefined }, rebalances: { count: 1, sinceLastMs: 1_300 } });
    expect(next.partitions[0]?.recordsPerSecond).toBe(0);
  });
});
