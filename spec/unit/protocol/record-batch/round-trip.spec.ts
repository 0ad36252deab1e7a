import fc from 'fast-check';
import type { KafkaMessage, RecordToEncode } from '../../../../src/protocol/message';
import {
  NO_HEADERS,
  decodePartitionRecords,
  DecodedPartition,
  encodeRecordBatch,
  splitBatches,
} from '../../../../src/protocol/record-batch';

const sync = (r: DecodedPartition | Promise<DecodedPartition>): DecodedPartition => {
  if (r instanceof Promise) throw new Error('expected a synchronous result');
  return r;
};

const decode = (records: Buffer, fetchOffset: bigint): DecodedPartition =>
  sync(
    decodePartitionRecords({
      topic: 't',
      partition: 3,
      records,
      fetchOffset,
      isolationLevel: 'read_uncommitted',
      abortedTransactions: [],
      checkCrc: true,
      decompress: () => {
        throw new Error('not compressed');
      },
    }),
  );

const bytesOrString = fc.oneof(fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)), fc.string({ unit: 'grapheme', maxLength: 50 }));
const record: fc.Arbitrary<RecordToEncode> = fc.record(
  {
    key: fc.option(bytesOrString, { nil: null }),
    value: fc.option(bytesOrString, { nil: null }),
    headers: fc.dictionary(fc.string({ unit: 'grapheme', maxLength: 20 }), bytesOrString, { maxKeys: 4 }),
    timestamp: fc.integer({ min: 0, max: 2 ** 45 }),
  },
  { requiredKeys: ['value'] },
);
const offset = fc.oneof(fc.bigInt({ min: 0n, max: 2n ** 63n - 2n ** 32n }), fc.constant(2n ** 60n), fc.constant(2n ** 53n - 3n));

const asBuffer = (v: Buffer | string | null | undefined): Buffer | null =>
  v === null || v === undefined ? null : typeof v === 'string' ? Buffer.from(v) : v;

const expectDecoded = (m: KafkaMessage, r: RecordToEncode, offset: bigint, baseTimestamp: number): void => {
  expect(m.offset).toBe(offset);
  expect(m.topic).toBe('t');
  expect(m.partition).toBe(3);
  expect(m.timestampType).toBe('create');
  expect(m.timestamp).toBe(r.timestamp ?? baseTimestamp);
  expect(m.key).toEqual(asBuffer(r.key));
  expect(m.value).toEqual(asBuffer(r.value));
  const headers = Object.entries(r.headers ?? {}).map(([key, value]) => ({ key, value: asBuffer(value) }));
  expect(m.headers).toEqual(headers);
  if (headers.length === 0) expect(m.headers).toBe(NO_HEADERS);
};

