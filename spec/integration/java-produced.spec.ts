import { decompress as zstdDecompress } from 'fzstd';
import LZ4Codec from 'kafkajs-lz4';
import SnappyCodec from 'kafkajs-snappy';
import { firstValueFrom, lastValueFrom, Subscription } from 'rxjs';
import { filter, map, take, toArray } from 'rxjs/operators';
import { consumerGroup, type ConsumerGroup, type KafkaClientError, type KafkaMessage } from '../../src';
import { createAdminKit, type AdminKit } from '../../src/transport/kafkajs/admin-kit';
import { registerCodec, type KafkajsCodec } from '../../src/transport/kafkajs/register-codecs';
import { javaRecord, runJavaProducer, type ExpectedRecord, type JavaCodec } from '../support/java-producer';
import { brokers, uniqueName } from '../support/names';

/**
 * Record batches written by the Java client (kafka-clients from the broker's cache) through our decoder:
 * every codec, and transactions (commit/abort markers) under both isolation levels.
 */

const PARTITIONS = 3;
const fastGroup = { session: { timeout: 6000 }, heartbeat: { interval: 500 }, rebalance: { timeout: 15000, drainTimeout: 5000 } };

/** Codecs kafkajs lacks, from devDependencies (fzstd decodes only, which is all a consumer needs). */
const packaged: Record<'snappy' | 'lz4' | 'zstd', () => KafkajsCodec> = {
  snappy: SnappyCodec,
  lz4: new LZ4Codec().codec,
  zstd: () => ({ decompress: async (b: Buffer) => { const u = zstdDecompress(b); return Buffer.from(u.buffer, u.byteOffset, u.length); } }),
};

interface Seen extends ExpectedRecord { readonly partition: number; readonly offset: bigint; readonly timestampType: string }
const str = (b: Buffer | null): string | null => (b === null ? null : b.toString('utf8'));
const seen = (m: KafkaMessage): Seen => ({
  partition: m.partition,
  offset: m.offset,
  key: str(m.key) ?? '<null>',
  value: str(m.value),
  timestamp: m.timestamp,
  timestampType: m.timestampType,
  headers: m.headers.map((h) => ({ key: h.key, value: str(h.value) })),
});

/** Record i of `count` with `prefix`, as placed by InteropProducer: partition i % PARTITIONS, offsets in send order. */
const placed = (prefix: string, count: number, nextOffset: bigint[]): Seen[] =>
  Array.from({ length: count }, (_, i) => {
    const partition = i % PARTITIONS;
    return { ...javaRecord(prefix, i), partition, offset: nextOffset[partition]!++, timestampType: 'create' };
  });

const byPartitionOffset = (a: Seen, b: Seen): number => a.partition - b.partition || (a.offset < b.offset ? -1 : a.offset > b.offset ? 1 : 0);

