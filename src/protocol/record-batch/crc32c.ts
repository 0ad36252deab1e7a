/** CRC32C (Castagnoli, reflected polynomial 0x82F63B78), slicing-by-8 over precomputed tables. */

const POLY = 0x82f63b78;

/** Eight 256-entry tables: T[0] is the classic byte table, T[k] advances k further zero bytes. */
const T = ((): Int32Array => {
  const t = new Int32Array(8 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
    t[n] = c;
  }
  for (let n = 0; n < 256; n++) {
    for (let k = 1; k < 8; k++) {
      const prev = t[(k - 1) * 256 + n]!;
      t[k * 256 + n] = (prev >>> 8) ^ t[prev & 0xff]!;
    }
  }
  return t;
})();

/** The CRC32C of `buf[start, end)`, as an unsigned 32-bit number. */
export const crc32c = (buf: Uint8Array, start = 0, end = buf.length): number => {
  let crc = -1;
  let i = start;
  for (; i + 8 <= end; i += 8) {
    crc ^= buf[i]! | (buf[i + 1]! << 8) | (buf[i + 2]! << 16) | (buf[i + 3]! << 24);
    crc =
      T[0x700 + (crc & 0xff)]! ^
      T[0x600 + ((crc >>> 8) & 0xff)]! ^
      T[0x500 + ((crc >>> 16) & 0xff)]! ^
      T[0x400 + (crc >>> 24)]! ^
      T[0x300 + buf[i + 4]!]! ^
      T[0x200 + buf[i + 5]!]! ^
      T[0x100 + buf[i + 6]!]! ^
      T[buf[i + 7]!]!;
  }
  for (; i < end; i++) crc = T[(crc ^ buf[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ -1) >>> 0;
};
