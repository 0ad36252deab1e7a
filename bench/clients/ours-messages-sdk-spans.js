// @ts-check
/**
 * The OpenTelemetry JS SDK's own floor for a span per message: `messages$` + `markOffsets`, and for each message
 * one CONSUMER span with traced()'s attributes, started and ended inline by hand (no traced(): no propagation, no
 * open-span ledger, no context). What any per-message tracing costs with this SDK; ours-messages-otel against it
 * is what traced() adds. Same TracerProvider as ours-messages-otel (no exporter).
 */
const { tap } = require('rxjs');
const { SpanKind, ROOT_CONTEXT } = require('@opentelemetry/api');
const { TracerProvider, NoopSpanProcessor } = require('@opentelemetry/sdk-trace');
const { main } = require('./common');
const { oursGroup } = require('./ours-common');

main(async (job, counter) => {
  const { lib, group, close } = oursGroup(job, counter);
  const tracer = new TracerProvider({ spanProcessors: [new NoopSpanProcessor()] }).getTracer('bench');
  const groupId = job.groupId;
  const sub = group.messages$
    .pipe(
      tap((/** @type {any} */ m) => {
        const span = tracer.startSpan(
          `process ${m.topic}`,
          {
            kind: SpanKind.CONSUMER,
            attributes: {
              'messaging.system': 'kafka',
              'messaging.operation.name': 'process',
              'messaging.operation.type': 'process',
              'messaging.destination.name': m.topic,
              'messaging.consumer.group.name': groupId,
              'messaging.destination.partition.id': String(m.partition),
              'messaging.kafka.offset': Number(m.offset),
            },
          },
          ROOT_CONTEXT,
        );
        counter.onMessage(m.value ? m.value.length : 0, m.timestamp);
        span.end();
      }),
      lib.markOffsets(group),
    )
    .subscribe({ error: (/** @type {unknown} */ e) => console.error('messages$ error', e) });
  return async () => {
    sub.unsubscribe();
    await close();
  };
});
