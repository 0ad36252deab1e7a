/**
 * Test fixture: encodes records with kafkajs 2.2.4's own RecordBatch v2 encoder (its internal
 * `protocol/recordBatch/v0` and `record/v0` modules, as its Produce v3+ request does), so that specs can check our
 * decoder against an independent encoder. Not part of the library's runtime.
 */
import { createRequire } from 'node:module';
import type { RecordToEncode } from '../../protocol/message';

/** kafkajs's Encoder: what we use of it. */
interface KafkajsEncoder {
  readonly buffer: Buffer;
}

interface KafkajsLongStatic {
  fromValue(v: bigint): unknown;
}

interface KafkajsRecordArgs {
  readonly offsetDelta: number;
  readonly timestampDelta: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: Readonly<Record<string, Buffer | string>>;
}

interface KafkajsRecordBatchArgs {
  readonly compression: number;
  readonly firstOffset: unknown;
  readonly firstTimestamp: number;
  readonly maxTimestamp: number;
  readonly lastOffsetDelta: number;
  readonly transactional: boolean;
  readonly producerId: unknown;
  readonly producerEpoch: number;
  readonly firstSequence: number;
  readonly records: readonly KafkajsEncoder[];
}

interface KafkajsRecordBatchModule {
  RecordBatch(args: KafkajsRecordBatchArgs): Promise<KafkajsEncoder>;
}

// kafkajs ships no types for its internals: load them untyped and give them the shapes above.
const load = createRequire(__filename);
const { RecordBatch } = load('kafkajs/src/protocol/recordBatch/v0') as KafkajsRecordBatchModule;
const Record = load('kafkajs/src/protocol/recordBatch/record/v0') as (args: KafkajsRecordArgs) => KafkajsEncoder;
const Long = load('kafkajs/src/utils/long') as KafkajsLongStatic;
const { Types } = load('kafkajs/src/protocol/message/compression') as { Types: { None: number; GZIP: number } };

export interface KafkajsBatchOptions {
  readonly baseOffset: bigint;
  readonly baseTimestamp: number;
  /** kafkajs 2.2.4 itself implements gzip only. */
  readonly codec?: 'none' | 'gzip';
  readonly producerId?: bigint;
  readonly producerEpoch?: number;
  readonly baseSequence?: number;
  readonly transactional?: boolean;
}

const toBuffer = (v: Buffer | string | null | undefined): Buffer | null =>
  v === null || v === undefined ? null : typeof v === 'string' ? Buffer.from(v, 'utf8') : v;

/** One RecordBatch v2 encoded by kafkajs (offsets baseOffset + index, CRC32C by kafkajs). */
export const encodeWithKafkajs = async (records: readonly RecordToEncode[], opts: KafkajsBatchOptions): Promise<Buffer> => {
  const timestamps = records.map((r) => r.timestamp ?? opts.baseTimestamp);
  const encoded = await RecordBatch({
    compression: opts.codec === 'gzip' ? Types.GZIP : Types.None,
    firstOffset: Long.fromValue(opts.baseOffset),
    firstTimestamp: opts.baseTimestamp,
    maxTimestamp: Math.max(opts.baseTimestamp, ...timestamps),
    lastOffsetDelta: records.length - 1,
    transactional: opts.transactional ?? false,
    producerId: Long.fromValue(opts.producerId ?? -1n),
    producerEpoch: opts.producerEpoch ?? 0,
    firstSequence: opts.baseSequence ?? 0,
    records: records.map((r, i) =>
      Record({
        offsetDelta: i,
        timestampDelta: (timestamps[i] ?? opts.baseTimestamp) - opts.baseTimestamp,
        key: toBuffer(r.key),
        value: toBuffer(r.value),
        headers: r.headers ?? {},
      }),
    ),
  });
  return encoded.buffer;
};
