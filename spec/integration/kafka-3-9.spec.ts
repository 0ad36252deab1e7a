import { firstValueFrom, lastValueFrom, ReplaySubject, Subscription } from 'rxjs';
import { filter, tap } from 'rxjs/operators';
import { startCluster, stopCluster, type KafkaCluster } from '../../broker/kafka-broker';
import { consumerGroup, KafkaClientError, markOffsets, type ConsumerGroup, type Generation, type KafkaMessage } from '../../src';
import { partitionsOf } from '../../src/protocol/assignment';
import { createAdminKit, type AdminKit } from '../../src/transport/kafkajs/admin-kit';
import { uniqueName } from '../support/names';
import { OffsetTally } from '../support/offset-tally';

/**
 * Kafka 3.9 (the last release before the consumer group protocol was generally available, from Maven Central like
 * the default broker): `groupProtocol: 'consumer'` fails with a typed error, no fallback; cooperative works.
 */
describe('on Kafka 3.9', () => {
  let cluster: KafkaCluster;
  let kit: AdminKit;
  const groups: ConsumerGroup[] = [];
  const subs: Subscription[] = [];

  beforeAll(async () => {
    cluster = await startCluster({ nodes: 1, version: '3.9.1' });
    kit = createAdminKit(cluster.bootstrap.split(','));
  }, 240_000);
  afterEach(async () => {
    subs.splice(0).forEach((s) => s.unsubscribe());
    await Promise.all(groups.splice(0).map((g) => lastValueFrom(g.close(), { defaultValue: undefined })));
  });
  afterAll(async () => {
    await kit?.close();
    if (cluster) await stopCluster(cluster);
  }, 60_000);

  const group = (groupId: string, topic: string, extra: Record<string, unknown>) => {
    const g = consumerGroup({ brokers: cluster.bootstrap.split(','), groupId, topics: [topic], consumer: { offsets: { initial: 'oldest', commitInterval: 200 } }, ...extra });
    groups.push(g);
    return g;
  };

  it("groupProtocol 'consumer' fails with UNSUPPORTED_VERSION naming the consumer group protocol; no classic join happens instead", async () => {
    const topic = uniqueName('k39');
    await kit.createTopic(topic, 2);
    const groupId = uniqueName('k39-consumer');
    const g = group(groupId, topic, { groupProtocol: 'consumer' });
    const error = await lastValueFrom(g.generations$).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(KafkaClientError);
    expect(error).toMatchObject({ _tag: 'KafkaProtocolError', code: 'UNSUPPORTED_VERSION', context: { group: groupId, api: 'ConsumerGroupHeartbeat' } });
    expect((error as Error).message).toMatch(/does not support the consumer group protocol \(KIP-848/);
    expect((await kit.describeGroup(groupId)).members).toEqual([]);
  });

  it('cooperative-sticky: a second member takes half, the first keeps the rest, every offset once', async () => {
    const topic = uniqueName('k39');
    await kit.createTopic(topic, 4);
    await kit.produce(topic, Array.from({ length: 400 }, (_, i) => ({ value: `v${i}`, partition: i % 4 })));
    const groupId = uniqueName('k39-coop');
    const tally = new OffsetTally();
    const start = () => {
      const g = group(groupId, topic, { group: { partitionStrategy: ['cooperative-sticky'], session: { timeout: 6000 }, heartbeat: { interval: 500 }, rebalance: { timeout: 15000, drainTimeout: 5000 } } });
      const generations = new ReplaySubject<Generation>();
      subs.push(g.generations$.subscribe(generations));
      subs.push(g.messages$.pipe(tap((m: KafkaMessage) => tally.add(m)), markOffsets(g)).subscribe());
      return (test: (x: Generation) => boolean) => firstValueFrom(generations.pipe(filter(test)));
    };
    const a = start();
    await a((x) => partitionsOf(x.current).length === 4);
    await tally.until((t) => t.unique === 400);
    const b = start();
    const [aAfter, bAfter] = await Promise.all([a((x) => partitionsOf(x.current).length === 2), b((x) => partitionsOf(x.current).length === 2)]);
    expect(aAfter.rebalanceProtocol).toBe('cooperative');
    expect(partitionsOf(aAfter.kept)).toHaveLength(2);
    expect(partitionsOf(bAfter.added)).toHaveLength(2);
    await kit.produce(topic, Array.from({ length: 400 }, (_, i) => ({ value: `w${i}`, partition: i % 4 })));
    await tally.until((t) => t.unique === 800);
    expect(tally.duplicates).toBe(0);
  });
});
