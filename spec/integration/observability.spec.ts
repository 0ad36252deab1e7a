import diagnosticsChannel from 'node:diagnostics_channel';
import { concatMap, filter, firstValueFrom, lastValueFrom, map, mergeMap, ReplaySubject, Subject, take, type Subscription } from 'rxjs';
import { consumerGroup, DIAGNOSTIC_CHANNELS, markOffsets, type ConsumerGroup, type ConsumerMetrics, type KafkaMessage, type RequestTrace, type Stall } from '../../src';
import { createAdminKit, type AdminKit } from '../../src/transport/kafkajs/admin-kit';
import { brokers, uniqueName } from '../support/names';
import { OffsetTally } from '../support/offset-tally';
import { within } from '../support/within';

/**
 * metrics$, stalls$ and the diagnostics channels against a real broker: a handler stuck on one record of
 * partition 0 until the test has seen its stall; then everything is consumed and committed.
 */
describe('observability on a real broker: metrics$, stalls$ with a real stuck handler, diagnostics channels', () => {
  const RECORDS = 200;
  let kit: AdminKit;
  let topic: string;
  let group: ConsumerGroup;
  const subs: Subscription[] = [];
  const stalls = new ReplaySubject<Stall>();
  const metrics = new ReplaySubject<ConsumerMetrics>();
  const snapshots: ConsumerMetrics[] = [];
  const fetches: RequestTrace[] = [];
  const commits: RequestTrace[] = [];
  const onFetch = { asyncEnd: (t: unknown) => fetches.push(t as RequestTrace) };
  const onCommit = { asyncEnd: (t: unknown) => commits.push(t as RequestTrace) };
  const tally = new OffsetTally();
  const release = new Subject<void>();
  let ends: ReadonlyMap<number, bigint> = new Map();
  let stall: Stall;
  let recovered: Stall;
  let settled: ConsumerMetrics;

  beforeAll(async () => {
    kit = createAdminKit(brokers());
    topic = uniqueName('obs');
    await kit.createTopic(topic, 2);
    await kit.produce(topic, Array.from({ length: RECORDS }, (_, i) => ({ value: `v${i}`, partition: i % 2 })));
    ends = await kit.endOffsets(topic);
    diagnosticsChannel.tracingChannel(DIAGNOSTIC_CHANNELS.fetch).subscribe(onFetch as never);
    diagnosticsChannel.tracingChannel(DIAGNOSTIC_CHANNELS.commit).subscribe(onCommit as never);
    group = consumerGroup({
      brokers: brokers(),
      groupId: uniqueName('obs-group'),
      clientId: 'obs-client',
      topics: [topic],
      consumer: { offsets: { initial: 'oldest', commitInterval: 200 } },
      monitoring: { metricsInterval: 300, stallTimeout: 1_500 },
    });
    const handle = (m: KafkaMessage) => {
      tally.add(m);
      // Partition 0's offset 50 waits for the test to release it: a real stuck handler.
      return m.partition === 0 && m.offset === 50n ? release.pipe(take(1), map(() => m)) : [m];
    };
    subs.push(group.stalls$.subscribe(stalls));
    subs.push(group.metrics$.subscribe((m) => (snapshots.push(m), metrics.next(m))));
    subs.push(group.partitions$.pipe(mergeMap((p) => p.pipe(concatMap(handle), markOffsets(group)))).subscribe());
    stall = await within(firstValueFrom(stalls), 60_000, 'a stall of the stuck partition');
    release.next();
    recovered = await within(firstValueFrom(stalls.pipe(filter((s) => s.recovered))), 30_000, 'its recovery');
    await within(tally.until((t) => t.covers(ends)), 60_000, 'every record consumed');
    settled = await within(
      firstValueFrom(metrics.pipe(filter((m) => m.partitions.length === 2 && m.partitions.every((p) => p.committed === Number(ends.get(p.partition)) && p.lag === 0)))),
      30_000,
      'a snapshot with both partitions committed to their end',
    );
  }, 200_000);

  afterAll(async () => {
    diagnosticsChannel.tracingChannel(DIAGNOSTIC_CHANNELS.fetch).unsubscribe(onFetch as never);
    diagnosticsChannel.tracingChannel(DIAGNOSTIC_CHANNELS.commit).unsubscribe(onCommit as never);
    subs.forEach((s) => s.unsubscribe());
    await lastValueFrom(group.close(), { defaultValue: undefined });
    await kit.deleteTopic(topic).catch(() => undefined);
    await kit.close();
  });

  it("stalls$ names the stuck partition ('handler', last processed offset 49, its lag) after the stall timeout, and says when it recovers", () => {
    expect(stall).toMatchObject({ kind: 'handler', topic, partition: 0, recovered: false, lastOffset: 49n });
    expect(stall.lag).toBe((ends.get(0) ?? 0n) - 50n);
    expect(stall.at - stall.since).toBeGreaterThanOrEqual(1_500);
    expect(recovered).toMatchObject({ kind: 'handler', partition: 0, recovered: true, since: stall.since });
    expect(recovered.at).toBeGreaterThanOrEqual(stall.at);
  });

  it('metrics$ reports the committed offsets the broker holds, lag 0, and while stuck the records delivered past the stuck one as buffered', async () => {
    expect(await kit.committedOffsets(group.groupId, topic)).toEqual(new Map(settled.partitions.map((p) => [p.partition, BigInt(p.committed ?? -1)])));
    expect(settled.partitions.map((p) => p.position)).toEqual([0, 1].map((p) => Number(ends.get(p))));
    const whileStuck = await firstValueFrom(metrics.pipe(filter((m) => m.at >= stall.at - 300 && m.at < recovered.at), take(1)));
    // Offsets 50 to the end were delivered (one fetch) and wait unmarked behind the stuck one.
    expect(whileStuck.partitions.find((p) => p.partition === 0)).toMatchObject({ position: 50, bufferedRecords: Number(ends.get(0) ?? 0n) - 50 });
  });

  it('metrics$ per broker: fetches with latencies and sizes; commits with latencies, none failed', async () => {
    expect(snapshots.reduce((n, m) => n + m.commits.failures, 0)).toBe(0);
    expect(snapshots.reduce((n, m) => n + m.commits.count, 0)).toBeGreaterThan(0);
    const busy = await firstValueFrom(metrics.pipe(filter((m) => m.brokers.some((b) => (b.fetchBytesMax ?? 0) > 0))));
    const b = busy.brokers[0];
    expect(b?.fetches).toBeGreaterThan(0);
    expect(b?.fetchLatencyP50Ms).toBeGreaterThanOrEqual(0);
    expect(b?.fetchLatencyP99Ms).toBeGreaterThanOrEqual(b?.fetchLatencyP50Ms ?? 0);
    const committing = await firstValueFrom(metrics.pipe(filter((m) => m.commits.count > 0)));
    expect(committing.commits.latencyP50Ms).toBeGreaterThan(0);
  });

  it('the fetch and commit tracing channels carried the real requests: group, client id, broker node, duration, the answer', () => {
    const fetch = fetches.find((t) => Array.isArray(t.result) && (t.result as { records: Buffer }[]).some((p) => p.records.length > 0));
    expect(fetch).toMatchObject({ group: group.groupId, clientId: 'obs-client', api: 'Fetch' });
    expect(fetch?.nodeId).toBeGreaterThanOrEqual(0);
    expect(fetch?.durationMs).toBeGreaterThanOrEqual(0);
    const commit = commits.find((t) => t.result !== undefined);
    expect(commit).toMatchObject({ group: group.groupId, api: 'OffsetCommit' });
    expect((commit?.result as { error?: unknown }[]).every((r) => r.error === undefined)).toBe(true);
  });
});
