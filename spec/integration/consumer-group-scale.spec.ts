import { lastValueFrom, Subscription } from 'rxjs';
import { take, tap } from 'rxjs/operators';
import { consumerGroup, markOffsets, type ConsumerGroup, type ConsumerGroupConfigInput, type KafkaMessage } from '../../src';
import { createAdminKit, type AdminKit } from '../../src/transport/kafkajs/admin-kit';
import { brokers, uniqueName } from '../support/names';
import { OffsetTally } from '../support/offset-tally';

const fast: Partial<ConsumerGroupConfigInput> = {
  group: { session: { timeout: 6000 }, heartbeat: { interval: 300 }, rebalance: { timeout: 20000, drainTimeout: 10000 } },
  consumer: { offsets: { initial: 'oldest', commitInterval: 200 } },
};
const records = (n: number, from = 0) => Array.from({ length: n }, (_, i) => ({ key: `k${from + i}`, value: `value-${from + i}` }));

describe('consumer groups at scale on a real broker', () => {
  let kit: AdminKit;
  let topic: string;
  let groupId: string;
  const groups: ConsumerGroup[] = [];
  const subs: Subscription[] = [];
  const member = (extra: Partial<ConsumerGroupConfigInput> = {}) => {
    const g = consumerGroup({ brokers: brokers(), groupId, topics: [topic], ...fast, ...extra });
    groups.push(g);
    return g;
  };
  const closeAll = () => Promise.all(groups.splice(0).map((g) => lastValueFrom(g.close(), { defaultValue: undefined })));

  beforeAll(() => (kit = createAdminKit(brokers())));
  beforeEach(() => {
    topic = uniqueName('scale');
    groupId = uniqueName('scale-group');
  });
  afterEach(async () => {
    subs.splice(0).forEach((s) => s.unsubscribe());
    await closeAll();
  });
  afterAll(() => kit.close());

  it.each(['multiplex', 'partition'] as const)('100,000 messages over 6 partitions, 3 members, %s mode: every offset seen, commits equal end offsets', async (mode) => {
    await kit.createTopic(topic, 6);
    await kit.produce(topic, records(100_000));
    const ends = await kit.endOffsets(topic);
    const tally = new OffsetTally();
    const consume = (g: ConsumerGroup) => {
      const count = tap((m: KafkaMessage) => tally.add(m));
      subs.push(
        mode === 'multiplex'
          ? g.messages$.pipe(count, markOffsets(g)).subscribe()
          : g.partitions$.subscribe((p) => subs.push(p.pipe(count, markOffsets(g)).subscribe())),
      );
    };
    [member(), member(), member()].forEach(consume);
    await tally.until((t) => t.unique >= 100_000 && t.covers(ends));
    await closeAll(); // drains, commits, leaves
    expect(tally.unique).toBe(100_000);
    expect(await kit.committedOffsets(groupId, topic)).toEqual(ends);
  });

  it('a member restarted mid-stream resumes from its commits', async () => {
    await kit.createTopic(topic, 6);
    await kit.produce(topic, records(20_000));
    const ends = await kit.endOffsets(topic);
    const first = new OffsetTally();
    const g1 = member();
    // The first member processes exactly 10,000 messages, then its pipeline ends: it commits and leaves.
    await lastValueFrom(g1.messages$.pipe(take(10_000), tap((m) => first.add(m)), markOffsets(g1)), { defaultValue: undefined });
    await lastValueFrom(g1.close(), { defaultValue: undefined });
    expect(first.unique).toBe(10_000);
    const committed = await kit.committedOffsets(groupId, topic);
    const second = new OffsetTally();
    const g2 = member();
    subs.push(g2.messages$.pipe(tap((m) => second.add(m)), markOffsets(g2)).subscribe());
    await second.until((t) => t.covers(ends, first));
    const resumed = [...committed].filter(([p, c]) => c >= 0n && c < (ends.get(p) ?? 0n));
    expect(resumed.length).toBeGreaterThan(0);
    for (const [p, c] of resumed) expect(second.lowest(p)).toBe(c); // resumed exactly at the commit
    expect(second.duplicates + first.duplicates).toBe(0);
    expect(second.unique + first.unique).toBe(20_000); // nothing re-read: the commit was exact
  });

  it('a rebalance under steady load loses nothing and duplicates nothing when all is marked before the drain timeout', async () => {
    await kit.createTopic(topic, 6);
    const tally = new OffsetTally();
    const a = member();
    subs.push(a.messages$.pipe(tap((m) => tally.add(m)), markOffsets(a)).subscribe());
    let produced = 0;
    const producing = (async () => {
      for (let i = 0; i < 40; i++) {
        await kit.produce(topic, records(500, produced));
        produced += 500;
      }
    })();
    await tally.until((t) => t.processed > 3000);
    const b = member();
    const bJoined = lastValueFrom(b.generations$.pipe(take(1)));
    subs.push(b.messages$.pipe(tap((m) => tally.add(m)), markOffsets(b)).subscribe());
    await bJoined;
    await producing;
    const ends = await kit.endOffsets(topic);
    await tally.until((t) => t.covers(ends));
    expect(tally.unique).toBe(20_000);
    expect(tally.duplicates).toBe(0);
  });
});
