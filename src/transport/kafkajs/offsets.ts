import Encoder from 'kafkajs/src/protocol/encoder';
import * as offsetFetchRequest from 'kafkajs/src/protocol/requests/offsetFetch';
import * as offsetCommitV5 from 'kafkajs/src/protocol/requests/offsetCommit/v5/response';
import * as listOffsetsRequest from 'kafkajs/src/protocol/requests/listOffsets';
import type { ProtocolRequest } from 'kafkajs/src/network/connectionPool';
import { protocolError, type ErrorContext } from '../../errors';
import type {
  ClusterMetadata,
  ListOffsetsPartition,
  ListOffsetsRequest,
  OffsetCommitRequest,
  OffsetFetchPartition,
  OffsetFetchRequest,
  PartitionResult,
  TopicPartition,
} from '../port';
import type { NodeLookup } from './broker-registry';
import { flexibleRequest } from './flexible-request';
import { errorFromCode, mapKafkajsError } from './map-error';

/** Groups partitions by topic, in first-seen order, as Kafka requests list them. */
export const byTopic = <P extends TopicPartition>(partitions: readonly P[]): { topic: string; partitions: P[] }[] => {
  const topics = new Map<string, P[]>();
  for (const p of partitions) {
    const list = topics.get(p.topic);
    if (list) list.push(p);
    else topics.set(p.topic, [p]);
  }
  return [...topics].map(([topic, ps]) => ({ topic, partitions: ps }));
};

const failOn = (code: number, context: ErrorContext): void => {
  const error = errorFromCode(code, context);
  if (error) throw error;
};

export interface OffsetFetchResponse {
  readonly errorCode: number;
  readonly responses: readonly { topic: string; partitions: readonly { partition: number; offset: string; metadata: string | null; errorCode: number }[] }[];
}

/**
 * OffsetFetch v9 (flexible, one group), read into the v4 layout with the group's error code as the top-level one.
 * A consumer-protocol member sends its member id and epoch (as the Java client does); a tool sends none (null,
 * epoch -1). `partitions` null asks for every partition the group has committed.
 */
export const offsetFetchV9 = (groupId: string, partitions: readonly TopicPartition[] | null, member: { readonly memberId: string; readonly memberEpoch: number } | null, requireStable = false) =>
  flexibleRequest<OffsetFetchResponse>(
    { apiKey: 9, apiVersion: 9, apiName: 'OffsetFetch' },
    (w) =>
      w
        .array([groupId], (x, g) =>
          x
            .string(g)
            .string(member?.memberId ?? null)
            .int32(member?.memberEpoch ?? -1)
            .array(partitions && byTopic(partitions), (y, t) => y.string(t.topic).array(t.partitions, (z, p) => z.int32(p.partition)).tags())
            .tags(),
        )
        .bool(requireStable)
        .tags(),
    (d) => {
      d.int32(); // throttle time
      const groups =
        d.array(() => {
          d.string(); // group id
          const responses =
            d.array(() => {
              const topic = d.string() ?? '';
              const partitions =
                d.array(() => {
                  const partition = d.int32();
                  const offset = d.int64().toString();
                  d.int32(); // committed leader epoch
                  const metadata = d.string();
                  const errorCode = d.int16();
                  d.tags();
                  return { partition, offset, metadata, errorCode };
                }) ?? [];
              d.tags();
              return { topic, partitions };
            }) ?? [];
          const errorCode = d.int16();
          d.tags();
          return { errorCode, responses };
        }) ?? [];
      d.tags();
      return groups[0] ?? { errorCode: 0, responses: [] };
    },
  );

/**
 * OffsetFetch to the coordinator: v4, or v9 for a consumer-protocol member or a stable fetch (a broker without v9
 * gets v4, offsets as last committed: as the Java consumer, which falls back when require_stable is unsupported).
 * A top-level (group) error code fails the request; partition errors are per entry.
 */
export const offsetFetch = async (coordinator: NodeLookup, r: OffsetFetchRequest): Promise<OffsetFetchPartition[]> => {
  if (r.partitions.length === 0) return [];
  const context: ErrorContext = { group: r.groupId, api: 'OffsetFetch', ...(r.member ? { member: r.member.memberId, generation: r.member.memberEpoch } : {}) };
  const node = await coordinator(r.coordinator, context);
  const topics = byTopic(r.partitions).map((t) => ({ topic: t.topic, partitions: t.partitions.map(({ partition }) => ({ partition })) }));
  const stable = r.requireStable === true && node.supports(9, 9);
  const res: OffsetFetchResponse = await node.send(r.member || stable ? offsetFetchV9(r.groupId, r.partitions, r.member ?? null, stable) : offsetFetchRequest.protocol({ version: 4 })({ groupId: r.groupId, topics }), context);
  failOn(res.errorCode, { ...context, broker: node.address });
  return res.responses.flatMap(({ topic, partitions }) =>
    partitions.map((p) => ({
      topic,
      partition: p.partition,
      offset: BigInt(p.offset),
      metadata: p.metadata,
      error: errorFromCode(p.errorCode, { ...context, topic, partition: p.partition }),
    })),
  );
};

type OffsetCommitResponse = Awaited<ReturnType<typeof offsetCommitV5.decode>>;

/**
 * OffsetCommit v7, encoded here (kafkajs stops at v5): v7 carries group.instance.id, so a fenced static member
 * gets FENCED_INSTANCE_ID rather than UNKNOWN_MEMBER_ID. v6's committed leader epoch is sent as -1 (unknown).
 * The v7 response has the v5 layout, decoded by kafkajs.
 */
