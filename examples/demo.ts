/**
 * The README's main job: start a local Kafka (or use KAFKA_BROKERS), produce a small demo dataset, consume it as a
 * group and print `topic/partition/offset<TAB>key<TAB>value` lines, as the sarama-cluster README example does.
 */
import { lastValueFrom } from 'rxjs';
import { take, tap } from 'rxjs/operators';
import { startCluster, stopCluster, type KafkaCluster } from '../broker/kafka-broker';
import { consumerGroup, markOffsets } from '../src';
import { createAdminKit } from '../src/transport/kafkajs/admin-kit';

const RECORDS = 30;

const main = async (): Promise<void> => {
  let cluster: KafkaCluster | undefined;
  if (!process.env.KAFKA_BROKERS) {
    process.stderr.write('starting a local Kafka broker ...\n');
    cluster = await startCluster({ nodes: 1 });
  }
  const brokers = (process.env.KAFKA_BROKERS ?? cluster?.bootstrap ?? '').split(',');
  const suffix = Date.now().toString(36);
  const topic = `demo-${suffix}`;
  const kit = createAdminKit(brokers);
  try {
    await kit.createTopic(topic, 3);
    await kit.produce(topic, Array.from({ length: RECORDS }, (_, i) => ({ key: `key-${i}`, value: `value-${i}` })));
    process.stderr.write(`produced ${RECORDS} records to ${topic} at ${brokers.join(',')}; consuming as group demo-${suffix}\n`);

    const group = consumerGroup({ brokers, groupId: `demo-${suffix}`, topics: [topic], consumer: { offsets: { initial: 'oldest' } } });
    await lastValueFrom(
      group.messages$.pipe(
        take(RECORDS),
        tap((m) => process.stdout.write(`${m.topic}/${m.partition}/${m.offset}\t${m.key?.toString() ?? ''}\t${m.value?.toString() ?? ''}\n`)),
        markOffsets(group),
      ),
      { defaultValue: undefined },
    );
    await lastValueFrom(group.close(), { defaultValue: undefined });
    const committed = await kit.committedOffsets(`demo-${suffix}`, topic);
    process.stderr.write(`committed: ${[...committed].map(([p, o]) => `${p}:${o}`).join(' ')}\n`);
  } finally {
    await kit.close();
    if (cluster) await stopCluster(cluster);
  }
};

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
