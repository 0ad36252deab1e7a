import { lastValueFrom, map, Subscription, tap } from 'rxjs';
import { consumerGroup, kafkajsTransportFor, type ConsumerGroup, type KafkaClientError, type PartitionConsumer } from '../../../src';
import { overriding, type Transport } from '../../../src/transport';
import { createAdminKit, type AdminKit } from '../../../src/transport/kafkajs/admin-kit';
import { brokers, uniqueName } from '../../support/names';
import { within } from '../../support/within';
import { badCrc, unknownCodec, type Corruption } from '../../unit/bad-input/corrupting-group';

/**
 * A broker validates CRC and codec on produce, so corrupt batches cannot be produced to it; they are made here by
 * corrupting partition 0's bytes in the Fetch responses of the real kafkajs transport (a damaged segment or a
 * bad network path looks the same to the consumer).
 */
const fastGroup = { session: { timeout: 6000 }, heartbeat: { interval: 500 }, rebalance: { timeout: 15000, drainTimeout: 5000 } };

describe('corrupt record batches from a real broker (partition 0 corrupted in flight)', () => {
  let kit: AdminKit;
  const groups: ConsumerGroup[] = [];
  const subs: Subscription[] = [];
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  beforeAll(() => {
    kit = createAdminKit(brokers());
    process.on('unhandledRejection', onUnhandled);
  });
  afterEach(async () => {
    subs.splice(0).forEach((s) => s.unsubscribe());
    await Promise.all(groups.splice(0).map((g) => lastValueFrom(g.close(), { defaultValue: undefined })));
  });
  afterAll(async () => {
    process.off('unhandledRejection', onUnhandled);
    await kit.close();
  });

  const cases: [string, Corruption][] = [
    ['a bad CRC (checkCrcs on)', badCrc],
    ['an unknown compression codec', unknownCodec],
  ];
  it.each(cases)('%s: CorruptRecordBatch for t/0 at offset 0, fetched once more at most; partition 1 keeps flowing', async (_name, corrupt) => {
    const topic = uniqueName('corrupt');
    const groupId = uniqueName('corrupt-group');
    await kit.createTopic(topic, 2);
    await kit.produce(topic, [{ value: 'a', partition: 0 }, { value: 'b', partition: 1 }]);
    let fetchesOf0 = 0;
    const corrupting = (t: Transport): Transport =>
      overriding(t, {
        fetch: (r) => {
          if (r.partitions.some((p) => p.topic === topic && p.partition === 0)) fetchesOf0++;
          return t.fetch(r).pipe(map((ps) => ps.map((p) => (p.topic === topic && p.partition === 0 && p.records.length > 0 ? { ...p, records: corrupt(p.records) } : p))));
        },
      });
    const group = consumerGroup(
      { brokers: brokers(), groupId, topics: [topic], group: fastGroup, consumer: { checkCrcs: true, offsets: { initial: 'oldest', commitInterval: 200 }, fetch: { maxWait: 100 } } },
      { createTransport: (c) => corrupting(kafkajsTransportFor(c)) },
    );
    groups.push(group);
    const got: string[] = [];
    let failed: (e: KafkaClientError) => void = () => undefined;
    const failure = new Promise<KafkaClientError>((r) => (failed = r));
    let flowing: () => void = () => undefined;
    const partition1 = new Promise<void>((r) => (flowing = r));
    subs.push(
      group.partitions$.subscribe((p: PartitionConsumer) =>
        p.pipe(tap((m) => (got.push(`${m.partition}/${m.offset}`), m.partition === 1 && got.filter((g) => g.startsWith('1/')).length === 2 && flowing()))).subscribe({ error: failed }),
      ),
    );
    const e = await within(failure, 30000, 't/0 to fail');
    expect({ tag: e._tag, topic: e.context.topic, partition: e.context.partition, offset: e.context.offset }).toEqual({ tag: 'CorruptRecordBatch', topic, partition: 0, offset: 0n });
    const fetchesAtFailure = fetchesOf0;
    await kit.produce(topic, [{ value: 'c', partition: 1 }]);
    await within(partition1, 30000, 'partition 1 to flow after the failure');
    expect(fetchesOf0 - fetchesAtFailure).toBeLessThanOrEqual(1);
    expect(got.filter((g) => g.startsWith('0/'))).toEqual([]);
    expect(unhandled).toEqual([]);
  });
});
