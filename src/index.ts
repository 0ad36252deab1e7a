/** rx-kafka-cluster: Kafka consumer groups as RxJS Observables. */
export { consumerGroup, kafkajsTransportFor, type ConsumerGroupDeps } from './client/consumer-group-from-config';
export { createClient, type Client, type ClientConfigInput } from './client/client';
export type { ConsumerGroup, MessageBatch, PartitionConsumer, PartitionOffsets } from './sources/consumer-group';
export type { Generation, GroupNotification } from './sources/group-membership';
export { markOffsets, type MarkableOffset, type MarkOffsetsOptions, type OffsetMarker } from './operators/mark-offsets';
export { flattenBatches } from './operators/flatten-batches';
export { handleEach, handlerError, type HandleEachOptions } from './operators/handle-each';
export type { KafkaMessage, MessageHeader } from './protocol/message';
export type { Assignment } from './protocol/assignment';
export type { MarkResult } from './protocol/offset-ledger';
export { OffsetStash, type StashedOffset } from './protocol/offset-stash';
export { range, roundrobin, type AssignmentStrategy, type AssignmentPlan, type MemberSubscription, type PartitionCounts } from './strategies';
export { CONFIG_DEFAULTS, validateConfig, ConfigValidationError, type ConsumerGroupConfig, type ConsumerGroupConfigInput } from './config';
export { KafkaClientError, type ErrorContext, type ErrorTag, type KafkaErrorCode } from './errors';
export type { Transport } from './transport';
export type { Stall, StallKind } from './observability/stall-detector';
export type { BrokerMetrics, CommitMetrics, ConsumerMetrics, PartitionMetrics, RebalanceMetrics } from './observability/metrics';
export { DIAGNOSTIC_CHANNELS, type ErrorEvent, type RebalanceTrace, type RequestTrace, type TracedApi } from './observability/diagnostics';
