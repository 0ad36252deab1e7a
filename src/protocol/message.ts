/** One record header. */
export interface MessageHeader {
  readonly key: string;
  readonly value: Buffer | null;
}

/**
 * A consumed record. `key` and `value` are views into the fetched buffer (no copies): copy them if you keep
 * them longer than the message. `offset` is exact (bigint) at any magnitude.
 */
export interface KafkaMessage {
  readonly topic: string;
  readonly partition: number;
  readonly offset: bigint;
  /** Milliseconds since the epoch (create time or log-append time, per `timestampType`). */
  readonly timestamp: number;
  readonly timestampType: 'create' | 'log-append';
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: readonly MessageHeader[];
}

/** A record to encode (tests, the in-memory broker). */
export interface RecordToEncode {
  readonly key?: Buffer | string | null;
  readonly value: Buffer | string | null;
  readonly headers?: Readonly<Record<string, Buffer | string>>;
  readonly timestamp?: number;
}

export type CompressionCodecName = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';

/** A record to produce. Without `partition`, the partitioner picks one (murmur2 of the key, as Java does). */
export interface ProducerRecord {
  readonly topic: string;
  readonly key?: Buffer | string | null;
  readonly value: Buffer | string | null;
  readonly headers?: Readonly<Record<string, Buffer | string>>;
  readonly partition?: number;
  /** ms since the epoch; default: when the record reached the producer. */
  readonly timestamp?: number;
}

/** Where a produced record landed: its offset (-1n with acks 0) and timestamp, and the record itself. */
export interface DeliveryReport<R extends ProducerRecord = ProducerRecord> {
  readonly topic: string;
  readonly partition: number;
  readonly offset: bigint;
  /** The record's timestamp: its create time, or the broker's append time on a LogAppendTime topic. */
  readonly timestamp: number;
  readonly record: R;
}
