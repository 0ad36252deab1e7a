/**
 * Zero-copy views into a fetched buffer, built the cheap way.
 *
 * `buf.subarray(a, b)` finds the constructor of its result through `Symbol.species` on every call, which costs
 * about 70 ns. Node's own Buffer class (`FastBuffer`, what `Buffer[Symbol.species]` returns) constructed directly
 * costs about 28 ns and gives the same object: a real Buffer, `Buffer.isBuffer`, `instanceof Buffer` and
 * `deepStrictEqual` against `Buffer.from(...)` all hold. Where a runtime does not expose it, views fall back to the
 * same view built by `Buffer.from(arrayBuffer, byteOffset, length)`.
 */
type BufferClass = new (arrayBuffer: ArrayBufferLike, byteOffset: number, length: number) => Buffer;

const species: unknown = (Buffer as unknown as Record<symbol, unknown>)[Symbol.species];

const isNodeBufferClass = (candidate: unknown): candidate is BufferClass => {
  if (typeof candidate !== 'function' || candidate === Buffer) return false;
  try {
    const probe = new (candidate as BufferClass)(new ArrayBuffer(2), 1, 1);
    return Buffer.isBuffer(probe) && probe.byteOffset === 1 && probe.length === 1;
  } catch {
    return false;
  }
};

const FastBuffer: BufferClass | undefined = isNodeBufferClass(species) ? species : undefined;

/** A Buffer over `length` bytes of `arrayBuffer` from `byteOffset` (no bounds checks: the caller has checked them). */
export const bufferOver: (arrayBuffer: ArrayBufferLike, byteOffset: number, length: number) => Buffer =
  FastBuffer === undefined
    ? (arrayBuffer, byteOffset, length) => Buffer.from(arrayBuffer, byteOffset, length)
    : (arrayBuffer, byteOffset, length) => new FastBuffer(arrayBuffer, byteOffset, length);
