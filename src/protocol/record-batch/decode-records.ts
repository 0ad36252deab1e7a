import { KafkaClientError } from '../../errors';
import type { KafkaMessage, MessageHeader } from '../message';
import type { RawBatch } from './split-batches';
import { bufferOver } from './buffer-view';
import { Cursor } from './varint';

/** The headers of every record that has none (shared, frozen). */
export const NO_HEADERS: readonly MessageHeader[] = Object.freeze([]);

/** Offsets up to this can take the one-BigInt-per-record path (base + any int32 delta stays exact). */
const FAST_BASE_LIMIT = BigInt(Number.MAX_SAFE_INTEGER) - 2n ** 32n;

/**
 * Record v2: length varint | attributes int8 | timestampDelta varlong | offsetDelta varint |
 * key (varint length, -1 = null) | value (same) | headers (varint count; key varint-length string, value bytes).
 *
 * Decodes every record of `batch` from its decompressed records section `payload`, pushing onto `out` those whose
 * offset is at least `minOffset` (a fetch may start mid-batch). `key`, `value` and header values are views into
 * `payload`. Throws CorruptRecordBatch, with topic, partition and the batch's base offset, on any inconsistency.
 */
export const decodeRecords = (
  batch: RawBatch,
  payload: Buffer,
  topic: string,
  partition: number,
  out: KafkaMessage[],
  minOffset?: bigint,
): void => {
  const h = batch.header;
  const baseOffset = h.baseOffset;
  const fastOffsets = baseOffset >= 0n && baseOffset <= FAST_BASE_LIMIT;
  const baseNum = Number(baseOffset);
  const timestampType = h.timestampType;
  const logAppend = timestampType === 'log-append';
  const baseTimestamp = h.baseTimestamp;
  const maxTimestamp = h.maxTimestamp;
  const minDelta =
    minOffset === undefined || minOffset <= baseOffset
      ? -1
      : minOffset - baseOffset > 0x7fffffffn
        ? 0x80000000
        : Number(minOffset - baseOffset);
  const end = payload.length;
  const arrayBuffer = payload.buffer;
  const byteOffset = payload.byteOffset;
  const c = new Cursor(payload, 0);
  const fail = (why: string): KafkaClientError =>
    new KafkaClientError({ tag: 'CorruptRecordBatch', message: `Corrupt record: ${why}`, context: { topic, partition, offset: baseOffset } });

  // The varints of a record (length, deltas, key and value lengths) are read inline when they take one or two
  // bytes, as almost all do; longer ones go through the Cursor.
  let pos = 0;
  for (let i = h.recordCount; i > 0; i--) {
    let length: number;
    let b = payload[pos]!;
    let b2 = payload[pos + 1]!;
    if (b < 0x80) {
      length = (b >>> 1) ^ -(b & 1);
      pos += 1;
    } else if (b2 < 0x80) {
      const u = (b & 0x7f) | (b2 << 7);
      length = (u >>> 1) ^ -(u & 1);
      pos += 2;
    } else {
      c.pos = pos;
      length = c.varint();
      pos = c.pos;
    }
    const recordEnd = pos + length;
    if (length < 0 || recordEnd > end) throw fail(`record length ${length} overruns the batch`);
    pos++; // attributes: unused in v2
    let timestampDelta: number;
    b = payload[pos]!;
    if (b < 0x80) {
      timestampDelta = (b >>> 1) ^ -(b & 1);
      pos += 1;
    } else {
      c.pos = pos;
      timestampDelta = c.varlong();
      pos = c.pos;
    }
    let offsetDelta: number;
    b = payload[pos]!;
    b2 = payload[pos + 1]!;
    if (b < 0x80) {
      offsetDelta = (b >>> 1) ^ -(b & 1);
      pos += 1;
    } else if (b2 < 0x80) {
      const u = (b & 0x7f) | (b2 << 7);
      offsetDelta = (u >>> 1) ^ -(u & 1);
      pos += 2;
    } else {
      c.pos = pos;
      offsetDelta = c.varint();
      pos = c.pos;
    }
    if (offsetDelta < minDelta) {
      pos = recordEnd;
      continue;
    }
    c.pos = pos;
    const keyLength = c.varint();
    let key: Buffer | null = null;
    if (keyLength >= 0) {
      if (keyLength > recordEnd - c.pos) throw fail('key overruns the record');
      key = bufferOver(arrayBuffer, byteOffset + c.pos, keyLength);
      c.pos += keyLength;
    }
    pos = c.pos;
    let valueLength: number;
    b = payload[pos]!;
    b2 = payload[pos + 1]!;
    if (b < 0x80) {
      valueLength = (b >>> 1) ^ -(b & 1);
      pos += 1;
    } else if (b2 < 0x80) {
      const u = (b & 0x7f) | (b2 << 7);
      valueLength = (u >>> 1) ^ -(u & 1);
      pos += 2;
    } else {
      c.pos = pos;
      valueLength = c.varint();
      pos = c.pos;
    }
    let value: Buffer | null = null;
    if (valueLength >= 0) {
      if (valueLength > recordEnd - pos) throw fail('value overruns the record');
      value = bufferOver(arrayBuffer, byteOffset + pos, valueLength);
      pos += valueLength;
    }
    c.pos = pos;
    const headerCount = c.varint();
    const headers = headerCount === 0 ? NO_HEADERS : readHeaders(c, payload, headerCount, recordEnd, fail);
    pos = c.pos;
    if (pos !== recordEnd) throw fail('record length does not match its fields');
    out.push({
      topic,
      partition,
      offset: fastOffsets ? BigInt(baseNum + offsetDelta) : baseOffset + BigInt(offsetDelta),
      timestamp: logAppend ? maxTimestamp : baseTimestamp + timestampDelta,
      timestampType,
      key,
      value,
      headers,
    });
  }
  c.pos = pos;
  if (c.pos !== end) throw fail(`${end - c.pos} bytes left after ${h.recordCount} records`);
};

const readHeaders = (
  c: Cursor,
  payload: Buffer,
  count: number,
  recordEnd: number,
  fail: (why: string) => KafkaClientError,
): MessageHeader[] => {
  if (count < 0 || count > recordEnd - c.pos) throw fail(`header count ${count}`);
  const headers: MessageHeader[] = new Array<MessageHeader>(count);
  for (let j = 0; j < count; j++) {
    const keyLength = c.varint();
    if (keyLength < 0 || keyLength > recordEnd - c.pos) throw fail('header key overruns the record');
    const key = payload.toString('utf8', c.pos, (c.pos += keyLength));
    const valueLength = c.varint();
    let value: Buffer | null = null;
    if (valueLength >= 0) {
      if (valueLength > recordEnd - c.pos) throw fail('header value overruns the record');
      value = bufferOver(payload.buffer, payload.byteOffset + c.pos, valueLength);
      c.pos += valueLength;
    }
    headers[j] = { key, value };
  }
  return headers;
};

/** Control record key: version int16 | type int16 (0 = abort, 1 = commit). */
export type ControlType = 'abort' | 'commit' | 'unknown';

/** The marker type of a control batch, read from the key of its first record. */
export const readControlType = (payload: Buffer): ControlType => {
  const c = new Cursor(payload, 0);
  c.varint(); // length
  c.pos++; // attributes
  c.varlong(); // timestamp delta
  c.varint(); // offset delta
  const keyLength = c.varint();
  if (keyLength < 4 || c.pos + keyLength > payload.length) return 'unknown';
  const type = payload.readInt16BE(c.pos + 2);
  return type === 0 ? 'abort' : type === 1 ? 'commit' : 'unknown';
};
