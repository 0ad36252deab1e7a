import { consumerGroup, type ConsumerGroup, type KafkaClientError } from '../../../src';
import type { InMemoryCluster } from '../../../src/testing';
import type { Transport } from '../../../src/transport';

/** What a test compares of an error: tag, code and the resource it names. */
export const brief = (e: KafkaClientError) => ({ tag: e._tag, code: e.code, group: e.context.group, topic: e.context.topic, partition: e.context.partition });

/**
 * Group 'g' on the in-memory cluster (topics default ['t']), each transport passed through `wrap` (a fault or a
 * denial; default: as is). Build it inside `TestScheduler.run`.
 */
export const groupOn = (cluster: InMemoryCluster, options: { topics?: string[]; wrap?: (t: Transport) => Transport } = {}): ConsumerGroup =>
  consumerGroup(
    {
      brokers: ['in-memory:9092'],
      groupId: 'g',
      topics: options.topics ?? ['t'],
      group: { session: { timeout: 10000 }, heartbeat: { interval: 1000 }, rebalance: { timeout: 30000, drainTimeout: 5000 }, topics: { refreshInterval: 5000 } },
      consumer: { offsets: { initial: 'oldest', commitInterval: 1000 }, fetch: { maxWait: 100 } },
    },
    { createTransport: () => (options.wrap ?? ((t) => t))(cluster.transport({ clientId: 'g' })) },
  );
