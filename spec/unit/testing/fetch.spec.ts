import { map, mergeMap, timer } from 'rxjs';
import { decodePartitionRecords } from '../../../src/protocol/record-batch';
import { InMemoryCluster } from '../../../src/testing';
import type { FetchPartition, FetchRequest } from '../../../src/transport/port';
import { at, outcome, testScheduler } from './support';

type PartitionFetch = { topic?: string; partition?: number; fetchOffset?: bigint; maxBytes?: number };

const fetchRequest = (partitions: PartitionFetch[], options: Partial<Omit<FetchRequest, 'partitions'>> = {}): FetchRequest => ({
  nodeId: 0,
  maxWaitMs: 0,
  minBytes: 1,
  maxBytes: 1 << 20,
  isolationLevel: 'read_uncommitted',
  ...options,
  partitions: partitions.map((p) => ({ topic: 'orders', partition: 0, fetchOffset: 0n, maxBytes: 1 << 20, ...p })),
});

/** A fetched partition as `offset:value` strings (CRC checked), or its error code. */
const records = (p: FetchPartition, fetchOffset = 0n): string[] | string => {
  if (p.error) return p.error.code ?? p.error._tag;
  const decoded = decodePartitionRecords({
    topic: p.topic,
    partition: p.partition,
    records: p.records,
    fetchOffset,
    isolationLevel: 'read_uncommitted',
    abortedTransactions: [],
    checkCrc: true,
    decompress: () => {
      throw new Error('uncompressed batches only');
    },
  });
  if (decoded instanceof Promise) throw new Error('expected a synchronous decode');
  return decoded.messages.map((m) => `${m.offset}:${m.value?.toString() ?? 'null'}`);
};

/**
 * Fetch from the in-memory logs: whole record batches from the one holding the fetch offset, byte limits with
 * at least one batch, per-partition errors (not leader, out of range, unknown), and long polls that answer when
 * data is produced or after maxWaitMs of virtual time.
 */