describe('record batches produced by the Java client', () => {
  let kit: AdminKit;
  const groups: ConsumerGroup[] = [];
  const subs: Subscription[] = [];
  const restores: (() => void)[] = [];

  const group = (topic: string, isolationLevel: 'read_committed' | 'read_uncommitted' = 'read_uncommitted'): ConsumerGroup => {
    const g = consumerGroup({ brokers: brokers(), groupId: uniqueName('java-produced-group'), topics: [topic], group: fastGroup, consumer: { offsets: { initial: 'oldest' }, isolationLevel } });
    groups.push(g);
    return g;
  };

  /** Resolves with the first `n` messages (as Seen, sorted by partition and offset); rejects on any non-retriable error. */
  const consume = (g: ConsumerGroup, n: number): Promise<Seen[]> =>
    new Promise<Seen[]>((resolve, reject) => {
      const out: Seen[] = [];
      subs.push(
        g.errors$.pipe(filter((e) => !e.retriable)).subscribe((e) => reject(e)),
        g.messages$.subscribe({
          next: (m) => {
            out.push(seen(m));
            if (out.length === n) resolve(out.sort(byPartitionOffset));
          },
          error: reject,
        }),
      );
    });

  const produceTopic = async (prefix: string): Promise<string> => {
    const topic = uniqueName(prefix);
    await kit.createTopic(topic, PARTITIONS);
    return topic;
  };

  beforeAll(() => (kit = createAdminKit(brokers())));
  afterEach(async () => {
    subs.splice(0).forEach((s) => s.unsubscribe());
    await Promise.all(groups.splice(0).map((g) => lastValueFrom(g.close(), { defaultValue: undefined })));
    restores.splice(0).forEach((r) => r());
  });
  afterAll(() => kit.close());

  describe.each<JavaCodec>(['none', 'gzip', 'snappy', 'lz4', 'zstd'])('compression.type=%s', (codec) => {
    it('2,000 records with headers read exactly: keys, values, headers, timestamps, offsets 0..n-1 per partition', async () => {
      const topic = await produceTopic(`java-${codec}`);
      const produced = await runJavaProducer({ brokers: brokers(), topic, partitions: PARTITIONS, codec, mode: 'records', count: 2000 });
      expect(produced.recordsPerRequestAvg).toBeGreaterThan(100); // batches hold many records
      if (codec === 'none') expect(produced.compressionRateAvg).toBe(1);
      else expect(produced.compressionRateAvg).toBeLessThan(0.6);
      if (codec !== 'none' && codec !== 'gzip') restores.push(registerCodec(codec, packaged[codec]));

      const got = await consume(group(topic), 2000);
      const expected = placed('', 2000, [0n, 0n, 0n]).sort(byPartitionOffset);
      expect(got).toEqual(expected);
      expect(Object.fromEntries(Object.entries(produced.lastOffsets).map(([p, o]) => [p, o + 1]))).toEqual({ 0: 667, 1: 667, 2: 666 });
    });

    if (codec === 'snappy' || codec === 'lz4' || codec === 'zstd') {
      it(`without a registered ${codec} codec: CodecMissing naming ${codec} on errors$ for every partition, no message`, async () => {
        const topic = await produceTopic(`java-${codec}-missing`);
        await runJavaProducer({ brokers: brokers(), topic, partitions: PARTITIONS, codec, mode: 'records', count: 60 });
        const g = group(topic);
        let messages = 0;
        subs.push(g.messages$.subscribe({ next: () => messages++, error: () => undefined }));
        const errors = await firstValueFrom(
          g.errors$.pipe(
            filter((e: KafkaClientError) => e._tag === 'CodecMissing'),
            map((e) => ({ partition: e.context.partition, message: e.message })),
            take(PARTITIONS),
            toArray(),
          ),
        );
        expect(errors.map((e) => e.partition).sort()).toEqual([0, 1, 2]);
        for (const e of errors) expect(e.message).toContain(`No ${codec} codec is registered with kafkajs`);
        expect(messages).toBe(0);
      });
    }
  });

  describe.each<[JavaCodec]>([['none'], ['zstd']])('transactions (compression.type=%s): commit K, abort M, commit K', (codec) => {
    const K = 300;
    const M = 150;

    /** Every record InteropProducer's txn mode wrote, with offsets: each transaction ends in a marker per partition it touched. */
    const layout = (): { committed: Seen[]; all: Seen[] } => {
      const next = [0n, 0n, 0n];
      const phase = (prefix: string, n: number): Seen[] => {
        const records = placed(prefix, n, next);
        for (let p = 0; p < PARTITIONS; p++) if (records.some((r) => r.partition === p)) next[p]!++; // the control record
        return records;
      };
      const [c1, a, c2] = [phase('c1-', K), phase('a-', M), phase('c2-', K)];
      return { committed: [...c1, ...c2].sort(byPartitionOffset), all: [...c1, ...a, ...c2].sort(byPartitionOffset) };
    };

    const produceTxn = async (): Promise<string> => {
      const topic = await produceTopic(`java-txn-${codec}`);
      const produced = await runJavaProducer({ brokers: brokers(), topic, partitions: PARTITIONS, codec, mode: 'txn', committed: K, aborted: M, transactionalId: uniqueName('java-txn') });
      expect(produced).toMatchObject({ committed: 2 * K, aborted: M });
      if (codec === 'zstd') restores.push(registerCodec('zstd', packaged.zstd));
      return topic;
    };

    it('read_committed: exactly the 2K committed records; offsets skip the aborted and control records', async () => {
      const topic = await produceTxn();
      const got = await consume(group(topic, 'read_committed'), 2 * K);
      expect(got).toEqual(layout().committed);
      expect(got.some((r) => r.key.startsWith('a-'))).toBe(false);
    });

    it('read_uncommitted: the 2K committed and the M aborted records; offsets skip the control records', async () => {
      const topic = await produceTxn();
      const got = await consume(group(topic, 'read_uncommitted'), 2 * K + M);
      expect(got).toEqual(layout().all);
    });
  });
});
