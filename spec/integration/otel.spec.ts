import { randomBytes } from 'node:crypto';
import diagnosticsChannel from 'node:diagnostics_channel';
import { SpanKind } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { concatMap, lastValueFrom, timer, map, type Subscription } from 'rxjs';
import { consumerGroup, DIAGNOSTIC_CHANNELS, markOffsets, type ConsumerGroup, type KafkaMessage, type MarkEvent } from '../../src';
import { spanOf, traced } from '../../src/otel';
import { createAdminKit, type AdminKit } from '../../src/transport/kafkajs/admin-kit';
import { otelRig } from '../unit/otel/otel-rig';
import { brokers, uniqueName } from '../support/names';
import { within } from '../support/within';

/**
 * traced() against a real broker: a kafkajs producer writes records with W3C traceparent/tracestate headers (each
 * record its own trace), a group consumes them with traced() + markOffsets, and the exported spans continue those
 * traces, carry the conventions' attributes and end after their marks.
 */
describe('traced() on a real broker: spans continue the producer traces and end at the marks', () => {
  const RECORDS = 40;
  const produced = Array.from({ length: RECORDS }, (_, i) => ({ key: `order-${i}`, partition: i % 2, traceId: randomBytes(16).toString('hex'), spanId: randomBytes(8).toString('hex') }));
  const otel = otelRig();
  /** Per partition/offset: its mark, whether the message's span was still open just before traced() saw the mark, and ended right after. */
  const marks = new Map<string, { kind: string; openBefore?: boolean; endedAfter?: boolean }>();
  const marked = new Map<string, ReadableSpan | undefined>();
  const before = (m: unknown) => {
    const e = m as MarkEvent;
    if (e.group !== group?.groupId) return;
    const span = spanOf(e.message as KafkaMessage) as unknown as ReadableSpan | undefined;
    marked.set(`${e.partition}/${e.offset}`, span);
    marks.set(`${e.partition}/${e.offset}`, { kind: e.kind, openBefore: span?.ended === false });
  };
  const after = (m: unknown) => {
    const e = m as MarkEvent;
    const seen = marks.get(`${e.partition}/${e.offset}`);
    if (e.group === group?.groupId && seen) seen.endedAfter = marked.get(`${e.partition}/${e.offset}`)?.ended === true && spanOf(e.message as KafkaMessage) === undefined;
  };
  let kit: AdminKit;
  let topic: string;
  let group: ConsumerGroup;
  let sub: Subscription;
  let ends: ReadonlyMap<number, bigint>;
  let spans: ReadableSpan[];

  beforeAll(async () => {
    kit = createAdminKit(brokers());
    topic = uniqueName('otel');
    await kit.createTopic(topic, 2);
    await kit.produce(
      topic,
      produced.map((r) => ({ key: r.key, value: `v-${r.key}`, partition: r.partition, headers: { traceparent: `00-${r.traceId}-${r.spanId}-01`, tracestate: `rx=${r.key}` } })),
    );
    ends = await kit.endOffsets(topic);
    // Channel subscribers run in subscription order: `before` sees each mark before traced() does, `after` after.
    diagnosticsChannel.subscribe(DIAGNOSTIC_CHANNELS.mark, before);
    group = consumerGroup({ brokers: brokers(), groupId: uniqueName('otel-group'), clientId: 'otel-client', topics: [topic], consumer: { offsets: { initial: 'oldest', commitInterval: 200 } } });
    sub = group.messages$
      .pipe(
        traced(group, { tracerProvider: otel.tracerProvider, meterProvider: otel.meterProvider, propagator: otel.propagator }),
        concatMap((m) => timer(2).pipe(map(() => m))), // a handler that takes a little time
        markOffsets(group),
      )
      .subscribe();
    diagnosticsChannel.subscribe(DIAGNOSTIC_CHANNELS.mark, after);
    await within(otel.whenEnded(RECORDS), 60_000, 'a span ended for every record');
    spans = otel.ended().filter((s) => s.name === `process ${topic}`);
  }, 120_000);

  afterAll(async () => {
    diagnosticsChannel.unsubscribe(DIAGNOSTIC_CHANNELS.mark, before);
    diagnosticsChannel.unsubscribe(DIAGNOSTIC_CHANNELS.mark, after);
    sub?.unsubscribe();
    if (group) await lastValueFrom(group.close(), { defaultValue: undefined });
    await kit.deleteTopic(topic).catch(() => undefined);
    await kit.close();
  });

  it('every produced record has exactly one span, a CONSUMER span named "process <topic>"', () => {
    expect(spans).toHaveLength(RECORDS);
    expect(otel.started).toHaveLength(RECORDS);
    expect(new Set(spans.map((s) => s.attributes['messaging.kafka.message.key'])).size).toBe(RECORDS);
    expect(spans.every((s) => s.kind === SpanKind.CONSUMER)).toBe(true);
    expect([...ends.values()].reduce((n, e) => n + Number(e), 0)).toBe(RECORDS);
  });

  it("each span continues its record's trace: the producer's trace id, its span as parent (tracestate kept) and as a link", () => {
    for (const r of produced) {
      const s = spans.find((x) => x.attributes['messaging.kafka.message.key'] === r.key);
      expect({ key: r.key, traceId: s?.spanContext().traceId, parent: s?.parentSpanContext?.spanId, state: s?.spanContext().traceState?.serialize(), links: s?.links.map((l) => `${l.context.traceId}-${l.context.spanId}`) }).toEqual({
        key: r.key,
        traceId: r.traceId,
        parent: r.spanId,
        state: `rx=${r.key}`,
        links: [`${r.traceId}-${r.spanId}`],
      });
    }
  });

  it('carries the conventions attributes: system, operation, topic, group, partition id, offset, key, client id', () => {
    const perPartition = new Map<string, number[]>();
    for (const s of spans) {
      const r = produced.find((p) => p.key === s.attributes['messaging.kafka.message.key']);
      expect(s.attributes).toEqual({
        'messaging.system': 'kafka',
        'messaging.operation.name': 'process',
        'messaging.operation.type': 'process',
        'messaging.destination.name': topic,
        'messaging.consumer.group.name': group.groupId,
        'messaging.destination.partition.id': String(r?.partition),
        'messaging.kafka.offset': expect.any(Number),
        'messaging.kafka.message.key': r?.key,
        'messaging.client.id': 'otel-client',
      });
      const p = String(s.attributes['messaging.destination.partition.id']);
      perPartition.set(p, [...(perPartition.get(p) ?? []), s.attributes['messaging.kafka.offset'] as number]);
    }
    // Offsets 0..end-1 of each partition, once each, in the producer's order.
    for (const [partition, end] of ends) expect([...(perPartition.get(String(partition)) ?? [])].sort((a, b) => a - b)).toEqual(Array.from({ length: Number(end) }, (_, i) => i));
  });

  it('each span was open until its own mark was published and ended on it (none ended for another reason)', () => {
    for (const s of spans) {
      const id = `${s.attributes['messaging.destination.partition.id']}/${s.attributes['messaging.kafka.offset']}`;
      expect({ id, ...marks.get(id) }).toEqual({ id, kind: 'mark', openBefore: true, endedAfter: true });
      expect(s.attributes['rx_kafka_cluster.span.end_reason']).toBeUndefined();
    }
  });

  it('records messaging.client.consumed.messages and messaging.process.duration for every record', async () => {
    const consumed = await otel.sumPoints('messaging.client.consumed.messages');
    expect(consumed.reduce((n, p) => n + p.value, 0)).toBe(RECORDS);
    expect(new Set(consumed.map((p) => p.attributes['messaging.destination.partition.id']))).toEqual(new Set(['0', '1']));
    const durations = await otel.histogramPoints('messaging.process.duration');
    expect(durations.reduce((n, p) => n + p.value.count, 0)).toBe(RECORDS);
    expect(Math.min(...durations.map((p) => p.value.min ?? -1))).toBeGreaterThan(0);
  });
});