describe('in-memory cluster: fetch', () => {
  it('serves produced records as whole batches, from the batch holding the fetch offset', () => {
    testScheduler().run(({ expectObservable }) => {
      const cluster = new InMemoryCluster({ topics: { orders: 1 } });
      expect(cluster.produce('orders', 0, [{ value: 'a' }, { value: 'b' }, { value: 'c' }])).toEqual([{ topic: 'orders', partition: 0, baseOffset: 0n, lastOffset: 2n }]);
      const t = cluster.transport();
      const fetch$ = (fetchOffset: bigint) => t.fetch(fetchRequest([{ fetchOffset }])).pipe(map(([p]) => p && [records(p, fetchOffset), p.highWatermark, p.logStartOffset]));
      expectObservable(fetch$(0n)).toBe('(a|)', { a: [['0:a', '1:b', '2:c'], 3n, 0n] });
      expectObservable(fetch$(1n)).toBe('(a|)', { a: [['1:b', '2:c'], 3n, 0n] });
      expectObservable(fetch$(3n)).toBe('(a|)', { a: [[], 3n, 0n] });
    });
  });

  it('keeps within maxBytes per partition and per response, but always returns the first batch', () => {
    testScheduler().run(({ expectObservable }) => {
      const cluster = new InMemoryCluster({ topics: { orders: 2 } });
      cluster.produce('orders', 0, [{ value: 'a' }, { value: 'b' }]);
      cluster.produce('orders', 0, [{ value: 'c' }]);
      cluster.produce('orders', 1, [{ value: 'x' }]);
      const t = cluster.transport();
      const fetch$ = (partitions: PartitionFetch[], maxBytes?: number) =>
        t.fetch(fetchRequest(partitions, maxBytes === undefined ? {} : { maxBytes })).pipe(map((ps) => ps.map((p) => records(p))));
      expectObservable(fetch$([{}])).toBe('(a|)', { a: [['0:a', '1:b', '2:c']] });
      expectObservable(fetch$([{ maxBytes: 100 }])).toBe('(a|)', { a: [['0:a', '1:b']] });
      expectObservable(fetch$([{ maxBytes: 1 }])).toBe('(a|)', { a: [['0:a', '1:b']] });
      expectObservable(fetch$([{}, { partition: 1 }], 1)).toBe('(a|)', { a: [['0:a', '1:b'], []] });
    });
  });

  it('answers a long poll as soon as records are produced, or empty after maxWaitMs', () => {
    testScheduler().run(({ expectObservable }) => {
      const cluster = new InMemoryCluster({ topics: { orders: 1, refunds: 1 }, latencyMs: 5 });
      const t = cluster.transport();
      const poll$ = (topic: string) => t.fetch(fetchRequest([{ topic }], { maxWaitMs: 500 })).pipe(map(([p]) => p && records(p)));
      expectObservable(poll$('orders')).toBe('205ms (a|)', { a: ['0:late'] });
      expectObservable(poll$('refunds')).toBe('505ms (a|)', { a: [] });
      expectObservable(at(200, () => cluster.produce('orders', 0, [{ value: 'late' }]).length)).toBe('200ms (a|)', { a: 1 });
    });
  });

  it('reports NOT_LEADER_OR_FOLLOWER, OFFSET_OUT_OF_RANGE and UNKNOWN_TOPIC_OR_PARTITION per partition, at once', () => {
    testScheduler().run(({ expectObservable }) => {
      const cluster = new InMemoryCluster({ brokers: 2, topics: { orders: 2 } });
      cluster.produce('orders', 0, [{ value: 'a' }, { value: 'b' }, { value: 'c' }]);
      cluster.deleteRecords('orders', 0, 2n);
      const t = cluster.transport();
      const partitions: PartitionFetch[] = [{ fetchOffset: 1n }, { fetchOffset: 4n }, { fetchOffset: 2n }, { partition: 1 }, { topic: 'nope' }];
      expectObservable(t.fetch(fetchRequest(partitions, { maxWaitMs: 1000 })).pipe(map((ps) => ps.map((p) => records(p, 2n))))).toBe('(a|)', {
        a: ['OFFSET_OUT_OF_RANGE', 'OFFSET_OUT_OF_RANGE', ['2:c'], 'NOT_LEADER_OR_FOLLOWER', 'UNKNOWN_TOPIC_OR_PARTITION'],
      });
    });
  });

  it('ends a long poll when the partition leader moves away', () => {
    testScheduler().run(({ expectObservable }) => {
      const cluster = new InMemoryCluster({ brokers: 2, topics: { orders: 1 } });
      const poll$ = cluster.transport().fetch(fetchRequest([{}], { maxWaitMs: 1000 }));
      expectObservable(poll$.pipe(map(([p]) => p && records(p)))).toBe('300ms (a|)', { a: 'NOT_LEADER_OR_FOLLOWER' });
      expectObservable(at(300, () => cluster.moveLeader('orders', 0, 1).leaderOf('orders', 0))).toBe('300ms (a|)', { a: 1 });
    });
  });

  it('lists earliest, latest and by-timestamp offsets', () => {
    testScheduler().run(({ expectObservable }) => {
      const cluster = new InMemoryCluster({ topics: { orders: 1 } });
      cluster.produce('orders', 0, [{ value: 'a' }, { value: 'b' }]);
      const list$ = cluster
        .transport()
        .listOffsets({
          isolationLevel: 'read_committed',
          partitions: [-2n, -1n, 0n, 50n, 100n, 1000n].map((timestamp) => ({ topic: 'orders', partition: 0, timestamp })).concat([{ topic: 'nope', partition: 0, timestamp: -1n }]),
        })
        .pipe(map((ps) => ps.map((p) => p.error?.code ?? p.offset)));
      expectObservable(at(100, () => cluster.produce('orders', 0, [{ value: 'c' }]).map((b) => b.baseOffset))).toBe('100ms (a|)', { a: [2n] });
      expectObservable(at(200, () => cluster.deleteRecords('orders', 0, 1n).logStartOffset('orders', 0))).toBe('200ms (a|)', { a: 1n });
      expectObservable(outcome(list$)).toBe('(a|)', { a: [0n, 2n, 0n, -1n, -1n, -1n, 'UNKNOWN_TOPIC_OR_PARTITION'] });
      expectObservable(timer(300).pipe(mergeMap(() => list$))).toBe('300ms (a|)', { a: [1n, 3n, 1n, 2n, 2n, -1n, 'UNKNOWN_TOPIC_OR_PARTITION'] });
    });
  });
});
