import { gzipSync } from 'node:zlib';
import { KafkaClientError } from '../../../src/errors';
import { decodeFetchResponseV11, kafkajsDecompress, mapKafkajsError } from '../../../src/transport/kafkajs';

/* No broker needed: the adapter's pure parts (Fetch decoder, codec lookup, error mapping). */

const i16 = (n: number) => Buffer.from([(n >> 8) & 0xff, n & 0xff]);
const i32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};
const i64 = (n: bigint) => {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(n);
  return b;
};
const str = (s: string) => Buffer.concat([i16(Buffer.byteLength(s)), Buffer.from(s)]);

const partition = (p: number, code: number, aborted: [bigint, bigint][] | null, records: Buffer | null) =>
  Buffer.concat([
    i32(p),
    i16(code),
    i64(100n),
    i64(90n),
    i64(3n),
    aborted === null ? i32(-1) : Buffer.concat([i32(aborted.length), ...aborted.flatMap(([a, b]) => [i64(a), i64(b)])]),
    i32(-1), // preferred read replica
    records === null ? i32(-1) : Buffer.concat([i32(records.length), records]),
  ]);

const response = (parts: Buffer[]) => Buffer.concat([i32(7), i16(0), i32(0), i32(1), str('t'), i32(parts.length), ...parts]);

describe('decodeFetchResponseV11', () => {
  it('returns offsets as bigint, aborted transactions, per-partition errors and records as a view', () => {
    const records = Buffer.from('raw-batches');
    const payload = response([partition(0, 0, [[5n, 40n]], records), partition(1, 1, null, null)]);
    const res = decodeFetchResponseV11(payload, { broker: 'b:1' });
    expect(res.clientSideThrottleTime).toBe(7);
    const [p0, p1] = res.partitions;
    expect(p0).toMatchObject({ topic: 't', partition: 0, highWatermark: 100n, lastStableOffset: 90n, logStartOffset: 3n, abortedTransactions: [{ producerId: 5n, firstOffset: 40n }] });
    expect(p0?.records.toString()).toBe('raw-batches');
    expect(p0?.records.buffer).toBe(payload.buffer); // no copy
    expect(p0?.error).toBeUndefined();
    expect(p1?.records.length).toBe(0);
    expect(p1?.abortedTransactions).toEqual([]);
    expect(p1?.error).toMatchObject({ code: 'OFFSET_OUT_OF_RANGE', context: { topic: 't', partition: 1, broker: 'b:1' } });
  });

  it('rejects a truncated response', () => {
    const payload = response([partition(0, 0, [], Buffer.from('abc'))]);
    expect(() => decodeFetchResponseV11(payload.subarray(0, payload.length - 2))).toThrow(/truncated/);
  });
});

describe('kafkajsDecompress', () => {
  it('uses the built-in gzip codec', async () => {
    expect((await kafkajsDecompress('gzip', gzipSync(Buffer.from('hello')))).toString()).toBe('hello');
  });

  it('fails with CodecMissing naming the codec and how to register it', async () => {
    const e = await kafkajsDecompress('snappy', Buffer.alloc(1)).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(KafkaClientError);
    expect(e).toMatchObject({ _tag: 'CodecMissing', retriable: false });
    expect((e as Error).message).toMatch(/snappy.*kafkajs-snappy.*CompressionCodecs\[CompressionTypes\.Snappy\]/);
  });
});

describe('mapKafkajsError', () => {
  it('classifies kafkajs errors by name', () => {
    expect(mapKafkajsError({ name: 'KafkaJSConnectionError', message: 'Connection error: ECONNREFUSED', broker: 'h:9092' })).toMatchObject({
      _tag: 'ConnectionError',
      retriable: true,
      context: { broker: 'h:9092' },
    });
    expect(mapKafkajsError({ name: 'KafkaJSConnectionClosedError', message: 'Closed connection' }, { broker: 'h:1' })).toMatchObject({ _tag: 'ConnectionError', retriable: true });
    expect(mapKafkajsError({ name: 'KafkaJSRequestTimeoutError', message: 'Request Heartbeat timed out' })).toMatchObject({ _tag: 'RequestTimeout', retriable: true });
    expect(mapKafkajsError({ name: 'KafkaJSNumberOfRetriesExceeded', message: 'x' })).toMatchObject({ _tag: 'BrokerUnavailable', retriable: false });
    expect(mapKafkajsError({ name: 'KafkaJSProtocolError', message: 'x', type: 'NOT_COORDINATOR', code: 16 })).toMatchObject({ code: 'NOT_COORDINATOR', retriable: true });
    expect(mapKafkajsError({ name: 'KafkaJSMemberIdRequired', message: 'x', code: 79, memberId: 'm-1' })).toMatchObject({ code: 'MEMBER_ID_REQUIRED', memberId: 'm-1' });
    expect(mapKafkajsError(new Error('boom'))).toMatchObject({ _tag: 'Unexpected' });
  });

  it('names the SASL mechanism and broker, never the credentials', () => {
    const e = mapKafkajsError({ name: 'KafkaJSSASLAuthenticationError', message: 'SASL PLAIN authentication failed: Authentication failed' }, { broker: 'h:9093' }, { saslMechanism: 'PLAIN' });
    expect(e).toMatchObject({ _tag: 'AuthenticationError', retriable: false });
    expect(e.message).toContain('PLAIN');
    expect(e.message).toContain('h:9093');
  });
});
