import { lastValueFrom, Subscription } from 'rxjs';
import { tap } from 'rxjs/operators';
import { consumerGroup, markOffsets, type ConsumerGroup, type KafkaMessage } from '../../src';
import { createAdminKit, type AdminKit } from '../../src/transport/kafkajs/admin-kit';
import { brokers, uniqueName } from '../support/names';

const fastGroup = { session: { timeout: 6000 }, heartbeat: { interval: 500 }, rebalance: { timeout: 15000, drainTimeout: 5000 } };

/** Resolves when every (partition, offset) below the end offsets has been seen at least once. */
const allSeen = (seen: Map<number, Set<bigint>>, ends: ReadonlyMap<number, bigint>) =>
  [...ends].every(([p, end]) => (seen.get(p)?.size ?? 0) === Number(end));

describe('consumerGroup on a real broker', () => {
  let kit: AdminKit;
  let topic: string;
  let groupId: string;
  const groups: ConsumerGroup[] = [];
  const subs: Subscription[] = [];
  const group = (overrides: Record<string, unknown> = {}) => {
    const g = consumerGroup({ brokers: brokers(), groupId, topics: [topic], group: fastGroup, consumer: { offsets: { initial: 'oldest', commitInterval: 200 } }, ...overrides });
    groups.push(g);
    return g;
  };

  beforeAll(() => (kit = createAdminKit(brokers())));
  beforeEach(() => {
    topic = uniqueName('cg');
    groupId = uniqueName('cg-group');
  });
  afterEach(async () => {
    subs.splice(0).forEach((s) => s.unsubscribe());
    await Promise.all(groups.splice(0).map((g) => lastValueFrom(g.close(), { defaultValue: undefined })));
  });
  afterAll(() => kit.close());

  it('one member in multiplex mode reads every message and commits the end offsets', async () => {
    await kit.createTopic(topic, 3);
    await kit.produce(topic, Array.from({ length: 3000 }, (_, i) => ({ key: `k${i}`, value: `v${i}` })));
    const ends = await kit.endOffsets(topic);
    const g = group();
    const seen = new Map<number, Set<bigint>>();
    await new Promise<void>((resolve, reject) => {
      subs.push(
        g.messages$
          .pipe(
            tap((m: KafkaMessage) => {
              const set = seen.get(m.partition) ?? new Set<bigint>();
              set.add(m.offset);
              seen.set(m.partition, set);
            }),
            tap(() => allSeen(seen, ends) && resolve()),
            markOffsets(g),
          )
          .subscribe({ error: reject }),
      );
    });
    await lastValueFrom(g.commitOffsets(), { defaultValue: undefined });
    const committed = await kit.committedOffsets(groupId, topic);
    expect(committed).toEqual(ends);
    expect(seen.get(0)?.has(0n)).toBe(true);
  });

  it('partition mode gives one inner stream per partition with its initial offset; marks commit per partition', async () => {
    await kit.createTopic(topic, 2);
    await kit.produce(topic, Array.from({ length: 200 }, (_, i) => ({ value: `v${i}`, partition: i % 2 })));
    const g = group();
    const initial = new Map<number, bigint>();
    let count = 0;
    await new Promise<void>((resolve, reject) => {
      subs.push(
        g.partitions$.subscribe({
          next: (p) => {
            initial.set(p.partition, p.initialOffset);
            subs.push(
              p
                .pipe(
                  tap(() => ++count === 200 && resolve()),
                  markOffsets(g),
                )
                .subscribe({ error: reject }),
            );
          },
          error: reject,
        }),
      );
    });
    await lastValueFrom(g.commitOffsets(), { defaultValue: undefined });
    expect(initial).toEqual(new Map([[0, 0n], [1, 0n]]));
    expect(await kit.committedOffsets(groupId, topic)).toEqual(new Map([[0, 100n], [1, 100n]]));
  });
});
