import * as net from 'node:net';
import type { KafkajsSocketFactory } from './create-kafkajs-transport';

const KEEP_ALIVE_DELAY_MS = 60_000;
/** Where reads land between responses; a response that does not fit gets its own buffer. */
const SCRATCH_BYTES = 64 * 1024;

/**
 * Cuts a stream of size-prefixed Kafka responses into whole frames (the 4-byte size included), reading straight
 * into one buffer per large response: Node's `onread` hands each read the rest of the current frame, so a 1 MiB
 * Fetch response is neither read into 64 KiB chunks nor reassembled. Small responses are read into a scratch
 * buffer and copied out. `next()` is where the next read lands; `advance(n)` takes the n bytes just read.
 */
export class FrameReader {
  private readonly scratch = Buffer.allocUnsafe(SCRATCH_BYTES);
  private scratchFilled = 0;
  private frame: Buffer | undefined;
  private frameFilled = 0;

  constructor(private readonly emit: (frame: Buffer) => void) {}

  next(): Buffer {
    return this.frame ? this.frame.subarray(this.frameFilled) : this.scratch.subarray(this.scratchFilled);
  }

  /** Throws RangeError for a negative size (a corrupt stream). */
  advance(n: number): void {
    const frame = this.frame;
    if (frame) {
      this.frameFilled += n;
      if (this.frameFilled === frame.length) {
        this.frame = undefined;
        this.emit(frame);
      }
      return;
    }
    this.scratchFilled += n;
    this.cutScratch();
  }

  private cutScratch(): void {
    const s = this.scratch;
    let at = 0;
    while (this.scratchFilled - at >= 4) {
      const size = s.readInt32BE(at);
      if (size < 0) throw new RangeError(`Kafka response size ${size} is negative`);
      const whole = 4 + size;
      const present = Math.min(whole, this.scratchFilled - at);
      const frame = Buffer.allocUnsafe(whole);
      s.copy(frame, 0, at, at + present);
      at += present;
      if (present < whole) {
        this.frame = frame;
        this.frameFilled = present;
        break;
      }
      this.emit(frame);
    }
    const left = this.scratchFilled - at;
    if (left > 0) s.copyWithin(0, at, this.scratchFilled);
    this.scratchFilled = left;
  }
}

/**
 * kafkajs's socket factory with framed reads for plaintext connections: each 'data' event carries exactly one
 * whole response, read in place (see FrameReader). TLS connections use `fallback` (TLS sockets have no `onread`).
 */
export const framedSocketFactory =
  (fallback: KafkajsSocketFactory): KafkajsSocketFactory =>
  (args) => {
    if (args.ssl) return fallback(args);
    // eslint-disable-next-line prefer-const -- the reader's emit needs the socket, created with the reader
    let socket: net.Socket;
    const reader = new FrameReader((frame) => socket.emit('data', frame));
    socket = net.connect(
      {
        host: args.host,
        port: args.port,
        onread: {
          buffer: () => reader.next(),
          callback: (n: number) => {
            try {
              reader.advance(n);
            } catch (e) {
              socket.destroy(e instanceof Error ? e : new Error(String(e)));
              return false;
            }
            return true;
          },
        },
      },
      args.onConnect,
    );
    socket.setKeepAlive(true, KEEP_ALIVE_DELAY_MS);
    return socket;
  };
