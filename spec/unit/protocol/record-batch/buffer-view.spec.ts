import assert from 'node:assert';
import { bufferOver } from '../../../../src/protocol/record-batch/buffer-view';

const pooled = (): Buffer => {
  const b = Buffer.from('..hello, world..'); // small: taken from Node's shared pool, so byteOffset is not 0
  return b.subarray(2, b.length - 2);
};

describe('bufferOver', () => {
  it('is a real Buffer sharing the memory it views', () => {
    const source = pooled();
    const view = bufferOver(source.buffer, source.byteOffset + 7, 5);
    expect(Buffer.isBuffer(view)).toBe(true);
    expect(view).toBeInstanceOf(Buffer);
    expect(Object.getPrototypeOf(view)).toBe(Buffer.prototype);
    expect(view.toString()).toBe('world');
    source[7] = 'W'.charCodeAt(0);
    expect(view.toString()).toBe('World');
  });

  it('is deep-equal to the same bytes built with Buffer.from, under jest and node:assert', () => {
    const source = pooled();
    const view = bufferOver(source.buffer, source.byteOffset, 5);
    expect(view).toEqual(Buffer.from('hello'));
    expect(() => assert.deepStrictEqual(view, Buffer.from('hello'))).not.toThrow();
    expect(view.equals(source.subarray(0, 5))).toBe(true);
  });

  it('falls back to Buffer.from views where Buffer exposes no species class', () => {
    const descriptor = Object.getOwnPropertyDescriptor(Buffer, Symbol.species)!;
    Object.defineProperty(Buffer, Symbol.species, { configurable: true, get: () => Buffer });
    try {
      jest.isolateModules(() => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const fallback = (require('../../../../src/protocol/record-batch/buffer-view') as typeof import('../../../../src/protocol/record-batch/buffer-view')).bufferOver;
        const source = pooled();
        const view = fallback(source.buffer, source.byteOffset + 7, 5);
        expect(view).toEqual(Buffer.from('world'));
        source[7] = 'W'.charCodeAt(0);
        expect(view.toString()).toBe('World');
      });
    } finally {
      Object.defineProperty(Buffer, Symbol.species, descriptor);
    }
  });
});
