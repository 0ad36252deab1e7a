/**
 * traced(): a CONSUMER span per message with the messaging conventions' attributes, ended exactly at the message's
 * mark, on the in-memory cluster in virtual time with the OTel SDK's in-memory exporter.
 */
import { context, SpanKind, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import diagnosticsChannel from 'node:diagnostics_channel';
import { concat, concatMap, map, NEVER, of, tap, timer } from 'rxjs';
import { DIAGNOSTIC_CHANNELS, markOffsets, type KafkaMessage, type MarkEvent } from '../../../src';
import { contextOf, spanOf, traced } from '../../../src/otel';
import { InMemoryCluster } from '../../../src/testing';
import { inMemoryGroup, virtualTime } from '../../support/in-memory-group';
import { ms, offsetOf, otelRig, runOutOfOrder } from './otel-rig';

describe('traced(): one CONSUMER span per message, ended at its mark', () => {
  it('gives each message a span "process <topic>" with the semconv attributes (system, operation, destination, group, partition, offset, key, tombstone, client id)', () => {
    const otel = otelRig();
    const ts = virtualTime();
    const cluster = new InMemoryCluster({ topics: { orders: 2 } });
    ts.run(({ flush }) => {
      const { group } = inMemoryGroup(cluster, ts, { groupId: 'billing', clientId: 'billing-1', topics: ['orders'] });
      cluster.produce('orders', 1, [{ key: 'k-0', value: 'a' }, { key: Buffer.from([0xff, 0xfe]), value: 'b' }, { key: 'k-2', value: null }]);
      const sub = group.messages$.pipe(traced(group, { tracerProvider: otel.tracerProvider, meterProvider: otel.meterProvider, scheduler: ts }), markOffsets(group)).subscribe();
      ts.schedule(() => sub.unsubscribe(), 2_000);
      flush();
    });
    const spans = otel.ended().sort((a, b) => offsetOf(a) - offsetOf(b));
    expect(otel.started).toHaveLength(3);
    expect(spans.map((s) => [s.name, s.kind])).toEqual([
      ['process orders', SpanKind.CONSUMER],
      ['process orders', SpanKind.CONSUMER],
      ['process orders', SpanKind.CONSUMER],
    ]);
    const common = {
      'messaging.system': 'kafka',
      'messaging.operation.name': 'process',
      'messaging.operation.type': 'process',
      'messaging.destination.name': 'orders',
      'messaging.consumer.group.name': 'billing',
      'messaging.destination.partition.id': '1',
      'messaging.client.id': 'billing-1',
    };
    expect(spans.map((s) => s.attributes)).toEqual([
      { ...common, 'messaging.kafka.offset': 0, 'messaging.kafka.message.key': 'k-0' },
      // A key that is not UTF-8 has no canonical string form: no key attribute.
      { ...common, 'messaging.kafka.offset': 1 },
      { ...common, 'messaging.kafka.offset': 2, 'messaging.kafka.message.key': 'k-2', 'messaging.kafka.message.tombstone': true },
    ]);
    expect(spans.every((s) => s.instrumentationScope.name === 'rx-kafka-cluster' && s.parentSpanContext === undefined && s.links.length === 0)).toBe(true);
  });

  it('a cumulative mark ends every open span at or below its offset, exactly at the mark; the others stay open until theirs', () => {
    const otel = otelRig();
    const ts = virtualTime();
    const cluster = new InMemoryCluster({ topics: { t: 1 } });
    const delivered: KafkaMessage[] = [];
    const endedAt: Record<number, number> = {};
    ts.run(({ flush }) => {
      const { group } = inMemoryGroup(cluster, ts, { groupId: 'g', topics: ['t'] });
      cluster.produce('t', 0, [{ value: 'a' }, { value: 'b' }, { value: 'c' }]);
      const sub = group.messages$.pipe(traced(group, { tracerProvider: otel.tracerProvider, meterProvider: otel.meterProvider, scheduler: ts })).subscribe((m) => delivered.push(m));
      ts.schedule(() => (endedAt[499] = otel.ended().length), 499);
      ts.schedule(() => group.markOffset(delivered[1] as KafkaMessage), 500); // offsets 0 and 1
      ts.schedule(() => (endedAt[500] = otel.ended().length), 500);
      ts.schedule(() => (endedAt[799] = otel.ended().length), 799);
      ts.schedule(() => group.markPartitionOffset('t', 0, 2n), 800); // by offset, no message
      ts.schedule(() => sub.unsubscribe(), 1_000);
      flush();
    });
    expect(endedAt).toEqual({ 499: 0, 500: 2, 799: 2 });
    const spans = otel.ended().sort((a, b) => offsetOf(a) - offsetOf(b));
    expect(spans.map((s) => [offsetOf(s), ms(s.endTime)])).toEqual([
      [0, 500],
      [1, 500],
      [2, 800],
    ]);
    // All three were delivered by one fetch: their spans started together, before the first mark.
    expect(new Set(spans.map((s) => ms(s.startTime))).size).toBe(1);
    expect(ms(spans[0]?.startTime ?? [1, 0])).toBeLessThan(500);
    expect(spans.some((s) => 'rx_kafka_cluster.span.end_reason' in s.attributes)).toBe(false);
  });

  it('markProcessed (out of order) ends exactly the span of the offset it names, whenever each handler finishes', () => {
    const otel = runOutOfOrder();
    const spans = otel.ended();
    // Ended in the order the handlers finished: 1 (100 ms), 2 (200 ms), 0 (300 ms); each lasted its handling time.
    expect(spans.map((s) => [offsetOf(s), ms(s.endTime) - ms(s.startTime)])).toEqual([
      [1, 100],
      [2, 200],
      [0, 300],
    ]);
  });

  it('offsets delivered out of order (a seek back re-delivers lower ones): a cumulative mark still ends exactly those at or below it', () => {
    const otel = otelRig();
    const mark = diagnosticsChannel.channel(DIAGNOSTIC_CHANNELS.mark);
    const message = (offset: bigint): KafkaMessage => ({ topic: 't', partition: 0, offset, timestamp: 0, timestampType: 'create', key: null, value: Buffer.from('x'), headers: [] });
    const publish = (kind: MarkEvent['kind'], offset: bigint) => mark.publish({ group: 'g', clientId: 'c', kind, topic: 't', partition: 0, offset } satisfies MarkEvent);
    const sub = concat(of(message(5n), message(6n), message(3n), message(4n)), NEVER)
      .pipe(traced({ groupId: 'g' }, { tracerProvider: otel.tracerProvider, meterProvider: otel.meterProvider }))
      .subscribe();
    publish('mark', 3n);
    expect(otel.ended().map(offsetOf)).toEqual([3]);
    publish('processed', 6n);
    expect(otel.ended().map(offsetOf)).toEqual([3, 6]);
    publish('reset', 10n); // a reset processes nothing
    publish('mark', 5n);
    expect(otel.ended().map(offsetOf)).toEqual([3, 6, 5, 4]);
    sub.unsubscribe();
    expect(otel.ended()).toHaveLength(4);
  });

  it('the handler runs with the span active (synchronously), and spanOf / contextOf give it to later, async work for child spans', () => {
    const otel = otelRig();
    const manager = new AsyncLocalStorageContextManager().enable();
    context.setGlobalContextManager(manager);
    const ts = virtualTime();
    const cluster = new InMemoryCluster({ topics: { t: 1 } });
    const activeInHandler: (string | undefined)[] = [];
    try {
      ts.run(({ flush }) => {
        const { group } = inMemoryGroup(cluster, ts, { groupId: 'g', topics: ['t'] });
        cluster.produce('t', 0, [{ value: 'a' }]);
        const tracer = otel.tracerProvider.getTracer('handler');
        const sub = group.messages$
          .pipe(
            traced(group, { tracerProvider: otel.tracerProvider, meterProvider: otel.meterProvider, scheduler: ts }),
            tap((m) => activeInHandler.push(trace.getActiveSpan() === spanOf(m) ? spanOf(m)?.spanContext().spanId : 'another span')),
            concatMap((m) =>
              timer(50).pipe(
                tap(() => tracer.startSpan('save', {}, contextOf(m)).end()),
                map(() => m),
              ),
            ),
            markOffsets(group),
          )
          .subscribe();
        ts.schedule(() => sub.unsubscribe(), 1_000);
        flush();
      });
    } finally {
      context.disable();
    }
    const process = otel.ended().find((s) => s.name === 'process t');
    const save = otel.ended().find((s) => s.name === 'save');
    expect(activeInHandler).toEqual([process?.spanContext().spanId]);
    expect(save?.parentSpanContext?.spanId).toBe(process?.spanContext().spanId);
    expect(save?.spanContext().traceId).toBe(process?.spanContext().traceId);
  });
});
