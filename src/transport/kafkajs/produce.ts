import Decoder from 'kafkajs/src/protocol/decoder';
import Encoder from 'kafkajs/src/protocol/encoder';
import type { ProtocolRequest } from 'kafkajs/src/network/connectionPool';
import { KafkaClientError, type ErrorContext } from '../../errors';
import type { ProducePartitionResult, ProduceRequest, TopicPartition } from '../port';
import type { NodeLookup } from './broker-registry';
import { errorFromCode } from './map-error';
import { byTopic } from './offsets';

interface PartitionResponse {
  readonly partition: number;
  readonly errorCode: number;
  readonly baseOffset: bigint;
  readonly logAppendTime: bigint;
  readonly logStartOffset: bigint;
  readonly recordErrors: readonly { readonly batchIndex: number; readonly message: string | null }[];
  readonly errorMessage: string | null;
}

/** A decoded Produce v8 response. `clientSideThrottleTime` is read by kafkajs's connection (KIP-219). */
interface ProduceResponseV8 {
  readonly clientSideThrottleTime: number;
  readonly responses: readonly { readonly topic: string; readonly partitions: readonly PartitionResponse[] }[];
}

/**
 * Produce Response (v8) => [responses] throttle_time_ms
 *   responses => name [partition_responses]
 *     partition_responses => index error_code base_offset log_append_time_ms log_start_offset
 *                            [record_errors => batch_index batch_index_error_message] error_message
 */
const decodeProduceResponseV8 = async (payload: Buffer): Promise<ProduceResponseV8> => {
  const d = new Decoder(payload);
  try {
    const responses = d.readArray((t) => ({
      topic: t.readString() ?? '',
      partitions: t.readArray(
        (p): PartitionResponse => ({
          partition: p.readInt32(),
          errorCode: p.readInt16(),
          baseOffset: p.readInt64(),
          logAppendTime: p.readInt64(),
          logStartOffset: p.readInt64(),
          recordErrors: p.readArray((e) => ({ batchIndex: e.readInt32(), message: e.readString() })),
          errorMessage: p.readString(),
        }),
      ),
    }));
    return { responses, clientSideThrottleTime: d.readInt32() };
  } catch (e) {
    throw new KafkaClientError({ tag: 'Unexpected', message: `Produce response malformed: ${e instanceof Error ? e.message : String(e)}`, context: { api: 'Produce' }, cause: e });
  }
};

/**
 * Produce v8, encoded here (kafkajs re-encodes its messages; our batches are sent as they are, one per partition).
 * With acks 0 the broker sends nothing back: kafkajs's connection resolves once the request is written.
 */
const produceV8 = (r: ProduceRequest): ProtocolRequest<ProduceResponseV8> => ({
  request: {
    apiKey: 0,
    apiVersion: 8,
    apiName: 'Produce',
    expectResponse: () => r.acks !== 0,
    encode: async () =>
      new Encoder()
        .writeString(r.transactionalId ?? null)
        .writeInt16(r.acks)
        .writeInt32(r.timeoutMs)
        .writeArray(byTopic(r.partitions).map((t) => new Encoder().writeString(t.topic).writeArray(t.partitions.map((p) => new Encoder().writeInt32(p.partition).writeBytes(p.records))))),
  },
  response: { decode: decodeProduceResponseV8, parse: async (d) => d },
});

/** A partition's error code as an error, carrying the broker's message and record errors when it sent them. */
const partitionError = (p: PartitionResponse, context: ErrorContext): KafkaClientError | undefined => {
  const error = errorFromCode(p.errorCode, context);
  if (!error) return undefined;
  const details = [...(p.errorMessage ? [p.errorMessage] : []), ...p.recordErrors.map((e) => `record ${e.batchIndex}${e.message ? `: ${e.message}` : ''}`)];
  if (details.length === 0) return error;
  return new KafkaClientError({ tag: error._tag, code: error.code, retriable: error.retriable, message: `Broker returned ${error.code ?? `error code ${p.errorCode}`}: ${details.join('; ')}`, context });
};

const key = (p: TopicPartition) => `${p.topic}\u0000${p.partition}`;

/**
 * Produce to the partitions' leader, one result per partition in request order. Partition error codes are
 * per result; only a connection or request failure fails the whole request.
 */
export const produce = async (node: NodeLookup, r: ProduceRequest): Promise<ProducePartitionResult[]> => {
  if (r.partitions.length === 0) return [];
  const context: ErrorContext = { api: 'Produce' };
  const leader = await node(r.nodeId, context);
  // The broker may hold an acks=-1 request up to timeoutMs while the replicas catch up.
  const res = await leader.send({ ...produceV8(r), requestTimeout: leader.requestTimeout + r.timeoutMs }, context);
  if (r.acks === 0) return r.partitions.map(({ topic, partition }) => ({ topic, partition, baseOffset: -1n, logAppendTime: -1n, logStartOffset: -1n }));
  const answered = new Map<string, ProducePartitionResult>();
  for (const { topic, partitions } of res.responses) {
    for (const p of partitions) {
      const error = partitionError(p, { ...context, broker: leader.address, topic, partition: p.partition });
      answered.set(key({ topic, partition: p.partition }), { topic, partition: p.partition, baseOffset: p.baseOffset, logAppendTime: p.logAppendTime, logStartOffset: p.logStartOffset, ...(error ? { error } : {}) });
    }
  }
  return r.partitions.map(
    ({ topic, partition }) =>
      answered.get(key({ topic, partition })) ?? {
        topic,
        partition,
        baseOffset: -1n,
        logAppendTime: -1n,
        logStartOffset: -1n,
        error: new KafkaClientError({ tag: 'Unexpected', message: 'Produce response did not answer this partition', context: { ...context, broker: leader.address, topic, partition } }),
      },
  );
};
