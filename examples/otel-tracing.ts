/**
 * OpenTelemetry tracing: each message gets a CONSUMER span (`process <topic>`, the messaging semantic conventions'
 * attributes) that continues the producer's `traceparent` header and ends when the message is marked; the handler
 * opens a child span under it. Without arguments for the providers it uses the global OTel ones (here: a console
 * exporter registered in main).
 *
 *   KAFKA_BROKERS=localhost:9092 npx ts-node examples/otel-tracing.ts my-group my_topic
 */
import { context, propagation, trace, type MeterProvider, type TracerProvider } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { ConsoleSpanExporter, SimpleSpanProcessor, TracerProvider as SdkTracerProvider } from '@opentelemetry/sdk-trace';
import { concat, defer, EMPTY, fromEvent, ignoreElements, merge, Observable, take, takeUntil, tap, type ObservableInput } from 'rxjs';
import { consumerGroup, handleEach, markOffsets, type ConsumerGroupDeps, type KafkaMessage } from '../src';
import { contextOf, traced } from '../src/otel';

export interface OtelTracingOptions {
  readonly brokers: readonly string[];
  readonly topics: readonly string[];
  readonly groupId: string;
  readonly initial?: 'oldest' | 'newest';
  /** Emits to stop: no new messages are taken, then the group drains, commits and leaves. */
  readonly stop$: Observable<unknown>;
  /** Your work per message; runs inside a child span `handle` of the message's span. */
  readonly handle?: (message: KafkaMessage) => ObservableInput<unknown> | void;
  /** Default: the global providers. */
  readonly tracerProvider?: TracerProvider;
  readonly meterProvider?: MeterProvider;
  /** Collaborators for tests (the in-memory broker's transport, a TestScheduler). */
  readonly deps?: ConsumerGroupDeps;
}

/** Consumes with a span per message, ended at its mark; completes once the group has closed (after `stop$`). */
export const otelTracing = ({ brokers, topics, groupId, initial = 'newest', stop$, handle = () => undefined, tracerProvider, meterProvider, deps }: OtelTracingOptions): Observable<never> => {
  const group = consumerGroup({ brokers, groupId, clientId: `${groupId}-worker`, topics, consumer: { offsets: { initial } } }, deps);
  const tracer = (tracerProvider ?? trace.getTracerProvider()).getTracer('otel-tracing-example');

  /** Your handler inside a child span `handle` of the message's span (made active for it, so its own spans nest too). */
  const work = (m: KafkaMessage): Observable<unknown> => {
    const parent = contextOf(m) ?? context.active();
    const span = tracer.startSpan('handle', {}, parent);
    const end = () => span.end();
    // Ended as the handler completes (before the message moves on to its mark), fails, or is abandoned.
    return defer(() => context.with(trace.setSpan(parent, span), () => handle(m)) ?? EMPTY).pipe(tap({ complete: end, error: end, unsubscribe: end }));
  };

  const consumed$ = group.messages$.pipe(
    takeUntil(stop$), // stop taking messages; unsubscribing drains, commits and leaves
    traced(group, { tracerProvider, meterProvider }), // a span per message, from here to its mark
    handleEach(work),
    markOffsets(group), // each mark ends the message's span
  );
  return concat(consumed$, group.close().pipe(ignoreElements()));
};

const signals = (): Observable<unknown> => merge(fromEvent(process, 'SIGINT'), fromEvent(process, 'SIGTERM')).pipe(take(1));

if (require.main === module) {
  // What an app's OTel setup does once (normally @opentelemetry/sdk-node): a provider, W3C propagation, async context.
  trace.setGlobalTracerProvider(new SdkTracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: new ConsoleSpanExporter() })] }));
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  const [groupId = 'my-consumer-group', topics = 'my_topic'] = process.argv.slice(2);
  otelTracing({ brokers: (process.env.KAFKA_BROKERS ?? 'localhost:9092').split(','), groupId, topics: topics.split(','), initial: 'oldest', stop$: signals() }).subscribe({
    error: (e: unknown) => {
      process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    },
  });
}
