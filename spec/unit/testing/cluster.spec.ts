import { map } from 'rxjs';
import { InMemoryCluster, murmur2, partitionForKey } from '../../../src/testing';
import { Member, outcome, testScheduler } from './support';

/**
 * The cluster's test-side API and Metadata: brokers, topics and partitions with their leaders, producing with
 * the Java client's default partitioner, topic creation and deletion.
 */
describe('in-memory cluster: topics and metadata', () => {
  it('describes brokers and topics; an unknown topic carries UNKNOWN_TOPIC_OR_PARTITION', () => {
    testScheduler().run(({ expectObservable }) => {
      const cluster = new InMemoryCluster({ brokers: 3, topics: { orders: 4 } });
      cluster.createTopic('refunds', 1, { replicationFactor: 2 });
      const t = cluster.transport();
      expectObservable(t.metadata({})).toBe('(a|)', {
        a: {
          brokers: [0, 1, 2].map((nodeId) => ({ nodeId, host: `in-memory-${nodeId}`, port: 9092 })),
          controllerId: 0,
          topics: [
            { topic: 'orders', partitions: [0, 1, 2, 3].map((p) => ({ partition: p, leader: p % 3, replicas: [p % 3], isr: [p % 3] })) },
            { topic: 'refunds', partitions: [{ partition: 0, leader: 0, replicas: [0, 1], isr: [0, 1] }] },
          ],
        },
      });
      expectObservable(t.metadata({ topics: ['nope'] }).pipe(map((m) => m.topics.map((x) => [x.topic, x.error?.code, x.partitions.length])))).toBe('(a|)', {
        a: [['nope', 'UNKNOWN_TOPIC_OR_PARTITION', 0]],
      });
      expectObservable(t.metadata({ topics: [] }).pipe(map((m) => m.topics))).toBe('(a|)', { a: [] });
    });
  });

  it('partitions keyed records with murmur2 like the Java producer, and unkeyed ones round-robin', () => {
    const cluster = new InMemoryCluster({ topics: { orders: 3 } });
    const keys = ['alpha', 'beta', 'gamma', 'delta'];
    const produced = cluster.produce('orders', undefined, keys.map((key) => ({ key, value: key })));
    expect(produced.flatMap((b) => Array.from({ length: Number(b.lastOffset - b.baseOffset) + 1 }, () => b.partition)).sort()).toEqual(
      keys.map((k) => partitionForKey(k, 3)).sort(),
    );
    expect(cluster.produce('orders', undefined, [{ value: '1' }, { value: '2' }, { value: '3' }, { value: '4' }]).map((b) => [b.partition, b.lastOffset - b.baseOffset + 1n])).toEqual([
      [0, 2n],
      [1, 1n],
      [2, 1n],
    ]);
  });

  it('hashes keys exactly as Java’s Utils.murmur2', () => {
    const vectors: [string, number][] = [
      ['', 275646681],
      ['21', -973932308],
      ['foobar', -790332482],
      ['a-little-bit-long-string', -985981536],
      ['a-little-bit-longer-string', -1486304829],
      ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
      ['abc', 479470107],
    ];
    for (const [key, hash] of vectors) expect(murmur2(Buffer.from(key))).toBe(hash);
  });

  it('creates, grows and deletes topics; deleting drops their committed offsets', () => {
    const cluster = new InMemoryCluster({ brokers: 2, topics: { orders: 1 } });
    testScheduler().run(({ expectObservable }) => {
      expect(() => cluster.createTopic('orders')).toThrow(expect.objectContaining({ code: 'TOPIC_ALREADY_EXISTS' }));
      expect(() => cluster.createTopic('bad topic')).toThrow(expect.objectContaining({ code: 'INVALID_TOPIC_EXCEPTION' }));
      expect(() => cluster.produce('nope', 0, [{ value: 'x' }])).toThrow(expect.objectContaining({ code: 'UNKNOWN_TOPIC_OR_PARTITION' }));
      expect(cluster.addPartitions('orders', 2).partitionCount('orders')).toBe(3);
      expect(cluster.leaderOf('orders', 2)).toBe(0);
      const m = new Member(cluster.transport(), { coordinator: cluster.coordinatorOf('g') });
      const commit$ = outcome(m.commit$([{ topic: 'orders', partition: 2, offset: 4n }]), (rs) => rs.map((r) => r.error?.code ?? 'ok'));
      expectObservable(commit$).toBe('(a|)', { a: ['ok'] });
    });
    expect(cluster.committed('g')).toEqual({ 'orders/2': 4n });
    cluster.deleteTopic('orders');
    expect(cluster.topics()).toEqual([]);
    expect(cluster.committed('g')).toEqual({});
  });
});
