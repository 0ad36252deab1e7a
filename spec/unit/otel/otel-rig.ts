import type { Context, HrTime } from '@opentelemetry/api';
import { BehaviorSubject, filter, firstValueFrom, map, mergeMap, timer } from 'rxjs';
import { markOffsets } from '../../../src';
import { traced } from '../../../src/otel';
import { InMemoryCluster } from '../../../src/testing';
import { inMemoryGroup, virtualTime } from '../../support/in-memory-group';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { DataPointType, MeterProvider, MetricReader, type DataPoint, type Histogram, type MetricData } from '@opentelemetry/sdk-metrics';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan, type Span, type SpanProcessor } from '@opentelemetry/sdk-trace';

/** A reader collected on demand (no timers). */
class OnDemandReader extends MetricReader {
  protected onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/** Every span as it starts (the exporter sees only ended ones), and a count of those ended. */
class StartedSpans implements SpanProcessor {
  readonly spans: Span[] = [];
  readonly endedCount = new BehaviorSubject(0);
  onStart(span: Span, _parent: Context): void {
    this.spans.push(span);
  }
  onEnd(): void {
    this.endedCount.next(this.endedCount.value + 1);
  }
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/** The OTel SDK with in-memory exporters: spans started and ended, metrics collected on demand. */
export const otelRig = () => {
  const exporter = new InMemorySpanExporter();
  const started = new StartedSpans();
  const tracerProvider = new TracerProvider({ spanProcessors: [started, new SimpleSpanProcessor({ exporter })] });
  const reader = new OnDemandReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  const propagator = new W3CTraceContextPropagator();
  const metrics = async (): Promise<MetricData[]> => {
    const { resourceMetrics } = await reader.collect();
    return resourceMetrics.scopeMetrics.flatMap((s) => s.metrics);
  };
  return {
    exporter,
    tracerProvider,
    meterProvider,
    propagator,
    started: started.spans as readonly Span[],
    ended: (): ReadableSpan[] => exporter.getFinishedSpans(),
    /** Resolves once `n` spans have ended. */
    whenEnded: (n: number): Promise<number> => firstValueFrom(started.endedCount.pipe(filter((c) => c >= n))),
    metrics,
    histogramPoints: async (name: string): Promise<DataPoint<Histogram>[]> => {
      const m = (await metrics()).find((d) => d.descriptor.name === name);
      return m && m.dataPointType === DataPointType.HISTOGRAM ? m.dataPoints : [];
    },
    sumPoints: async (name: string): Promise<DataPoint<number>[]> => {
      const m = (await metrics()).find((d) => d.descriptor.name === name);
      return m && m.dataPointType === DataPointType.SUM ? m.dataPoints : [];
    },
  };
};

/** An HrTime as milliseconds (virtual time: the scheduler's frame). */
export const ms = (t: HrTime): number => t[0] * 1000 + t[1] / 1e6;

/** The offset attribute of a span. */
export const offsetOf = (s: ReadableSpan): number => s.attributes['messaging.kafka.offset'] as number;

/**
 * Three records handled in 300, 100 and 200 ms by mergeMap(4) with markOffsets({ outOfOrder: true }) (markProcessed
 * as each finishes), traced on a fresh rig in virtual time; unsubscribed at 2 s. Returns the rig.
 */
export const runOutOfOrder = (): ReturnType<typeof otelRig> => {
  const otel = otelRig();
  const ts = virtualTime();
  const cluster = new InMemoryCluster({ topics: { t: 1 } });
  ts.run(({ flush }) => {
    const { group } = inMemoryGroup(cluster, ts, { groupId: 'g', topics: ['t'] });
    cluster.produce('t', 0, [{ value: '300' }, { value: '100' }, { value: '200' }]); // handling times in ms
    const sub = group.messages$
      .pipe(
        traced(group, { tracerProvider: otel.tracerProvider, meterProvider: otel.meterProvider, scheduler: ts }),
        mergeMap((m) => timer(Number(String(m.value))).pipe(map(() => m)), 4),
        markOffsets(group, { outOfOrder: true }),
      )
      .subscribe();
    ts.schedule(() => sub.unsubscribe(), 2_000);
    flush();
  });
  return otel;
};
