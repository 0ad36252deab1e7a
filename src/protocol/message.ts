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
