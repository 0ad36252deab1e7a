/**
 * `rx-kafka-cluster/otel`: OpenTelemetry tracing and metrics for consumer pipelines, per the messaging semantic
 * conventions. Needs `@opentelemetry/api` (an optional peer dependency of rx-kafka-cluster).
 */
export { traced, type TracedGroup, type TracedOptions } from './traced';
export { spanOf, contextOf } from './message-span';
export { headerGetter } from './headers';
export type { EndReason } from './open-spans';
export { ATTR as OTEL_ATTRIBUTES, METRIC as OTEL_METRICS } from './semconv';
