import { map, of, timer } from 'rxjs';
import { KafkaClientError, type KafkaMessage } from '../../../src';
import { protocolError } from '../../../src/errors';
import { encodeRecordBatch } from '../../../src/protocol/record-batch';
import { Fetcher, type PartitionSink } from '../../../src/sources/fetcher';
import { InMemoryCluster } from '../../../src/testing';
import type { FetchPartition, FetchRequest } from '../../../src/transport';
import { overriding } from '../../../src/transport/with-close';

/** Fetcher delivery, one record batch at a time: credit stops mid-response, a corrupt batch fails only its partition. */

const batch = (base: bigint, n: number): Buffer =>
  encodeRecordBatch(Array.from({ length: n }, (_, i) => ({ value: `v${Number(base) + i}` })), { baseOffset: base, baseTimestamp: 1000 });

/** A batch whose header claims one record more than it holds (record-level corruption, header intact). */
const corruptBatch = (base: bigint): Buffer => {
  const b = batch(base, 1);
  b.writeInt32BE(2, 57);
  return b;
};

const result = (topic: string, partition: number, records: Buffer): FetchPartition => ({
  topic,
  partition,
  highWatermark: 100n,
  lastStableOffset: 100n,
  logStartOffset: 0n,
  abortedTransactions: [],
  records,
});

interface Recorded {
  readonly lost?: { partition: number; error: KafkaClientError }[];
  readonly sinks: Map<number, PartitionSink & { readonly offsets: bigint[] }>;
  readonly failed: { partition: number; error: KafkaClientError }[];
  readonly fetches: FetchRequest[];
  readonly fetcher: Fetcher;
}

/** A fetcher over the in-memory broker's metadata whose first Fetch answers `first`, later ones nothing after 20 ms (a long poll). */
const fetcherWith = (
  first: (r: FetchRequest) => FetchPartition[],
  room: (delivered: number) => number,
  done: (rec: Recorded) => boolean,
  lost?: Recorded['lost'],
  onDeliver?: (partition: number) => void,
): Promise<Recorded> =>
  new Promise((resolve) => {
    const cluster = new InMemoryCluster({ topics: { t: 2 } });
    const fetches: FetchRequest[] = [];
    const transport = overriding(cluster.transport(), {
      fetch: (r) => {
        fetches.push(r);
        queueMicrotask(check);
        return fetches.length === 1 ? of(first(r)) : timer(20).pipe(map((): FetchPartition[] => []));
      },
    });
    const failed: Recorded['failed'] = [];
    const sinks: Recorded['sinks'] = new Map();
    let finished = false;
    const check = () => {
      if (!finished && done(rec)) {
        finished = true;
        fetcher.stop();
        resolve(rec);
      }
    };
    const fetcher = new Fetcher({
      transport,
      maxWaitMs: 100,
      minBytes: 1,
      maxBytes: 1 << 20,
      partitionMaxBytes: 1 << 20,
      isolationLevel: 'read_uncommitted',
      checkCrcs: false,
      outOfRange: 'error',
      retry: { initialBackoffMs: 10, maxBackoffMs: 100 },
      report: () => undefined,
      failPartition: (_t, partition, error) => {
        failed.push({ partition, error });
        check();
      },
      ...(lost
        ? {
            partitionLost: (_t: string, partition: number, error: KafkaClientError) => {
              lost.push({ partition, error });
              check();
            },
          }
        : {}),
    });
    const rec: Recorded = { lost, sinks, failed, fetches, fetcher };
    running.push(fetcher);
    for (const partition of [0, 1]) {
      const offsets: bigint[] = [];
      const sink = {
        offsets,
        deliver: (messages: KafkaMessage[]) => {
          offsets.push(...messages.map((m) => m.offset));
          onDeliver?.(partition);
          check();
        },
        hasCredit: () => true,
        fetchBytes: () => 1 << 20,
        room: () => room(offsets.length),
      };
      sinks.set(partition, sink);
      fetcher.add('t', partition, 0n, sink);
    }
  });

const running: Fetcher[] = [];
afterEach(() => running.splice(0).forEach((f) => f.stop()));

