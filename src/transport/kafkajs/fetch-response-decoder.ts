import { KafkaClientError, type ErrorContext } from '../../errors';
import type { AbortedTransaction, FetchPartition } from '../port';
import { errorFromCode } from './map-error';

/** A decoded Fetch v11 response. `clientSideThrottleTime` is read by kafkajs's connection (KIP-219). */
export interface FetchResponseV11 {
  readonly clientSideThrottleTime: number;
  readonly errorCode: number;
  readonly sessionId: number;
  readonly partitions: readonly FetchPartition[];
}

/** A bounds-checked big-endian reader over one response buffer. */
class Reader {
  private offset = 0;
  constructor(private readonly buf: Buffer) {}
  private need(n: number): number {
    const at = this.offset;
    if (at + n > this.buf.length) {
      throw new KafkaClientError({ tag: 'Unexpected', message: `Fetch response truncated at byte ${at} (needs ${n} of ${this.buf.length - at} left)` });
    }
    this.offset += n;
    return at;
  }
  int16 = () => this.buf.readInt16BE(this.need(2));
  int32 = () => this.buf.readInt32BE(this.need(4));
  int64 = () => this.buf.readBigInt64BE(this.need(8));
  string(): string {
    const n = this.int16();
    if (n < 0) return '';
    const at = this.need(n);
    return this.buf.toString('utf8', at, at + n);
  }
  /** A view (no copy); null bytes -> empty. */
  bytes(): Buffer {
    const n = this.int32();
    if (n < 0) return this.buf.subarray(0, 0);
    const at = this.need(n);
    return this.buf.subarray(at, at + n);
  }
  array<T>(item: () => T): T[] {
    const n = this.int32();
    const out: T[] = [];
    for (let i = 0; i < n; i++) out.push(item());
    return out;
  }
}

/**
 * Decodes a Fetch v11 response without touching the records: each partition's `records` is a view of the
 * response buffer (raw record batches, possibly ending in a partial batch), for the record-batch decoder.
 *
 * Fetch Response (v11) => throttle_time_ms error_code session_id [responses]
 *   responses => topic [partitions]
 *     partitions => partition error_code high_watermark last_stable_offset log_start_offset
 *                   [aborted_transactions => producer_id first_offset] preferred_read_replica records
 */
export const decodeFetchResponseV11 = (payload: Buffer, context: ErrorContext = {}): FetchResponseV11 => {
  const r = new Reader(payload);
  const clientSideThrottleTime = r.int32();
  const errorCode = r.int16();
  const sessionId = r.int32();
  const partitions = r
    .array(() => {
      const topic = r.string();
      return r.array((): FetchPartition => {
        const partition = r.int32();
        const code = r.int16();
        const highWatermark = r.int64();
        const lastStableOffset = r.int64();
        const logStartOffset = r.int64();
        const abortedTransactions = r.array((): AbortedTransaction => ({ producerId: r.int64(), firstOffset: r.int64() }));
        r.int32(); // preferred_read_replica (KIP-392): we always fetch from the leader
        const records = r.bytes();
        const error = errorFromCode(code, { ...context, topic, partition });
        return { topic, partition, highWatermark, lastStableOffset, logStartOffset, abortedTransactions, records, ...(error ? { error } : {}) };
      });
    })
    .flat();
  return { clientSideThrottleTime, errorCode, sessionId, partitions };
};
