import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import { FrameReader, framedSocketFactory } from '../../../src/transport/kafkajs/framed-socket';
import { decodeWholeChunksInPlace } from '../../../src/transport/kafkajs/whole-response-chunks';

type KafkajsConnection = Parameters<typeof decodeWholeChunksInPlace>[0];

/** A size-prefixed frame of `size` body bytes, filled with a pattern from `seed`. */
const frameOf = (size: number, seed: number): Buffer => {
  const f = Buffer.allocUnsafe(4 + size);
  f.writeInt32BE(size, 0);
  for (let i = 0; i < size; i++) f[4 + i] = (seed + i * 7) & 0xff;
  return f;
};

/** Feeds `stream` to a reader as a socket would: each read at most `readSize(i)` bytes and never past next(). */
const feed = (reader: FrameReader, stream: Buffer, readSize: (i: number) => number): void => {
  let at = 0;
  for (let i = 0; at < stream.length; i++) {
    const target = reader.next();
    const n = Math.min(target.length, readSize(i), stream.length - at);
    stream.copy(target, 0, at, at + n);
    at += n;
    reader.advance(n);
  }
};

const sizes = [0, 1, 3, 100, 70_000, 5, 1_048_576, 2, 65_532, 65_536, 9];

describe('FrameReader', () => {
  it.each([
    ['one byte per read', () => 1],
    ['64 KiB reads', () => 65_536],
    ['uneven reads', (i: number) => 1 + ((i * 7919) % 90_001)],
  ])('emits each whole frame once, in order, with %s', (_name, readSize) => {
    const frames = sizes.map((s, i) => frameOf(s, i));
    const out: Buffer[] = [];
    feed(new FrameReader((f) => out.push(f)), Buffer.concat(frames), readSize);
    expect(out.map((f) => f.length)).toEqual(frames.map((f) => f.length));
    out.forEach((f, i) => expect(f.equals(frames[i]!)).toBe(true));
  });

  it('reads a frame larger than the scratch buffer into that frame itself', () => {
    const big = frameOf(1_000_000, 3);
    const out: Buffer[] = [];
    const reader = new FrameReader((f) => out.push(f));
    feed(reader, big.subarray(0, 10), () => 65_536);
    const target = reader.next();
    expect(target.length).toBe(big.length - 10);
    feed(reader, big.subarray(10), () => 65_536);
    expect(out).toHaveLength(1);
    expect(out[0]!.equals(big)).toBe(true);
  });

  it('keeps frames emitted earlier intact while later reads land', () => {
    const frames = [frameOf(10, 1), frameOf(20, 2), frameOf(30, 3)];
    const out: Buffer[] = [];
    feed(new FrameReader((f) => out.push(f)), Buffer.concat(frames), () => 7);
    out.forEach((f, i) => expect(f.equals(frames[i]!)).toBe(true));
  });

  it('throws a RangeError on a negative response size', () => {
    const bad = Buffer.alloc(4);
    bad.writeInt32BE(-5, 0);
    expect(() => feed(new FrameReader(() => undefined), bad, () => 4)).toThrow(/response size -5 is negative/);
  });
});

describe('framedSocketFactory', () => {
  it('emits one data event per whole response from a real socket that writes them in odd pieces', async () => {
    const frames = sizes.map((s, i) => frameOf(s, i + 11));
    const stream = Buffer.concat(frames);
    const server = net.createServer((s) => {
      let at = 0;
      const writeSome = (): void => {
        if (at >= stream.length) return void s.end();
        const n = Math.min(1 + ((at * 31) % 50_000), stream.length - at);
        s.write(stream.subarray(at, (at += n)), writeSome);
      };
      writeSome();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const unused = (): net.Socket => {
        throw new Error('plaintext must not fall back');
      };
      const received: Buffer[] = [];
      await new Promise<void>((resolve, reject) => {
        const socket = framedSocketFactory(unused)({ host: '127.0.0.1', port, ssl: undefined as never, onConnect: () => undefined });
        socket.on('data', (f: Buffer) => received.push(f));
        socket.on('end', resolve);
        socket.on('error', reject);
      });
      expect(received.map((f) => f.length)).toEqual(frames.map((f) => f.length));
      received.forEach((f, i) => expect(f.equals(frames[i]!)).toBe(true));
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('hands TLS connections to the fallback factory', () => {
    const socket = new net.Socket();
    const fallback = jest.fn(() => socket);
    const args = { host: 'h', port: 1, ssl: { rejectUnauthorized: true }, onConnect: () => undefined };
    expect(framedSocketFactory(fallback)(args)).toBe(socket);
    expect(fallback).toHaveBeenCalledWith(args);
  });
});

describe('decodeWholeChunksInPlace', () => {
  it('drops the empty rest of the last response so a one-chunk response is not concatenated', () => {
    const seen: Buffer[][] = [];
    const connection: KafkajsConnection = {
      chunks: [Buffer.alloc(0)],
      bytesBuffered: 0,
      processData(this: KafkajsConnection, raw: Buffer) {
        this.chunks.push(raw);
        seen.push([...this.chunks]);
      },
    };
    decodeWholeChunksInPlace(connection);
    const frame = frameOf(8, 1);
    connection.processData(frame);
    expect(seen[0]).toEqual([frame]);
  });

  it('keeps a partial response buffered', () => {
    const partial = Buffer.from([0, 0, 0, 9, 1]);
    const seen: Buffer[][] = [];
    const connection: KafkajsConnection = {
      chunks: [partial],
      bytesBuffered: partial.length,
      processData(this: KafkajsConnection, raw: Buffer) {
        this.chunks.push(raw);
        seen.push([...this.chunks]);
      },
    };
    decodeWholeChunksInPlace(connection);
    const rest = Buffer.alloc(8);
    connection.processData(rest);
    expect(seen[0]).toEqual([partial, rest]);
  });
});
