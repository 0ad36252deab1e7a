/**
 * traced(): spans left open when the partition is revoked or the pipeline goes away, and the conventions' metrics;
 * in virtual time on the in-memory cluster.
 */
import { concat, concatMap, map, mergeMap, NEVER, of, tap, throwError, timer } from 'rxjs';
import { markOffsets, type KafkaClientError, type KafkaMessage } from '../../../src';
import { traced } from '../../../src/otel';
import { InMemoryCluster } from '../../../src/testing';
import { inMemoryGroup, virtualTime } from '../../support/in-memory-group';
import { ms, offsetOf, otelRig, runOutOfOrder } from './otel-rig';

const REASON = 'rx_kafka_cluster.span.end_reason';

describe('traced(): spans that end without a mark, and metrics', () => {
  it("ends the spans still open when the pipeline unsubscribes, at that moment, with end_reason 'unsubscribed' (not an error) and no duration recorded", async () => {
    const otel = otelRig();
    const ts = virtualTime();
    const cluster = new InMemoryCluster({ topics: { t: 1 } });
    ts.run(({ flush }) => {
      const { group } = inMemoryGroup(cluster, ts, { groupId: 'g', topics: ['t'] });
      cluster.produce('t', 0, [{ value: 'a' }, { value: 'b' }]);
      const sub = group.messages$.pipe(traced(group, { tracerProvider: otel.tracerProvider, meterProvider: otel.meterProvider, scheduler: ts }), concatMap(() => NEVER), markOffsets(group)).subscribe();
      ts.schedule(() => sub.unsubscribe(), 1_000);
      flush();
    });
    const spans = otel.ended();
    expect(spans.map((s) => [offsetOf(s), ms(s.endTime), s.attributes[REASON], s.status.code, s.events.map((e) => e.name)])).toEqual([
      [0, 1_000, 'unsubscribed', 0, ['unmarked']],
      [1, 1_000, 'unsubscribed', 0, ['unmarked']],
    ]);
    expect(await otel.histogramPoints('messaging.process.duration')).toEqual([]);
  });

  it("on revoke, spans of messages the handler finishes during the drain end at their marks; the rest end revokeGraceMs after the partition's stream completed, end_reason 'revoked'", () => {
    const otel = otelRig();
    const ts = virtualTime();
    const cluster = new InMemoryCluster({ topics: { t: 1 } });
    const marks: { offset: bigint; at: number }[] = [];
    let revokedAt: number | undefined;
    const errors: KafkaClientError[] = [];
    ts.run(({ flush }) => {
      const { group: a } = inMemoryGroup(cluster, ts, { groupId: 'g', clientId: 'a', topics: ['t'] });
      const { group: b } = inMemoryGroup(cluster, ts, { groupId: 'g', clientId: 'b', topics: ['t'] });
      cluster.produce('t', 0, [{ value: 'fast' }, { value: 'slow' }, { value: 'stuck' }]);
      const handle = (m: KafkaMessage) => (m.value?.toString() === 'fast' ? of(m) : m.value?.toString() === 'slow' ? timer(4_000, ts).pipe(map(() => m)) : NEVER);
      const sub = a.partitions$
        .pipe(
          mergeMap((p) =>
            p.pipe(
              tap({ complete: () => (revokedAt ??= ts.now()) }),
              traced(a, { tracerProvider: otel.tracerProvider, meterProvider: otel.meterProvider, scheduler: ts, clientId: 'a', revokeGraceMs: 5_000 }),
              concatMap(handle),
              tap((m) => marks.push({ offset: m.offset, at: ts.now() })),
              markOffsets(a),
            ),
          ),
        )
        .subscribe();
      // b joins (a member, fetching nothing): a's partition is revoked at the next heartbeat.
      sub.add(a.errors$.subscribe((e) => errors.push(e)));
      ts.schedule(() => void sub.add(b.generations$.subscribe()), 2_000);
      ts.schedule(() => sub.unsubscribe(), 30_000);
      flush();
    });
    expect(revokedAt).toBeGreaterThan(2_000);
    // The drain waited for 'stuck' until the drain timeout (5 s): the grace matches it.
    expect(errors.map((e) => e._tag)).toContain('RequestTimeout');
    const first = otel.ended().filter((s) => ms(s.startTime) < (revokedAt ?? 0));
    const byOffset = new Map(first.map((s) => [offsetOf(s), s]));
    // fast: marked at once; slow: marked during the drain, after its stream completed; stuck: never marked.
    expect([...byOffset.keys()].sort()).toEqual([0, 1, 2]);
    expect(ms(byOffset.get(0)?.endTime ?? [0, 0])).toBe(marks.find((m) => m.offset === 0n)?.at);
    const slowMark = marks.find((m) => m.offset === 1n)?.at ?? 0;
    expect(slowMark).toBeGreaterThan(revokedAt ?? Infinity);
    expect(ms(byOffset.get(1)?.endTime ?? [0, 0])).toBe(slowMark);
    expect([byOffset.get(0)?.attributes[REASON], byOffset.get(1)?.attributes[REASON]]).toEqual([undefined, undefined]);
    expect([ms(byOffset.get(2)?.endTime ?? [0, 0]), byOffset.get(2)?.attributes[REASON]]).toEqual([(revokedAt ?? 0) + 5_000, 'revoked']);
  });

  it("an error from upstream ends the open spans with end_reason 'stream_error' and passes the error on", () => {
    const otel = otelRig();
    const message: KafkaMessage = { topic: 't', partition: 0, offset: 7n, timestamp: 0, timestampType: 'create', key: null, value: Buffer.from('x'), headers: [] };
    const failure = new Error('fetch failed');
    let seen: unknown;
    concat(of(message), throwError(() => failure))
      .pipe(traced({ groupId: 'g' }, { tracerProvider: otel.tracerProvider, meterProvider: otel.meterProvider }))
      .subscribe({ error: (e: unknown) => (seen = e) });
    expect(seen).toBe(failure);
    expect(otel.ended().map((s) => [offsetOf(s), s.attributes[REASON]])).toEqual([[7, 'stream_error']]);
  });

  it("past maxOpenSpans the oldest open span ends with end_reason 'overflow' (a pipeline that never marks stays bounded)", () => {
    const otel = otelRig();
    const message = (offset: bigint): KafkaMessage => ({ topic: 't', partition: 0, offset, timestamp: 0, timestampType: 'create', key: null, value: Buffer.from('x'), headers: [] });
    const sub = concat(of(message(0n), message(1n), message(2n)), NEVER)
      .pipe(traced({ groupId: 'g' }, { tracerProvider: otel.tracerProvider, meterProvider: otel.meterProvider, maxOpenSpans: 2 }), concatMap(() => NEVER))
      .subscribe();
    expect(otel.ended().map((s) => [offsetOf(s), s.attributes[REASON]])).toEqual([[0, 'overflow']]);
    sub.unsubscribe();
    expect(otel.ended().map((s) => [offsetOf(s), s.attributes[REASON]])).toEqual([
      [0, 'overflow'],
      [1, 'unsubscribed'],
      [2, 'unsubscribed'],
    ]);
  });

  it('records messaging.client.consumed.messages (one per message) and messaging.process.duration (seconds, span start to mark) with the conventions attributes and buckets', async () => {
    const otel = runOutOfOrder();
    const attributes = {
      'messaging.system': 'kafka',
      'messaging.operation.name': 'process',
      'messaging.operation.type': 'process',
      'messaging.destination.name': 't',
      'messaging.consumer.group.name': 'g',
      'messaging.destination.partition.id': '0',
    };
    const consumed = await otel.sumPoints('messaging.client.consumed.messages');
    expect(consumed.map((p) => [p.attributes, p.value])).toEqual([[attributes, 3]]);
    const [duration] = await otel.histogramPoints('messaging.process.duration');
    expect(duration?.attributes).toEqual(attributes);
    expect([duration?.value.count, duration?.value.sum, duration?.value.min, duration?.value.max]).toEqual([3, expect.closeTo(0.6, 9), 0.1, 0.3]);
    expect(duration?.value.buckets.boundaries).toEqual([0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10]);
    const descriptor = (await otel.metrics()).find((m) => m.descriptor.name === 'messaging.process.duration')?.descriptor;
    expect(descriptor?.unit).toBe('s');
  });
});
