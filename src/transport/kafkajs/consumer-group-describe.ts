import { KafkaClientError, type ErrorContext } from '../../errors';
import type { ConsumerGroupDescription, DescribeGroupRequest, NamedTopicIdPartitions } from '../port';
import type { NodeLookup } from './broker-registry';
import type { CompactReader } from './compact-codec';
import { flexibleRequest } from './flexible-request';
import { errorFromCode } from './map-error';

interface Decoded extends ConsumerGroupDescription {
  readonly errorCode: number;
  readonly errorMessage: string | null;
}

const assignment = (r: CompactReader): NamedTopicIdPartitions[] => {
  const topics =
    r.array((): NamedTopicIdPartitions => {
      const topicId = r.uuid();
      const topic = r.string() ?? '';
      const partitions = r.array(() => r.int32()) ?? [];
      r.tags();
      return { topicId, topic, partitions };
    }) ?? [];
  r.tags();
  return topics;
};

/** ConsumerGroupDescribe v0 (API 69, KIP-848, flexible), one group: as the JSON schema of Kafka 4.x lays it out. */
const describeV0 = (groupId: string) =>
  flexibleRequest<Decoded>(
    { apiKey: 69, apiVersion: 0, apiName: 'ConsumerGroupDescribe' },
    (w) =>
      w
        .array([groupId], (x, g) => x.string(g))
        .bool(false) // include authorized operations
        .tags(),
    (r) => {
      r.int32(); // throttle time
      const groups =
        r.array((): Decoded => {
          const errorCode = r.int16();
          const errorMessage = r.string();
          const id = r.string() ?? '';
          const state = r.string() ?? '';
          const groupEpoch = r.int32();
          const assignmentEpoch = r.int32();
          const assignor = r.string() ?? '';
          const members =
            r.array(() => {
              const memberId = r.string() ?? '';
              const instanceId = r.string();
              const rackId = r.string();
              const memberEpoch = r.int32();
              const clientId = r.string() ?? '';
              const clientHost = r.string() ?? '';
              const subscribedTopicNames = r.array(() => r.string() ?? '') ?? [];
              const subscribedTopicRegex = r.string();
              const current = assignment(r);
              const target = assignment(r);
              r.tags();
              return {
                memberId,
                ...(instanceId === null ? {} : { instanceId }),
                ...(rackId === null ? {} : { rackId }),
                memberEpoch,
                clientId,
                clientHost,
                subscribedTopicNames,
                ...(subscribedTopicRegex === null ? {} : { subscribedTopicRegex }),
                assignment: current,
                targetAssignment: target,
              };
            }) ?? [];
          r.int32(); // authorized operations
          r.tags();
          return { errorCode, errorMessage, groupId: id, state, groupEpoch, assignmentEpoch, assignor, members };
        }) ?? [];
      r.tags();
      return groups[0] ?? { errorCode: 69, errorMessage: null, groupId, state: '', groupEpoch: -1, assignmentEpoch: -1, assignor: '', members: [] };
    },
  );

/**
 * ConsumerGroupDescribe to the group's coordinator. A classic group (or none) is GROUP_ID_NOT_FOUND, a broker
 * before Kafka 4.0 UNSUPPORTED_VERSION: callers fall back to DescribeGroups, as Java's admin client does.
 */
export const consumerGroupDescribe = async (coordinator: NodeLookup, q: DescribeGroupRequest): Promise<ConsumerGroupDescription> => {
  const context: ErrorContext = { group: q.groupId, api: 'ConsumerGroupDescribe' };
  const node = await coordinator(q.coordinator, context);
  const { errorCode, errorMessage, ...res } = await node.send(describeV0(q.groupId), context);
  const error = errorFromCode(errorCode, { ...context, broker: node.address });
  if (error) {
    throw errorMessage ? new KafkaClientError({ tag: error._tag, code: error.code, retriable: error.retriable, message: `Broker returned ${error.code ?? errorCode}: ${errorMessage}`, context: error.context }) : error;
  }
  return res;
};
