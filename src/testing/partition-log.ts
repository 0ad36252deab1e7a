import type { KafkaErrorCode } from '../errors';
import { gunzipSync } from 'node:zlib';
import type { KafkaMessage, RecordToEncode } from '../protocol/message';
import { decodePartitionRecords, encodeControlRecord, encodeRecordBatch, readBatchHeader } from '../protocol/record-batch';
import { ProducerState } from './producer-state';

/** Reading a produced batch back (its CRC, its records' timestamps); compressed ones are not opened. */
const READ_BACK = {
  topic: '',
  partition: 0,
  isolationLevel: 'read_uncommitted',
  abortedTransactions: [],
  decompress: () => Promise.resolve(Buffer.alloc(0)),
} as const;

interface StoredBatch {
  readonly baseOffset: bigint;
  readonly lastOffset: bigint;
  readonly timestamps: readonly number[];
  /** The batch as a broker stores and serves it: one magic-v2 RecordBatch. */
  readonly bytes: Buffer;
}

/**
 * One partition's log: each produce call is one record batch, encoded once and served as is, the way a broker
 * hands its log segments to a fetch. Every replica is in sync, so the high watermark is the log end offset; the
 * last stable offset stops at the oldest open transaction. The leader and replicas are plain fields the cluster moves.
 */
export class PartitionLog {
  private readonly batches: StoredBatch[] = [];
  private start = 0n;
  private end = 0n;
  private readonly producers = new ProducerState();
  /** Open transactions here: producer id → the offset of its first batch in this log. */
  private readonly ongoing = new Map<bigint, bigint>();
  private readonly aborted: { readonly producerId: bigint; readonly firstOffset: bigint; readonly lastOffset: bigint }[] = [];

  constructor(
    public leader: number,
    public replicas: readonly number[],
  ) {}

  get logStartOffset(): bigint {
    return this.start;
  }

  get highWatermark(): bigint {
    return this.end;
  }

  /** The first offset of the oldest open transaction, else the high watermark: read_committed reads below it. */
  get lastStableOffset(): bigint {
    let lso = this.end;
    for (const first of this.ongoing.values()) if (first < lso) lso = first;
    return lso;
  }

  /** The aborted transactions a read from `fetchOffset` up to `upTo` may meet (a Fetch's abortedTransactions). */
  abortedTransactions(fetchOffset: bigint, upTo: bigint): readonly { readonly producerId: bigint; readonly firstOffset: bigint }[] {
    return this.aborted.filter((a) => a.lastOffset >= fetchOffset && a.firstOffset < upTo).map(({ producerId, firstOffset }) => ({ producerId, firstOffset }));
  }

  /**
   * Ends `producerId`'s open transaction here (the transaction coordinator's WriteTxnMarkers): a commit or abort
   * control batch, one offset; an abort is remembered for read_committed fetches. No open transaction: nothing.
   */
  writeMarker(producerId: bigint, producerEpoch: number, commit: boolean, now: number): void {
    const firstOffset = this.ongoing.get(producerId);
    if (firstOffset === undefined) return;
    const baseOffset = this.end;
    const bytes = encodeControlRecord(commit ? 'commit' : 'abort', { baseOffset, producerId, producerEpoch, timestamp: now });
    this.batches.push({ baseOffset, lastOffset: baseOffset, timestamps: [now], bytes });
    this.end = baseOffset + 1n;
    this.ongoing.delete(producerId);
    if (!commit) this.aborted.push({ producerId, firstOffset, lastOffset: baseOffset });
  }

  /** Appends `records` as one batch; records without a timestamp get `now`. */
  append(records: readonly RecordToEncode[], now: number): { readonly baseOffset: bigint; readonly lastOffset: bigint } {
    const baseOffset = this.end;
    if (records.length === 0) return { baseOffset, lastOffset: baseOffset - 1n };
    const stamped = records.map((r) => ({ ...r, timestamp: r.timestamp ?? now }));
    const timestamps = stamped.map((r) => r.timestamp);
    const bytes = encodeRecordBatch(stamped, { baseOffset, baseTimestamp: timestamps[0] ?? now });
    const lastOffset = baseOffset + BigInt(records.length) - 1n;
    this.batches.push({ baseOffset, lastOffset, timestamps, bytes });
    this.end = lastOffset + 1n;
    return { baseOffset, lastOffset };
  }

