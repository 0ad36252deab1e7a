import {
  context,
  isSpanContextValid,
  metrics,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  trace,
  type Attributes,
  type Context,
  type Link,
  type MeterProvider,
  type Span,
  type SpanContext,
  type TextMapPropagator,
  type TracerProvider,
} from '@opentelemetry/api';
import { Observable, Subscription, type OperatorFunction, type SchedulerLike } from 'rxjs';
import { CONFIG_DEFAULTS } from '../config/defaults';
import { KafkaClientError } from '../errors';
import type { KafkaMessage } from '../protocol/message';
import { headerGetter } from './headers';
import { OpenSpans, partitionKey, registerTracker, unregisterTracker, type SpanClock } from './open-spans';
import { ATTR, DURATION_BUCKETS_S, INSTRUMENTATION_SCOPE, METRIC } from './semconv';

export interface TracedOptions {
  /** Default: the global one (`trace.getTracerProvider()`), a no-op until an SDK registers. */
  readonly tracerProvider?: TracerProvider;
  /** Default: the global one (`metrics.getMeterProvider()`). */
  readonly meterProvider?: MeterProvider;
  /** Reads the creation context from the record headers. Default: the global propagator (`propagation`). */
  readonly propagator?: Pick<TextMapPropagator, 'extract'>;
  /** `messaging.client.id` (the group's `clientId`); unset: taken from the marks, which carry it. Also filters marks to this client. */
  readonly clientId?: string;
  /**
   * How a span continues the producer's trace (`traceparent` / `tracestate` headers): 'parent' (default) makes the
   * creation context its parent and also links to it; 'link' only links (a new trace, parented on the active context).
   */
  readonly creationContext?: 'parent' | 'link';
  /**
   * After the partition's stream completes (revoked), how long its open spans wait for marks (the group drains,
   * so handlers still finish and mark); then they end, `rx_kafka_cluster.span.end_reason` 'revoked'. Default: the
   * default drain timeout (10 s).
   */
  readonly revokeGraceMs?: number;
  /**
   * At most this many open spans per subscription (default 100 000): past it the oldest ends, end_reason
   * 'overflow', so a pipeline that never marks does not grow without bound.
   */
  readonly maxOpenSpans?: number;
  /** Span times and the grace timer from this scheduler (virtual time in tests). Default: the SDK's clock. */
  readonly scheduler?: SchedulerLike;
}

interface Shared {
  readonly key: string;
  readonly topic: string;
  readonly partition: number;
  readonly partitionId: string;
  readonly name: string;
  readonly metric: Attributes;
}

/** What `traced()` needs of a group: its id (spans are ended by that group's marks). */
export interface TracedGroup {
  readonly groupId: string;
}

const usage = (message: string, context: { group?: string; field?: string }): KafkaClientError => new KafkaClientError({ tag: 'UsageError', message, context });

const hasMethod = (o: unknown, name: string): boolean => typeof o === 'object' && o !== null && typeof (o as Record<string, unknown>)[name] === 'function';

const validate = (group: unknown, options: unknown): void => {
  if (typeof group !== 'object' || group === null || typeof (group as TracedGroup).groupId !== 'string' || (group as TracedGroup).groupId === '') {
    throw usage('traced(group) needs the consumer group (an object with a non-empty groupId) whose marks end the spans', { field: 'group' });
  }
  const groupId = (group as TracedGroup).groupId;
  if (typeof options !== 'object' || options === null) throw usage('traced(group, options): options must be an object', { group: groupId, field: 'options' });
  const o = options as TracedOptions;
  const bad = (field: string, what: string) => usage(`traced(group, options): ${field} must be ${what}`, { group: groupId, field });
  if (o.tracerProvider !== undefined && !hasMethod(o.tracerProvider, 'getTracer')) throw bad('tracerProvider', 'a TracerProvider');
  if (o.meterProvider !== undefined && !hasMethod(o.meterProvider, 'getMeter')) throw bad('meterProvider', 'a MeterProvider');
  if (o.propagator !== undefined && !hasMethod(o.propagator, 'extract')) throw bad('propagator', 'a TextMapPropagator');
  if (o.scheduler !== undefined && !hasMethod(o.scheduler, 'now')) throw bad('scheduler', 'an RxJS scheduler');
  if (o.clientId !== undefined && typeof o.clientId !== 'string') throw bad('clientId', 'a string');
  if (o.creationContext !== undefined && o.creationContext !== 'parent' && o.creationContext !== 'link') throw bad('creationContext', "'parent' or 'link'");
  if (o.maxOpenSpans !== undefined && !(Number.isInteger(o.maxOpenSpans) && o.maxOpenSpans >= 1)) throw bad('maxOpenSpans', 'an integer >= 1');
  if (o.revokeGraceMs !== undefined && !(typeof o.revokeGraceMs === 'number' && Number.isFinite(o.revokeGraceMs) && o.revokeGraceMs >= 0)) throw bad('revokeGraceMs', 'a finite number of ms >= 0');
};

