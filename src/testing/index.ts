/**
 * `rx-kafka-cluster/testing`: an in-memory Kafka cluster that speaks the library's transport port, running the
 * classic consumer-group protocol on an injected RxJS scheduler, with fault injection, so whole rebalances run
 * in virtual time under `TestScheduler.run`.
 */
export { InMemoryCluster, DEFAULT_GROUP_COORDINATOR_CONFIG } from './in-memory-cluster';
export type { ConsumerGroupDescription, InMemoryClusterOptions, ProducedBatch } from './in-memory-cluster';
export type { ConsumerProtocolMemberDescription } from './consumer-protocol-group';
export { InMemoryTransport } from './in-memory-transport';
export type { InMemoryTransportOptions } from './in-memory-transport';
export type { ApiName, FaultControls, InjectedError } from './fault-injection';
export type { ClassicGroupState, GroupCoordinatorConfig } from './classic-group';
export type { GroupDescription, GroupMemberDescription } from './group-coordinator';
export { murmur2, partitionForKey } from './murmur2';
