import { lastValueFrom, Subscription, tap } from 'rxjs';
import { consumerGroup, markOffsets, type ConsumerGroup, type KafkaClientError } from '../../../src';
import { createAdminKit, type AdminKit } from '../../../src/transport/kafkajs/admin-kit';
import { brokers, uniqueName } from '../../support/names';

const fastGroup = { session: { timeout: 6000 }, heartbeat: { interval: 500 }, rebalance: { timeout: 15000, drainTimeout: 5000 } };

/** Resolves once `done()` holds, checking on every call of the returned `check`; rejects after `ms`. */
const until = (done: () => boolean, ms: number, what: string) => {
  let resolve: () => void = () => undefined;
  let timer: NodeJS.Timeout | undefined;
  const reached = new Promise<void>((res, rej) => {
    resolve = res;
    timer = setTimeout(() => rej(new Error(`${what}: not within ${ms} ms`)), ms);
  }).finally(() => clearTimeout(timer));
  const check = () => done() && resolve();
  return { reached, check };
};

describe('fetch limits on a real broker', () => {
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

  it('a message larger than consumer.fetch.partitionMax and consumer.fetch.max is delivered whole (the broker returns a first batch regardless, KIP-74), then the rest; no error', async () => {
    const topic = uniqueName('big');
    const groupId = uniqueName('big-group');
    await kit.createTopic(topic, 2);
    const big = Buffer.alloc(300 * 1024, 7);
    await kit.produce(topic, [{ value: big, partition: 0 }]);
    await kit.produce(topic, [{ value: 'a', partition: 0 }, { value: 'b', partition: 0 }, { value: 'c', partition: 1 }]);
    const group = consumerGroup({
      brokers: brokers(),
      groupId,
      topics: [topic],
      group: fastGroup,
      consumer: { offsets: { initial: 'oldest', commitInterval: 200 }, fetch: { max: 4096, partitionMax: 1024 } },
    });
    groups.push(group);
    const got: string[] = [];
    const errors: KafkaClientError[] = [];
    subs.push(group.errors$.subscribe((e) => errors.push(e)));
    const all = until(() => got.length === 4, 60000, 'four messages');
    subs.push(group.messages$.pipe(tap((m) => (got.push(`${m.partition}/${m.offset}:${m.value?.length ?? 0}`), all.check())), markOffsets(group)).subscribe());
    await all.reached;
    expect(got.filter((s) => s.startsWith('0/'))).toEqual([`0/0:${big.length}`, '0/1:1', '0/2:1']);
    expect(got.filter((s) => s.startsWith('1/'))).toEqual(['1/0:1']);
    expect(errors).toEqual([]);
    await lastValueFrom(group.close(), { defaultValue: undefined });
    expect(await kit.committedOffsets(groupId, topic)).toEqual(new Map([[0, 3n], [1, 1n]]));
    expect(unhandled).toEqual([]);
  });
});
