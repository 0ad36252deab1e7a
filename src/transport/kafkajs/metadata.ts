import Encoder from 'kafkajs/src/protocol/encoder';
import * as findCoordinatorRequest from 'kafkajs/src/protocol/requests/findCoordinator';
import * as metadataV6 from 'kafkajs/src/protocol/requests/metadata/v6/response';
import type { ProtocolRequest } from 'kafkajs/src/network/connectionPool';
import type { BrokerAddress, ClusterMetadata } from '../port';
import type { BrokerRegistry } from './broker-registry';
import { errorFromCode } from './map-error';
import { metadataV12 } from './metadata-v12';

type MetadataV6 = Awaited<ReturnType<typeof metadataV6.decode>>;

/**
 * Metadata v6, encoded here: kafkajs writes an empty topic list as null ("all topics"), and we need both
 * null (all) and [] (brokers only, used to refresh node addresses). The response is decoded by kafkajs.
 */
const metadataRequest = (topics: readonly string[] | undefined, allowAutoTopicCreation: boolean): ProtocolRequest<MetadataV6> => ({
  request: {
    apiKey: 3,
    apiVersion: 6,
    apiName: 'Metadata',
    encode: async () => {
      const e = new Encoder();
      if (topics === undefined) e.writeInt32(-1);
      else e.writeArray([...topics], 'string');
      return e.writeBoolean(allowAutoTopicCreation);
    },
  },
  response: { decode: metadataV6.decode, parse: async (d) => d },
});

/**
 * Metadata from any broker; the broker list also refreshes the registry's node addresses. With `topicIds`, v12
 * (which answers topic ids), else v6.
 */
export const fetchMetadata = async (
  registry: BrokerRegistry,
  topics: readonly string[] | undefined,
  allowAutoTopicCreation: boolean,
  topicIds = false,
): Promise<ClusterMetadata> => {
  const node = await registry.anyBroker();
  if (topicIds) {
    const md = await metadataV12(node, topics, allowAutoTopicCreation);
    await registry.update(md.brokers);
    return md;
  }
  const res = await node.send(metadataRequest(topics, allowAutoTopicCreation), { api: 'Metadata' });
  const brokers: BrokerAddress[] = res.brokers.map(({ nodeId, host, port }) => ({ nodeId, host, port }));
  await registry.update(brokers);
  return {
    brokers,
    controllerId: res.controllerId >= 0 ? res.controllerId : undefined,
    topics: res.topicMetadata.map((t) => ({
      topic: t.topic,
      error: errorFromCode(t.topicErrorCode, { topic: t.topic, api: 'Metadata' }),
      partitions: t.partitionMetadata.map((p) => ({
        partition: p.partitionId,
        leader: p.leader,
        replicas: p.replicas,
        isr: p.isr,
        error: errorFromCode(p.partitionErrorCode, { topic: t.topic, partition: p.partitionId, api: 'Metadata' }),
      })),
    })),
  };
};

/** FindCoordinator v2 (group) from any broker. A broker error code fails the request. */
export const findCoordinator = async (registry: BrokerRegistry, groupId: string): Promise<BrokerAddress> => {
  const node = await registry.anyBroker();
  const res = await node.send(findCoordinatorRequest.protocol({ version: 2 })({ groupId, coordinatorType: 0 }), { group: groupId, api: 'FindCoordinator' });
  const error = errorFromCode(res.errorCode, { group: groupId, api: 'FindCoordinator', broker: node.address });
  if (error) throw error;
  return res.coordinator;
};
