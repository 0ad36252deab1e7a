/**
 * Zig-zag varints (Kafka's `varint` / `varlong`), read in place through a {@link Cursor} and written into a
 * preallocated buffer. Reads never throw: a read past the end yields zeros and moves `pos` past the end, and an
 * over-long varint moves `pos` past the end too, so callers detect corruption with one bounds check per record.
 */

/** A read position in a byte buffer. */
export class Cursor {
  constructor(
    readonly buf: Uint8Array,
    public pos: number,
  ) {}

  /** A signed 32-bit zig-zag varint (at most 5 bytes). */
  varint(): number {
    const buf = this.buf;
    let pos = this.pos;
    let b = buf[pos++]!;
    if (b < 0x80) {
      this.pos = pos;
      return (b >>> 1) ^ -(b & 1);
    }
    let u = b & 0x7f;
    let shift = 7;
    do {
      b = buf[pos++]!;
      u |= (b & 0x7f) << shift;
      shift += 7;
    } while (b & 0x80 && shift < 35);
    // An unterminated 5th byte is corrupt: poison the position.
    this.pos = b & 0x80 ? buf.length + 1 : pos;
    return (u >>> 1) ^ -(u & 1);
  }

  /** A signed 64-bit zig-zag varlong as a number: exact within ±2^53 (timestamps and their deltas are). */
  varlong(): number {
    const buf = this.buf;
    let pos = this.pos;
    let b = buf[pos++]!;
    if (b < 0x80) {
      this.pos = pos;
      return (b >>> 1) ^ -(b & 1);
    }
    let u = b & 0x7f;
    let mul = 0x80;
    let n = 1;
    do {
      b = buf[pos++]!;
      u += (b & 0x7f) * mul;
      mul *= 0x80;
      n++;
    } while (b & 0x80 && n < 10);
    this.pos = b & 0x80 ? buf.length + 1 : pos;
    return u % 2 === 0 ? u / 2 : -(u + 1) / 2;
  }
}

const zigZag64 = (v: number): number => (v >= 0 ? v * 2 : -v * 2 - 1);

/** Bytes taken by `v` as a zig-zag varint. */
export const sizeOfVarInt = (v: number): number => sizeOfUnsigned(((v << 1) ^ (v >> 31)) >>> 0);

/** Bytes taken by `v` (an integer within ±2^52) as a zig-zag varlong. */
export const sizeOfVarLong = (v: number): number => sizeOfUnsigned(zigZag64(v));

const sizeOfUnsigned = (u: number): number => {
  let n = 1;
  while (u >= 0x80) {
    u = Math.floor(u / 0x80);
    n++;
  }
  return n;
};

/** Writes `v` as a zig-zag varint at `pos`; returns the position after it. */
export const writeVarInt = (buf: Uint8Array, pos: number, v: number): number =>
  writeUnsigned(buf, pos, ((v << 1) ^ (v >> 31)) >>> 0);

/** Writes `v` (an integer within ±2^52) as a zig-zag varlong at `pos`; returns the position after it. */
export const writeVarLong = (buf: Uint8Array, pos: number, v: number): number => writeUnsigned(buf, pos, zigZag64(v));

const writeUnsigned = (buf: Uint8Array, pos: number, u: number): number => {
  while (u >= 0x80) {
    buf[pos++] = (u % 0x80) | 0x80;
    u = Math.floor(u / 0x80);
  }
  buf[pos++] = u;
  return pos;
};
