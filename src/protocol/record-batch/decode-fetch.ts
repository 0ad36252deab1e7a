import { KafkaClientError, isKafkaClientError } from '../../errors';
import type { CompressionCodecName, KafkaMessage } from '../message';
import { OFFSET } from './batch-header';
import { crc32c } from './crc32c';
import { decodeRecords, readControlType } from './decode-records';
import { RawBatch, splitBatches } from './split-batches';

/** A codec other than 'none'. */
export type CompressedCodecName = Exclude<CompressionCodecName, 'none'>;

/**
 * Decompresses one batch's records section. Supplied by the caller (the transport wraps kafkajs's codec
 * registry); for a codec it has no implementation for, it throws (or rejects with) a KafkaClientError tagged
 * 'CodecMissing' naming the codec, which reaches the caller unchanged but for added topic/partition/offset.
 */
export type Decompress = (codec: CompressedCodecName, data: Buffer) => Buffer | Promise<Buffer>;

export interface PartitionRecordsInput {
  readonly topic: string;
  readonly partition: number;
  /** The partition's records as the broker sent them (may end in a partial batch). */
  readonly records: Buffer;
  /** The offset fetched from: records below it (a fetch may start mid-batch) are dropped. */
  readonly fetchOffset: bigint;
  readonly isolationLevel: 'read_uncommitted' | 'read_committed';
  /** From the fetch response; used under read_committed only. */
  readonly abortedTransactions: readonly { readonly producerId: bigint; readonly firstOffset: bigint }[];
  /** Verify each batch's CRC32C (attributes to end) before reading it. */
  readonly checkCrc: boolean;
  readonly decompress: Decompress;
}

/** One data batch of a fetch, its records not yet decoded: decode with `decodeChunk` when delivering. */
export interface DataChunk {
  readonly batch: RawBatch;
  /** The records section, decompressed. */
  readonly payload: Buffer;
  /** Records below this offset are skipped (a fetch may start mid-batch). */
  readonly minOffset: bigint;
  /** The whole batch's size on the wire. */
  readonly bytes: number;
}

export interface DecodedPartition {
  /**
   * The data batches at or after fetchOffset, in offset order (no control batches, no aborted ones under
   * read_committed), records still encoded: decoding one at a time while delivering keeps the live set to one
   * batch, so a consumer's garbage dies young (decoding a whole response first made the GC copy it all).
   */
  readonly chunks: readonly DataChunk[];
  /** Every message of every chunk, decoded anew on each access (tests, small fetches). */
  readonly messages: KafkaMessage[];
  /** The offset after the last complete batch (control and aborted batches included); fetchOffset if none. */
  readonly nextOffset: bigint;
  /** Bytes of the complete batches read. */
  readonly bytes: number;
  /** The records ended in an incomplete batch; with no complete batch, maxBytes is too small for the next one. */
  readonly partialTail: boolean;
}

/** Decodes one chunk's records (throws CorruptRecordBatch with topic, partition and the batch's base offset). */
export const decodeChunk = (chunk: DataChunk, topic: string, partition: number): KafkaMessage[] => {
  const out: KafkaMessage[] = [];
  decodeRecords(chunk.batch, chunk.payload, topic, partition, out, chunk.minOffset);
  return out;
};

/**
 * Reads one partition of a fetch response into batches to deliver (`chunks`; their records are decoded later,
 * one chunk at a time, by `decodeChunk`). Synchronous unless some batch needs decompressing and `decompress`
 * returns a Promise for it: then the result is a (native) Promise. So uncompressed data, or a synchronous
 * `decompress`, never leaves the current tick; test with `result instanceof Promise`.
 *
 * Throws (or rejects with) KafkaClientError: 'CorruptRecordBatch' for unreadable bytes, a CRC mismatch or a
 * codec that fails on its input (the codec's error is the cause); whatever KafkaClientError `decompress` raises
 * (e.g. 'CodecMissing'), with topic, partition and offset added. Every error names topic, partition and offset.
 * A record-level inconsistency surfaces from `decodeChunk`, for that chunk only.
 */
