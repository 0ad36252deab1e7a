import { KafkaClientError, type ErrorContext } from '../../errors';
import type { ConsumerGroupHeartbeatRequest, ConsumerGroupHeartbeatResponse, TopicIdPartitions } from '../port';
import type { NodeLookup } from './broker-registry';
import type { CompactReader } from './compact-codec';
import { flexibleRequest } from './flexible-request';
import { errorFromCode } from './map-error';

/** What the broker said, before its error code is read. */
interface Decoded extends ConsumerGroupHeartbeatResponse {
  readonly errorCode: number;
  readonly errorMessage: string | null;
}

const topicPartitions = (r: CompactReader): TopicIdPartitions => {
  const topicId = r.uuid();
  const partitions = r.array(() => r.int32()) ?? [];
  r.tags();
  return { topicId, partitions };
};

/** ConsumerGroupHeartbeat v1 (KIP-848), flexible: the request as the JSON schema of Kafka 4.x lays it out. */
const heartbeatV1 = (q: ConsumerGroupHeartbeatRequest) =>
  flexibleRequest<Decoded>(
    { apiKey: 68, apiVersion: 1, apiName: 'ConsumerGroupHeartbeat' },
    (w) =>
      w
        .string(q.groupId)
        .string(q.memberId)
        .int32(q.memberEpoch)
        .string(q.instanceId ?? null)
        .string(q.rackId ?? null)
        .int32(q.rebalanceTimeoutMs)
        .array(q.subscribedTopicNames ?? null, (x, t) => x.string(t))
        .string(q.subscribedTopicRegex ?? null)
        .string(q.serverAssignor ?? null)
        .array(q.ownedPartitions ?? null, (x, tp) =>
          x
            .uuid(tp.topicId)
            .array(tp.partitions, (y, p) => y.int32(p))
            .tags(),
        )
        .tags(),
    (r) => {
      r.int32(); // throttle time
      const errorCode = r.int16();
      const errorMessage = r.string();
      const memberId = r.string() ?? '';
      const memberEpoch = r.int32();
      const heartbeatIntervalMs = r.int32();
      // A nullable struct: a signed byte, -1 for null.
      const present = r.int8() >= 0;
      let assignment: TopicIdPartitions[] | undefined;
      if (present) {
        assignment = r.array(() => topicPartitions(r)) ?? [];
        r.tags();
      }
      r.tags();
      return { errorCode, errorMessage, memberId, memberEpoch, heartbeatIntervalMs, ...(assignment ? { assignment } : {}) };
    },
  );

/**
 * One heartbeat to the coordinator. A broker without API 68 v1 (before Kafka 4.0, or with the consumer protocol
 * disabled) fails with UNSUPPORTED_VERSION saying so: there is no fallback to the classic protocol.
 */
export const consumerGroupHeartbeat = async (coordinator: NodeLookup, q: ConsumerGroupHeartbeatRequest): Promise<ConsumerGroupHeartbeatResponse> => {
  const context: ErrorContext = { group: q.groupId, member: q.memberId, generation: q.memberEpoch, api: 'ConsumerGroupHeartbeat' };
  const node = await coordinator(q.coordinator, context);
  let res: Decoded;
  try {
    res = await node.send(heartbeatV1(q), context);
  } catch (e) {
    if (e instanceof KafkaClientError && e.code === 'UNSUPPORTED_VERSION') {
      throw new KafkaClientError({
        tag: 'KafkaProtocolError',
        code: 'UNSUPPORTED_VERSION',
        message: `Broker does not support the consumer group protocol (KIP-848: ConsumerGroupHeartbeat v1, Kafka 4.0+ with group.coordinator.rebalance.protocols including consumer); use groupProtocol 'classic'`,
        context: { ...context, broker: node.address },
        cause: e,
      });
    }
    throw e;
  }
  const error = errorFromCode(res.errorCode, { ...context, broker: node.address });
  if (error) {
    throw res.errorMessage ? new KafkaClientError({ tag: error._tag, code: error.code, retriable: error.retriable, message: `Broker returned ${error.code ?? res.errorCode}: ${res.errorMessage}`, context: error.context }) : error;
  }
  return { memberId: res.memberId, memberEpoch: res.memberEpoch, heartbeatIntervalMs: res.heartbeatIntervalMs, ...(res.assignment ? { assignment: res.assignment } : {}) };
};