const offsetCommitV7 = (r: OffsetCommitRequest): ProtocolRequest<OffsetCommitResponse> => ({
  request: {
    apiKey: 8,
    apiVersion: 7,
    apiName: 'OffsetCommit',
    encode: async () =>
      new Encoder()
        .writeString(r.groupId)
        .writeInt32(r.generationId)
        .writeString(r.memberId)
        .writeString(r.groupInstanceId ?? null)
        .writeArray(
          byTopic(r.offsets).map((t) =>
            new Encoder()
              .writeString(t.topic)
              .writeArray(t.partitions.map((p) => new Encoder().writeInt32(p.partition).writeInt64(p.offset).writeInt32(-1).writeString(p.metadata ?? null))),
          ),
        ),
  },
  response: { decode: offsetCommitV5.decode, parse: async (d) => d },
});

/**
 * OffsetCommit v9 (flexible), which members of the consumer group protocol must use: the generation field carries
 * the member epoch, and a stale one is answered STALE_MEMBER_EPOCH. The response is read into the v5 layout.
 */
const offsetCommitV9 = (r: OffsetCommitRequest) =>
  flexibleRequest<OffsetCommitResponse>(
    { apiKey: 8, apiVersion: 9, apiName: 'OffsetCommit' },
    (w) =>
      w
        .string(r.groupId)
        .int32(r.generationId)
        .string(r.memberId)
        .string(r.groupInstanceId ?? null)
        .array(byTopic(r.offsets), (x, t) =>
          x
            .string(t.topic)
            .array(t.partitions, (y, p) => y.int32(p.partition).int64(p.offset).int32(-1).string(p.metadata ?? null).tags())
            .tags(),
        )
        .tags(),
    (d) => {
      const throttleTime = d.int32();
      const responses =
        d.array(() => {
          const topic = d.string() ?? '';
          const partitions =
            d.array(() => {
              const partition = d.int32();
              const errorCode = d.int16();
              d.tags();
              return { partition, errorCode };
            }) ?? [];
          d.tags();
          return { topic, partitions };
        }) ?? [];
      d.tags();
      return { throttleTime, responses };
    },
  );

export const offsetCommit = async (coordinator: NodeLookup, r: OffsetCommitRequest): Promise<PartitionResult[]> => {
  if (r.offsets.length === 0) return [];
  const context: ErrorContext = { group: r.groupId, member: r.memberId, generation: r.generationId, api: 'OffsetCommit' };
  const node = await coordinator(r.coordinator, context);
  const res = await node.send(r.groupProtocol === 'consumer' ? offsetCommitV9(r) : offsetCommitV7(r), context);
  return res.responses.flatMap(({ topic, partitions }) =>
    partitions.map((p) => ({ topic, partition: p.partition, error: errorFromCode(p.errorCode, { ...context, broker: node.address, topic, partition: p.partition }) })),
  );
};

const key = (p: TopicPartition) => `${p.topic}\u0000${p.partition}`;

/**
 * ListOffsets v3, routed to each partition's leader (from a fresh metadata request). Partitions whose leader is
 * unknown, or whose leader could not be reached, carry the error; the others their offset.
 */
export const listOffsets = async (
  metadata: (topics: readonly string[]) => Promise<ClusterMetadata>,
  node: NodeLookup,
  r: ListOffsetsRequest,
): Promise<ListOffsetsPartition[]> => {
  if (r.partitions.length === 0) return [];
  const md = await metadata([...new Set(r.partitions.map((p) => p.topic))]);
  const results = new Map<string, ListOffsetsPartition>();
  const byLeader = new Map<number, (typeof r.partitions)[number][]>();
  for (const p of r.partitions) {
    const context: ErrorContext = { topic: p.topic, partition: p.partition, api: 'ListOffsets' };
    const t = md.topics.find((x) => x.topic === p.topic);
    const pm = t?.partitions.find((x) => x.partition === p.partition);
    const error = t?.error ?? (pm === undefined ? protocolError('UNKNOWN_TOPIC_OR_PARTITION', context) : pm.leader < 0 ? (pm.error ?? protocolError('LEADER_NOT_AVAILABLE', context)) : undefined);
    if (error || !pm) results.set(key(p), { topic: p.topic, partition: p.partition, offset: -1n, error });
    else byLeader.set(pm.leader, [...(byLeader.get(pm.leader) ?? []), p]);
  }
  const isolationLevel = r.isolationLevel === 'read_committed' ? 1 : 0;
  await Promise.all(
    [...byLeader].map(async ([leader, partitions]) => {
      const context: ErrorContext = { api: 'ListOffsets' };
      try {
        const leaderNode = await node(leader, context);
        const topics = byTopic(partitions).map((t) => ({ topic: t.topic, partitions: t.partitions.map(({ partition, timestamp }) => ({ partition, timestamp })) }));
        const res = await leaderNode.send(listOffsetsRequest.protocol({ version: 3 })({ replicaId: -1, isolationLevel, topics }), context);
        for (const { topic, partitions: ps } of res.responses) {
          for (const p of ps) {
            const error = errorFromCode(p.errorCode, { ...context, broker: leaderNode.address, topic, partition: p.partition });
            results.set(key({ topic, partition: p.partition }), { topic, partition: p.partition, offset: error ? -1n : BigInt(p.offset), error });
          }
        }
      } catch (e) {
        const error = mapKafkajsError(e, context);
        for (const p of partitions) results.set(key(p), { topic: p.topic, partition: p.partition, offset: -1n, error: error.withContext({ topic: p.topic, partition: p.partition }) });
      }
    }),
  );
  return r.partitions.map(
    (p) => results.get(key(p)) ?? { topic: p.topic, partition: p.partition, offset: -1n, error: protocolError('UNKNOWN_TOPIC_OR_PARTITION', { topic: p.topic, partition: p.partition, api: 'ListOffsets' }) },
  );
};
