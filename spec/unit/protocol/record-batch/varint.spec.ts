import fc from 'fast-check';
import { Cursor, sizeOfVarInt, sizeOfVarLong, writeVarInt, writeVarLong } from '../../../../src/protocol/record-batch';

const encodeInt = (v: number): Buffer => {
  const b = Buffer.alloc(sizeOfVarInt(v));
  expect(writeVarInt(b, 0, v)).toBe(b.length);
  return b;
};

describe('zig-zag varints', () => {
  it('matches the protobuf/Kafka encodings of known values', () => {
    expect(encodeInt(0)).toEqual(Buffer.from([0x00]));
    expect(encodeInt(-1)).toEqual(Buffer.from([0x01]));
    expect(encodeInt(1)).toEqual(Buffer.from([0x02]));
    expect(encodeInt(-64)).toEqual(Buffer.from([0x7f]));
    expect(encodeInt(64)).toEqual(Buffer.from([0x80, 0x01]));
    expect(encodeInt(2147483647)).toEqual(Buffer.from([0xfe, 0xff, 0xff, 0xff, 0x0f]));
    expect(encodeInt(-2147483648)).toEqual(Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f]));
  });

  it('round-trips any int32 as varint', () => {
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), (v) => {
        const c = new Cursor(encodeInt(v), 0);
        expect(c.varint()).toBe(v);
        expect(c.pos).toBe(sizeOfVarInt(v));
      }),
    );
  });

  it('round-trips integers within ±2^52 as varlong', () => {
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 52), max: 2 ** 52 }), (v) => {
        const b = Buffer.alloc(sizeOfVarLong(v));
        expect(writeVarLong(b, 0, v)).toBe(b.length);
        const c = new Cursor(b, 0);
        expect(c.varlong()).toBe(v);
        expect(c.pos).toBe(b.length);
      }),
    );
  });

  it('moves past the end on a truncated or over-long varint instead of throwing', () => {
    const truncated = new Cursor(Buffer.from([0x80, 0x80]), 0);
    truncated.varint();
    expect(truncated.pos).toBeGreaterThan(2);
    const overlong = new Cursor(Buffer.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x01]), 0);
    overlong.varint();
    expect(overlong.pos).toBeGreaterThan(6);
  });
});
