import type { ConsumerConfig, ConsumerGroupConfig } from './types';

const MiB = 1024 * 1024;

/** Everything that has a default: the config minus brokers, groupId and the optional fields. */
export type ConfigDefaults = Omit<ConsumerGroupConfig, 'brokers' | 'groupId' | 'whitelist' | 'blacklist' | 'sasl' | 'consumer'> & {
  readonly consumer: Omit<ConsumerConfig, 'offsets'> & {
    readonly offsets: Omit<ConsumerConfig['offsets'], 'outOfRange'>;
  };
};

const deepFreeze = <T extends object>(o: T): T => {
  Object.values(o).forEach((v) => typeof v === 'object' && v !== null && deepFreeze(v));
  return Object.freeze(o);
};

/**
 * THE defaults, applied by `validateConfig` to every field the input leaves out. Durations in ms, sizes in bytes.
 * No defaults: `brokers`, `groupId` (required); `whitelist`, `blacklist`, `group.instanceId`, `group.userData`,
 * `sasl` (absent unless given); `consumer.offsets.outOfRange` follows `consumer.offsets.initial`, as the Java
 * client's single `auto.offset.reset` and sarama-cluster's `Offsets.Initial` do.
 */
export const CONFIG_DEFAULTS: ConfigDefaults = deepFreeze({
  /** Sent with every request; shows in broker logs and quotas. */
  clientId: 'rx-kafka-cluster',
  groupProtocol: 'classic',
  /** No fixed topics: give `topics` or a `whitelist`. */
  topics: [],
  group: {
    /** 30 s, as sarama-cluster and the Java client. */
    session: { timeout: 30_000 },
    /** 3 s: a tenth of the session, so two lost heartbeats never evict. */
    heartbeat: { interval: 3_000 },
    /** 60 s to rejoin (sarama's Rebalance.Timeout); the drain gets 10 s of it, then marks are committed. */
    rebalance: { timeout: 60_000, drainTimeout: 10_000 },
    /** Java's and sarama-cluster's first choice. */
    partitionStrategy: ['range'],
    /** 3 commit retries, as sarama-cluster. */
    offsets: { retry: { max: 3 } },
    /** 10 s between metadata refreshes: new partitions and whitelist matches appear within that. */
    topics: { refreshInterval: 10_000 },
  },
  consumer: {
    /** Start at the newest offset (sarama's OffsetNewest, Java's latest); commit marks every 1 s. */
    offsets: { initial: 'newest', commitInterval: 1_000 },
    fetch: {
      /** Answer as soon as 1 byte is there. */
      min: 1,
      /** 50 MiB per Fetch response, Java's fetch.max.bytes. */
      max: 50 * MiB,
      /**
       * 4 MiB per partition, not Java's 1 MiB: our decoder reads millions of records/s, so per-partition
       * throughput is bounded by bytes per round trip; 4 MiB keeps one partition busy between fetches while
       * 12 partitions still fit one 50 MiB response.
       */
      partitionMax: 4 * MiB,
      /** The broker holds a Fetch up to 500 ms waiting for `min` bytes (Java's fetch.max.wait.ms). */
      maxWait: 500,
    },
    /** See uncommitted transactional records too, as sarama and Java by default. */
    isolationLevel: 'read_uncommitted',
    /** TCP and the broker already check; CRC32C costs a pass over every byte. Opt in. */
    checkCrcs: false,
    credit: {
      /**
       * 10 000 emitted, not yet returned messages per partition: >= 10 ms of work at 1M msg/s (longer than a
       * LAN round trip, so the next fetch overlaps processing), while tiny records, whose object overhead the
       * byte budgets do not see, stay at a few MB of heap per partition.
       */
      maxMessages: 10_000,
      /**
       * 1 MiB per partition (Java's max.partition.fetch.bytes): with a marker, what a handler slower than the
       * fetches holds per partition, so a slow consumer's memory stays at kafkajs's level (bench s5); a fast one
       * returns credit per delivered batch, so throughput does not depend on it.
       */
      maxBytes: 1 * MiB,
      /** 64 MiB across all partitions of this member. */
      globalMaxBytes: 64 * MiB,
      /**
       * 'auto': credit returns on marks while a marker exists (a `markOffsets` sink is subscribed), bounding
       * in-flight work; otherwise on emission, so users who never mark are never stalled. 'mark' / 'emit' force one.
       */
      returnOn: 'auto',
    },
  },
  retry: {
    /** 5 attempts to reach the cluster before BrokerUnavailable. */
    max: 5,
    /** Backoff doubles from 100 ms up to 5 s. */
    initialBackoff: 100,
    maxBackoff: 5_000,
    /** 30 s per request, Java's request.timeout.ms. */
    requestTimeout: 30_000,
    /** 3 s to open a connection. */
    connectionTimeout: 3_000,
  },
  monitoring: {
    /** A metrics$ snapshot every 5 s (only while subscribed). */
    metricsInterval: 5_000,
    /**
     * 30 s without progress is a stall (stalls$): longer than any healthy pause (a rebalance, a slow batch, a
     * broker failover) and short enough to page someone before lag alerts do.
     */
    stallTimeout: 30_000,
  },
  /** Plaintext unless told otherwise. */
  ssl: false,
});
