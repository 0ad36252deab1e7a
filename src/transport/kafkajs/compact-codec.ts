import { KafkaClientError } from '../../errors';

/*
 * The flexible ("compact") encoding of Kafka's newer request versions (KIP-482): unsigned varint lengths stored
 * plus one (0 = null), and a tagged-fields section closing every struct. kafkajs's encoders stop short of it, so
 * the flexible requests we send (ConsumerGroupHeartbeat, Metadata v12, OffsetCommit v9) are written and read here.
 */

/** Topic ids travel as 16 bytes; we hold them in Java's `Uuid.toString()` form (base64url, no padding). */
export type TopicId = string;

/** Writes one flexible request body. */
export class CompactWriter {
  private readonly parts: Buffer[] = [];

  private push(b: Buffer): this {
    this.parts.push(b);
    return this;
  }

  int8(v: number): this {
    const b = Buffer.alloc(1);
    b.writeInt8(v);
    return this.push(b);
  }
  bool(v: boolean): this {
    return this.int8(v ? 1 : 0);
  }
  int16(v: number): this {
    const b = Buffer.alloc(2);
    b.writeInt16BE(v);
    return this.push(b);
  }
  int32(v: number): this {
    const b = Buffer.alloc(4);
    b.writeInt32BE(v);
    return this.push(b);
  }
  int64(v: bigint): this {
    const b = Buffer.alloc(8);
    b.writeBigInt64BE(v);
    return this.push(b);
  }
  uvarint(v: number): this {
    const bytes: number[] = [];
    let n = v >>> 0;
    while (n >= 0x80) {
      bytes.push((n & 0x7f) | 0x80);
      n >>>= 7;
    }
    bytes.push(n);
    return this.push(Buffer.from(bytes));
  }
  /** A compact (nullable) string. */
  string(v: string | null): this {
    if (v === null) return this.uvarint(0);
    const b = Buffer.from(v, 'utf8');
    return this.uvarint(b.length + 1).push(b);
  }
  uuid(id: TopicId): this {
    const b = Buffer.from(id, 'base64url');
    if (b.length !== 16) throw new KafkaClientError({ tag: 'UsageError', message: `Not a topic id: ${id}` });
    return this.push(b);
  }
  /** A compact (nullable) array. */
  array<T>(items: readonly T[] | null, write: (w: this, item: T) => void): this {
    if (items === null) return this.uvarint(0);
    this.uvarint(items.length + 1);
    for (const item of items) write(this, item);
    return this;
  }
  /** An empty tagged-fields section: we send no tagged fields. */
  tags(): this {
    return this.uvarint(0);
  }
  buffer(): Buffer {
    return Buffer.concat(this.parts);
  }
}

/** Reads one flexible response body, bounds-checked: a short or malformed response is a typed error, not a crash. */
export class CompactReader {
  private offset = 0;
  constructor(
    private readonly buf: Buffer,
    private readonly api: string,
  ) {}

  private need(n: number): number {
    const at = this.offset;
    if (n < 0 || at + n > this.buf.length) {
      throw new KafkaClientError({ tag: 'Unexpected', message: `${this.api} response truncated at byte ${at} (needs ${n} of ${this.buf.length - at} left)`, context: { api: this.api } });
    }
    this.offset += n;
    return at;
  }
  int8 = (): number => this.buf.readInt8(this.need(1));
  bool = (): boolean => this.int8() !== 0;
  int16 = (): number => this.buf.readInt16BE(this.need(2));
  int32 = (): number => this.buf.readInt32BE(this.need(4));
  int64 = (): bigint => this.buf.readBigInt64BE(this.need(8));
  uvarint(): number {
    let result = 0;
    for (let shift = 0; shift <= 28; shift += 7) {
      const byte = this.buf.readUInt8(this.need(1));
      result |= (byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result >>> 0;
    }
    throw new KafkaClientError({ tag: 'Unexpected', message: `${this.api} response has a varint longer than 5 bytes at byte ${this.offset}`, context: { api: this.api } });
  }
  /** A compact nullable string. */
  string(): string | null {
    const n = this.uvarint();
    if (n === 0) return null;
    const at = this.need(n - 1);
    return this.buf.toString('utf8', at, at + n - 1);
  }
  uuid(): TopicId {
    const at = this.need(16);
    return this.buf.subarray(at, at + 16).toString('base64url');
  }
  /** A compact nullable array (null -> null). */
  array<T>(item: () => T): T[] | null {
    const n = this.uvarint();
    if (n === 0) return null;
    const out: T[] = [];
    for (let i = 0; i < n - 1; i++) out.push(item());
    return out;
  }
  /** Skips a tagged-fields section (we read none of them). */
  tags(): void {
    const count = this.uvarint();
    for (let i = 0; i < count; i++) {
      this.uvarint();
      this.need(this.uvarint());
    }
  }
}

/** Java's Uuid.ZERO_UUID: "no topic id" (a broker that does not know it, or a request by name). */
export const ZERO_TOPIC_ID: TopicId = Buffer.alloc(16).toString('base64url');