describe('Fetcher delivery, one record batch at a time', () => {
  it('delivers the batches before a corrupt one, fails that partition with its offset, and keeps the other flowing', async () => {
    const rec = await fetcherWith(
      () => [result('t', 0, Buffer.concat([batch(0n, 2), corruptBatch(2n), batch(3n, 2)])), result('t', 1, batch(0n, 3))],
      () => Number.MAX_SAFE_INTEGER,
      (r) => r.failed.length === 1 && (r.sinks.get(1)?.offsets.length ?? 0) === 3,
    );
    expect(rec.sinks.get(0)?.offsets).toEqual([0n, 1n]);
    expect(rec.failed[0]?.partition).toBe(0);
    expect(rec.failed[0]?.error).toMatchObject({ _tag: 'CorruptRecordBatch', context: { topic: 't', partition: 0, offset: 2n } });
    expect(rec.fetcher.has('t', 0)).toBe(false);
    expect(rec.sinks.get(1)?.offsets).toEqual([0n, 1n, 2n]);
  });

  it('delivers one partition per turn of the event loop, so I/O (the next response on the socket) runs in between', async () => {
    const turns: string[] = [];
    await fetcherWith(
      () => [result('t', 0, batch(0n, 2)), result('t', 1, batch(0n, 2))],
      () => Number.MAX_SAFE_INTEGER,
      (r) => (r.sinks.get(1)?.offsets.length ?? 0) === 2 && turns.includes('io'),
      undefined,
      (partition) => {
        turns.push(`p${partition}`);
        // I/O callbacks queued while a partition is delivered run before the next partition's delivery.
        if (partition === 0) setImmediate(() => turns.push('io'));
      },
    );
    expect(turns).toEqual(['p0', 'io', 'p1']);
  });

  it('stops at the message credit inside a response and fetches again from the first undelivered offset', async () => {
    const rec = await fetcherWith(
      (r) => r.partitions.map((p) => result('t', p.partition, p.partition === 0 ? Buffer.concat([batch(0n, 3), batch(3n, 3)]) : Buffer.alloc(0))),
      (delivered) => 4 - delivered,
      (r) => r.fetches.some((f) => f.partitions.some((p) => p.partition === 0 && p.fetchOffset === 4n)),
    );
    expect(rec.sinks.get(0)?.offsets).toEqual([0n, 1n, 2n, 3n]);
    const refetch = rec.fetches.slice(1).flatMap((f) => f.partitions.filter((p) => p.partition === 0).map((p) => p.fetchOffset));
    expect(refetch).toContain(4n);
    expect(refetch.every((o) => o === 4n || o === 6n)).toBe(true); // 6: the optimistic fetch sent before delivery, dropped
  });

  it('a partition whose topic is unknown to its leader (deleted, maybe recreated) stops being fetched and is handed back, never resumed from its old position', async () => {
    const unknown = (p: number): FetchPartition => ({ ...result('t', p, Buffer.alloc(0)), error: protocolError('UNKNOWN_TOPIC_OR_PARTITION', {}) });
    const lost: { partition: number; error: KafkaClientError }[] = [];
    const rec = await fetcherWith(
      (r) => r.partitions.map((p) => (p.partition === 0 ? unknown(0) : result('t', 1, batch(0n, 2)))),
      () => Number.MAX_SAFE_INTEGER,
      (r) => (r.lost?.length ?? 0) === 1 && (r.sinks.get(1)?.offsets.length ?? 0) === 2 && r.fetches.length >= 3,
      lost,
    );
    expect(lost.map((l) => ({ partition: l.partition, code: l.error.code, topic: l.error.context.topic }))).toEqual([{ partition: 0, code: 'UNKNOWN_TOPIC_OR_PARTITION', topic: 't' }]);
    expect(rec.fetcher.has('t', 0)).toBe(false);
    expect(rec.fetches.slice(1).every((f) => f.partitions.every((p) => p.partition !== 0))).toBe(true);
    expect(rec.failed).toEqual([]);
  });

  it('without an owner to hand it back to, such a partition fails with the typed error instead', async () => {
    const unknown: FetchPartition = { ...result('t', 0, Buffer.alloc(0)), error: protocolError('UNKNOWN_TOPIC_OR_PARTITION', {}) };
    const rec = await fetcherWith(
      (r) => r.partitions.map((p) => (p.partition === 0 ? unknown : result('t', 1, Buffer.alloc(0)))),
      () => Number.MAX_SAFE_INTEGER,
      (r) => r.failed.length === 1,
    );
    expect(rec.failed[0]).toMatchObject({ partition: 0, error: { code: 'UNKNOWN_TOPIC_OR_PARTITION', context: { topic: 't', partition: 0, offset: 0n } } });
  });
});
