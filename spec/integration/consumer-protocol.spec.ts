import { firstValueFrom, lastValueFrom, ReplaySubject, Subscription } from 'rxjs';
import { filter, skip, tap } from 'rxjs/operators';
import { consumerGroup, markOffsets, type ConsumerGroup, type Generation, type KafkaMessage } from '../../src';
import { partitionsOf } from '../../src/protocol/assignment';
import { createAdminKit, type AdminKit } from '../../src/transport/kafkajs/admin-kit';
import { brokers, uniqueName } from '../support/names';
import { OffsetTally } from '../support/offset-tally';

/**
 * The consumer group protocol (KIP-848) against a real Kafka 4.x broker: the coordinator assigns, members
 * reconcile by heartbeat. Session and heartbeat pace are the broker's (broker/kafka-broker.js: 10 s and 500 ms).
 */
const count = (g: Generation) => partitionsOf(g.current).length;

describe('groupProtocol consumer on a real broker', () => {
  let kit: AdminKit;
  let topic: string;
  let groupId: string;
  const groups: ConsumerGroup[] = [];
  const subs: Subscription[] = [];

  /** A member consuming with messages$ + markOffsets into `tally`; its generations replayed. */
  const member = (tally: OffsetTally, extra: Record<string, unknown> = {}) => {
    const g = consumerGroup({
      brokers: brokers(),
      groupId,
      topics: [topic],
      groupProtocol: 'consumer',
      group: { rebalance: { timeout: 15000, drainTimeout: 5000 } },
      consumer: { offsets: { initial: 'oldest', commitInterval: 200 } },
      ...extra,
    });
    groups.push(g);
    const generations = new ReplaySubject<Generation>();
    subs.push(g.generations$.subscribe(generations));
    subs.push(
      g.messages$
        .pipe(
          tap((m: KafkaMessage) => tally.add(m)),
          markOffsets(g),
        )
        .subscribe({ error: (e: unknown) => generations.error(e) }),
    );
    return { group: g, generations, latest: (test: (x: Generation) => boolean) => firstValueFrom(generations.pipe(filter(test))) };
  };

  beforeAll(() => (kit = createAdminKit(brokers())));
  beforeEach(() => {
    topic = uniqueName('cp');
    groupId = uniqueName('cp-group');
  });
  afterEach(async () => {
    subs.splice(0).forEach((s) => s.unsubscribe());
    await Promise.all(groups.splice(0).map((g) => lastValueFrom(g.close(), { defaultValue: undefined })));
  });
  afterAll(() => kit.close());

  it('a second member joining takes half; the first keeps the rest without a stop; every offset consumed exactly once', async () => {
    await kit.createTopic(topic, 6);
    await kit.produce(topic, Array.from({ length: 1200 }, (_, i) => ({ value: `v${i}`, partition: i % 6 })));
    const tally = new OffsetTally();
    const a = member(tally);
    const first = await a.latest((g) => count(g) === 6);
    expect(first).toMatchObject({ rebalanceProtocol: 'consumer', protocol: 'uniform' });
    await tally.until((t) => t.unique === 1200);

    const b = member(tally);
    const [aAfter, bAfter] = await Promise.all([a.latest((g) => count(g) === 3), b.latest((g) => count(g) === 3)]);
    // The increment: A revoked three, kept three, added none; B added three.
    expect(partitionsOf(aAfter.kept)).toHaveLength(3);
    expect(partitionsOf(aAfter.revoked)).toHaveLength(3);
    expect(partitionsOf(aAfter.added)).toHaveLength(0);
    expect(partitionsOf(bAfter.added)).toHaveLength(3);
    expect([...partitionsOf(aAfter.current), ...partitionsOf(bAfter.current)].map((p) => p.partition).sort()).toEqual([0, 1, 2, 3, 4, 5]);
    // Commits carry member epochs: B starts where A committed.
    await kit.produce(topic, Array.from({ length: 600 }, (_, i) => ({ value: `w${i}`, partition: i % 6 })));
    await tally.until((t) => t.unique === 1800);
    expect(tally.duplicates).toBe(0);
  });

  it('a member leaving cleanly hands its partitions over committed: nothing lost, nothing twice', async () => {
    await kit.createTopic(topic, 4);
    const tally = new OffsetTally();
    const a = member(tally);
    const b = member(tally);
    await Promise.all([a.latest((g) => count(g) === 2), b.latest((g) => count(g) === 2)]);
    await kit.produce(topic, Array.from({ length: 800 }, (_, i) => ({ value: `v${i}`, partition: i % 4 })));
    await tally.until((t) => t.unique === 800);
    await lastValueFrom(b.group.close(), { defaultValue: undefined });
    await a.latest((g) => count(g) === 4);
    await kit.produce(topic, Array.from({ length: 400 }, (_, i) => ({ value: `w${i}`, partition: i % 4 })));
    await tally.until((t) => t.unique === 1200);
    expect(tally.duplicates).toBe(0);
    // Closing drains and commits on OffsetCommit v9 with the member epoch, then leaves (epoch -1).
    await lastValueFrom(a.group.close(), { defaultValue: undefined });
    expect(await kit.committedOffsets(groupId, topic)).toEqual(await kit.endOffsets(topic));
  });

  it('a static member restarted under its instance id gets its partitions back; the other member sees no rebalance', async () => {
    await kit.createTopic(topic, 4);
    const tally = new OffsetTally();
    const a = member(tally, { group: { instanceId: 'static-a', rebalance: { timeout: 15000, drainTimeout: 5000 } } });
    const b = member(tally, { group: { instanceId: 'static-b', rebalance: { timeout: 15000, drainTimeout: 5000 } } });
    const [aGen] = await Promise.all([a.latest((g) => count(g) === 2), b.latest((g) => count(g) === 2)]);
    const bGenerations: Generation[] = [];
    subs.push(b.generations.subscribe((g) => bGenerations.push(g)));
    const seenByB = bGenerations.length;
    await lastValueFrom(a.group.close(), { defaultValue: undefined });
    const again = member(tally, { group: { instanceId: 'static-a', rebalance: { timeout: 15000, drainTimeout: 5000 } } });
    const back = await again.latest((g) => count(g) === 2);
    expect(back.current).toEqual(aGen.current);
    await kit.produce(topic, Array.from({ length: 400 }, (_, i) => ({ value: `v${i}`, partition: i % 4 })));
    await tally.until((t) => t.unique === 400);
    // B was never asked to give anything up or take anything on.
    expect(bGenerations.slice(seenByB)).toEqual([]);
    expect(tally.duplicates).toBe(0);
  });

  it('a whitelist is matched by the broker (RE2), with the meaning RegExp.test has here', async () => {
    const prefix = uniqueName('cpre');
    await kit.createTopic(`${prefix}-a`, 2);
    await kit.createTopic(`${prefix}-b`, 1);
    await kit.createTopic(`other-${prefix}`, 1);
    await kit.produce(`${prefix}-a`, [{ value: 'a0', partition: 0 }, { value: 'a1', partition: 1 }]);
    await kit.produce(`${prefix}-b`, [{ value: 'b0' }]);
    await kit.produce(`other-${prefix}`, [{ value: 'x' }]);
    const tally = new OffsetTally();
    const m = member(tally, { topics: [], whitelist: new RegExp(`^${prefix}-`) });
    const g = await m.latest((x) => count(x) === 3);
    expect(Object.keys(g.current).sort()).toEqual([`${prefix}-a`, `${prefix}-b`]);
    await tally.until((t) => t.processed >= 3);
  });
});