const isMessage = (m: unknown): m is KafkaMessage =>
  typeof m === 'object' && m !== null && typeof (m as KafkaMessage).topic === 'string' && typeof (m as KafkaMessage).partition === 'number' && typeof (m as KafkaMessage).offset === 'bigint';

const utf8 = new TextDecoder('utf-8', { fatal: true });
/** The key as a string, when it is valid UTF-8 (the conventions: no attribute for a key without a canonical string form). */
const keyString = (key: Buffer | null): string | undefined => {
  if (key === null) return undefined;
  try {
    return utf8.decode(key);
  } catch {
    return undefined;
  }
};

const sdkClock: SpanClock = { now: () => performance.now(), spanTime: () => undefined };
// A Date: the SDK reads a small number as relative to performance.timeOrigin, a Date as epoch ms.
const schedulerClock = (s: SchedulerLike): SpanClock => ({ now: () => s.now(), spanTime: () => new Date(s.now()) });

/**
 * Gives each message a CONSUMER span per the OpenTelemetry messaging conventions (`process <topic>`,
 * `messaging.system` 'kafka', operation 'process', destination, consumer group, partition id, offset, key), which
 * continues the producer's W3C trace context from the record headers: by default as parent (the conventions'
 * option for a single-message "process" span) plus a link to it (the conventions' SHOULD), or as a link only
 * (`creationContext: 'link'`). The span ends when the group publishes the message's mark (a cumulative mark ends
 * every open span up to its offset, `markProcessed` exactly one); spans left open end when the pipeline
 * unsubscribes or errors, `revokeGraceMs` after the partition's stream completes (revoked), or the oldest past
 * `maxOpenSpans`, each with `rx_kafka_cluster.span.end_reason`. Records
 * `messaging.client.consumed.messages` per message and `messaging.process.duration` (span start to mark).
 * Downstream runs with the span active (`context.with`); `spanOf(m)` / `contextOf(m)` give it to async handlers.
 * Throws a `UsageError` KafkaClientError for a missing group or bad options; a value that is not a message ends
 * the stream with one.
 *
 *   --a--b--c--|         (messages)
 *   traced(group)
 *   --a--b--c--|         (the same messages; spans a, b, c start here)
 *   ...handler...markOffsets(group)
 *   ------a'--b'--c'     (each span ends at its mark)
 */
