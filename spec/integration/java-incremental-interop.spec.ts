import { combineLatest, filter, firstValueFrom, lastValueFrom, map, ReplaySubject, type Observable, type Subscription } from 'rxjs';
import { tap } from 'rxjs/operators';
import { consumerGroup, markOffsets, type ConsumerGroup, type ConsumerGroupConfigInput, type Generation, type KafkaMessage } from '../../src';
import { cooperativeSticky } from '../../src/strategies';
import { createAdminKit, type AdminKit } from '../../src/transport/kafkajs/admin-kit';
import { startJavaConsumer, type JavaConsumer, type JavaEvent, type JavaPartition, type JavaStarted, type JavaStrategy } from '../support/java-consumer';
import { brokers, uniqueName } from '../support/names';
import { OffsetTally } from '../support/offset-tally';
import { within } from '../support/within';

/**
 * Our members and Java KafkaConsumers in one group, on a real broker, under each incremental protocol:
 * classic with cooperative-sticky on both sides (KIP-429), and the consumer protocol (KIP-848, Java
 * `group.protocol=consumer`, the broker's uniform assignor). One scenario per protocol (beforeAll) records
 * everything; each test asserts one property of the record:
 *   1 ours + 1 Java -> + ours -> + Java -> one Java SIGKILLed -> one ours closes -> the other ours closes,
 * producing a batch before each step, then consuming to the end offsets.
 */

const PARTITIONS = 6;
const BATCH = 1200;
const WAIT_MS = 90_000;
const ALL = Array.from({ length: PARTITIONS }, (_, p) => p);

/** One member's assignment at one generation (classic) or member epoch (consumer protocol). */
interface Owned { readonly member: string; readonly generation: number; readonly partitions: readonly number[] }
/** Every live member's assignment once the group settled: each partition owned once, counts balanced. */
interface Settled { readonly step: string; readonly owners: readonly Owned[] }

/** One protocol under test: how our members and the Java members are configured, and what each must report. */
interface Protocol {
  readonly name: string;
  readonly ours: Pick<ConsumerGroupConfigInput, 'groupProtocol' | 'groupRemoteAssignor' | 'group'>;
  readonly java: JavaStrategy;
  readonly javaStarted: Omit<JavaStarted, 'event'>;
  readonly oursRebalanceProtocol: Generation['rebalanceProtocol'];
  readonly oursProtocol: string;
  /**
   * Classic: the group has one generation, and a settled group shares it. Under the consumer protocol each member
   * has its own epoch, so settled means only "each partition owned once, counts balanced".
   */
  readonly sharedGeneration: boolean;
}

const rebalance = { rebalance: { timeout: 30000, drainTimeout: 10000 } };
const PROTOCOLS: readonly Protocol[] = [
  {
    name: 'classic, cooperativeSticky() beside Java CooperativeStickyAssignor (KIP-429)',
    ours: { group: { partitionStrategy: [cooperativeSticky()], session: { timeout: 6000 }, heartbeat: { interval: 500 }, ...rebalance } },
    java: 'cooperative-sticky',
    javaStarted: { groupProtocol: 'classic', strategy: 'cooperative-sticky', rebalanceProtocol: 'COOPERATIVE' },
    oursRebalanceProtocol: 'cooperative',
    oursProtocol: 'cooperative-sticky',
    sharedGeneration: true,
  },
  {
    name: "groupProtocol 'consumer' beside Java group.protocol=consumer, uniform assignor (KIP-848)",
    ours: { groupProtocol: 'consumer', groupRemoteAssignor: 'uniform', group: rebalance },
    java: 'consumer:uniform',
    javaStarted: { groupProtocol: 'consumer', strategy: 'consumer:uniform', rebalanceProtocol: 'CONSUMER' },
    oursRebalanceProtocol: 'consumer',
    oursProtocol: 'uniform',
    sharedGeneration: false,
  },
];

interface OurMember {
  readonly name: string;
  readonly group: ConsumerGroup;
  readonly generations: ReplaySubject<Generation>;
  readonly seen: Generation[];
  readonly owned: Observable<Owned>;
}
interface JavaMember {
  readonly name: string;
  readonly consumer: JavaConsumer;
  readonly events: JavaEvent[];
  readonly owned: Observable<Owned>;
}

