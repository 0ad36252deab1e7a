import { Kafka, logLevel, type Admin, type Producer, type CompressionTypes } from 'kafkajs';

/**
 * Topic administration and producing, through kafkajs's public client: the tooling tests, examples,
 * benchmarks and the CLI demo use to set up data. Not part of the consumer; one kafkajs client per kit.
 */
export interface AdminKit {
  createTopic(topic: string, partitions: number, options?: { replicationFactor?: number; config?: Record<string, string> }): Promise<void>;
  deleteTopic(topic: string): Promise<void>;
  /** Produces records (batched, acks=all), spread over partitions by key or explicitly. Resolves when acked. */
  produce(topic: string, records: readonly ProducedRecord[], options?: { compression?: CompressionTypes }): Promise<void>;
  /** Latest offsets (high-water marks) per partition. */
  endOffsets(topic: string): Promise<ReadonlyMap<number, bigint>>;
  /** Committed offsets of a group per partition (-1n when none). */
  committedOffsets(groupId: string, topic: string): Promise<ReadonlyMap<number, bigint>>;
  /** The group's state and member ids as the coordinator describes them. */
  describeGroup(groupId: string): Promise<{ state: string; members: readonly { memberId: string; clientId: string }[] }>;
  close(): Promise<void>;
}

export interface ProducedRecord {
  readonly key?: string | Buffer | null;
  readonly value: string | Buffer | null;
  readonly partition?: number;
  readonly headers?: Record<string, string | Buffer>;
}

export const createAdminKit = (brokers: readonly string[], clientId = 'rx-kafka-cluster-admin-kit'): AdminKit => {
  const kafka = new Kafka({ brokers: [...brokers], clientId, logLevel: logLevel.NOTHING });
  let admin: Promise<Admin> | undefined;
  let producer: Promise<Producer> | undefined;
  const getAdmin = () => (admin ??= (async () => { const a = kafka.admin(); await a.connect(); return a; })());
  const getProducer = () =>
    // Idempotent: a send retried after a timeout (a loaded machine) must not write its records twice.
    (producer ??= (async () => { const p = kafka.producer({ allowAutoTopicCreation: false, idempotent: true, maxInFlightRequests: 1 }); await p.connect(); return p; })());

  return {
    async createTopic(topic, partitions, options = {}) {
      const a = await getAdmin();
      try {
        await a.createTopics({
          waitForLeaders: true,
          topics: [{ topic, numPartitions: partitions, replicationFactor: options.replicationFactor ?? -1, configEntries: Object.entries(options.config ?? {}).map(([name, value]) => ({ name, value })) }],
        });
      } catch (e) {
        // kafkajs's wait for leaders gives up on UNKNOWN_TOPIC_OR_PARTITION, which a broker answers for a while after
        // creating an internal topic (e.g. __transaction_state); the topic exists: the wait below goes on.
        const err = e as { type?: string; originalError?: { type?: string }; cause?: { type?: string } };
        if (![err.type, err.originalError?.type, err.cause?.type].includes('UNKNOWN_TOPIC_OR_PARTITION')) throw e;
      }
      // Wait until metadata shows a leader for every partition (KRaft may lag right after creation).
      for (let attempt = 0; ; attempt++) {
        try {
          const md = await a.fetchTopicMetadata({ topics: [topic] });
          const parts = md.topics[0]?.partitions ?? [];
          if (parts.length === partitions && parts.every((p) => p.leader >= 0)) return;
        } catch (e) {
          if (attempt >= 400) throw e;
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async deleteTopic(topic) {
      await (await getAdmin()).deleteTopics({ topics: [topic] });
    },
    async produce(topic, records, options = {}) {
      const p = await getProducer();
      const chunk = 10000;
      for (let i = 0; i < records.length; i += chunk) {
        await p.send({
          topic,
          acks: -1,
          compression: options.compression,
          messages: records.slice(i, i + chunk).map((r) => ({ key: r.key ?? null, value: r.value, partition: r.partition, headers: r.headers })),
        });
      }
    },
    async endOffsets(topic) {
      const offsets = await (await getAdmin()).fetchTopicOffsets(topic);
      return new Map(offsets.map((o) => [o.partition, BigInt(o.high)]));
    },
    async committedOffsets(groupId, topic) {
      const res = await (await getAdmin()).fetchOffsets({ groupId, topics: [topic] });
      return new Map((res[0]?.partitions ?? []).map((p) => [p.partition, BigInt(p.offset)]));
    },
    async describeGroup(groupId) {
      const { groups } = await (await getAdmin()).describeGroups([groupId]);
      const g = groups[0];
      return { state: g?.state ?? 'Unknown', members: (g?.members ?? []).map((m) => ({ memberId: m.memberId, clientId: m.clientId })) };
    },
    async close() {
      await Promise.all([admin?.then((a) => a.disconnect()), producer?.then((p) => p.disconnect())]);
    },
  };
};

/**
 * Reads `count` messages of a topic from the earliest offset with kafkajs's own consumer (eachBatch), for the
 * harness check and as the baseline peer in measurements. Resolves with the messages' `partition/offset` ids.
 */
export const consumeWithKafkajs = async (brokers: readonly string[], topic: string, groupId: string, count: number): Promise<string[]> => {
  const kafka = new Kafka({ brokers: [...brokers], clientId: 'rx-kafka-cluster-kafkajs-peer', logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId, sessionTimeout: 10000, heartbeatInterval: 1000 });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  const seen: string[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          eachBatch: async ({ batch }) => {
            for (const m of batch.messages) seen.push(`${batch.partition}/${m.offset}`);
            if (seen.length >= count) resolve();
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return seen;
};
