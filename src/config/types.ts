import type { ConnectionOptions } from 'node:tls';
import type { Logger } from '../observability/logger';

/**
 * The configuration of a consumer group: sarama-cluster's `Config` names in camelCase, durations in milliseconds,
 * sizes in bytes. Defaults and their reasons: `CONFIG_DEFAULTS` (defaults.ts).
 */

/** One problem in a configuration: the field's path (`group.session.timeout`, `brokers[1]`) and a message naming it. */
export interface ConfigIssue {
  readonly path: string;
  readonly message: string;
}

/** Where a partition without a committed offset starts. */
export type InitialOffset = 'newest' | 'oldest';
/** What a partition does when its offset is out of range: reset to newest/oldest, or fail. */
export type OutOfRangePolicy = 'newest' | 'oldest' | 'error';
export type IsolationLevel = 'read_uncommitted' | 'read_committed';
/** When a partition's credit comes back: when its messages are marked, or as soon as they are emitted. */
export type CreditReturn = 'mark' | 'emit' | 'auto';

/** A custom assignment strategy, checked structurally here (src/strategies' `AssignmentStrategy` fits). */
export interface StrategyLike {
  readonly name: string;
  readonly supportedProtocols?: readonly ('eager' | 'cooperative')[];
  assign(...args: never[]): unknown;
}
/**
 * A built-in by name (`sticky`, `cooperative-sticky`: a fresh instance per group member), or a strategy object.
 * When every listed strategy supports cooperative rebalancing (only `cooperative-sticky` among the built-ins), the
 * member rebalances cooperatively; otherwise eagerly (KIP-429's upgrade path: list both, then drop the eager one).
 */
export type PartitionStrategySetting = 'range' | 'roundrobin' | 'sticky' | 'cooperative-sticky' | StrategyLike;

/** SASL credentials, as kafkajs takes them. */
export type SaslConfig =
  | {
      readonly mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512';
      readonly username: string;
      readonly password: string;
    }
  | { readonly mechanism: 'oauthbearer'; readonly oauthBearerProvider: () => Promise<{ readonly value: string }> };
export type SaslMechanism = SaslConfig['mechanism'];

/** TLS: `true` for Node's defaults, or the options object kafkajs hands to `tls.connect`. */
export type SslConfig = boolean | Readonly<ConnectionOptions>;

export interface GroupConfig {
  /** ms a member may go without heartbeating before the coordinator evicts it. */
  readonly session: { readonly timeout: number };
  /** ms between heartbeats; at most a third of the session timeout. */
  readonly heartbeat: { readonly interval: number };
  /** timeout: ms members get to rejoin; drainTimeout: ms a revoke waits for marks (less than timeout). */
  readonly rebalance: { readonly timeout: number; readonly drainTimeout: number };
  /** Strategies in preference order, advertised in JoinGroup. */
  readonly partitionStrategy: readonly PartitionStrategySetting[];
  /** KIP-345 static membership id. */
  readonly instanceId?: string;
  /** Bytes put in this member's subscription. */
  readonly userData?: Buffer;
  /** retry.max: commit retries. */
  readonly offsets: { readonly retry: { readonly max: number } };
  /** refreshInterval: ms between metadata refreshes (whitelist matches, new partitions). */
  readonly topics: { readonly refreshInterval: number };
}

export interface ConsumerConfig {
  /** commitInterval in ms. */
  readonly offsets: {
    readonly initial: InitialOffset;
    readonly outOfRange: OutOfRangePolicy;
    readonly commitInterval: number;
  };
  /** min/max/partitionMax in bytes, maxWait in ms. */
  readonly fetch: {
    readonly min: number;
    readonly max: number;
    readonly partitionMax: number;
    readonly maxWait: number;
  };
  readonly isolationLevel: IsolationLevel;
  /** Check each record batch's CRC32C. */
  readonly checkCrcs: boolean;
  /** In-flight budgets: messages and bytes per partition, bytes across partitions. */
  readonly credit: {
    readonly maxMessages: number;
    readonly maxBytes: number;
    readonly globalMaxBytes: number;
    readonly returnOn: CreditReturn;
  };
}

/** Connection and request policy; all ms but `max` (attempts before BrokerUnavailable). */
export interface RetryConfig {
  readonly max: number;
  readonly initialBackoff: number;
  readonly maxBackoff: number;
  readonly requestTimeout: number;
  readonly connectionTimeout: number;
}

/** Observability: how often `metrics$` snapshots, and after how long `stalls$` calls a partition stalled (ms). */
export interface MonitoringConfig {
  readonly metricsInterval: number;
  readonly stallTimeout: number;
}

/** A validated, fully defaulted, deeply readonly configuration. */
export interface ConsumerGroupConfig {
  /** 'host:port' bootstrap addresses. */
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly groupId: string;
  /**
   * The Java client's `group.protocol`: 'classic' (JoinGroup/SyncGroup, client-side strategies) or 'consumer'
   * (KIP-848: ConsumerGroupHeartbeat, server-side assignors, Kafka 4.0+).
   */
  readonly groupProtocol: GroupProtocol;
  /** `group.remote.assignor`: the server-side assignor under the consumer protocol; the broker's default if unset. */
  readonly groupRemoteAssignor?: RemoteAssignor;
  /** Topics to consume, in addition to those the whitelist matches. */
  readonly topics: readonly string[];
  /** Topics matching this are consumed too (unanchored; g and y flags dropped). */
  readonly whitelist?: RegExp;
  /** Topics matching this are never consumed; wins over topics and whitelist. */
  readonly blacklist?: RegExp;
  readonly group: GroupConfig;
  readonly consumer: ConsumerConfig;
  readonly retry: RetryConfig;
  readonly monitoring: MonitoringConfig;
  /** A pino-compatible logger (pino itself fits); unset: only errors nobody subscribes to, on stderr. */
  readonly logger?: Logger;
  readonly ssl: SslConfig;
  readonly sasl?: SaslConfig;
}

type Leaf = string | number | boolean | RegExp | Buffer | Logger | readonly unknown[] | ((...args: never[]) => unknown);
/** Every field optional, recursively; leaves (arrays, buffers, regexes, functions) stay whole. */
export type DeepPartial<T> = T extends Leaf ? T : { readonly [K in keyof T]?: DeepPartial<T[K]> };

export type GroupProtocol = 'classic' | 'consumer';
/** The server-side assignors Kafka ships. */
export type RemoteAssignor = 'uniform' | 'range';

/** What `validateConfig` accepts: `brokers` and `groupId`, anything else optional. */
export interface ConsumerGroupConfigInput {
  readonly brokers: readonly string[];
  readonly groupId: string;
  readonly groupProtocol?: GroupProtocol;
  readonly groupRemoteAssignor?: RemoteAssignor;
  readonly clientId?: string;
  readonly topics?: readonly string[];
  /** A RegExp, or a string compiled as one. */
  readonly whitelist?: RegExp | string;
  readonly blacklist?: RegExp | string;
  readonly group?: DeepPartial<GroupConfig>;
  readonly consumer?: DeepPartial<ConsumerConfig>;
  readonly retry?: Partial<RetryConfig>;
  readonly monitoring?: Partial<MonitoringConfig>;
  readonly logger?: Logger;
  readonly ssl?: SslConfig;
  readonly sasl?: SaslConfig;
}