export const decodePartitionRecords = (input: PartitionRecordsInput): DecodedPartition | Promise<DecodedPartition> => {
  const { topic, partition } = input;
  let split;
  try {
    split = splitBatches(input.records);
  } catch (e) {
    throw isKafkaClientError(e) ? e.withContext({ topic, partition }) : e;
  }
  const { batches, partialTail } = split;
  if (input.checkCrc) for (const b of batches) verifyCrc(b, topic, partition);

  const committed = input.isolationLevel === 'read_committed';
  const payloads: (Buffer | Promise<Buffer> | undefined)[] = new Array(batches.length);
  let pending = false;
  for (let i = 0; i < batches.length; i++) {
    const b = batches[i]!;
    const h = b.header;
    // Empty batches (left by compaction to keep producer state) have no records section to read.
    const needed =
      h.recordCount > 0 &&
      (h.isControl ? committed && h.producerId >= 0n : h.baseOffset + BigInt(h.lastOffsetDelta) >= input.fetchOffset);
    if (!needed) continue;
    if (h.compression === 'none') {
      payloads[i] = b.payload;
      continue;
    }
    const codec = h.compression;
    const context = { topic, partition, offset: h.baseOffset };
    let out: Buffer | Promise<Buffer>;
    try {
      out = input.decompress(codec, b.payload);
    } catch (e) {
      for (const p of payloads) if (p instanceof Promise) p.catch(() => undefined);
      throw codecError(e, codec, context);
    }
    if (Buffer.isBuffer(out)) payloads[i] = out;
    else {
      pending = true;
      payloads[i] = Promise.resolve(out).catch((e: unknown) => {
        throw codecError(e, codec, context);
      });
    }
  }
  if (!pending) return finish(input, batches, payloads as (Buffer | undefined)[], partialTail);
  return Promise.all(payloads).then((resolved) => finish(input, batches, resolved, partialTail));
};

const finish = (
  input: PartitionRecordsInput,
  batches: readonly RawBatch[],
  payloads: readonly (Buffer | undefined)[],
  partialTail: boolean,
): DecodedPartition => {
  const { topic, partition, fetchOffset } = input;
  const committed = input.isolationLevel === 'read_committed';
  // Java's Fetcher algorithm: an aborted transaction's producer becomes aborted once a batch reaches its first
  // offset, and stays so until that producer's ABORT marker.
  const aborted = committed ? [...input.abortedTransactions].sort((a, b) => cmp(a.firstOffset, b.firstOffset)) : [];
  let nextAborted = 0;
  const abortedProducers = new Set<bigint>();
  const chunks: DataChunk[] = [];
  let nextOffset = fetchOffset;
  let bytes = 0;
  for (let i = 0; i < batches.length; i++) {
    const b = batches[i]!;
    const h = b.header;
    const lastOffset = h.baseOffset + BigInt(h.lastOffsetDelta);
    if (lastOffset >= nextOffset) nextOffset = lastOffset + 1n;
    bytes += b.bytes.length;
    const payload = payloads[i];
    if (committed && h.producerId >= 0n) {
      for (let a = aborted[nextAborted]; a !== undefined && a.firstOffset <= lastOffset; a = aborted[++nextAborted]) {
        abortedProducers.add(a.producerId);
      }
      if (h.isControl) {
        if (payload !== undefined && readControlType(payload) === 'abort') {
          abortedProducers.delete(h.producerId);
        }
        continue;
      }
      if (h.isTransactional && abortedProducers.has(h.producerId)) continue;
    }
    if (h.isControl || payload === undefined) continue;
    chunks.push({ batch: b, payload, minOffset: fetchOffset, bytes: b.bytes.length });
  }
  return {
    chunks,
    get messages() {
      return chunks.flatMap((c) => decodeChunk(c, topic, partition));
    },
    nextOffset,
    bytes,
    partialTail,
  };
};

const cmp = (a: bigint, b: bigint): number => (a < b ? -1 : a > b ? 1 : 0);

const verifyCrc = (b: RawBatch, topic: string, partition: number): void => {
  const computed = crc32c(b.bytes, OFFSET.attributes, b.bytes.length);
  if (computed !== b.header.crc) {
    throw new KafkaClientError({
      tag: 'CorruptRecordBatch',
      message: `Record batch CRC32C mismatch: stored ${hex(b.header.crc)}, computed ${hex(computed)}`,
      context: { topic, partition, offset: b.header.baseOffset },
    });
  }
};

const hex = (n: number): string => `0x${n.toString(16).padStart(8, '0')}`;

const codecError = (
  e: unknown,
  codec: CompressedCodecName,
  context: { topic: string; partition: number; offset: bigint },
): KafkaClientError =>
  isKafkaClientError(e)
    ? e.withContext(context)
    : new KafkaClientError({ tag: 'CorruptRecordBatch', message: `Could not decompress a ${codec} record batch`, context, cause: e });