const sorted = (ps: Iterable<number>): number[] => [...ps].sort((a, b) => a - b);
const partitionsIn = (topic: string, ps: readonly JavaPartition[]): number[] => sorted(ps.filter((p) => p.topic === topic).map((p) => p.partition));
const minus = (a: readonly number[], b: readonly number[]): number[] => a.filter((x) => !b.includes(x));

/** Whether `owners` is a settled group: every partition owned exactly once, counts differing by at most 1 (and one generation when `shared`). */
const isSettled = (owners: readonly Owned[], shared: boolean): boolean => {
  const owned = owners.flatMap((o) => o.partitions);
  const counts = owners.map((o) => o.partitions.length);
  return (!shared || owners.every((o) => o.generation === owners[0]?.generation))
    && owned.length === PARTITIONS && new Set(owned).size === PARTITIONS && Math.max(...counts) - Math.min(...counts) <= 1;
};

describe.each(PROTOCOLS)('rx-kafka-cluster and Java members in one group (real broker): $name', (protocol) => {
  let kit: AdminKit;
  let topic: string;
  let groupId: string;
  const subs: Subscription[] = [];
  const ours: OurMember[] = [];
  const java: JavaMember[] = [];
  const settled: Settled[] = [];
  /** Every ownership change any member reported, in the order this process heard of them. */
  const timeline: Owned[] = [];
  /** Every (partition, offset) consumed, by whom: our members' messages and the Java members' polled records. */
  const consumed: { readonly member: string; readonly partition: number; readonly offset: number }[] = [];
  const tally = new OffsetTally();
  let ends: ReadonlyMap<number, bigint> = new Map();
  let killed: JavaMember | undefined;
  let failure: (e: unknown) => void = () => undefined;
  const failed = new Promise<never>((_, reject) => (failure = reject));
  failed.catch(() => undefined);
  /** Waits for `promise`, failing at once if a member's stream failed, and after WAIT_MS naming `what`. */
  const wait = <T>(promise: Promise<T>, what: string): Promise<T> => within(Promise.race([promise, failed]), WAIT_MS, what);
  const timings: string[] = [];

  const startOurs = (name: string): OurMember => {
    const group = consumerGroup({
      brokers: brokers(),
      groupId,
      topics: [topic],
      clientId: name,
      ...protocol.ours,
      consumer: { offsets: { initial: 'oldest', commitInterval: 200 } },
    });
    const generations = new ReplaySubject<Generation>();
    const seen: Generation[] = [];
    const ownedAt = (g: Generation): Owned => ({ member: name, generation: g.generationId, partitions: sorted(g.current[topic] ?? []) });
    subs.push(group.generations$.pipe(tap((g) => { seen.push(g); timeline.push(ownedAt(g)); })).subscribe({ next: (g) => generations.next(g), error: (e: unknown) => failure(e) }));
    subs.push(
      group.messages$
        .pipe(
          tap((m: KafkaMessage) => {
            consumed.push({ member: name, partition: m.partition, offset: Number(m.offset) });
            tally.add(m);
          }),
          markOffsets(group),
        )
        .subscribe({ error: (e: unknown) => failure(e) }),
    );
    const m = { name, group, generations, seen, owned: generations.pipe(map(ownedAt)) };
    ours.push(m);
    return m;
  };

  const startJava = (name: string): JavaMember => {
    const consumer = startJavaConsumer({
      brokers: brokers(), groupId, topics: [topic], strategy: protocol.java, sessionTimeoutMs: 6000, heartbeatIntervalMs: 500, reportRecords: true, commitSync: true,
    });
    const events: JavaEvent[] = [];
    /** What the member owns, folded from its callbacks: assigned gives the whole assignment, revoked and lost take away. */
    const owned = new ReplaySubject<Owned>(1);
    let holding: Owned = { member: name, generation: -1, partitions: [] };
    const update = (next: Owned): void => { holding = next; timeline.push(next); owned.next(next); };
    subs.push(
      consumer.events.subscribe({
        next: (ev) => {
          events.push(ev);
          if (ev.event === 'assigned') update({ member: name, generation: ev.generation, partitions: partitionsIn(topic, ev.partitions) });
          if (ev.event === 'revoked' || ev.event === 'lost') update({ member: name, generation: ev.generation, partitions: minus(holding.partitions, partitionsIn(topic, ev.partitions)) });
          if (ev.event === 'polled') {
            for (const [t, partition, from, to] of ev.records) {
              if (t !== topic) continue;
              for (let offset = from; offset <= to; offset++) {
                consumed.push({ member: name, partition, offset });
                tally.add({ partition, offset: BigInt(offset) });
              }
            }
          }
        },
        error: (e: unknown) => failure(e),
      }),
    );
    const j = { name, consumer, events, owned: owned.asObservable() };
    java.push(j);
    return j;
  };

  /** The first moment the latest assignments of `live` form a settled group (isSettled); recorded for the tests. */
  const settle = async (step: string, live: readonly (OurMember | JavaMember)[]): Promise<Settled> => {
    const owners = await wait(
      firstValueFrom(combineLatest(live.map((m) => m.owned)).pipe(filter((os) => isSettled(os, protocol.sharedGeneration)))),
      `${step}: ${live.map((m) => m.name).join(', ')} owning all ${PARTITIONS} partitions once, balanced${protocol.sharedGeneration ? ', in one generation' : ''}`,
    );
    const s = { step, owners };
    settled.push(s);
    return s;
  };

  /**
   * From now on `m` counts as owning nothing in the timeline: it was SIGKILLed, or is asked to close (what it hands
   * over from here is no longer checked against its later owners, a weaker but race-free reading).
   */
  const gone = (m: OurMember | JavaMember): void => { timeline.push({ member: m.name, generation: -1, partitions: [] }); };

  const produceBatch = async (label: string): Promise<void> => {
    await kit.produce(topic, Array.from({ length: BATCH }, (_, i) => ({ key: `${label}-${i}`, value: `${label}-${i}`, partition: i % PARTITIONS })));
  };

  beforeAll(async () => {
    kit = createAdminKit(brokers());
    topic = uniqueName('coop-interop');
    groupId = uniqueName('coop-interop-group');
    await kit.createTopic(topic, PARTITIONS);
    const t0 = Date.now();
    const mark = (what: string) => timings.push(`${what} +${Date.now() - t0} ms`);

    await produceBatch('b0');
    const a = startOurs('ours-a');
    await settle('ours-a alone', [a]);
    mark('ours-a owns all');

    await produceBatch('b1');
    const j1 = startJava('java-1');
    await settle('java-1 joined ours-a', [a, j1]);
    mark('java-1 joined');

    await produceBatch('b2');
    const b = startOurs('ours-b');
    await settle('ours-b joined', [a, j1, b]);
    mark('ours-b joined');

    await produceBatch('b3');
    const j2 = startJava('java-2');
    await settle('java-2 joined', [a, j1, b, j2]);
    mark('java-2 joined');

    // Kill java-1 while it is consuming: after it polled some of a fresh batch.
    const before = j1.consumer.polledCount();
    await produceBatch('b4');
    await wait(j1.consumer.untilPolled((n) => n > before), 'java-1 polls from the batch produced before its SIGKILL');
    killed = j1;
    await j1.consumer.kill();
    gone(j1);
    mark('java-1 SIGKILLed');
    await settle('java-1 SIGKILLed (session expired)', [a, b, j2]);
    mark('java-1 evicted');

    await produceBatch('b5');
    gone(a);
    await wait(lastValueFrom(a.group.close(), { defaultValue: undefined }), 'ours-a closes');
    mark('ours-a closed');
    await settle('ours-a left cleanly', [b, j2]);
    mark('ours-a left');

    await produceBatch('b6');
    ends = await kit.endOffsets(topic);
    await wait(tally.until((t) => t.covers(ends)), `every offset below the end offsets (${[...ends.values()].join(', ')}) consumed`);
    mark('consumed to the end');

    gone(b);
    await wait(lastValueFrom(b.group.close(), { defaultValue: undefined }), 'ours-b closes');
    await settle('ours-b left cleanly', [j2]);
    expect(await j2.consumer.stop()).toBe(0);
    mark('all closed');
    process.stderr.write(`[java-incremental-interop ${protocol.java}] ${timings.join('; ')}\n`);
  }, 400_000);

  afterAll(async () => {
    subs.splice(0).forEach((s) => s.unsubscribe());
    await Promise.all(java.map((j) => j.consumer.stop()));
    await Promise.all(ours.map((m) => lastValueFrom(m.group.close(), { defaultValue: undefined }).catch(() => undefined)));
    await kit.deleteTopic(topic).catch(() => undefined);
    await kit.close();
  });

  it('at each settled generation (after each join, the SIGKILL, each clean close) every partition has exactly one owner and owners\' counts differ by at most 1', () => {
    expect(settled.map((s) => s.step)).toHaveLength(7);
    for (const s of settled) {
      const owned = s.owners.flatMap((o) => o.partitions);
      expect({ step: s.step, owned: sorted(owned) }).toEqual({ step: s.step, owned: ALL });
      const counts = s.owners.map((o) => o.partitions.length);
      expect({ step: s.step, spread: Math.max(...counts) - Math.min(...counts) <= 1 }).toEqual({ step: s.step, spread: true });
    }
    expect(settled.map((s) => s.owners.map((o) => o.partitions.length).sort())).toEqual([[6], [3, 3], [2, 2, 2], [1, 1, 2, 2], [2, 2, 2], [3, 3], [6]]);
  });

  it('at no moment do two live members own one partition: a partition moves only after its owner reported giving it up', () => {
    const holding = new Map<string, readonly number[]>();
    const doubleOwned: { after: number; member: string; partition: number; owners: string[] }[] = [];
    timeline.forEach((o, i) => {
      holding.set(o.member, o.partitions);
      for (const p of o.partitions) {
        const owners = [...holding].filter(([, ps]) => ps.includes(p)).map(([m]) => m);
        if (owners.length > 1) doubleOwned.push({ after: i, member: o.member, partition: p, owners });
      }
    });
    expect(doubleOwned).toEqual([]);
    // Every member reported, and partitions changed hands between live members (not only after the SIGKILL).
    expect(new Set(timeline.map((o) => o.member))).toEqual(new Set(['ours-a', 'java-1', 'ours-b', 'java-2']));
    expect(timeline.filter((o) => o.partitions.length > 0).length).toBeGreaterThan(6);
  });

  if (protocol.sharedGeneration) it('in every generation any member reported, no partition has two owners; a partition a live member revokes in generation g+1 is owned by nobody in g+1 (KIP-429)', () => {
    const reports: Owned[] = [
      ...ours.flatMap((m) => m.seen.map((g): Owned => ({ member: m.name, generation: g.generationId, partitions: sorted(g.current[topic] ?? []) }))),
      ...java.flatMap((j) => j.events.flatMap((e): Owned[] => (e.event === 'assigned' ? [{ member: j.name, generation: e.generation, partitions: partitionsIn(topic, e.partitions) }] : []))),
    ];
    const byGeneration = new Map<number, Owned[]>();
    for (const r of reports) byGeneration.set(r.generation, [...(byGeneration.get(r.generation) ?? []), r]);
    const doubleOwned = [...byGeneration].flatMap(([generation, rs]) =>
      ALL.filter((p) => rs.filter((r) => r.partitions.includes(p)).length > 1).map((p) => ({ generation, partition: p, owners: rs.filter((r) => r.partitions.includes(p)).map((r) => r.member) })),
    );
    expect(doubleOwned).toEqual([]);
    const handedOverTooSoon: { partition: number; from: string; generation: number; to: string[] }[] = [];
    let revocations = 0;
    for (const member of [...ours.map((m) => m.name), ...java.map((j) => j.name)]) {
      const mine = reports.filter((r) => r.member === member).sort((x, y) => x.generation - y.generation);
      for (let i = 1; i < mine.length; i++) {
        const [prev, next] = [mine[i - 1] as Owned, mine[i] as Owned];
        if (next.generation !== prev.generation + 1) continue;
        for (const p of minus(prev.partitions, next.partitions)) {
          revocations++;
          const to = (byGeneration.get(next.generation) ?? []).filter((r) => r.partitions.includes(p)).map((r) => r.member);
          if (to.length > 0) handedOverTooSoon.push({ partition: p, from: member, generation: next.generation, to });
        }
      }
    }
    expect(handedOverTooSoon).toEqual([]);
    expect(revocations).toBeGreaterThan(0); // the joins moved partitions off live members
  });

  it('every offset below the end offsets of every partition is consumed; an offset consumed twice is one the SIGKILLed Java member polled at or after its last commit, and none more than twice', () => {
    const count = new Map<string, number>();
    for (const c of consumed) count.set(`${c.partition}/${c.offset}`, (count.get(`${c.partition}/${c.offset}`) ?? 0) + 1);
    const missing = [...ends].flatMap(([p, end]) => Array.from({ length: Number(end) }, (_, o) => `${p}/${o}`).filter((k) => !count.has(k)));
    expect(missing).toEqual([]);
    expect([...ends.values()].reduce((n, e) => n + Number(e), 0)).toBe(7 * BATCH);
    const victim = killed as JavaMember;
    const lastCommit = victim.consumer.committed();
    const window = new Set(
      consumed.filter((c) => c.member === victim.name && c.offset >= (lastCommit.get(`${topic}/${c.partition}`) ?? 0)).map((c) => `${c.partition}/${c.offset}`),
    );
    const duplicates = [...count].filter(([, n]) => n > 1);
    expect(duplicates.filter(([k]) => !window.has(k))).toEqual([]);
    expect(duplicates.filter(([, n]) => n > 2)).toEqual([]);
    process.stderr.write(`[java-incremental-interop ${protocol.java}] ${consumed.length} consumed, ${duplicates.length} offsets twice (the SIGKILLed member's uncommitted window: ${window.size})\n`);
  });

  it(`the Java members run ${protocol.javaStarted.rebalanceProtocol}: onPartitionsRevoked gets only the partitions that move (never the whole assignment while some are kept), onPartitionsAssigned only the added ones`, async () => {
    for (const j of java) expect(await j.consumer.started).toMatchObject(protocol.javaStarted);
    let partialRevokes = 0;
    for (const j of java) {
      let previous: number[] = [];
      let revoked: number[] = [];
      for (const e of j.events) {
        if (e.event === 'revoked') revoked = sorted([...revoked, ...partitionsIn(topic, e.partitions)]);
        if (e.event !== 'assigned') continue;
        const current = partitionsIn(topic, e.partitions);
        expect({ member: j.name, generation: e.generation, revoked }).toEqual({ member: j.name, generation: e.generation, revoked: minus(previous, current) });
        expect({ member: j.name, generation: e.generation, added: partitionsIn(topic, e.added) }).toEqual({ member: j.name, generation: e.generation, added: minus(current, previous) });
        if (revoked.length > 0 && revoked.length < previous.length) partialRevokes++;
        previous = current;
        revoked = [];
      }
    }
    // ours-b's and java-2's joins each took partitions off java-1 (or java-2) while it kept the rest.
    expect(partialRevokes).toBeGreaterThan(0);
    expect(java.flatMap((j) => j.events).filter((e) => e.event === 'lost')).toEqual([]);
  });

  it(`our members' generations are rebalanceProtocol ${protocol.oursRebalanceProtocol}; at java-1's join ours-a keeps half its partitions (kept) and revokes only the rest`, () => {
    const all = ours.flatMap((m) => m.seen);
    expect(new Set(all.map((g) => g.rebalanceProtocol))).toEqual(new Set([protocol.oursRebalanceProtocol]));
    expect(new Set(all.map((g) => g.protocol))).toEqual(new Set([protocol.oursProtocol]));
    const a = ours[0] as OurMember;
    const join = a.seen.findIndex((g) => (g.revoked[topic] ?? []).length > 0);
    const atJoin = a.seen[join] as Generation;
    const before = a.seen[join - 1] as Generation;
    expect(before.current[topic]).toHaveLength(PARTITIONS);
    expect(atJoin.kept[topic]).toHaveLength(PARTITIONS / 2);
    expect(sorted([...(atJoin.kept[topic] ?? []), ...(atJoin.revoked[topic] ?? [])])).toEqual(ALL);
    expect(atJoin.added[topic] ?? []).toEqual([]);
    // Every later generation of ours-a keeps what it still holds.
    for (let i = join + 1; i < a.seen.length; i++) {
      const [prev, next] = [a.seen[i - 1] as Generation, a.seen[i] as Generation];
      expect(sorted(next.kept[topic] ?? [])).toEqual(sorted((prev.current[topic] ?? []).filter((p) => (next.current[topic] ?? []).includes(p))));
    }
  });
});
