import { gunzipSync, gzipSync } from 'node:zlib';
import { KafkaClientError } from '../../../../src/errors';
import {
  DecodedPartition,
  Decompress,
  PartitionRecordsInput,
  decodeChunk,
  decodePartitionRecords,
  encodeControlRecord,
  crc32c,
  encodeRecordBatch,
  splitBatches,
} from '../../../../src/protocol/record-batch';

const noCodec: Decompress = (codec) => {
  throw new KafkaClientError({ tag: 'CodecMissing', message: `No ${codec} codec registered` });
};
const gunzip: Decompress = (_codec, data) => gunzipSync(data);

const input = (records: Buffer, over: Partial<PartitionRecordsInput> = {}): PartitionRecordsInput => ({
  topic: 'orders',
  partition: 1,
  records,
  fetchOffset: 0n,
  isolationLevel: 'read_uncommitted',
  abortedTransactions: [],
  checkCrc: true,
  decompress: noCodec,
  ...over,
});

const decodeSync = (records: Buffer, over: Partial<PartitionRecordsInput> = {}): DecodedPartition => {
  const r = decodePartitionRecords(input(records, over));
  if (r instanceof Promise) throw new Error('expected a synchronous result');
  return r;
};

const values = (r: DecodedPartition): string[] => r.messages.map((m) => m.value?.toString() ?? 'null');
const batch = (base: bigint, ...vs: string[]): Buffer => encodeRecordBatch(vs.map((value) => ({ value })), { baseOffset: base, baseTimestamp: 1000 });

const caught = (f: () => unknown): KafkaClientError => {
  try {
    f();
  } catch (e) {
    if (e instanceof KafkaClientError) return e;
    throw e;
  }
  throw new Error('expected an error');
};

