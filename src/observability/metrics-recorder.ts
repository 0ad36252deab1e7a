import { LatencySample } from './latency-sample';
import type { BrokerMetrics, ConsumerMetrics, PartitionMetrics } from './metrics';

/** A partition's gauges at snapshot time, read from the session by the caller. */
export interface PartitionGauges {
  readonly topic: string;
  readonly partition: number;
  readonly lag: bigint | undefined;
  readonly position: bigint | undefined;
  readonly committed: bigint | undefined;
  readonly bufferedRecords: number;
  readonly bufferedBytes: number;
  readonly credit: number;
}

interface BrokerInterval {
  fetches: number;
  errors: number;
  bytes: number;
  maxBytes: number;
  readonly latency: LatencySample;
}

const toNumber = (v: bigint | undefined): number | undefined => (v === undefined ? undefined : Number(v));
const key = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

/**
 * Accumulates one interval of consumer activity (fed only while metrics$ is subscribed; rebalances always, they
 * are rare) 
 * and turns it into a ConsumerMetrics snapshot, resetting the interval. Pure: times are passed in.
 */
export class MetricsRecorder {
  private readonly brokers = new Map<number, BrokerInterval>();
  private readonly delivered = new Map<string, { records: number; bytes: number }>();
  private commits = 0;
  private commitFailures = 0;
  private readonly commitLatency = new LatencySample();
  private rebalances = 0;
  private rebalanceStartedAt: number | undefined;
  private lastRebalanceMs: number | undefined;
  private lastGenerationAt: number | undefined;
  private intervalStart: number;

  constructor(
    private readonly groupId: string,
    now: number,
  ) {
    this.intervalStart = now;
  }

  fetched(nodeId: number, latencyMs: number, bytes: number, failed: boolean): void {
    let b = this.brokers.get(nodeId);
    if (!b) this.brokers.set(nodeId, (b = { fetches: 0, errors: 0, bytes: 0, maxBytes: 0, latency: new LatencySample() }));
    b.fetches++;
    b.latency.add(latencyMs);
    if (failed) b.errors++;
    else {
      b.bytes += bytes;
      if (bytes > b.maxBytes) b.maxBytes = bytes;
    }
  }

  committed(latencyMs: number, failed: boolean): void {
    this.commits++;
    this.commitLatency.add(latencyMs);
    if (failed) this.commitFailures++;
  }

  deliveredTo(topic: string, partition: number, records: number, bytes: number): void {
    const k = key(topic, partition);
    const d = this.delivered.get(k);
    if (d) {
      d.records += records;
      d.bytes += bytes;
    } else this.delivered.set(k, { records, bytes });
  }

  rebalanceStarted(now: number): void {
    this.rebalanceStartedAt ??= now;
  }

  generationReceived(now: number): void {
    if (this.rebalanceStartedAt !== undefined) {
      this.rebalances++;
      this.lastRebalanceMs = now - this.rebalanceStartedAt;
      this.rebalanceStartedAt = undefined;
    }
    this.lastGenerationAt = now;
  }

  /** Forgets the interval's counters and starts a new one at `now` (rebalance history stays). */
  restart(now: number): void {
    this.brokers.clear();
    this.delivered.clear();
    this.commits = 0;
    this.commitFailures = 0;
    this.commitLatency.reset();
    this.intervalStart = now;
  }

  /** The interval from the last snapshot to `now`, over the partitions held now; then a new interval begins. */
  snapshot(now: number, held: readonly PartitionGauges[]): ConsumerMetrics {
    const intervalMs = now - this.intervalStart;
    const perSecond = (n: number) => (intervalMs > 0 ? (n * 1000) / intervalMs : 0);
    const partitions: PartitionMetrics[] = held.map((p) => {
      const d = this.delivered.get(key(p.topic, p.partition));
      return {
        topic: p.topic,
        partition: p.partition,
        lag: toNumber(p.lag),
        position: toNumber(p.position),
        committed: toNumber(p.committed),
        recordsPerSecond: perSecond(d?.records ?? 0),
        bytesPerSecond: perSecond(d?.bytes ?? 0),
        bufferedRecords: p.bufferedRecords,
        bufferedBytes: p.bufferedBytes,
        credit: p.credit,
      };
    });
    const brokers: BrokerMetrics[] = [...this.brokers].sort(([a], [b]) => a - b).map(([nodeId, b]) => {
      const ok = b.fetches - b.errors;
      return {
        nodeId,
        fetches: b.fetches,
        fetchErrors: b.errors,
        fetchLatencyP50Ms: b.latency.quantile(0.5),
        fetchLatencyP99Ms: b.latency.quantile(0.99),
        fetchBytesMean: ok > 0 ? b.bytes / ok : undefined,
        fetchBytesMax: ok > 0 ? b.maxBytes : undefined,
      };
    });
    const snapshot: ConsumerMetrics = {
      at: now,
      intervalMs,
      groupId: this.groupId,
      partitions,
      brokers,
      commits: { count: this.commits, failures: this.commitFailures, latencyP50Ms: this.commitLatency.quantile(0.5), latencyP99Ms: this.commitLatency.quantile(0.99) },
      rebalances: {
        count: this.rebalances,
        lastDurationMs: this.lastRebalanceMs,
        sinceLastMs: this.lastGenerationAt === undefined ? undefined : now - this.lastGenerationAt,
        inProgress: this.rebalanceStartedAt !== undefined,
      },
    };
    this.restart(now);
    return snapshot;
  }
}
