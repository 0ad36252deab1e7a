import type { Observable } from 'rxjs';
import type { KafkaClientError } from '../errors';

/**
 * The transport port: every Kafka request the library makes, as a cold Observable that emits one response and
 * completes, or errors with a {@link KafkaClientError}. Nothing happens until subscription; unsubscribing
 * abandons the request. No kafkajs type crosses this boundary. Implemented by the kafkajs adapter
 * (`transport/kafkajs`) and by the in-memory broker (`testing`).
 *
 * Group requests name the coordinator's node id: finding (and re-finding) the coordinator is the group state
 * machine's decision, not the transport's.
 */
export interface Transport {
  metadata(request: MetadataRequest): Observable<ClusterMetadata>;
  findCoordinator(request: FindCoordinatorRequest): Observable<BrokerAddress>;
  joinGroup(request: JoinGroupRequest): Observable<JoinGroupResponse>;
  syncGroup(request: SyncGroupRequest): Observable<SyncGroupResponse>;
  heartbeat(request: HeartbeatRequest): Observable<void>;
  leaveGroup(request: LeaveGroupRequest): Observable<void>;
  /**
   * The consumer group protocol's one request (KIP-848, API 68 v1): join, heartbeat, acknowledge and leave. A broker
   * without it fails with UNSUPPORTED_VERSION naming the API. Optional: a transport without it cannot serve
   * `groupProtocol: 'consumer'`.
   */
  consumerGroupHeartbeat?(request: ConsumerGroupHeartbeatRequest): Observable<ConsumerGroupHeartbeatResponse>;
  offsetFetch(request: OffsetFetchRequest): Observable<readonly OffsetFetchPartition[]>;
  /**
   * Group administration (the CLI's describe/lag/reset-offsets). Optional: a transport without them cannot
   * serve the admin commands.
   * - `describeGroups`: DescribeGroups, the classic protocol's view (a group that does not exist is `Dead`).
   * - `consumerGroupDescribe`: ConsumerGroupDescribe (API 69, KIP-848); a classic or unknown group fails
   *   GROUP_ID_NOT_FOUND, a broker before Kafka 4.0 UNSUPPORTED_VERSION.
   * - `listGroupOffsets`: every offset the group has committed (OffsetFetch for all topics, as a tool).
   */
  describeGroups?(request: DescribeGroupRequest): Observable<ClassicGroupDescription>;
  consumerGroupDescribe?(request: DescribeGroupRequest): Observable<ConsumerGroupDescription>;
  listGroupOffsets?(request: DescribeGroupRequest): Observable<readonly OffsetFetchPartition[]>;
  offsetCommit(request: OffsetCommitRequest): Observable<readonly PartitionResult[]>;
  listOffsets(request: ListOffsetsRequest): Observable<readonly ListOffsetsPartition[]>;
  fetch(request: FetchRequest): Observable<readonly FetchPartition[]>;
  /**
   * Producing (the `produce` operator). Optional: a transport without them cannot serve a producer.
   * - `initProducerId`: InitProducerId v4 (KIP-360), a producer id and epoch for an idempotent producer (any
   *   broker) or a transactional one (its transaction coordinator).
   * - `produce`: Produce v8, one encoded RecordBatch per partition, all led by `nodeId`. With `acks: 0` the broker
   *   does not answer: each partition reports baseOffset -1n once the request is written.
   * - `compress`: compresses a records section with the codecs this transport knows (the consumer side's
   *   `decompress`, the other way); a codec not installed fails with `CodecMissing`.
   */
  initProducerId?(request: InitProducerIdRequest): Observable<ProducerIdentity>;
  produce?(request: ProduceRequest): Observable<readonly ProducePartitionResult[]>;
  compress?(codec: 'gzip' | 'snappy' | 'lz4' | 'zstd', data: Buffer): Buffer | Promise<Buffer>;
  /**
   * Transactions (KIP-98, KIP-447), each sent to the transactional id's coordinator (`findTransactionCoordinator`)
   * except `txnOffsetCommit`, which goes to the group's coordinator. Optional: a transport without them cannot
   * serve the transactional operator.
   * - `addPartitionsToTxn` (v3): partitions the transaction will write; per-partition errors on the result.
   * - `addOffsetsToTxn` (v3): the group whose offsets the transaction will commit.
   * - `txnOffsetCommit` (v3): the offsets, with the member's generation (or member epoch) so a zombie is fenced.
   * - `endTxn` (v3): commit or abort.
   */
  findTransactionCoordinator?(request: { readonly transactionalId: string }): Observable<BrokerAddress>;
  addPartitionsToTxn?(request: AddPartitionsToTxnRequest): Observable<readonly PartitionResult[]>;
  addOffsetsToTxn?(request: AddOffsetsToTxnRequest): Observable<void>;
  txnOffsetCommit?(request: TxnOffsetCommitRequest): Observable<readonly PartitionResult[]>;
  endTxn?(request: EndTxnRequest): Observable<void>;
  /** Closes every connection; completes when they are closed. Idempotent. */
  close(): Observable<void>;
  /**
   * Decompresses a record batch's payload with the codecs this transport knows (kafkajs's registry for the
   * kafkajs adapter). A codec that is not installed fails with a `CodecMissing` error naming it. Optional: a
   * transport without it can only serve uncompressed batches.
   */
  decompress?(codec: 'gzip' | 'snappy' | 'lz4' | 'zstd', data: Buffer): Promise<Buffer>;
}

