import { lastValueFrom, Subscription } from 'rxjs';
import { tap } from 'rxjs/operators';
import { startCluster, stopCluster, stopNode, restartNode, type KafkaCluster } from '../../broker/kafka-broker';
import { consumerGroup, markOffsets, type KafkaClientError } from '../../src';
import { createAdminKit } from '../../src/transport/kafkajs/admin-kit';
import { uniqueName } from '../support/names';
import { OffsetTally } from '../support/offset-tally';

describe('a consumer across a broker restart (its own single-node broker)', () => {
  let cluster: KafkaCluster;
  beforeAll(async () => {
    cluster = await startCluster({ nodes: 1 });
  });
  afterAll(() => stopCluster(cluster));

  it('keeps consuming after the broker is stopped and started again: nothing lost, commits reach the end', async () => {
    const brokers = cluster.bootstrap.split(',');
    const kit = createAdminKit(brokers);
    const topic = uniqueName('restart');
    const groupId = uniqueName('restart-group');
    const tally = new OffsetTally();
    const errors: KafkaClientError[] = [];
    let sub: Subscription | undefined;
    const group = consumerGroup({
      brokers,
      groupId,
      topics: [topic],
      retry: { max: 20, initialBackoff: 100, maxBackoff: 1000 },
      group: { session: { timeout: 10000 }, heartbeat: { interval: 500 } },
      consumer: { offsets: { initial: 'oldest', commitInterval: 200 } },
    });
    try {
      await kit.createTopic(topic, 3);
      await kit.produce(topic, Array.from({ length: 3000 }, (_, i) => ({ value: `a${i}` })));
      group.errors$.subscribe((e) => errors.push(e));
      sub = group.messages$.pipe(tap((m) => tally.add(m)), markOffsets(group)).subscribe();
      await tally.until((t) => t.unique >= 3000);
      await kit.close();
      const node = cluster.nodes[0];
      if (!node) throw new Error('no node');
      await stopNode(node); // SIGTERM: a clean broker shutdown
      await restartNode(cluster, node);
      const kit2 = createAdminKit(brokers);
      await kit2.produce(topic, Array.from({ length: 3000 }, (_, i) => ({ value: `b${i}` })));
      const ends = await kit2.endOffsets(topic);
      await tally.until((t) => t.covers(ends));
      sub.unsubscribe();
      await lastValueFrom(group.close(), { defaultValue: undefined });
      expect(tally.unique).toBe(6000);
      expect(await kit2.committedOffsets(groupId, topic)).toEqual(ends);
      expect(errors.some((e) => e._tag === 'ConnectionError' || e.retriable)).toBe(true); // it did notice the restart
      await kit2.close();
    } finally {
      sub?.unsubscribe();
    }
  });
});