export const traced = (group: TracedGroup, options: TracedOptions = {}): OperatorFunction<KafkaMessage, KafkaMessage> => {
  validate(group, options);
  const groupId = group.groupId;
  const tracer = (options.tracerProvider ?? trace.getTracerProvider()).getTracer(INSTRUMENTATION_SCOPE);
  const meter = (options.meterProvider ?? metrics.getMeterProvider()).getMeter(INSTRUMENTATION_SCOPE);
  const duration = meter.createHistogram(METRIC.processDuration, {
    description: 'Duration of processing operation (from the message reaching the pipeline to its mark).',
    unit: 's',
    advice: { explicitBucketBoundaries: DURATION_BUCKETS_S },
  });
  const consumed = meter.createCounter(METRIC.consumedMessages, { description: 'Number of messages that were delivered to the application.', unit: '{message}' });
  const propagator = options.propagator ?? propagation;
  const asParent = (options.creationContext ?? 'parent') === 'parent';
  const graceMs = options.revokeGraceMs ?? CONFIG_DEFAULTS.group.rebalance.drainTimeout;
  const clock = options.scheduler ? schedulerClock(options.scheduler) : sdkClock;

  /** Per partition: its key, span name and the attributes every data point of it shares (the last one cached: messages come in batches). */
  const shared = new Map<string, Shared>();
  let last: Shared | undefined;
  const sharedOf = (topic: string, partition: number): Shared => {
    if (last && last.partition === partition && last.topic === topic) return last;
    const k = partitionKey(topic, partition);
    let s = shared.get(k);
    if (!s) {
      const metric: Attributes = {
        [ATTR.system]: 'kafka',
        [ATTR.operationName]: 'process',
        [ATTR.operationType]: 'process',
        [ATTR.destinationName]: topic,
        [ATTR.consumerGroupName]: groupId,
        [ATTR.partitionId]: String(partition),
      };
      shared.set(k, (s = { key: k, topic, partition, partitionId: String(partition), name: `process ${topic}`, metric }));
    }
    return (last = s);
  };
  const clientId = options.clientId;
  /** A literal per message (fast in V8); the same names as ATTR. */
  const spanAttributes = (s: Shared, m: KafkaMessage): Attributes => {
    const a: Attributes = {
      'messaging.system': 'kafka',
      'messaging.operation.name': 'process',
      'messaging.operation.type': 'process',
      'messaging.destination.name': s.topic,
      'messaging.consumer.group.name': groupId,
      'messaging.destination.partition.id': s.partitionId,
      'messaging.kafka.offset': Number(m.offset),
    };
    if (clientId !== undefined) a['messaging.client.id'] = clientId;
    return a;
  };
  /** Set once the span records (no key decoding for a no-op tracer or a span sampled out). */
  const addRecordedAttributes = (span: Span, m: KafkaMessage): void => {
    const key = keyString(m.key);
    if (key !== undefined) span.setAttribute('messaging.kafka.message.key', key);
    if (m.value === null) span.setAttribute('messaging.kafka.message.tombstone', true);
  };

  const creationOf = (m: KafkaMessage): { ctx: Context; span: SpanContext } | undefined => {
    // No headers, nothing to extract: skip the propagator (most records of a high-rate topic carry none).
    if (!Array.isArray(m.headers) || m.headers.length === 0) return undefined;
    try {
      const ctx = propagator.extract(ROOT_CONTEXT, m.headers, headerGetter);
      const span = trace.getSpanContext(ctx);
      return span && isSpanContextValid(span) ? { ctx, span } : undefined;
    } catch {
      return undefined; // a failing propagator must not stop consumption
    }
  };

  return (source) =>
    new Observable<KafkaMessage>((subscriber) => {
      const spans = new OpenSpans(groupId, options.clientId, clock, duration, options.maxOpenSpans ?? 100_000);
      registerTracker(spans);
      let finished = false;
      let grace: Subscription | undefined;
      const release = () => {
        grace?.unsubscribe();
        unregisterTracker(spans);
      };
      const inner = source.subscribe({
        next: (m) => {
          if (!isMessage(m)) {
            finished = true;
            spans.endAll('stream_error');
            release();
            subscriber.error(usage('traced() got a value that is not a consumed message (topic, partition, offset)', { group: groupId }));
            return;
          }
          const part = sharedOf(m.topic, m.partition);
          const attributes = spanAttributes(part, m);
          const active = context.active();
          const creation = creationOf(m);
          let links: Link[] | undefined;
          let parent = active;
          if (creation) {
            links = [{ context: creation.span }];
            if (asParent) {
              parent = creation.ctx;
              // Parented on the producer while another span is active: that one becomes a link (as the conventions say).
              const ambient = trace.getSpanContext(active);
              if (ambient && isSpanContextValid(ambient)) links.push({ context: ambient });
            }
          }
          const span = tracer.startSpan(part.name, { kind: SpanKind.CONSUMER, attributes, links, startTime: clock.spanTime() }, parent);
          if (span.isRecording()) addRecordedAttributes(span, m);
          const ctx = trace.setSpan(parent, span);
          spans.add(part.key, m.offset, m, span, ctx, part.metric);
          consumed.add(1, part.metric);
          context.with(ctx, () => subscriber.next(m));
        },
        error: (e: unknown) => {
          finished = true;
          spans.endAll('stream_error');
          release();
          subscriber.error(e);
        },
        complete: () => {
          finished = true;
          // Revoked: the group drains (handlers finish and mark) before it lets the partition go; wait as long.
          if (spans.size === 0) release();
          else {
            spans.onDrained = release;
            const end = () => {
              spans.endAll('revoked');
              release();
            };
            grace = options.scheduler ? options.scheduler.schedule(end, graceMs) : scheduleUnref(end, graceMs);
          }
          subscriber.complete();
        },
      });
      return () => {
        inner.unsubscribe();
        if (!finished) {
          spans.endAll('unsubscribed');
          release();
        }
      };
    });
};

/** A timer that does not keep the process alive (a closed pipeline's grace must not delay exit). */
const scheduleUnref = (work: () => void, ms: number): Subscription => {
  const t = setTimeout(work, ms);
  t.unref();
  return new Subscription(() => clearTimeout(t));
};
