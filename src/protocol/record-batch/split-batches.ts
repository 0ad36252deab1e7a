import { KafkaClientError } from '../../errors';
import { BATCH_HEADER_SIZE, BatchHeader, LOG_OVERHEAD, OFFSET, readBatchHeader } from './batch-header';

/** One complete batch: its header, its records section (still compressed if compressed) and all its bytes. */
export interface RawBatch {
  readonly header: BatchHeader;
  /** The records section: a view into the input, compressed when `header.compression` is not 'none'. */
  readonly payload: Buffer;
  /** The whole batch (header included): a view into the input, for the CRC check. */
  readonly bytes: Buffer;
}

export interface SplitBatches {
  readonly batches: RawBatch[];
  /** True when the input ends in an incomplete batch (the broker cuts the response at maxBytes). */
  readonly partialTail: boolean;
}

const corrupt = (message: string, offset: bigint): KafkaClientError =>
  new KafkaClientError({ tag: 'CorruptRecordBatch', message, context: { offset } });

/**
 * Splits a fetch response's records into complete batches, without copying. A trailing partial batch is not an
 * error. Only magic v2 (Kafka 0.11+) is supported: message sets v0/v1 raise CorruptRecordBatch, as do lengths
 * too short for a v2 header. Errors carry the batch's base offset; the caller adds topic and partition.
 */
export const splitBatches = (buf: Buffer): SplitBatches => {
  const batches: RawBatch[] = [];
  const end = buf.length;
  let pos = 0;
  while (pos < end) {
    if (end - pos <= OFFSET.magic) break; // not even the magic byte yet
    const baseOffset = buf.readBigInt64BE(pos);
    const batchLength = buf.readInt32BE(pos + OFFSET.batchLength);
    const size = LOG_OVERHEAD + batchLength;
    const magic = buf.readInt8(pos + OFFSET.magic);
    if (magic !== 2) {
      throw corrupt(
        `Unsupported record format: magic ${magic} (message sets v0/v1, before Kafka 0.11, are not supported; only RecordBatch v2)`,
        baseOffset,
      );
    }
    if (size < BATCH_HEADER_SIZE) throw corrupt(`Record batch length ${batchLength} is shorter than a v2 header`, baseOffset);
    if (size > end - pos) break;
    const header = readBatchHeader(buf, pos);
    if (header.recordCount < 0) throw corrupt(`Negative record count ${header.recordCount}`, baseOffset);
    batches.push({ header, payload: buf.subarray(pos + BATCH_HEADER_SIZE, pos + size), bytes: buf.subarray(pos, pos + size) });
    pos += size;
  }
  return { batches, partialTail: pos < end };
};
