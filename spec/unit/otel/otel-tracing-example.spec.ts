import { propagation } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { map, timer } from 'rxjs';
import { otelTracing } from '../../../examples/otel-tracing';
import { InMemoryCluster } from '../../../src/testing';
import { virtualTime } from '../../support/in-memory-group';
import { offsetOf, otelRig } from './otel-rig';

describe('examples/otel-tracing.ts, in virtual time on the in-memory broker', () => {
  it("gives each message a span continuing its traceparent (global W3C propagator), a 'handle' child span, ends each at its mark and commits everything", () => {
    const otel = otelRig();
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    const ts = virtualTime();
    const cluster = new InMemoryCluster({ topics: { t: 1 } });
    const handled: string[] = [];
    try {
      ts.run(() => {
        cluster.produce('t', 0, [{ value: 'a', headers: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' } }, { value: 'b' }]);
        otelTracing({
          brokers: ['in-memory:9092'],
          topics: ['t'],
          groupId: 'g',
          initial: 'oldest',
          stop$: timer(3_000),
          handle: (m) => timer(100).pipe(map(() => handled.push(String(m.value)))),
          tracerProvider: otel.tracerProvider,
          meterProvider: otel.meterProvider,
          deps: { createTransport: () => cluster.transport({ clientId: 'g' }) },
        }).subscribe();
        ts.flush();
      });
    } finally {
      propagation.disable();
    }
    expect(handled).toEqual(['a', 'b']);
    const processSpans = otel.ended().filter((s) => s.name === 'process t').sort((a, b) => offsetOf(a) - offsetOf(b));
    const handleSpans = otel.ended().filter((s) => s.name === 'handle');
    expect(processSpans.map((s) => [offsetOf(s), s.attributes['messaging.client.id']])).toEqual([
      [0, 'g-worker'],
      [1, 'g-worker'],
    ]);
    expect(processSpans[0]?.spanContext().traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(handleSpans.map((s) => s.parentSpanContext?.spanId)).toEqual(processSpans.map((s) => s.spanContext().spanId));
    // In the order they ended (the exporter's): each handler's span, then its message's at the mark that follows.
    expect(otel.ended().map((s) => `${s.name}@${s.name === 'handle' ? processSpans.findIndex((p) => p.spanContext().spanId === s.parentSpanContext?.spanId) : offsetOf(s)}`)).toEqual(['handle@0', 'process t@0', 'handle@1', 'process t@1']);
    expect(cluster.committed('g')).toEqual({ 't/0': 2n });
  });
});
