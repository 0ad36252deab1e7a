/**
 * Decode throughput of our RecordBatch v2 decoder: 1M uncompressed records (1000 per batch) cut into fetch
 * responses of 10 batches (~1 MiB at 100 B), decoded in turn and dropped, as a consumer does; best of 7.
 * `--retain` keeps all 1M messages alive instead (then GC of the survivors dominates); `--crc` checks CRC32C.
 *   npx tsc --outDir /tmp/rb --rootDir . --module commonjs --target es2022 --skipLibCheck bench/decode-bench.ts
 *   node /tmp/rb/bench/decode-bench.js [valueBytes=100] [--crc] [--retain]
 */
import type { KafkaMessage } from '../src/protocol/message';
import { decodePartitionRecords, encodeRecordBatch } from '../src/protocol/record-batch';

const RECORDS = 1_000_000;
const PER_BATCH = 1000;
const BATCHES_PER_FETCH = 10;
const valueBytes = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 100);
const checkCrc = process.argv.includes('--crc');
const retain = process.argv.includes('--retain');

const value = Buffer.alloc(valueBytes, 0x61);
const batches: Buffer[] = [];
for (let base = 0; base < RECORDS; base += PER_BATCH) {
  const records = Array.from({ length: PER_BATCH }, (_, i) => ({ key: null, value, timestamp: 1_700_000_000_000 + i }));
  batches.push(encodeRecordBatch(records, { baseOffset: BigInt(base) }));
}
const fetches: Buffer[] = [];
for (let i = 0; i < batches.length; i += BATCHES_PER_FETCH) fetches.push(Buffer.concat(batches.slice(i, i + BATCHES_PER_FETCH)));
const totalBytes = fetches.reduce((n, f) => n + f.length, 0);

const run = (): number => {
  const kept: KafkaMessage[][] = [];
  let count = 0;
  let offset = 0n;
  const start = process.hrtime.bigint();
  for (const records of fetches) {
    const r = decodePartitionRecords({
      topic: 'bench',
      partition: 0,
      records,
      fetchOffset: offset,
      isolationLevel: 'read_uncommitted',
      abortedTransactions: [],
      checkCrc,
      decompress: () => {
        throw new Error('uncompressed bench');
      },
    });
    if (r instanceof Promise) throw new Error('unexpected async decode');
    offset = r.nextOffset;
    count += r.messages.length;
    if (retain) kept.push(r.messages);
  }
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (count !== RECORDS || offset !== BigInt(RECORDS)) throw new Error(`decoded ${count} records up to ${offset}`);
  return ms;
};

let best = Infinity;
for (let i = 0; i < 7; i++) best = Math.min(best, run());
const mib = totalBytes / 2 ** 20;
console.log(
  `${RECORDS} x ${valueBytes} B records, ${fetches.length} fetches of ${(mib / fetches.length).toFixed(2)} MiB, ` +
    `crc ${checkCrc ? 'on' : 'off'}, ${retain ? 'all retained' : 'dropped per fetch'}: best ${best.toFixed(1)} ms, ` +
    `${(RECORDS / best / 1000).toFixed(2)}M records/s, ${(mib / (best / 1000)).toFixed(0)} MiB/s`,
);
