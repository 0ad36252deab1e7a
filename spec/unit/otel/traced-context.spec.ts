/**
 * traced(): the producer's W3C trace context (traceparent, tracestate) from the record headers, as parent and link
 * (default) or as a link only; in virtual time on the in-memory cluster.
 */
import { context, ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { Observable, type MonoTypeOperatorFunction } from 'rxjs';
import { markOffsets, type KafkaMessage } from '../../../src';
import { traced, type TracedOptions } from '../../../src/otel';
import { InMemoryCluster } from '../../../src/testing';
import { inMemoryGroup, virtualTime } from '../../support/in-memory-group';
import { offsetOf, otelRig } from './otel-rig';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const PRODUCER_SPAN = '00f067aa0ba902b7';
const headers = { traceparent: `00-${TRACE}-${PRODUCER_SPAN}-01`, tracestate: 'vendor=opaque' };

const consume = (otel: ReturnType<typeof otelRig>, options: Partial<TracedOptions> = {}, around: MonoTypeOperatorFunction<KafkaMessage> = (m) => m) => {
  const ts = virtualTime();
  const cluster = new InMemoryCluster({ topics: { t: 1 } });
  ts.run(({ flush }) => {
    const { group } = inMemoryGroup(cluster, ts, { groupId: 'g', topics: ['t'] });
    cluster.produce('t', 0, [{ value: 'with', headers }, { value: 'without' }]);
    const sub = group.messages$.pipe(around, traced(group, { tracerProvider: otel.tracerProvider, meterProvider: otel.meterProvider, propagator: otel.propagator, scheduler: ts, ...options }), markOffsets(group)).subscribe();
    ts.schedule(() => sub.unsubscribe(), 1_000);
    flush();
  });
  return otel.ended().sort((a, b) => offsetOf(a) - offsetOf(b));
};

describe('traced(): continuing the producer trace from the traceparent header', () => {
  it("by default the creation context is the span's parent (same trace id, tracestate kept) and a link; a record without it starts a new trace", () => {
    const [withHeader, without] = consume(otelRig());
    expect(withHeader?.spanContext().traceId).toBe(TRACE);
    expect(withHeader?.parentSpanContext).toMatchObject({ traceId: TRACE, spanId: PRODUCER_SPAN, isRemote: true, traceFlags: TraceFlags.SAMPLED });
    expect(withHeader?.spanContext().traceState?.serialize()).toBe('vendor=opaque');
    expect(withHeader?.links.map((l) => [l.context.traceId, l.context.spanId])).toEqual([[TRACE, PRODUCER_SPAN]]);
    expect(without?.spanContext().traceId).not.toBe(TRACE);
    expect(without?.parentSpanContext).toBeUndefined();
    expect(without?.links).toEqual([]);
  });

  it("creationContext 'link': a new trace that links to the creation context", () => {
    const [withHeader] = consume(otelRig(), { creationContext: 'link' });
    expect(withHeader?.spanContext().traceId).not.toBe(TRACE);
    expect(withHeader?.parentSpanContext).toBeUndefined();
    expect(withHeader?.links.map((l) => [l.context.traceId, l.context.spanId, l.context.traceState?.serialize()])).toEqual([[TRACE, PRODUCER_SPAN, 'vendor=opaque']]);
  });

  it('parented on the producer while another span is active: that ambient span becomes a second link; in link mode it stays the parent', () => {
    const manager = new AsyncLocalStorageContextManager().enable();
    context.setGlobalContextManager(manager);
    try {
      const otel = otelRig();
      const ambient = otel.tracerProvider.getTracer('app').startSpan('poll loop', {}, ROOT_CONTEXT);
      // Each message reaches traced() while the app's span is active (processing in the scope of another span).
      const inAmbient: MonoTypeOperatorFunction<KafkaMessage> = (source) =>
        new Observable<KafkaMessage>((s) => source.subscribe({ next: (m) => context.with(trace.setSpan(ROOT_CONTEXT, ambient), () => s.next(m)), error: (e: unknown) => s.error(e), complete: () => s.complete() }));
      const [parented] = consume(otel, {}, inAmbient);
      expect(parented?.parentSpanContext?.spanId).toBe(PRODUCER_SPAN);
      expect(parented?.links.map((l) => l.context.spanId)).toEqual([PRODUCER_SPAN, ambient.spanContext().spanId]);
      const otel2 = otelRig();
      const [linked] = consume(otel2, { creationContext: 'link' }, inAmbient);
      expect(linked?.parentSpanContext?.spanId).toBe(ambient.spanContext().spanId);
      expect(linked?.links.map((l) => l.context.spanId)).toEqual([PRODUCER_SPAN]);
    } finally {
      context.disable();
    }
  });

  it('a malformed traceparent or a throwing propagator leaves the span without a creation context (consumption goes on)', () => {
    const otel = otelRig();
    const ts = virtualTime();
    const cluster = new InMemoryCluster({ topics: { t: 1 } });
    // The W3C propagator, except that it throws on a record whose traceparent says 'throw'.
    const flaky: TracedOptions['propagator'] = {
      extract: (ctx, carrier, getter) => {
        if (getter.get(carrier, 'traceparent') === 'throw') throw new Error('broken propagator');
        return otel.propagator.extract(ctx, carrier, getter);
      },
    };
    ts.run(({ flush }) => {
      const { group } = inMemoryGroup(cluster, ts, { groupId: 'g', topics: ['t'] });
      cluster.produce('t', 0, [{ value: 'a', headers: { traceparent: 'not-a-traceparent' } }, { value: 'b', headers: { traceparent: 'throw' } }]);
      const sub = group.messages$.pipe(traced(group, { tracerProvider: otel.tracerProvider, meterProvider: otel.meterProvider, propagator: flaky, scheduler: ts }), markOffsets(group)).subscribe();
      ts.schedule(() => sub.unsubscribe(), 1_000);
      flush();
    });
    expect(otel.ended().map((s) => [s.parentSpanContext, s.links.length])).toEqual([
      [undefined, 0],
      [undefined, 0],
    ]);
  });
});