export interface BrokerAddress {
  readonly nodeId: number;
  readonly host: string;
  readonly port: number;
}

export interface MetadataRequest {
  /** Topics to describe; undefined means every topic in the cluster. */
  readonly topics?: readonly string[];
  /** Also answer each topic's id (Metadata v12), which the consumer group protocol names topics by. */
  readonly topicIds?: boolean;
}

export interface PartitionMetadata {
  readonly partition: number;
  readonly leader: number;
  readonly replicas: readonly number[];
  readonly isr: readonly number[];
  readonly error?: KafkaClientError;
}

export interface TopicMetadata {
  readonly topic: string;
  /** Its topic id (Java's `Uuid.toString()` form), when asked for with `topicIds`. */
  readonly topicId?: string;
  readonly partitions: readonly PartitionMetadata[];
  /** e.g. UNKNOWN_TOPIC_OR_PARTITION for a topic that does not exist (yet). */
  readonly error?: KafkaClientError;
}

export interface ClusterMetadata {
  readonly brokers: readonly BrokerAddress[];
  readonly controllerId: number | undefined;
  readonly topics: readonly TopicMetadata[];
}

export interface FindCoordinatorRequest {
  readonly groupId: string;
}

export interface GroupProtocol {
  readonly name: string;
  readonly metadata: Buffer;
}

export interface GroupRequestBase {
  readonly groupId: string;
  /** The coordinator node to send this to. */
  readonly coordinator: number;
  /** KIP-345 static membership. */
  readonly groupInstanceId?: string;
}

export interface JoinGroupRequest extends GroupRequestBase {
  readonly memberId: string;
  readonly sessionTimeoutMs: number;
  readonly rebalanceTimeoutMs: number;
  readonly protocolType: string;
  readonly protocols: readonly GroupProtocol[];
}

export interface JoinGroupMember {
  readonly memberId: string;
  readonly groupInstanceId?: string;
  readonly metadata: Buffer;
}

export interface JoinGroupResponse {
  readonly generationId: number;
  readonly protocolName: string;
  readonly leaderId: string;
  readonly memberId: string;
  /** Non-empty only for the leader. */
  readonly members: readonly JoinGroupMember[];
}

export interface SyncGroupRequest extends GroupRequestBase {
  readonly memberId: string;
  readonly generationId: number;
  /** Only the leader sends assignments. */
  readonly assignments: readonly { readonly memberId: string; readonly assignment: Buffer }[];
}

export interface SyncGroupResponse {
  readonly assignment: Buffer;
}

export interface HeartbeatRequest extends GroupRequestBase {
  readonly memberId: string;
  readonly generationId: number;
}

export interface LeaveGroupRequest extends GroupRequestBase {
  readonly memberId: string;
}

/** Partitions of one topic, named by topic id (the consumer group protocol's form). */
export interface TopicIdPartitions {
  readonly topicId: string;
  readonly partitions: readonly number[];
}

/**
 * ConsumerGroupHeartbeat v1. Optional fields left undefined are sent as null ("unchanged since the last
 * heartbeat"); a join (epoch 0) sends them all.
 */
