import type { CompressionCodecName, RecordToEncode } from '../message';
import { ATTR, BATCH_HEADER_SIZE, CODECS, LOG_OVERHEAD, OFFSET } from './batch-header';
import { crc32c } from './crc32c';
import { sizeOfVarInt, sizeOfVarLong, writeVarInt, writeVarLong } from './varint';

export interface EncodeBatchOptions {
  readonly baseOffset: bigint;
  /** Defaults to the first record's timestamp, else now. Records without a timestamp get this one. */
  readonly baseTimestamp?: number;
  /** Compress the records section with `fn`, marking the batch with `codec`. */
  readonly compress?: { readonly codec: CompressionCodecName; readonly fn: (data: Buffer) => Buffer };
  /** -1n (none) by default. */
  readonly producerId?: bigint;
  /** -1 by default. */
  readonly producerEpoch?: number;
  /** -1 by default. */
  readonly baseSequence?: number;
  readonly transactional?: boolean;
  readonly control?: boolean;
  /** -1 by default (the broker stamps it). */
  readonly partitionLeaderEpoch?: number;
  /** Marks the batch LogAppendTime with this time as its maxTimestamp (what a broker does for such topics). */
  readonly logAppendTime?: number;
}

interface Prepared {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: readonly (readonly [Buffer, Buffer])[];
  readonly timestampDelta: number;
  readonly bodySize: number;
}

const toBuffer = (v: Buffer | string | null | undefined): Buffer | null =>
  v === null || v === undefined ? null : typeof v === 'string' ? Buffer.from(v, 'utf8') : v;

const sizeOfBytes = (b: Buffer | null): number => (b === null ? 1 : sizeOfVarInt(b.length) + b.length);

const writeBytes = (buf: Buffer, pos: number, b: Buffer | null): number => {
  if (b === null) return writeVarInt(buf, pos, -1);
  pos = writeVarInt(buf, pos, b.length);
  return pos + b.copy(buf, pos);
};

/** A batch's records section, encoded (before any compression), with what its header needs. */
export interface RecordsSection {
  readonly section: Buffer;
  readonly count: number;
  readonly baseTimestamp: number;
  readonly maxTimestamp: number;
}

/** Encodes `records` as a RecordBatch v2 records section (offset deltas 0, 1, ...). */
export const encodeRecordsSection = (records: readonly RecordToEncode[], baseTimestampOption?: number): RecordsSection => {
  if (records.length === 0) throw new RangeError('encodeRecordBatch needs at least one record');
  const baseTimestamp = baseTimestampOption ?? records[0]?.timestamp ?? Date.now();
  let maxTimestamp = baseTimestamp;
  let recordsSize = 0;
  const prepared = records.map((r, i): Prepared => {
    const timestamp = r.timestamp ?? baseTimestamp;
    if (timestamp > maxTimestamp) maxTimestamp = timestamp;
    const key = toBuffer(r.key);
    const value = toBuffer(r.value);
    const headers = Object.entries(r.headers ?? {}).map(([k, v]) => [Buffer.from(k, 'utf8'), toBuffer(v) ?? Buffer.alloc(0)] as const);
    const timestampDelta = timestamp - baseTimestamp;
    let bodySize = 1 + sizeOfVarLong(timestampDelta) + sizeOfVarInt(i) + sizeOfBytes(key) + sizeOfBytes(value);
    bodySize += sizeOfVarInt(headers.length);
    for (const [k, v] of headers) bodySize += sizeOfBytes(k) + sizeOfBytes(v);
    recordsSize += sizeOfVarInt(bodySize) + bodySize;
    return { key, value, headers, timestampDelta, bodySize };
  });

  const section: Buffer = Buffer.allocUnsafe(recordsSize);
  let pos = 0;
  prepared.forEach((r, i) => {
    pos = writeVarInt(section, pos, r.bodySize);
    section[pos++] = 0; // attributes
    pos = writeVarLong(section, pos, r.timestampDelta);
    pos = writeVarInt(section, pos, i);
    pos = writeBytes(section, pos, r.key);
    pos = writeBytes(section, pos, r.value);
    pos = writeVarInt(section, pos, r.headers.length);
    for (const [k, v] of r.headers) pos = writeBytes(section, writeBytes(section, pos, k), v);
  });
  return { section, count: records.length, baseTimestamp, maxTimestamp };
};