describe('a classic group upgraded to the consumer protocol member by member (the broker\'s online migration)', () => {
  let kit: AdminKit;
  const groups: ConsumerGroup[] = [];
  const subs: Subscription[] = [];
  beforeAll(() => (kit = createAdminKit(brokers())));
  afterEach(async () => {
    subs.splice(0).forEach((s) => s.unsubscribe());
    await Promise.all(groups.splice(0).map((g) => lastValueFrom(g.close(), { defaultValue: undefined })));
  });
  afterAll(() => kit.close());

  it.each(['range', 'cooperative-sticky'] as const)('from %s: every offset consumed, none twice, the group ends on the consumer protocol', async (strategy) => {
    const topic = uniqueName('mig');
    const groupId = uniqueName('mig-group');
    await kit.createTopic(topic, 4);
    const tally = new OffsetTally();
    const start = (protocol: 'classic' | 'consumer') => {
      const g = consumerGroup({
        brokers: brokers(),
        groupId,
        topics: [topic],
        groupProtocol: protocol,
        group:
          protocol === 'classic'
            ? { partitionStrategy: [strategy], session: { timeout: 6000 }, heartbeat: { interval: 500 }, rebalance: { timeout: 15000, drainTimeout: 5000 } }
            : { rebalance: { timeout: 15000, drainTimeout: 5000 } },
        consumer: { offsets: { initial: 'oldest', commitInterval: 200 } },
      });
      groups.push(g);
      const generations = new ReplaySubject<Generation>();
      const seen: Generation[] = [];
      const s = [g.generations$.subscribe(generations), generations.subscribe((x) => seen.push(x)), g.messages$.pipe(tap((m: KafkaMessage) => tally.add(m)), markOffsets(g)).subscribe({ error: (e: unknown) => generations.error(e) })];
      subs.push(...s);
      return {
        g,
        seen,
        latest: (test: (x: Generation) => boolean) => firstValueFrom(generations.pipe(filter(test))),
        /** The first generation after the `n` already seen that passes `test`. */
        after: (n: number, test: (x: Generation) => boolean) => firstValueFrom(generations.pipe(skip(n), filter(test))),
      };
    };
    let produced = 0;
    const produce = async (n: number) => {
      await kit.produce(topic, Array.from({ length: n }, (_, i) => ({ value: `v${produced + i}`, partition: (produced + i) % 4 })));
      produced += n;
    };
    const a = start('classic');
    const b = start('classic');
    await Promise.all([a.latest((x) => count(x) === 2), b.latest((x) => count(x) === 2)]);
    await produce(400);
    await tally.until((t) => t.unique === produced);
    // A restarts on the consumer protocol: the broker converts the group, B stays a classic member of it.
    await lastValueFrom(a.g.close(), { defaultValue: undefined });
    const a2 = start('consumer');
    await a2.latest((x) => count(x) > 0 && x.rebalanceProtocol === 'consumer');
    await produce(400);
    await tally.until((t) => t.unique === produced);
    // Then B: the group is all consumer protocol.
    await lastValueFrom(b.g.close(), { defaultValue: undefined });
    const before = a2.seen.length;
    const b2 = start('consumer');
    // A gives two up to B.
    const [ga, gb] = await Promise.all([a2.after(before, (x) => count(x) === 2), b2.latest((x) => count(x) === 2)]);
    expect([ga.rebalanceProtocol, gb.rebalanceProtocol]).toEqual(['consumer', 'consumer']);
    expect([...partitionsOf(ga.current), ...partitionsOf(gb.current)].map((p) => p.partition).sort()).toEqual([0, 1, 2, 3]);
    await produce(400);
    await tally.until((t) => t.unique === produced);
    expect(tally.unique).toBe(1200);
    expect(tally.duplicates).toBe(0);
  });
});