  /**
   * Appends a producer's encoded batch as it came (Produce), its base offset set to the log end, after the
   * idempotence check: a retry of a recent batch answers the offset it got, a sequence gap or an old epoch is
   * refused. Per-record timestamps come from uncompressed batches; a compressed batch's records all count as
   * its first timestamp (for ListOffsets by time).
   */
  appendBatch(batch: Buffer): { readonly baseOffset: bigint } | { readonly error: KafkaErrorCode } {
    let header;
    try {
      header = readBatchHeader(batch, 0);
    } catch {
      return { error: 'CORRUPT_MESSAGE' };
    }
    if (header.magic !== 2 || header.batchLength + 12 !== batch.length || header.recordCount <= 0) return { error: 'CORRUPT_MESSAGE' };
    const check = this.producers.check(header.producerId, header.producerEpoch, header.baseSequence);
    if (check.kind === 'refuse') return { error: check.code };
    if (check.kind === 'duplicate') return { baseOffset: check.baseOffset };
    const baseOffset = this.end;
    const bytes = Buffer.from(batch);
    bytes.writeBigInt64BE(baseOffset, 0);
    let timestamps: number[] = Array.from({ length: header.recordCount }, () => header.baseTimestamp);
    try {
      const decoded = decodePartitionRecords({ ...READ_BACK, records: bytes, fetchOffset: baseOffset, checkCrc: true });
      if (decoded instanceof Promise) decoded.catch(() => undefined);
      else timestamps = decoded.messages.map((m) => m.timestamp);
    } catch {
      return { error: 'CORRUPT_MESSAGE' };
    }
    const lastOffset = baseOffset + BigInt(header.recordCount) - 1n;
    this.batches.push({ baseOffset, lastOffset, timestamps, bytes });
    this.end = lastOffset + 1n;
    if (header.isTransactional && !this.ongoing.has(header.producerId)) this.ongoing.set(header.producerId, baseOffset);
    this.producers.written(header.producerId, header.producerEpoch, header.baseSequence, header.recordCount, baseOffset);
    return { baseOffset };
  }

  /**
   * Whole batches from the one holding `fetchOffset`, while they fit in `maxBytes`; with `minOne`, the first
   * batch even if it alone is larger (KIP-74). Empty at the high watermark.
   */
  read(fetchOffset: bigint, maxBytes: number, minOne: boolean, below?: bigint): Buffer {
    const chunks: Buffer[] = [];
    let size = 0;
    for (let i = this.indexOf(fetchOffset); i < this.batches.length; i++) {
      const batch = this.batches[i];
      if (!batch || (below !== undefined && batch.baseOffset >= below)) break;
      if (size + batch.bytes.length > maxBytes && !(minOne && chunks.length === 0)) break;
      chunks.push(batch.bytes);
      size += batch.bytes.length;
    }
    return chunks.length === 1 && chunks[0] ? chunks[0] : Buffer.concat(chunks);
  }

  /**
   * Every record in the log, decoded (gzip batches opened with zlib; other codecs are refused); under
   * read_committed, what a read_committed consumer sees: below the last stable offset, aborted ones left out.
   */
  messages(topic: string, partition: number, isolationLevel: 'read_uncommitted' | 'read_committed' = 'read_uncommitted'): KafkaMessage[] {
    const committed = isolationLevel === 'read_committed';
    const decoded = decodePartitionRecords({
      ...READ_BACK,
      topic,
      partition,
      isolationLevel,
      abortedTransactions: committed ? this.abortedTransactions(this.start, this.lastStableOffset) : [],
      records: this.read(this.start, Number.MAX_SAFE_INTEGER, true, committed ? this.lastStableOffset : undefined),
      fetchOffset: this.start,
      checkCrc: false,
      decompress: (codec, data) => {
        if (codec === 'gzip') return gunzipSync(data);
        throw new RangeError(`The in-memory broker cannot open ${codec} batches`);
      },
    });
    if (decoded instanceof Promise) throw new RangeError('unreachable: decompression here is synchronous');
    return decoded.messages;
  }

  /** ListOffsets by timestamp: the first offset whose timestamp is at least `timestamp`, or -1n. */
  offsetForTimestamp(timestamp: bigint): bigint {
    for (let i = this.indexOf(this.start); i < this.batches.length; i++) {
      const batch = this.batches[i];
      const index = batch?.timestamps.findIndex((t, j) => BigInt(t) >= timestamp && batch.baseOffset + BigInt(j) >= this.start) ?? -1;
      if (batch && index >= 0) return batch.baseOffset + BigInt(index);
    }
    return -1n;
  }

  /** DeleteRecords: moves the log start offset (batches wholly below it are dropped). */
  deleteRecordsBefore(offset: bigint): void {
    const target = offset > this.end ? this.end : offset;
    if (target <= this.start) return;
    this.start = target;
    while (this.batches[0] && this.batches[0].lastOffset < target) this.batches.shift();
  }

  /** Index of the first batch whose last offset is at or above `offset` (batches.length when none). */
  private indexOf(offset: bigint): number {
    let lo = 0;
    let hi = this.batches.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.batches[mid]?.lastOffset ?? offset) < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
