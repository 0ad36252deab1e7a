/**
 * The OpenTelemetry messaging semantic conventions this package emits (messaging spans and metrics, Kafka
 * extension; Development status, names as in semconv v1.27 and later: `messaging.kafka.offset`,
 * `messaging.consumer.group.name`, `messaging.destination.partition.id`, `messaging.operation.type`).
 */
export const ATTR = {
  system: 'messaging.system',
  operationName: 'messaging.operation.name',
  operationType: 'messaging.operation.type',
  destinationName: 'messaging.destination.name',
  partitionId: 'messaging.destination.partition.id',
  consumerGroupName: 'messaging.consumer.group.name',
  clientId: 'messaging.client.id',
  kafkaOffset: 'messaging.kafka.offset',
  kafkaMessageKey: 'messaging.kafka.message.key',
  kafkaTombstone: 'messaging.kafka.message.tombstone',
  bodySize: 'messaging.message.body.size',
  /** Ours: why a span ended without a mark ('revoked', 'unsubscribed', 'stream_error', 'overflow'). */
  endReason: 'rx_kafka_cluster.span.end_reason',
} as const;

export const METRIC = {
  /** Histogram, seconds: from the message's emission (span start) to its mark (span end). */
  processDuration: 'messaging.process.duration',
  /** Counter, {message}: messages delivered to the application (one per emission). */
  consumedMessages: 'messaging.client.consumed.messages',
} as const;

/** The conventions' advice for messaging duration histograms. */
export const DURATION_BUCKETS_S = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

export const INSTRUMENTATION_SCOPE = 'rx-kafka-cluster';
