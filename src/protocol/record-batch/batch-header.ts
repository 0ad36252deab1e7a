import { KafkaClientError } from '../../errors';
import type { CompressionCodecName } from '../message';

/**
 * The RecordBatch v2 header (61 bytes), all big-endian:
 * baseOffset int64 | batchLength int32 | partitionLeaderEpoch int32 | magic int8 | crc uint32 |
 * attributes int16 | lastOffsetDelta int32 | baseTimestamp int64 | maxTimestamp int64 | producerId int64 |
 * producerEpoch int16 | baseSequence int32 | recordCount int32.
 * `batchLength` counts the bytes after itself; the CRC32C covers attributes to the end of the batch.
 */
export interface BatchHeader {
  readonly baseOffset: bigint;
  readonly batchLength: number;
  readonly partitionLeaderEpoch: number;
  readonly magic: number;
  /** The stored CRC32C, unsigned. */
  readonly crc: number;
  readonly attributes: number;
  readonly compression: CompressionCodecName;
  readonly timestampType: 'create' | 'log-append';
  readonly isTransactional: boolean;
  readonly isControl: boolean;
  readonly lastOffsetDelta: number;
  readonly baseTimestamp: number;
  readonly maxTimestamp: number;
  /** -1n when the producer is neither idempotent nor transactional. */
  readonly producerId: bigint;
  readonly producerEpoch: number;
  readonly baseSequence: number;
  readonly recordCount: number;
}

/** Field offsets within a batch. */
export const OFFSET = {
  baseOffset: 0,
  batchLength: 8,
  partitionLeaderEpoch: 12,
  magic: 16,
  crc: 17,
  attributes: 21,
  lastOffsetDelta: 23,
  baseTimestamp: 27,
  maxTimestamp: 35,
  producerId: 43,
  producerEpoch: 51,
  baseSequence: 53,
  recordCount: 57,
} as const;

/** Bytes before the records section. */
export const BATCH_HEADER_SIZE = 61;
/** baseOffset + batchLength: the bytes not counted by batchLength. */
export const LOG_OVERHEAD = 12;

/** Attribute bits. */
export const ATTR = { compressionMask: 0x07, logAppendTime: 0x08, transactional: 0x10, control: 0x20 } as const;

/** Codec names by their attribute id (0-4). */
export const CODECS: readonly CompressionCodecName[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];

/** Reads the header of the batch starting at `pos`; the caller has checked that 61 bytes are there. */
export const readBatchHeader = (buf: Buffer, pos: number): BatchHeader => {
  const baseOffset = buf.readBigInt64BE(pos);
  const attributes = buf.readInt16BE(pos + OFFSET.attributes);
  const compression = CODECS[attributes & ATTR.compressionMask];
  if (compression === undefined) {
    throw new KafkaClientError({
      tag: 'CorruptRecordBatch',
      message: `Unknown compression codec id ${attributes & ATTR.compressionMask} in record batch attributes`,
      context: { offset: baseOffset },
    });
  }
  return {
    baseOffset,
    batchLength: buf.readInt32BE(pos + OFFSET.batchLength),
    partitionLeaderEpoch: buf.readInt32BE(pos + OFFSET.partitionLeaderEpoch),
    magic: buf.readInt8(pos + OFFSET.magic),
    crc: buf.readUInt32BE(pos + OFFSET.crc),
    attributes,
    compression,
    timestampType: attributes & ATTR.logAppendTime ? 'log-append' : 'create',
    isTransactional: (attributes & ATTR.transactional) !== 0,
    isControl: (attributes & ATTR.control) !== 0,
    lastOffsetDelta: buf.readInt32BE(pos + OFFSET.lastOffsetDelta),
    baseTimestamp: Number(buf.readBigInt64BE(pos + OFFSET.baseTimestamp)),
    maxTimestamp: Number(buf.readBigInt64BE(pos + OFFSET.maxTimestamp)),
    producerId: buf.readBigInt64BE(pos + OFFSET.producerId),
    producerEpoch: buf.readInt16BE(pos + OFFSET.producerEpoch),
    baseSequence: buf.readInt32BE(pos + OFFSET.baseSequence),
    recordCount: buf.readInt32BE(pos + OFFSET.recordCount),
  };
};