export interface ConsumerGroupHeartbeatRequest {
  readonly groupId: string;
  readonly coordinator: number;
  /** Generated by the member (KIP-1082), kept for its whole life. */
  readonly memberId: string;
  /** 0 to join, -1 to leave, -2 for a static member leaving to come back; else the current epoch. */
  readonly memberEpoch: number;
  readonly instanceId?: string;
  readonly rackId?: string;
  /** -1 when unchanged. */
  readonly rebalanceTimeoutMs: number;
  readonly subscribedTopicNames?: readonly string[];
  /** The broker-side regex subscription (RE2/J syntax). */
  readonly subscribedTopicRegex?: string;
  readonly serverAssignor?: string;
  /** The partitions this member owns now (its acknowledgement of revocations and assignments). */
  readonly ownedPartitions?: readonly TopicIdPartitions[];
}

export interface ConsumerGroupHeartbeatResponse {
  readonly memberId: string;
  readonly memberEpoch: number;
  readonly heartbeatIntervalMs: number;
  /** The partitions the member may own now, when the coordinator sends them (undefined: unchanged). */
  readonly assignment?: readonly TopicIdPartitions[];
}

/** A group to describe, at its coordinator. */
export interface DescribeGroupRequest {
  readonly groupId: string;
  readonly coordinator: number;
}

export interface ClassicGroupMember {
  readonly memberId: string;
  readonly instanceId?: string;
  readonly clientId: string;
  readonly clientHost: string;
  /** The member's subscription in the chosen protocol (protocol type `consumer`: a ConsumerProtocolSubscription). */
  readonly metadata: Buffer;
  /** Its assignment from the leader (protocol type `consumer`: a ConsumerProtocolAssignment); empty while rebalancing. */
  readonly assignment: Buffer;
}

/** DescribeGroups' answer for one group. */
export interface ClassicGroupDescription {
  readonly groupId: string;
  /** e.g. Stable, PreparingRebalance, CompletingRebalance, Empty, Dead. */
  readonly state: string;
  /** `consumer` for consumer groups, '' when empty or dead. */
  readonly protocolType: string;
  /** The chosen protocol (the assignor, e.g. range, cooperative-sticky), '' unless stable. */
  readonly protocol: string;
  readonly members: readonly ClassicGroupMember[];
}

/** Topic-partitions by id, with the name the coordinator resolved ('' when it could not). */
export interface NamedTopicIdPartitions extends TopicIdPartitions {
  readonly topic: string;
}

export interface ConsumerGroupMember {
  readonly memberId: string;
  readonly instanceId?: string;
  readonly rackId?: string;
  readonly memberEpoch: number;
  readonly clientId: string;
  readonly clientHost: string;
  readonly subscribedTopicNames: readonly string[];
  readonly subscribedTopicRegex?: string;
  readonly assignment: readonly NamedTopicIdPartitions[];
  readonly targetAssignment: readonly NamedTopicIdPartitions[];
}

/** ConsumerGroupDescribe's answer for one consumer-protocol group. */
export interface ConsumerGroupDescription {
  readonly groupId: string;
  /** e.g. Stable, Assigning, Reconciling, Empty. */
  readonly state: string;
  readonly groupEpoch: number;
  readonly assignmentEpoch: number;
  /** The server-side assignor, e.g. uniform. */
  readonly assignor: string;
  readonly members: readonly ConsumerGroupMember[];
}

export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

export interface PartitionResult extends TopicPartition {
  readonly error?: KafkaClientError;
}

export interface OffsetFetchRequest extends Omit<GroupRequestBase, 'groupInstanceId'> {
  readonly partitions: readonly TopicPartition[];
  /**
   * A consumer-protocol member fetching for itself (OffsetFetch v9): the broker checks the epoch and answers a
   * stale one STALE_MEMBER_EPOCH, an unknown member UNKNOWN_MEMBER_ID. Absent: a fetch by a classic member or a tool.
   */
  readonly member?: { readonly memberId: string; readonly memberEpoch: number };
  /**
   * Ask for stable offsets only (OffsetFetch v7+, KIP-447), as the Java consumer always does: a partition whose
   * offsets wait in an open transaction (or for replication) answers UNSTABLE_OFFSET_COMMIT instead of an offset
   * the transaction may still move.
   */
  readonly requireStable?: boolean;
}

export interface OffsetFetchPartition extends PartitionResult {
  /** The committed offset (the next one to consume), or -1n when none is committed. */
  readonly offset: bigint;
  readonly metadata: string | null;
}

