/**
 * What `metrics$` emits: one snapshot per interval, plain values (numbers, strings; offsets as numbers, exact below
 * 2^53), ready for any exporter. Rates and latencies are over the interval that just ended; gauges are as of `at`.
 */
export interface ConsumerMetrics {
  /** When the snapshot was taken (the group's scheduler clock, ms). */
  readonly at: number;
  /** The length of the interval the rates and latencies cover (ms). */
  readonly intervalMs: number;
  readonly groupId: string;
  /** One entry per partition held now. */
  readonly partitions: readonly PartitionMetrics[];
  /** One entry per broker fetched from in the interval. */
  readonly brokers: readonly BrokerMetrics[];
  readonly commits: CommitMetrics;
  readonly rebalances: RebalanceMetrics;
}

export interface PartitionMetrics {
  readonly topic: string;
  readonly partition: number;
  /** High-water mark minus `position`; undefined before the first fetch. */
  readonly lag: number | undefined;
  /** The next offset to process: after what was marked, or the fetch position when nothing marks. */
  readonly position: number | undefined;
  /** The last offset committed for the partition (the next one to consume), if any. */
  readonly committed: number | undefined;
  readonly recordsPerSecond: number;
  readonly bytesPerSecond: number;
  /** Records and bytes delivered to the application and not yet marked (the credit in use). */
  readonly bufferedRecords: number;
  readonly bufferedBytes: number;
  /** Records the partition may still have in flight before fetching pauses for it (its credit). */
  readonly credit: number;
}

export interface BrokerMetrics {
  readonly nodeId: number;
  readonly fetches: number;
  readonly fetchErrors: number;
  readonly fetchLatencyP50Ms: number | undefined;
  readonly fetchLatencyP99Ms: number | undefined;
  /** Record bytes per fetch response: mean and largest. */
  readonly fetchBytesMean: number | undefined;
  readonly fetchBytesMax: number | undefined;
}

export interface CommitMetrics {
  /** OffsetCommit requests answered in the interval, and those that failed (a request error or a partition error). */
  readonly count: number;
  readonly failures: number;
  readonly latencyP50Ms: number | undefined;
  readonly latencyP99Ms: number | undefined;
}

export interface RebalanceMetrics {
  /** Rebalances completed since the group started (a generation received after a rebalance began). */
  readonly count: number;
  /** From the last rebalance's start to its generation (ms). */
  readonly lastDurationMs: number | undefined;
  /** Since the last generation arrived (ms). */
  readonly sinceLastMs: number | undefined;
  /** True while a rebalance is under way. */
  readonly inProgress: boolean;
}
