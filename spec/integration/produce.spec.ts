import * as net from 'node:net';
import { from, lastValueFrom, Subject, tap, toArray } from 'rxjs';
import { createClient, produce, consumerGroup, type DeliveryReport, type KafkaClientError, type ProducerRecord } from '../../src';
import { partitionForKey } from '../../src/testing';
import { overriding } from '../../src/transport';
import { createKafkajsTransport } from '../../src/transport/kafkajs';
import { consumeWithKafkajs, createAdminKit } from '../../src/transport/kafkajs/admin-kit';
import { brokers, uniqueName } from '../support/names';
import { OffsetTally } from '../support/offset-tally';
import { TcpProxy } from '../support/tcp-proxy';

const kit = createAdminKit(brokers());
afterAll(() => kit.close());

const records = (topic: string, n: number, prefix = 'r'): ProducerRecord[] =>
  Array.from({ length: n }, (_, i) => ({ topic, key: `k${i % 97}`, value: `${prefix}${i}`, headers: { i: String(i) } }));

const total = (ends: ReadonlyMap<number, bigint>): number => [...ends.values()].reduce((a, b) => a + Number(b), 0);

/** Per partition, the offsets reported: each partition's must be 0, 1, 2, ... with no gap and no repeat. */
const offsetsByPartition = (reports: readonly DeliveryReport[]): Map<number, bigint[]> => {
  const by = new Map<number, bigint[]>();
  for (const r of reports) by.set(r.partition, [...(by.get(r.partition) ?? []), r.offset]);
  return by;
};

describe('produce on the real broker', () => {
  it('writes every record once where Java’s partitioner puts it, reports contiguous offsets in input order, and kafkajs reads them all back', async () => {
    const topic = uniqueName('produce');
    await kit.createTopic(topic, 6);
    const input = records(topic, 20_000);
    const client = createClient({ brokers: brokers(), clientId: 'produce-spec' });
    const reports = await lastValueFrom(from(input).pipe(produce(client), toArray()));
    await lastValueFrom(client.close(), { defaultValue: undefined });

    expect(reports.map((r) => r.record)).toEqual(input);
    expect(reports.map((r) => r.partition)).toEqual(input.map((r) => partitionForKey(r.key as string, 6)));
    for (const offsets of offsetsByPartition(reports).values()) expect(offsets).toEqual(offsets.map((_, i) => BigInt(i)));
    const ends = await kit.endOffsets(topic);
    expect(total(ends)).toBe(20_000);
    const read = await consumeWithKafkajs(brokers(), topic, uniqueName('produce-read'), 20_000);
    expect(new Set(read).size).toBe(20_000);
    expect(new Set(read)).toEqual(new Set(reports.map((r) => `${r.partition}/${r.offset}`)));
  });

  it('gzip-compressed batches read back unchanged through our consumer (keys, values, headers)', async () => {
    const topic = uniqueName('produce-gzip');
    await kit.createTopic(topic, 2);
    const input = records(topic, 2_000);
    const client = createClient({ brokers: brokers(), clientId: 'produce-gzip' });
    await lastValueFrom(from(input).pipe(produce(client, { compression: 'gzip' }), toArray()));
    const group = consumerGroup({ brokers: brokers(), groupId: uniqueName('gzip-read'), topics: [topic], consumer: { offsets: { initial: 'oldest' } } });
    const seen = new Map<string, { key: string; header: string }>();
    const tally = new OffsetTally();
    const sub = group.messages$.subscribe((m) => {
      tally.add(m);
      seen.set(m.value?.toString() ?? '', { key: m.key?.toString() ?? '', header: m.headers.find((h) => h.key === 'i')?.value?.toString() ?? '' });
    });
    await tally.until((t) => t.unique >= 2_000);
    sub.unsubscribe();
    await lastValueFrom(group.close(), { defaultValue: undefined });
    await lastValueFrom(client.close(), { defaultValue: undefined });
    expect(seen.size).toBe(2_000);
    input.forEach((r, i) => expect(seen.get(r.value as string)).toEqual({ key: r.key, header: String(i) }));
  });

  it('writes each record exactly once while its connections are cut again and again mid-stream (idempotent retries)', async () => {
    const topic = uniqueName('produce-resets');
    await kit.createTopic(topic, 3);
    const [host, port] = (brokers()[0] ?? '').split(':');
    const proxy = await TcpProxy.start(Number(port));
    let failedRequests = 0;
    const connections = {
      openTransport: () => {
        const t = createKafkajsTransport({
          brokers: [`${host}:${port}`],
          clientId: 'produce-resets',
          connectionTimeout: 3000,
          requestTimeout: 5000,
          retry: { max: 10, initialBackoff: 50, maxBackoff: 500 },
          socketFactory: ({ onConnect }) => net.connect({ host: '127.0.0.1', port: proxy.port }, onConnect),
        });
        const send = t.produce?.bind(t);
        let requests = 0;
        // Every fourth request, cut every connection right after it is written (while its answer is on the way).
        const cutSoon = () => {
          if (++requests % 4 !== 0 || resets >= 10) return;
          resets++;
          setImmediate(() => proxy.reset());
        };
        return overriding(t, send ? { produce: (r) => send(r).pipe(tap({ subscribe: cutSoon, error: () => failedRequests++ })) } : {});
      },
    };
    const input = records(topic, 30_000);
    const source = new Subject<ProducerRecord>();
    let resets = 0;
    let errors: KafkaClientError | undefined;
    const done = lastValueFrom(
      source.pipe(
        produce(connections, { lingerMs: 2, batchBytes: 16_384, retryBackoffMs: 20 }),
        tap({ error: (e: KafkaClientError) => (errors = e) }),
        toArray(),
      ),
    );
    for (let i = 0; i < input.length; i += 1_000) {
      for (const r of input.slice(i, i + 1_000)) source.next(r);
      await new Promise<void>((resolve) => setTimeout(resolve, 1));
    }
    source.complete();
    const reports = await done;
    await proxy.close();
    expect(errors).toBeUndefined();
    expect(resets).toBe(10);
    expect(failedRequests).toBeGreaterThan(0);
    expect(reports).toHaveLength(30_000);
    const ends = await kit.endOffsets(topic);
    expect(total(ends)).toBe(30_000);
    const read = await consumeWithKafkajs(brokers(), topic, uniqueName('resets-read'), 30_000);
    expect(new Set(read).size).toBe(30_000);
  });
});