describe('decodePartitionRecords', () => {
  it('treats a trailing partial batch as the end of the data, not an error', () => {
    const whole = Buffer.concat([batch(0n, 'a', 'b'), batch(2n, 'c')]);
    const first = batch(0n, 'a', 'b').length;
    for (const cut of [first + 1, first + 16, first + 20, whole.length - 1]) {
      const r = decodeSync(whole.subarray(0, cut));
      expect(values(r)).toEqual(['a', 'b']);
      expect(r).toMatchObject({ nextOffset: 2n, bytes: first, partialTail: true });
    }
    const none = decodeSync(whole.subarray(0, 30), { fetchOffset: 5n });
    expect(none).toMatchObject({ messages: [], nextOffset: 5n, bytes: 0, partialTail: true });
    expect(decodeSync(Buffer.alloc(0), { fetchOffset: 5n })).toMatchObject({ messages: [], nextOffset: 5n, partialTail: false });
  });

  it('drops the records before fetchOffset when a fetch starts mid-batch', () => {
    const r = decodeSync(Buffer.concat([batch(10n, 'a', 'b', 'c', 'd'), batch(14n, 'e')]), { fetchOffset: 12n });
    expect(values(r)).toEqual(['c', 'd', 'e']);
    expect(r.messages.map((m) => m.offset)).toEqual([12n, 13n, 14n]);
    expect(r.nextOffset).toBe(15n);
  });

  it('skips control batches, whose offsets still advance nextOffset', () => {
    const records = Buffer.concat([
      encodeRecordBatch([{ value: 'a' }], { baseOffset: 0n, producerId: 5n, producerEpoch: 0, transactional: true }),
      encodeControlRecord('commit', { baseOffset: 1n, producerId: 5n }),
    ]);
    for (const isolationLevel of ['read_committed', 'read_uncommitted'] as const) {
      const r = decodeSync(records, { isolationLevel });
      expect(values(r)).toEqual(['a']);
      expect(r.nextOffset).toBe(2n);
    }
  });

  describe('transactions', () => {
    // producer 7 aborts offsets 1-2 (marker at 4); producer 8 commits 3 (marker at 5); producer 7 writes again at 6.
    const txn = (base: bigint, producerId: bigint, ...vs: string[]): Buffer =>
      encodeRecordBatch(vs.map((value) => ({ value })), { baseOffset: base, producerId, producerEpoch: 0, transactional: true });
    const records = Buffer.concat([
      batch(0n, 'plain'),
      txn(1n, 7n, 'aborted-1', 'aborted-2'),
      txn(3n, 8n, 'committed'),
      encodeControlRecord('abort', { baseOffset: 4n, producerId: 7n }),
      encodeControlRecord('commit', { baseOffset: 5n, producerId: 8n }),
      txn(6n, 7n, 'later'),
    ]);
    const abortedTransactions = [{ producerId: 7n, firstOffset: 1n }];

    it('filters aborted transactions under read_committed', () => {
      const r = decodeSync(records, { isolationLevel: 'read_committed', abortedTransactions });
      expect(values(r)).toEqual(['plain', 'committed', 'later']);
      expect(r.nextOffset).toBe(7n);
    });

    it('keeps them under read_uncommitted', () => {
      const r = decodeSync(records, { isolationLevel: 'read_uncommitted', abortedTransactions });
      expect(values(r)).toEqual(['plain', 'aborted-1', 'aborted-2', 'committed', 'later']);
      expect(r.nextOffset).toBe(7n);
    });

    it('sorts the aborted transactions by first offset and tracks several', () => {
      const r = decodeSync(records, {
        isolationLevel: 'read_committed',
        abortedTransactions: [
          { producerId: 8n, firstOffset: 100n },
          { producerId: 7n, firstOffset: 1n },
        ],
      });
      expect(values(r)).toEqual(['plain', 'committed', 'later']);
    });
  });

  it('steps over an empty batch (compaction leaves them), even one marked compressed', () => {
    const empty = encodeRecordBatch([{ value: 'gone' }, { value: 'gone too' }], { baseOffset: 5n }).subarray(0, 61);
    empty.writeInt32BE(61 - 12, 8);
    empty.writeInt32BE(0, 57);
    empty.writeInt16BE(1, 21); // gzip
    empty.writeUInt32BE(crc32c(empty, 21), 17);
    const r = decodeSync(Buffer.concat([batch(4n, 'a'), empty, batch(7n, 'b')]), { fetchOffset: 4n });
    expect(values(r)).toEqual(['a', 'b']);
    expect(decodeSync(empty, { fetchOffset: 5n })).toMatchObject({ messages: [], nextOffset: 7n, partialTail: false });
  });

  it('detects a CRC mismatch when asked, and only then', () => {
    const records = Buffer.concat([batch(0n, 'a'), batch(1n, 'hello')]);
    records.writeUInt8(records.readUInt8(records.length - 2) ^ 0x01, records.length - 2); // the last value byte; the last byte is the header count
    const e = caught(() => decodeSync(records));
    expect(e._tag).toBe('CorruptRecordBatch');
    expect(e.message).toMatch(/CRC32C mismatch/);
    expect(e.context).toEqual({ topic: 'orders', partition: 1, offset: 1n });
    expect(values(decodeSync(records, { checkCrc: false }))).toEqual(['a', 'helln']);
  });

  it('decompresses gzip batches with a synchronous decompress, staying synchronous', () => {
    const gz = encodeRecordBatch([{ key: 'k', value: 'zipped' }, { value: null }], {
      baseOffset: 3n,
      compress: { codec: 'gzip', fn: (d) => gzipSync(d) },
    });
    expect(splitBatches(gz).batches[0]?.header.compression).toBe('gzip');
    const seen: string[] = [];
    const r = decodeSync(Buffer.concat([batch(2n, 'plain'), gz]), {
      decompress: (codec, data) => {
        seen.push(codec);
        return gunzip(codec, data);
      },
    });
    expect(seen).toEqual(['gzip']);
    expect(values(r)).toEqual(['plain', 'zipped', 'null']);
    expect(r.messages[1]?.key?.toString()).toBe('k');
    expect(r.nextOffset).toBe(5n);
  });

  it('returns a Promise only when decompress does', async () => {
    const gz = encodeRecordBatch([{ value: 'zipped' }], { baseOffset: 0n, compress: { codec: 'gzip', fn: (d) => gzipSync(d) } });
    const r = decodePartitionRecords(input(gz, { decompress: async (c, d) => gunzip(c, d) }));
    expect(r).toBeInstanceOf(Promise);
    expect(values(await r)).toEqual(['zipped']);
  });

  it('does not decompress batches wholly before fetchOffset', () => {
    const gz = encodeRecordBatch([{ value: 'old' }], { baseOffset: 0n, compress: { codec: 'gzip', fn: (d) => gzipSync(d) } });
    const r = decodeSync(Buffer.concat([gz, batch(1n, 'new')]), { fetchOffset: 1n, decompress: noCodec });
    expect(values(r)).toEqual(['new']);
  });

  it('propagates a missing codec as CodecMissing with context, sync or async', async () => {
    const lz4 = encodeRecordBatch([{ value: 'x' }], { baseOffset: 9n, compress: { codec: 'lz4', fn: (d) => d } });
    const e = caught(() => decodeSync(lz4));
    expect(e._tag).toBe('CodecMissing');
    expect(e.message).toMatch(/lz4/);
    expect(e.context).toEqual({ topic: 'orders', partition: 1, offset: 9n });
    await expect(decodePartitionRecords(input(lz4, { decompress: async (c, d) => noCodec(c, d) }))).rejects.toMatchObject({
      _tag: 'CodecMissing',
      context: { topic: 'orders', partition: 1, offset: 9n },
    });
  });

  it('reports a codec failing on its input as CorruptRecordBatch with the cause', () => {
    const bad = encodeRecordBatch([{ value: 'x' }], { baseOffset: 0n, compress: { codec: 'gzip', fn: (d) => d } });
    const e = caught(() => decodeSync(bad, { decompress: gunzip }));
    expect(e._tag).toBe('CorruptRecordBatch');
    expect(e.cause).toMatchObject({ code: 'Z_DATA_ERROR' });
  });

  it('rejects message sets v0/v1 with a clear message', () => {
    const v1 = batch(4n, 'a');
    v1.writeInt8(1, 16);
    const e = caught(() => decodeSync(v1));
    expect(e._tag).toBe('CorruptRecordBatch');
    expect(e.message).toMatch(/magic 1.*not supported/);
    expect(e.context).toEqual({ topic: 'orders', partition: 1, offset: 4n });
  });

  it('reports records that overrun their batch as CorruptRecordBatch when that batch is decoded', () => {
    const b = batch(0n, 'abc');
    b.writeInt32BE(2, 57); // claims two records, holds one
    const split = decodeSync(b, { checkCrc: false });
    expect(split.chunks).toHaveLength(1);
    const e = caught(() => decodeChunk(split.chunks[0]!, 'orders', 1));
    expect(e._tag).toBe('CorruptRecordBatch');
    expect(e.context).toEqual({ topic: 'orders', partition: 1, offset: 0n });
    const c = batch(0n, 'abc');
    c[61] = 0x7e; // record length far beyond the batch
    expect(caught(() => decodeSync(c, { checkCrc: false }).messages)._tag).toBe('CorruptRecordBatch');
  });

  it('splits into one chunk per data batch, decoded lazily, skipping records below the fetch offset', () => {
    const r = decodeSync(Buffer.concat([batch(0n, 'a', 'b'), batch(2n, 'c', 'd')]), { fetchOffset: 1n });
    expect(r.chunks.map((c) => c.batch.header.baseOffset)).toEqual([0n, 2n]);
    expect(decodeChunk(r.chunks[0]!, 'orders', 1).map((m) => m.value?.toString())).toEqual(['b']);
    expect(decodeChunk(r.chunks[1]!, 'orders', 1).map((m) => m.offset)).toEqual([2n, 3n]);
    expect(r.chunks.reduce((n, c) => n + c.bytes, 0)).toBe(r.bytes);
  });
});