describe('encodeRecordBatch → decodePartitionRecords', () => {
  it('round-trips arbitrary records exactly, at any offset', () => {
    fc.assert(
      fc.property(fc.array(fc.array(record, { minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 4 }), offset, (batches, base) => {
        let next = base;
        const encoded = batches.map((records) => {
          const b = encodeRecordBatch(records, { baseOffset: next, baseTimestamp: 1_700_000_000_000 });
          next += BigInt(records.length);
          return b;
        });
        const result = decode(Buffer.concat(encoded), base);
        const all = batches.flat();
        expect(result.messages).toHaveLength(all.length);
        all.forEach((r, i) => expectDecoded(result.messages[i]!, r, base + BigInt(i), 1_700_000_000_000));
        expect(result.nextOffset).toBe(next);
        expect(result.partialTail).toBe(false);
        expect(result.bytes).toBe(encoded.reduce((n, b) => n + b.length, 0));
      }),
    );
  });

  it('reads the fields whose varints take one, two, three and more bytes (large batches, values and deltas)', () => {
    // 10,000 records: offset deltas up to 9,999 (3-byte varints); values of 0 B to 40 KB (1- to 3-byte lengths and
    // record lengths); timestamp deltas of 1 to 5 varlong bytes, negative ones included.
    const sizes = [0, 1, 63, 64, 100, 8191, 8192, 40_000];
    const deltas = [0, -1, 63, 64, -65, 8191, 8192, 2 ** 20, -(2 ** 27), 2 ** 33];
    const records: RecordToEncode[] = Array.from({ length: 10_000 }, (_, i) => ({
      key: i % 3 === 0 ? null : `k${i}`,
      value: i % 97 === 0 ? null : Buffer.alloc(sizes[i % sizes.length]!, i & 0xff),
      timestamp: 1_700_000_000_000 + deltas[i % deltas.length]!,
      ...(i % 5 === 0 ? { headers: { h: `v${i}` } } : {}),
    }));
    const encoded = encodeRecordBatch(records, { baseOffset: 5n, baseTimestamp: 1_700_000_000_000 });
    const result = decode(encoded, 5n);
    expect(result.messages).toHaveLength(records.length);
    const same = (a: Buffer | null, b: Buffer | null): boolean => (a === null ? b === null : b !== null && a.equals(b));
    const wrong = result.messages.flatMap((m, i) => {
      const r = records[i]!;
      const headers = Object.entries(r.headers ?? {});
      const ok = !(
        m.offset !== 5n + BigInt(i) ||
        m.timestamp !== r.timestamp ||
        !same(m.key, asBuffer(r.key)) ||
        !same(m.value, asBuffer(r.value)) ||
        m.headers.length !== headers.length ||
        headers.some(([k, v], j) => m.headers[j]!.key !== k || !same(m.headers[j]!.value, asBuffer(v)))
      );
      return ok ? [] : [i];
    });
    expect(wrong.slice(0, 5)).toEqual([]);
    const fromMiddle = decode(encoded, 9_000n);
    expect(fromMiddle.messages.map((m) => m.offset)).toEqual(Array.from({ length: 1005 }, (_, i) => 9_000n + BigInt(i)));
  });

  it('reads offsets above 2^53 exactly', () => {
    const base = 2n ** 60n + 7n;
    const result = decode(encodeRecordBatch([{ value: 'a' }, { value: 'b' }, { value: 'c' }], { baseOffset: base }), 0n);
    expect(result.messages.map((m) => m.offset)).toEqual([base, base + 1n, base + 2n]);
    expect(result.nextOffset).toBe(base + 3n);
  });

  it('reads the header fields the encoder wrote', () => {
    const buf = encodeRecordBatch([{ value: 'a', timestamp: 100 }, { value: 'b', timestamp: 50 }], {
      baseOffset: 42n,
      producerId: 2n ** 40n,
      producerEpoch: 7,
      baseSequence: 11,
      transactional: true,
    });
    const [batch] = splitBatches(buf).batches;
    expect(batch?.header).toMatchObject({
      baseOffset: 42n,
      batchLength: buf.length - 12,
      magic: 2,
      compression: 'none',
      timestampType: 'create',
      isTransactional: true,
      isControl: false,
      lastOffsetDelta: 1,
      baseTimestamp: 100,
      maxTimestamp: 100,
      producerId: 2n ** 40n,
      producerEpoch: 7,
      baseSequence: 11,
      recordCount: 2,
    });
  });

  it('gives every record the batch maxTimestamp under LogAppendTime', () => {
    const buf = encodeRecordBatch([{ value: 'a', timestamp: 1 }, { value: 'b', timestamp: 2 }], { baseOffset: 0n, logAppendTime: 999 });
    const { messages } = decode(buf, 0n);
    expect(messages.map((m) => [m.timestamp, m.timestampType])).toEqual([
      [999, 'log-append'],
      [999, 'log-append'],
    ]);
  });

  it('returns key and value as views into the fetched buffer, not copies', () => {
    const buf = encodeRecordBatch([{ key: 'k', value: 'v', headers: { h: 'x' } }], { baseOffset: 0n });
    const [m] = decode(buf, 0n).messages;
    expect(m?.key?.buffer).toBe(buf.buffer);
    expect(m?.value?.buffer).toBe(buf.buffer);
    expect(m?.headers[0]?.value?.buffer).toBe(buf.buffer);
  });
});