/** The batch around a records section (`section` compressed with `codec` when not 'none'), with a valid CRC32C. */
export const assembleBatch = (records: RecordsSection, codec: CompressionCodecName, opts: Omit<EncodeBatchOptions, 'compress' | 'baseTimestamp'>): Buffer => {
  const { section, count, baseTimestamp, maxTimestamp } = records;
  const attributes =
    CODECS.indexOf(codec) |
    (opts.logAppendTime !== undefined ? ATTR.logAppendTime : 0) |
    (opts.transactional ? ATTR.transactional : 0) |
    (opts.control ? ATTR.control : 0);

  const batch = Buffer.allocUnsafe(BATCH_HEADER_SIZE + section.length);
  batch.writeBigInt64BE(opts.baseOffset, OFFSET.baseOffset);
  batch.writeInt32BE(batch.length - LOG_OVERHEAD, OFFSET.batchLength);
  batch.writeInt32BE(opts.partitionLeaderEpoch ?? -1, OFFSET.partitionLeaderEpoch);
  batch.writeInt8(2, OFFSET.magic);
  batch.writeInt16BE(attributes, OFFSET.attributes);
  batch.writeInt32BE(count - 1, OFFSET.lastOffsetDelta);
  batch.writeBigInt64BE(BigInt(Math.trunc(baseTimestamp)), OFFSET.baseTimestamp);
  batch.writeBigInt64BE(BigInt(Math.trunc(opts.logAppendTime ?? maxTimestamp)), OFFSET.maxTimestamp);
  batch.writeBigInt64BE(opts.producerId ?? -1n, OFFSET.producerId);
  batch.writeInt16BE(opts.producerEpoch ?? -1, OFFSET.producerEpoch);
  batch.writeInt32BE(opts.baseSequence ?? -1, OFFSET.baseSequence);
  batch.writeInt32BE(count, OFFSET.recordCount);
  section.copy(batch, BATCH_HEADER_SIZE);
  batch.writeUInt32BE(crc32c(batch, OFFSET.attributes), OFFSET.crc);
  return batch;
};

/** Encodes `records` (offsets baseOffset, baseOffset + 1, ...) as one RecordBatch v2 with a valid CRC32C. */
export const encodeRecordBatch = (records: readonly RecordToEncode[], opts: EncodeBatchOptions): Buffer => {
  const encoded = encodeRecordsSection(records, opts.baseTimestamp);
  const codec = opts.compress?.codec ?? 'none';
  const section = opts.compress && codec !== 'none' ? opts.compress.fn(encoded.section) : encoded.section;
  return assembleBatch({ ...encoded, section }, codec, opts);
};

export interface ControlRecordOptions {
  readonly baseOffset: bigint;
  readonly producerId: bigint;
  readonly producerEpoch?: number;
  readonly timestamp?: number;
  readonly coordinatorEpoch?: number;
}

/**
 * A transaction marker: a transactional control batch holding one control record (key: version 0, type
 * 0 = abort / 1 = commit; value: version 0, coordinator epoch). It takes one offset, as on a real broker.
 */
export const encodeControlRecord = (type: 'commit' | 'abort', opts: ControlRecordOptions): Buffer => {
  const key = Buffer.alloc(4);
  key.writeInt16BE(type === 'commit' ? 1 : 0, 2);
  const value = Buffer.alloc(6);
  value.writeInt32BE(opts.coordinatorEpoch ?? 0, 2);
  return encodeRecordBatch([{ key, value, timestamp: opts.timestamp ?? Date.now() }], {
    baseOffset: opts.baseOffset,
    producerId: opts.producerId,
    producerEpoch: opts.producerEpoch ?? 0,
    transactional: true,
    control: true,
  });
};
