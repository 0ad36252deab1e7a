import { TestScheduler } from 'rxjs/testing';
import { consumerGroup, type ConsumerGroup, type ConsumerGroupConfigInput } from '../../src';
import { InMemoryCluster } from '../../src/testing';
import { overriding, type Transport } from '../../src/transport';

/** A TestScheduler that compares with jest's toEqual. */
export const virtualTime = (): TestScheduler => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

export interface RecordedRequests {
  readonly commits: { at: number; offsets: Record<string, bigint> }[];
  readonly fetches: { at: number; partitions: string[] }[];
  /** OffsetFetch requests: who asked (a consumer-protocol member's id and epoch) and for what. */
  readonly offsetFetches: { at: number; member?: { memberId: string; memberEpoch: number }; partitions: string[] }[];
}

/**
 * A consumer group on the in-memory cluster, its requests recorded (commits and fetches with their virtual
 * times). Build it inside `TestScheduler.run` so every timer is virtual.
 */
export const inMemoryGroup = (
  cluster: InMemoryCluster,
  scheduler: TestScheduler,
  config: Partial<ConsumerGroupConfigInput> & { groupId: string; topics: readonly string[] },
): { group: ConsumerGroup; recorded: RecordedRequests } => {
  const recorded: RecordedRequests = { commits: [], fetches: [], offsetFetches: [] };
  const record = (t: Transport): Transport =>
    overriding(t, {
      offsetCommit: (r) => {
        recorded.commits.push({ at: scheduler.now(), offsets: Object.fromEntries(r.offsets.map((o) => [`${o.topic}/${o.partition}`, o.offset])) });
        return t.offsetCommit(r);
      },
      offsetFetch: (r) => {
        recorded.offsetFetches.push({ at: scheduler.now(), ...(r.member ? { member: r.member } : {}), partitions: r.partitions.map((p) => `${p.topic}/${p.partition}`) });
        return t.offsetFetch(r);
      },
      fetch: (r) => {
        recorded.fetches.push({ at: scheduler.now(), partitions: r.partitions.map((p) => `${p.topic}/${p.partition}@${p.fetchOffset}`) });
        return t.fetch(r);
      },
    });
  const group = consumerGroup(
    {
      brokers: ['in-memory:9092'],
      group: { session: { timeout: 10000 }, heartbeat: { interval: 1000 }, rebalance: { timeout: 30000, drainTimeout: 5000 } },
      ...config,
      consumer: { ...config.consumer, offsets: { initial: 'oldest', commitInterval: 1000, ...config.consumer?.offsets }, fetch: { maxWait: 100, ...config.consumer?.fetch } },
    },
    { createTransport: () => record(cluster.transport({ clientId: config.groupId })) },
  );
  return { group, recorded };
};

export const values = (n: number, prefix = 'v') => Array.from({ length: n }, (_, i) => ({ value: `${prefix}${i}` }));
