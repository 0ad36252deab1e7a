import { lastValueFrom, Subject, take } from 'rxjs';
import { tap } from 'rxjs/operators';
import { consumerGroup, type ConsumerMetrics, type KafkaMessage, type Stall } from '../../src';
import { createAdminKit } from '../../src/transport/kafkajs/admin-kit';
import { atLeastOnce } from '../../examples/at-least-once-concurrency';
import { transformTopic } from '../../examples/consume-transform-produce';
import { exactlyOnce } from '../../examples/exactly-once';
import { describeStall, metricsLines, monitored } from '../../examples/monitoring';
import { multiplex } from '../../examples/multiplex';
import { brokers, uniqueName } from '../support/names';

const RECORDS = 300;
const PARTITIONS = 3;

describe('the examples against a real broker', () => {
  const kit = createAdminKit(brokers());
  afterAll(() => kit.close());

  const seeded = async (prefix: string): Promise<string> => {
    const topic = uniqueName(prefix);
    await kit.createTopic(topic, PARTITIONS);
    await kit.produce(topic, Array.from({ length: RECORDS }, (_, i) => ({ key: `k${i}`, value: `v${i}`, partition: i % PARTITIONS })));
    return topic;
  };

  it('multiplex: every record printed once, errors and notifications logged, commits at the end offsets after close', async () => {
    const topic = await seeded('ex-multiplex');
    const groupId = uniqueName('ex-multiplex');
    const printed: string[] = [];
    const logged: string[] = [];
    const stop$ = new Subject<void>();
    await lastValueFrom(
      multiplex({ brokers: brokers(), topics: [topic], groupId, initial: 'oldest', stop$, print: (l) => printed.push(l), log: (l) => logged.push(l) }).pipe(
        tap(() => new Set(printed).size === RECORDS && stop$.next()), // each emitted message is already printed and marked
      ),
      { defaultValue: undefined },
    );
    expect(printed.length).toBe(RECORDS); // and no duplicates
    expect(new Set(printed).size).toBe(RECORDS);
    expect(printed).toContain(`${topic}/0/0\tk0\tv0`);
    expect(logged.some((l) => l.startsWith('Rebalanced: RebalanceOK'))).toBe(true);
    expect(logged.filter((l) => l.startsWith('Error:'))).toEqual([]);
    expect(await kit.committedOffsets(groupId, topic)).toEqual(await kit.endOffsets(topic));
    expect((await kit.describeGroup(groupId)).members).toEqual([]);
  });

  it('consume-transform-produce: each input’s output produced, inputs committed to their end offsets after stop$', async () => {
    const input = await seeded('ex-ctp-in');
    const output = uniqueName('ex-ctp-out');
    await kit.createTopic(output, PARTITIONS);
    const groupId = uniqueName('ex-ctp');
    const sources = new Set<string>();
    const stop$ = new Subject<void>();
    await lastValueFrom(
      transformTopic({ brokers: brokers(), groupId, input, output, transform: (m) => `T${m.value?.toString() ?? ''}`, initial: 'oldest', stop$ }).pipe(
        tap((r) => sources.add(`${r.record.source.partition}/${r.record.source.offset}`)),
        tap(() => sources.size === RECORDS && stop$.next()),
      ),
      { defaultValue: undefined },
    );
    expect(sources.size).toBe(RECORDS);
    expect(await kit.committedOffsets(groupId, input)).toEqual(await kit.endOffsets(input));
    const outEnds = await kit.endOffsets(output);
    expect([...outEnds.values()].reduce((a, b) => a + Number(b), 0)).toBe(RECORDS);
  });

  it('exactly-once: each input’s output committed once (read_committed), inputs committed to their end offsets', async () => {
    const input = await seeded('ex-eos-in');
    const output = uniqueName('ex-eos-out');
    await kit.createTopic(output, PARTITIONS);
    const groupId = uniqueName('ex-eos');
    const ends = await kit.endOffsets(input);
    const committed = new Map<number, bigint>();
    const stop$ = new Subject<void>();
    await lastValueFrom(
      exactlyOnce({ brokers: brokers(), groupId, input, output, transactionalId: uniqueName('ex-eos-tx'), transform: (m) => `T${m.value?.toString() ?? ''}`, initial: 'oldest', stop$ }).pipe(
        tap((r) => r.offsets.forEach((o) => committed.set(o.partition, o.offset))),
        tap(() => [...ends].every(([p, end]) => (committed.get(p) ?? 0n) >= end) && stop$.next()),
      ),
      { defaultValue: undefined },
    );
    expect(await kit.committedOffsets(groupId, input)).toEqual(ends);
    const reader = consumerGroup({ brokers: brokers(), groupId: uniqueName('ex-eos-read'), topics: [output], consumer: { isolationLevel: 'read_committed', offsets: { initial: 'oldest' } } });
    const seen: string[] = [];
    await lastValueFrom(reader.messages$.pipe(tap((m) => seen.push(m.value?.toString() ?? '')), take(RECORDS)));
    await lastValueFrom(reader.close(), { defaultValue: undefined });
    expect(new Set(seen).size).toBe(RECORDS);
    expect(seen.every((v) => v.startsWith('Tv'))).toBe(true);
  });

  it('at-least-once with concurrency 8: every record handled, out-of-order marks commit up to the end offsets', async () => {
    const topic = await seeded('ex-alo');
    const groupId = uniqueName('ex-alo');
    const handled = new Set<string>();
    let inFlight = 0;
    let maxInFlight = 0;
    const stop$ = new Subject<void>();
    const handler = async (m: KafkaMessage): Promise<void> => {
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      await new Promise((r) => setTimeout(r, Number(m.offset % 4n))); // finishes out of order
      inFlight--;
      handled.add(`${m.partition}/${m.offset}`);
      if (handled.size === RECORDS) stop$.next();
    };
    await lastValueFrom(atLeastOnce({ brokers: brokers(), topics: [topic], groupId, initial: 'oldest', handler, concurrency: 8, stop$ }), { defaultValue: undefined });
    expect(handled.size).toBe(RECORDS);
    expect(maxInFlight).toBeGreaterThan(1);
    expect(maxInFlight).toBeLessThanOrEqual(8);
    expect(await kit.committedOffsets(groupId, topic)).toEqual(await kit.endOffsets(topic));
  });
  it('monitoring: a handler stuck on one record is reported as stalled, then recovered; every record handled once, metrics lines per partition', async () => {
    const topic = await seeded('ex-monitoring');
    const groupId = uniqueName('ex-monitoring');
    const handled = new Set<string>();
    let handledTimes = 0;
    const stalls: Stall[] = [];
    const snapshots: ConsumerMetrics[] = [];
    const stop$ = new Subject<void>();
    let unstick: () => void = () => undefined;
    const stuck = new Promise<void>((resolve) => (unstick = resolve));
    // Stops once every record is handled and the stall has recovered, whichever comes last.
    const maybeStop = () => handled.size === RECORDS && stalls.some((st) => st.recovered) && stop$.next();
    await lastValueFrom(
      monitored({
        brokers: brokers(),
        topics: [topic],
        groupId,
        metricsIntervalMs: 300,
        stallTimeoutMs: 1_000,
        stop$,
        // Partition 1's offset 20 waits until its stall has been reported.
        handle: async (m) => {
          if (m.partition === 1 && m.offset === 20n) await stuck;
          handled.add(`${m.partition}/${m.offset}`);
          handledTimes++;
          maybeStop();
        },
        onStall: (st) => {
          stalls.push(st);
          if (!st.recovered) unstick();
          maybeStop();
        },
        onMetrics: (m) => snapshots.push(m),
      }),
      { defaultValue: undefined },
    );
    expect([handled.size, handledTimes]).toEqual([RECORDS, RECORDS]);
    expect(stalls.map((st) => [st.kind, st.partition, st.recovered, st.lastOffset])).toEqual([
      ['handler', 1, false, 19n],
      ['handler', 1, true, 19n],
    ]);
    expect(describeStall(stalls[0] as Stall)).toContain(`${topic}/1 stalled (handler)`);
    const lines = metricsLines(snapshots.at(-1) as ConsumerMetrics);
    expect(lines).toHaveLength(PARTITIONS);
    expect(lines[0]).toMatch(new RegExp(`^${topic}/0 lag=\\d+ rate=\\d+/s buffered=\\d+ committed=`));
    expect(await kit.committedOffsets(groupId, topic)).toEqual(await kit.endOffsets(topic));
  });
});
