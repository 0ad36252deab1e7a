import fc from 'fast-check';
import { gunzipSync } from 'node:zlib';
import type { RecordToEncode } from '../../../../src/protocol/message';
import { DecodedPartition, decodePartitionRecords, encodeRecordBatch, splitBatches } from '../../../../src/protocol/record-batch';
import { encodeWithKafkajs } from '../../../../src/transport/kafkajs/record-batch-fixture';

const decode = async (records: Buffer, fetchOffset: bigint): Promise<DecodedPartition> =>
  decodePartitionRecords({
    topic: 't',
    partition: 0,
    records,
    fetchOffset,
    isolationLevel: 'read_committed',
    abortedTransactions: [],
    checkCrc: true,
    decompress: (_codec, data) => gunzipSync(data),
  });

const asBuffer = (v: Buffer | string | null | undefined): Buffer | null =>
  v === null || v === undefined ? null : typeof v === 'string' ? Buffer.from(v) : v;

const bytesOrString = fc.oneof(fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a)), fc.string({ maxLength: 40 }));
const records = fc.array(
  fc.record({
    key: fc.option(bytesOrString, { nil: null }),
    value: fc.option(bytesOrString, { nil: null }),
    headers: fc.dictionary(fc.string({ minLength: 1, maxLength: 10 }), bytesOrString, { maxKeys: 3 }),
    timestamp: fc.integer({ min: 1_600_000_000_000, max: 1_800_000_000_000 }),
  }),
  { minLength: 1, maxLength: 10 },
);

const check = async (rs: readonly RecordToEncode[], base: bigint, codec: 'none' | 'gzip'): Promise<void> => {
  const baseTimestamp = rs[0]?.timestamp ?? 0;
  const buf = await encodeWithKafkajs(rs, { baseOffset: base, baseTimestamp, codec });
  const result = await decode(buf, base);
  expect(result.messages).toHaveLength(rs.length);
  rs.forEach((r, i) => {
    const m = result.messages[i]!;
    expect(m.offset).toBe(base + BigInt(i));
    expect(m.timestamp).toBe(r.timestamp);
    expect(m.key).toEqual(asBuffer(r.key));
    expect(m.value).toEqual(asBuffer(r.value));
    expect(m.headers).toEqual(Object.entries(r.headers ?? {}).map(([key, value]) => ({ key, value: asBuffer(value) })));
  });
  expect(result.nextOffset).toBe(base + BigInt(rs.length));
};

describe('compatibility with kafkajs 2.2.4 RecordBatch encoder', () => {
  it('decodes kafkajs-encoded uncompressed batches exactly (CRC checked)', async () => {
    await fc.assert(fc.asyncProperty(records, fc.bigInt({ min: 0n, max: 2n ** 62n }), (rs, base) => check(rs, base, 'none')));
  });

  it('decodes kafkajs-encoded gzip batches exactly', async () => {
    await fc.assert(fc.asyncProperty(records, fc.bigInt({ min: 0n, max: 2n ** 62n }), (rs, base) => check(rs, base, 'gzip')), { numRuns: 30 });
  });

  it('reads kafkajs producer fields', async () => {
    const buf = await encodeWithKafkajs([{ value: 'x' }], {
      baseOffset: 2n ** 60n,
      baseTimestamp: 5,
      producerId: 123n,
      producerEpoch: 4,
      baseSequence: 9,
      transactional: true,
    });
    expect(splitBatches(buf).batches[0]?.header).toMatchObject({
      baseOffset: 2n ** 60n,
      producerId: 123n,
      producerEpoch: 4,
      baseSequence: 9,
      isTransactional: true,
      recordCount: 1,
    });
  });

  it('encodes uncompressed batches byte for byte as kafkajs does (same producer fields)', async () => {
    await fc.assert(
      fc.asyncProperty(records, fc.bigInt({ min: 0n, max: 2n ** 62n }), async (rs, base) => {
        const baseTimestamp = rs[0]?.timestamp ?? 0;
        const opts = { baseOffset: base, baseTimestamp, producerEpoch: 0, baseSequence: 0, partitionLeaderEpoch: 0 };
        const theirs = await encodeWithKafkajs(rs, opts);
        expect(encodeRecordBatch(rs, opts).equals(theirs)).toBe(true);
      }),
    );
  });
});