export interface OffsetCommitEntry extends TopicPartition {
  readonly offset: bigint;
  readonly metadata?: string | null;
}

export interface OffsetCommitRequest extends GroupRequestBase {
  readonly memberId: string;
  /** The classic generation id, or under the consumer group protocol the member epoch. */
  readonly generationId: number;
  /** 'consumer': the member uses the consumer group protocol, whose commits need OffsetCommit v9+. */
  readonly groupProtocol?: 'classic' | 'consumer';
  readonly offsets: readonly OffsetCommitEntry[];
}

export type IsolationLevel = 'read_uncommitted' | 'read_committed';

/** ListOffsets special timestamps. */
export const LATEST_TIMESTAMP = -1n;
export const EARLIEST_TIMESTAMP = -2n;

export interface ListOffsetsRequest {
  readonly partitions: readonly (TopicPartition & { readonly timestamp: bigint })[];
  readonly isolationLevel: IsolationLevel;
}

export interface ListOffsetsPartition extends PartitionResult {
  readonly offset: bigint;
}

export interface FetchRequest {
  /** The leader node the partitions are fetched from. */
  readonly nodeId: number;
  readonly maxWaitMs: number;
  readonly minBytes: number;
  readonly maxBytes: number;
  readonly isolationLevel: IsolationLevel;
  readonly partitions: readonly (TopicPartition & { readonly fetchOffset: bigint; readonly maxBytes: number })[];
}

export interface AbortedTransaction {
  readonly producerId: bigint;
  readonly firstOffset: bigint;
}

export interface FetchPartition extends PartitionResult {
  readonly highWatermark: bigint;
  readonly lastStableOffset: bigint;
  readonly logStartOffset: bigint;
  readonly abortedTransactions: readonly AbortedTransaction[];
  /** Raw record batches as the broker sent them (possibly ending in a partial batch). */
  readonly records: Buffer;
}

export interface InitProducerIdRequest {
  /** The broker to ask: the transaction coordinator for a transactional id; omitted: any broker. */
  readonly nodeId?: number;
  /** Omitted for an idempotent (non-transactional) producer. */
  readonly transactionalId?: string;
  readonly transactionTimeoutMs: number;
  /** KIP-360: the id and epoch held now when re-initialising (bumping the epoch), else -1n / -1. */
  readonly producerId?: bigint;
  readonly producerEpoch?: number;
}

export interface ProducerIdentity {
  readonly producerId: bigint;
  readonly producerEpoch: number;
}

export type Acks = -1 | 0 | 1;

export interface ProduceRequest {
  /** The leader of every partition in the request. */
  readonly nodeId: number;
  readonly transactionalId?: string;
  readonly acks: Acks;
  readonly timeoutMs: number;
  /** One encoded RecordBatch (magic 2) per partition. */
  readonly partitions: readonly (TopicPartition & { readonly records: Buffer })[];
}

export interface ProducePartitionResult extends PartitionResult {
  /** The offset of the batch's first record; -1n on error or with acks 0. */
  readonly baseOffset: bigint;
  /** The broker's append time for a LogAppendTime topic, else -1n. */
  readonly logAppendTime: bigint;
  readonly logStartOffset: bigint;
}

/** A transactional producer's identity at its transaction coordinator. */
export interface TransactionalRequestBase extends ProducerIdentity {
  /** The transaction coordinator's node. */
  readonly coordinator: number;
  readonly transactionalId: string;
}

export interface AddPartitionsToTxnRequest extends TransactionalRequestBase {
  readonly partitions: readonly TopicPartition[];
}

export interface AddOffsetsToTxnRequest extends TransactionalRequestBase {
  readonly groupId: string;
}

export interface TxnOffsetCommitRequest extends TransactionalRequestBase {
  /** Here the group's coordinator (not the transaction coordinator). */
  readonly coordinator: number;
  readonly groupId: string;
  /** KIP-447: the consumer's member id and generation (classic) or member epoch (consumer protocol). */
  readonly memberId: string;
  readonly generationId: number;
  readonly groupInstanceId?: string;
  readonly offsets: readonly OffsetCommitEntry[];
}

export interface EndTxnRequest extends TransactionalRequestBase {
  /** true commits, false aborts. */
  readonly commit: boolean;
}
