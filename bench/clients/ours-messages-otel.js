// @ts-check
/**
 * rx-kafka-cluster `messages$` + `traced()` (rx-kafka-cluster/otel) + `markOffsets`: a CONSUMER span per record,
 * ended when it is marked, from an OpenTelemetry SDK TracerProvider with no exporter (as java-otel runs the Java
 * agent with exporters off): what tracing every message costs. Its baseline is ours-marked (the same pipeline
 * without traced()).
 */
const path = require('node:path');
const { tap } = require('rxjs');
const { TracerProvider, NoopSpanProcessor } = require('@opentelemetry/sdk-trace');
const { main } = require('./common');
const { oursGroup } = require('./ours-common');

main(async (job, counter) => {
  const { lib, group, close } = oursGroup(job, counter);
  const { traced } = require(path.join(job.peers.ours, 'otel', 'index.js'));
  const tracerProvider = new TracerProvider({ spanProcessors: [new NoopSpanProcessor()] });
  const sub = group.messages$
    .pipe(
      traced(group, { tracerProvider }),
      tap((/** @type {any} */ m) => counter.onMessage(m.value ? m.value.length : 0, m.timestamp)),
      lib.markOffsets(group),
    )
    .subscribe({ error: (/** @type {unknown} */ e) => console.error('messages$ error', e) });
  return async () => {
    sub.unsubscribe();
    await close();
  };
});
