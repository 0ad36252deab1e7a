import type { ErrorContext, KafkaClientError } from '../../errors';
import type {
  AddOffsetsToTxnRequest,
  AddPartitionsToTxnRequest,
  BrokerAddress,
  EndTxnRequest,
  PartitionResult,
  TopicPartition,
  TransactionalRequestBase,
  TxnOffsetCommitRequest,
} from '../port';
import type { NodeHandle, NodeLookup } from './broker-registry';
import type { CompactReader, CompactWriter } from './compact-codec';
import { flexibleRequest } from './flexible-request';
import { errorFromCode } from './map-error';

/** kafkajs's connection reads the throttle time (KIP-219) from the decoded response. */
interface Throttled {
  readonly clientSideThrottleTime: number;
}

interface PartitionCodes extends Throttled {
  readonly topics: readonly { readonly topic: string; readonly partitions: readonly { readonly partition: number; readonly errorCode: number }[] }[];
}

interface ErrorCode extends Throttled {
  readonly errorCode: number;
}

/** A response's `[name, [partition, error_code]]` section (AddPartitionsToTxn, TxnOffsetCommit). */
const readPartitionCodes = (r: CompactReader): PartitionCodes => {
  const clientSideThrottleTime = r.int32();
  const topics = (r.array(() => {
    const topic = r.string() ?? '';
    const partitions = (r.array(() => {
      const partition = r.int32();
      const errorCode = r.int16();
      r.tags();
      return { partition, errorCode };
    }) ?? []);
    r.tags();
    return { topic, partitions };
  }) ?? []);
  r.tags();
  return { clientSideThrottleTime, topics };
};

const readErrorCode = (r: CompactReader): ErrorCode => {
  const clientSideThrottleTime = r.int32();
  const errorCode = r.int16();
  r.tags();
  return { clientSideThrottleTime, errorCode };
};

const writeIdentity = (w: CompactWriter, q: TransactionalRequestBase): CompactWriter => w.string(q.transactionalId).int64(q.producerId).int16(q.producerEpoch);

const byTopic = <T extends TopicPartition>(items: readonly T[]): [string, T[]][] => {
  const topics = new Map<string, T[]>();
  for (const item of items) topics.set(item.topic, [...(topics.get(item.topic) ?? []), item]);
  return [...topics];
};

/** Each partition's result, its error code as a KafkaClientError with topic, partition and broker. */
const partitionResults = (res: PartitionCodes, context: ErrorContext, node: NodeHandle): PartitionResult[] =>
  res.topics.flatMap(({ topic, partitions }) =>
    partitions.map(({ partition, errorCode }) => {
      const error = errorFromCode(errorCode, { ...context, topic, partition, broker: node.address });
      return error ? { topic, partition, error } : { topic, partition };
    }),
  );

const failOn = (code: number, context: ErrorContext, node: NodeHandle): void => {
  const error: KafkaClientError | undefined = errorFromCode(code, { ...context, broker: node.address });
  if (error) throw error;
};

interface Coordinators extends Throttled {
  readonly coordinators: readonly { readonly nodeId: number; readonly host: string; readonly port: number; readonly errorCode: number }[];
}

/** FindCoordinator v4 with key type 1 (a transactional id). */
export const findTransactionCoordinator = async (any: () => Promise<NodeHandle>, transactionalId: string): Promise<BrokerAddress> => {
  const context = { api: 'FindCoordinator' };
  const node = await any();
  const res = await node.send(
    flexibleRequest<Coordinators>(
      { apiKey: 10, apiVersion: 4, apiName: 'FindCoordinator' },
      (w) => w.int8(1).array([transactionalId], (x, k) => x.string(k)).tags(),
      (r) => {
        const clientSideThrottleTime = r.int32();
        const coordinators = (r.array(() => {
          r.string();
          const nodeId = r.int32();
          const host = r.string() ?? '';
          const port = r.int32();
          const errorCode = r.int16();
          r.string();
          r.tags();
          return { nodeId, host, port, errorCode };
        }) ?? []);
        r.tags();
        return { clientSideThrottleTime, coordinators };
      },
    ),
    context,
  );
  const found = res.coordinators[0];
  const error = errorFromCode(found?.errorCode ?? 15, { ...context, broker: node.address });
  if (error || !found) throw error;
  return { nodeId: found.nodeId, host: found.host, port: found.port };
};

/** AddPartitionsToTxn v3: errors per partition. */
export const addPartitionsToTxn = async (lookup: NodeLookup, q: AddPartitionsToTxnRequest): Promise<PartitionResult[]> => {
  const context = { api: 'AddPartitionsToTxn' };
  const node = await lookup(q.coordinator, context);
  const res = await node.send(
    flexibleRequest<PartitionCodes>(
      { apiKey: 24, apiVersion: 3, apiName: 'AddPartitionsToTxn' },
      (w) =>
        writeIdentity(w, q)
          .array(byTopic(q.partitions), (x, [topic, parts]) => x.string(topic).array(parts, (y, p) => y.int32(p.partition)).tags())
          .tags(),
      readPartitionCodes,
    ),
    context,
  );
  return partitionResults(res, context, node);
};

/** AddOffsetsToTxn v3: the group whose offsets the transaction commits. */
export const addOffsetsToTxn = async (lookup: NodeLookup, q: AddOffsetsToTxnRequest): Promise<void> => {
  const context = { group: q.groupId, api: 'AddOffsetsToTxn' };
  const node = await lookup(q.coordinator, context);
  const res = await node.send(
    flexibleRequest<ErrorCode>({ apiKey: 25, apiVersion: 3, apiName: 'AddOffsetsToTxn' }, (w) => writeIdentity(w, q).string(q.groupId).tags(), readErrorCode),
    context,
  );
  failOn(res.errorCode, context, node);
};

/** TxnOffsetCommit v3 (KIP-447) to the group's coordinator, with the member's id and generation. */
export const txnOffsetCommit = async (lookup: NodeLookup, q: TxnOffsetCommitRequest): Promise<PartitionResult[]> => {
  const context = { group: q.groupId, member: q.memberId, generation: q.generationId, api: 'TxnOffsetCommit' };
  const node = await lookup(q.coordinator, context);
  const res = await node.send(
    flexibleRequest<PartitionCodes>(
      { apiKey: 28, apiVersion: 3, apiName: 'TxnOffsetCommit' },
      (w) =>
        w
          .string(q.transactionalId)
          .string(q.groupId)
          .int64(q.producerId)
          .int16(q.producerEpoch)
          .int32(q.generationId)
          .string(q.memberId)
          .string(q.groupInstanceId ?? null)
          .array(byTopic(q.offsets), (x, [topic, parts]) =>
            x
              .string(topic)
              .array(parts, (y, p) => y.int32(p.partition).int64(p.offset).int32(-1).string(p.metadata ?? null).tags())
              .tags(),
          )
          .tags(),
      readPartitionCodes,
    ),
    context,
  );
  return partitionResults(res, context, node);
};

/** EndTxn v3: commit or abort. */
export const endTxn = async (lookup: NodeLookup, q: EndTxnRequest): Promise<void> => {
  const context = { api: 'EndTxn' };
  const node = await lookup(q.coordinator, context);
  const res = await node.send(flexibleRequest<ErrorCode>({ apiKey: 26, apiVersion: 3, apiName: 'EndTxn' }, (w) => writeIdentity(w, q).bool(q.commit).tags(), readErrorCode), context);
  failOn(res.errorCode, context, node);
};
