import type { BrokerAddress, ClusterMetadata, TopicMetadata } from '../port';
import type { NodeHandle } from './broker-registry';
import { ZERO_TOPIC_ID, type CompactReader } from './compact-codec';
import { flexibleRequest } from './flexible-request';
import { errorFromCode } from './map-error';

interface MetadataV12 extends ClusterMetadata {
  readonly brokers: BrokerAddress[];
}

const topicV12 = (r: CompactReader): TopicMetadata => {
  const errorCode = r.int16();
  const topic = r.string() ?? '';
  const topicId = r.uuid();
  r.bool(); // is internal
  const partitions =
    r.array(() => {
      const code = r.int16();
      const partition = r.int32();
      const leader = r.int32();
      r.int32(); // leader epoch
      const replicas = r.array(() => r.int32()) ?? [];
      const isr = r.array(() => r.int32()) ?? [];
      r.array(() => r.int32()); // offline replicas
      r.tags();
      const error = errorFromCode(code, { topic, partition, api: 'Metadata' });
      return { partition, leader, replicas, isr, ...(error ? { error } : {}) };
    }) ?? [];
  r.int32(); // authorized operations
  r.tags();
  const error = errorFromCode(errorCode, { topic, api: 'Metadata' });
  return { topic, topicId, partitions, ...(error ? { error } : {}) };
};

/**
 * Metadata v12 (flexible), the first version whose topics carry their ids: what the consumer group protocol names
 * topics by. Topics by name (null = all, [] = brokers only).
 */
export const metadataV12 = (node: NodeHandle, topics: readonly string[] | undefined, allowAutoTopicCreation: boolean): Promise<MetadataV12> =>
  node.send(
    flexibleRequest<MetadataV12>(
      { apiKey: 3, apiVersion: 12, apiName: 'Metadata' },
      (w) =>
        w
          .array(topics ?? null, (x, name) => x.uuid(ZERO_TOPIC_ID).string(name).tags())
          .bool(allowAutoTopicCreation)
          .bool(false) // include topic authorized operations
          .tags(),
      (r) => {
        r.int32(); // throttle time
        const brokers =
          r.array((): BrokerAddress => {
            const nodeId = r.int32();
            const host = r.string() ?? '';
            const port = r.int32();
            r.string(); // rack
            r.tags();
            return { nodeId, host, port };
          }) ?? [];
        r.string(); // cluster id
        const controllerId = r.int32();
        const parsed = r.array(() => topicV12(r)) ?? [];
        r.tags();
        return { brokers, controllerId: controllerId >= 0 ? controllerId : undefined, topics: parsed };
      },
    ),
    { api: 'Metadata' },
  );
