import * as E from 'fp-ts/Either';
import { asyncScheduler, type SchedulerLike } from 'rxjs';
import { protocolError, type KafkaClientError } from '../errors';
import type { KafkaMessage, RecordToEncode } from '../protocol/message';
import { BATCH_HEADER_SIZE, readBatchHeader } from '../protocol/record-batch';
import {
  EARLIEST_TIMESTAMP,
  LATEST_TIMESTAMP,
  type BrokerAddress,
  type ClusterMetadata,
  type ListOffsetsPartition,
  type ListOffsetsRequest,
  type MetadataRequest,
  type ProducePartitionResult,
  type ProduceRequest,
  type TopicMetadata,
} from '../transport/port';
import type { ClassicGroupState, GroupCoordinatorConfig } from './classic-group';
import { FaultInjector, connectionError, type ApiName, type FaultControls, type InjectedError } from './fault-injection';
import { serveFetch, type LogView } from './fetch';
import { GroupCoordinator, type GroupDescription, type GroupMemberDescription } from './group-coordinator';
import { InMemoryTransport, type BrokerBackend, type InMemoryTransportOptions } from './in-memory-transport';
import { partitionForKey } from './murmur2';
import { PartitionLog } from './partition-log';
import { ProducerIds } from './producer-ids';
import { TransactionCoordinator } from './transaction-coordinator';
import type { ConsumerProtocolMemberDescription } from './consumer-protocol-group';

export interface InMemoryClusterOptions {
  /** How many brokers (node ids 0..n-1), or their node ids. Default 1. */
  readonly brokers?: number | readonly number[];
  /** Every response, timeout and timestamp runs on it. Default `asyncScheduler` (virtual inside `TestScheduler.run`). */
  readonly scheduler?: SchedulerLike;
  /** Topics to create, with their partition counts. */
  readonly topics?: Readonly<Record<string, number>>;
  /** Latency of every response, in ms (see {@link FaultControls.setLatency}). Default 0. */
  readonly latencyMs?: number;
  /** Group coordinator settings; defaults in {@link DEFAULT_GROUP_COORDINATOR_CONFIG}. */
  readonly group?: Partial<GroupCoordinatorConfig>;
  /**
   * Consumer-protocol groups (KIP-848): the broker's `group.consumer.heartbeat.interval.ms` and
   * `group.consumer.session.timeout.ms`. Defaults: Kafka's, 5 s and 45 s.
   */
  readonly consumerGroup?: { readonly heartbeatIntervalMs?: number; readonly sessionTimeoutMs?: number };
}

export interface ConsumerGroupDescription {
  readonly groupId: string;
  readonly state: 'Empty' | 'Stable' | 'Reconciling';
  readonly groupEpoch: number;
  readonly assignor: string;
  readonly members: readonly ConsumerProtocolMemberDescription[];
}

/** Where one produced batch landed. */
export interface ProducedBatch {
  readonly topic: string;
  readonly partition: number;
  readonly baseOffset: bigint;
  readonly lastOffset: bigint;
}

export const DEFAULT_GROUP_COORDINATOR_CONFIG: GroupCoordinatorConfig = {
  initialRebalanceDelayMs: 0,
  minSessionTimeoutMs: 6000,
  maxSessionTimeoutMs: 1800000,
  newMemberJoinTimeoutMs: 300000,
  requireKnownMemberId: true,
};

interface Topic {
  /** Its topic id (Java's Uuid form); a topic created again under the same name gets a new one. */
  readonly id: string;
  readonly partitions: PartitionLog[];
  readonly replicationFactor: number;
  /** Round-robin position for records without a key. */
  nextPartition: number;
}

const VALID_TOPIC = /^[a-zA-Z0-9._-]{1,249}$/;

/** The n-th topic's id: 16 bytes, deterministic, never the zero id. */
const topicIdOf = (n: number): string => {
  const b = Buffer.alloc(16);
  b.writeUInt32BE(0x72786b63, 0);
  b.writeUInt32BE(n, 12);
  return b.toString('base64url');
};

/**
 * An in-memory Kafka cluster for tests: brokers, topics whose partitions are logs of record batches, movable
 * partition leaders and group coordinators, the classic group protocol, committed offsets, and fault injection.
 * Everything runs on one injected scheduler, so `TestScheduler.run` drives rebalances, session timeouts and long
 * polls in virtual time. Clients talk to it through {@link InMemoryTransport}s:
 *
 * ```ts
 * const cluster = new InMemoryCluster({ brokers: 3, scheduler, topics: { orders: 6 } });
 * const transport = cluster.transport({ clientId: 'billing-1' });
 * cluster.produce('orders', undefined, [{ key: 'k', value: 'v' }]);
 * ```
 *
 * The test-side methods (produce, createTopic, moveCoordinator, ...) act at once and throw a KafkaClientError
 * on misuse (an unknown topic, say); only the transports speak in Observables.
 */
export class InMemoryCluster implements FaultControls {
  readonly scheduler: SchedulerLike;
  private readonly nodes: readonly number[];
  private readonly topicsByName = new Map<string, Topic>();
  private topicSeq = 0;
  private readonly faults = new FaultInjector();
  private readonly groups: GroupCoordinator;
  private readonly transports = new Set<InMemoryTransport>();
  private readonly listeners = new Set<() => void>();
  private readonly backend: BrokerBackend;
  private readonly producerIds = new ProducerIds();
  private readonly transactions: TransactionCoordinator;

  constructor(options: InMemoryClusterOptions = {}) {
    const brokers = options.brokers ?? 1;
    this.nodes = typeof brokers === 'number' ? Array.from({ length: brokers }, (_, i) => i) : [...brokers].sort((a, b) => a - b);
    if (this.nodes.length === 0) throw new RangeError('An in-memory cluster needs at least one broker');
    this.scheduler = options.scheduler ?? asyncScheduler;
    this.faults.latencyMs = options.latencyMs ?? 0;
    this.groups = new GroupCoordinator({
      scheduler: this.scheduler,
      config: { ...DEFAULT_GROUP_COORDINATOR_CONFIG, ...options.group },
      nodeIds: () => this.nodes,
      hasPartition: (topic, partition) => this.log(topic, partition) !== undefined,
      consumerProtocol: {
        heartbeatIntervalMs: options.consumerGroup?.heartbeatIntervalMs ?? 5000,
        sessionTimeoutMs: options.consumerGroup?.sessionTimeoutMs ?? 45000,
        partitionCounts: () => Object.fromEntries([...this.topicsByName].map(([name, t]) => [name, t.partitions.length])),
        topicId: (topic) => this.topicsByName.get(topic)?.id,
        topicName: (id) => [...this.topicsByName].find(([, t]) => t.id === id)?.[0],
      },
    });
    this.transactions = new TransactionCoordinator({
      nodeIds: () => this.nodes,
      log: (t, p) => this.log(t, p),
      groups: this.groups,
      producerIds: this.producerIds,
      now: () => this.scheduler.now(),
      changed: () => void this.changed(),
    });
    const logs: LogView = { log: (t, p) => this.log(t, p), onChange: (l) => this.onChange(l) };
    this.backend = {
      scheduler: this.scheduler,
      faults: this.faults,
      groups: this.groups,
      nodeIds: () => this.nodes,
      address: (nodeId) => (this.nodes.includes(nodeId) ? { nodeId, host: `in-memory-${nodeId}`, port: 9092 } : undefined),
      metadata: (request) => this.metadata(request),
      listOffsets: (request, reachable) => this.listOffsets(request, reachable),
      fetch: (request, reply) => serveFetch(logs, this.scheduler, request, reply),
      transactions: this.transactions,
      initProducerId: (request) =>
        request.transactionalId === undefined ? E.right(this.producerIds.init(undefined)) : this.transactions.initProducerId(request.transactionalId, request.nodeId, request),
      produce: (request) => this.produceBatches(request),
    };
    for (const [topic, partitions] of Object.entries(options.topics ?? {})) this.createTopic(topic, partitions);
  }

  /** A new client connection set to this cluster. Closed ones are let go here, so long runs do not pile them up. */
  transport(options: InMemoryTransportOptions = {}): InMemoryTransport {
    for (const t of this.transports) if (t.isClosed) this.transports.delete(t);
    const transport = new InMemoryTransport(this.backend, options);
    this.transports.add(transport);
    return transport;
  }

  get brokers(): readonly BrokerAddress[] {
    return this.nodes.map((nodeId) => ({ nodeId, host: `in-memory-${nodeId}`, port: 9092 }));
  }

  // ------------------------------------------------------------------------------------------------------------
  // topics and records

  /** Creates a topic; partition p is led by broker `p % brokers`, replicated on the next ones. */
  createTopic(topic: string, partitions = 1, options: { readonly replicationFactor?: number } = {}): this {
    if (!VALID_TOPIC.test(topic) || topic === '.' || topic === '..') throw protocolError('INVALID_TOPIC_EXCEPTION', { topic });
    if (this.topicsByName.has(topic)) throw protocolError('TOPIC_ALREADY_EXISTS', { topic });
    if (!Number.isInteger(partitions) || partitions < 1) throw new RangeError(`Invalid partition count ${partitions}`);
    const replicationFactor = Math.min(options.replicationFactor ?? 1, this.nodes.length);
    this.topicsByName.set(topic, { id: topicIdOf(++this.topicSeq), partitions: [], replicationFactor, nextPartition: 0 });
    return this.addPartitions(topic, partitions);
  }

  deleteTopic(topic: string): this {
    this.topic(topic);
    this.topicsByName.delete(topic);
    this.groups.forgetTopic(topic);
    return this.changed();
  }

  /** Adds `count` partitions to `topic` (Kafka's CreatePartitions takes the new total instead). */
  addPartitions(topic: string, count: number): this {
    const t = this.topic(topic);
    for (let i = 0; i < count; i++) {
      const p = t.partitions.length;
      const replicas = Array.from({ length: t.replicationFactor }, (_, r) => this.nodes[(p + r) % this.nodes.length] ?? 0);
      t.partitions.push(new PartitionLog(replicas[0] ?? 0, replicas));
    }
    return this.changed();
  }

  topics(): readonly string[] {
    return [...this.topicsByName.keys()].sort();
  }

  partitionCount(topic: string): number {
    return this.topic(topic).partitions.length;
  }

  /**
   * Appends records, one batch per partition. With `partition` undefined, each record goes where the Java
   * producer's default partitioner would put it: murmur2 of the key, round-robin without a key.
   */
  produce(topic: string, partition: number | undefined, records: readonly RecordToEncode[]): readonly ProducedBatch[] {
    const t = this.topic(topic);
    const byPartition = new Map<number, RecordToEncode[]>();
    for (const record of records) {
      const p = partition ?? this.choosePartition(t, record);
      byPartition.set(p, [...(byPartition.get(p) ?? []), record]);
    }
    const produced = [...byPartition].map(([p, batch]) => ({ topic, partition: p, ...this.partitionLog(topic, p).append(batch, this.scheduler.now()) }));
    this.changed();
    return produced;
  }

  /**
   * The records of one partition, decoded, from its log start (what a test reads back of what was produced);
   * `read_committed`: what such a consumer sees (committed transactions only, below the last stable offset).
   */
  records(topic: string, partition: number, isolationLevel: 'read_uncommitted' | 'read_committed' = 'read_uncommitted'): KafkaMessage[] {
    return this.partitionLog(topic, partition).messages(topic, partition, isolationLevel);
  }

  /** Makes `nodeId` the partition's leader: fetches to the old leader get NOT_LEADER_OR_FOLLOWER. */
  moveLeader(topic: string, partition: number, nodeId: number): this {
    this.broker(nodeId);
    const log = this.partitionLog(topic, partition);
    if (!log.replicas.includes(nodeId)) log.replicas = log.replicas.map((r) => (r === log.leader ? nodeId : r));
    log.leader = nodeId;
    return this.changed();
  }

  leaderOf(topic: string, partition: number): number {
    return this.partitionLog(topic, partition).leader;
  }

  /** DeleteRecords: the log start offset moves to `beforeOffset`; fetching below it gets OFFSET_OUT_OF_RANGE. */
  deleteRecords(topic: string, partition: number, beforeOffset: bigint): this {
    this.partitionLog(topic, partition).deleteRecordsBefore(beforeOffset);
    return this.changed();
  }

  highWatermark(topic: string, partition: number): bigint {
    return this.partitionLog(topic, partition).highWatermark;
  }

  logStartOffset(topic: string, partition: number): bigint {
    return this.partitionLog(topic, partition).logStartOffset;
  }

  // ------------------------------------------------------------------------------------------------------------
  // groups

  coordinatorOf(groupId: string): number {
    return this.groups.coordinatorOf(groupId);
  }

  /** Moves the group's coordinator: the old node answers NOT_COORDINATOR; the new one loads the last stored state. */
  moveCoordinator(groupId: string, nodeId: number): this {
    this.groups.moveCoordinator(groupId, nodeId);
    return this;
  }

  /** The broker coordinating the transactional id's transactions. */
  transactionCoordinatorOf(transactionalId: string): number {
    return this.transactions.coordinatorOf(transactionalId);
  }

  /** Moves a transactional id's coordinator: the old node answers NOT_COORDINATOR; open transactions carry over. */
  moveTransactionCoordinator(transactionalId: string, nodeId: number): this {
    this.transactions.moveCoordinator(transactionalId, nodeId);
    return this;
  }

  describeGroup(groupId: string): GroupDescription {
    return this.groups.describe(groupId);
  }

  /**
   * A consumer-protocol group (KIP-848) as its coordinator sees it: state, group epoch, assignor, and per member its
   * epoch, what it is assigned now and its target. Undefined for a group that never heartbeated.
   */
  describeConsumerGroup(groupId: string): ConsumerGroupDescription | undefined {
    const g = this.groups.consumerGroup(groupId);
    return g && { groupId, state: g.state, groupEpoch: g.groupEpoch, assignor: g.assignorName, members: g.describeMembers() };
  }

  groupState(groupId: string): ClassicGroupState {
    return this.groups.describe(groupId).state;
  }

  members(groupId: string): readonly GroupMemberDescription[] {
    return this.groups.describe(groupId).members;
  }

  /** The group's committed offsets, keyed `topic/partition` (unambiguous: a topic name has no `/`). */
  committed(groupId: string): Readonly<Record<string, bigint>> {
    return Object.fromEntries(this.groups.committed(groupId).map((c) => [`${c.topic}/${c.partition}`, c.offset]));
  }

  /** DeleteGroups: only for an Empty group; its committed offsets go too. */
  deleteGroup(groupId: string): this {
    this.groups.deleteGroup(groupId);
    return this;
  }

  // ------------------------------------------------------------------------------------------------------------
  // faults (every client)

  failNext(api: ApiName, n: number, error: InjectedError): this {
    this.faults.failNext(api, n, error);
    return this;
  }

  delayNext(api: ApiName, ms: number, n = 1): this {
    this.faults.delayNext(api, ms, n);
    return this;
  }

  setLatency(ms: number): this {
    this.faults.latencyMs = ms;
    return this;
  }

  unreachable(on: boolean, nodeId?: number): this {
    this.faults.setUnreachable(on, nodeId);
    if (on) for (const t of this.transports) t.dropConnection(nodeId);
    return this;
  }

  /** Drops the connections of one transport, or of every transport with that client id (to `nodeId` only, if given). */
  dropConnection(target: string | InMemoryTransport, nodeId?: number): this {
    for (const t of this.transports) if (t === target || t.clientId === target) t.dropConnection(nodeId);
    return this;
  }

  // ------------------------------------------------------------------------------------------------------------
  // broker side

  private metadata(request: MetadataRequest): ClusterMetadata {
    const names = request.topics ?? this.topics();
    return {
      brokers: this.brokers,
      controllerId: this.nodes[0],
      topics: names.map((topic): TopicMetadata => {
        const t = this.topicsByName.get(topic);
        if (!t) return { topic, partitions: [], error: protocolError('UNKNOWN_TOPIC_OR_PARTITION', { topic, api: 'Metadata' }) };
        return {
          topic,
          ...(request.topicIds ? { topicId: t.id } : {}),
          partitions: t.partitions.map((log, partition) => ({ partition, leader: log.leader, replicas: log.replicas, isr: log.replicas })),
        };
      }),
    };
  }

  private listOffsets(request: ListOffsetsRequest, reachable: (nodeId: number) => boolean): readonly ListOffsetsPartition[] {
    return request.partitions.map(({ topic, partition, timestamp }): ListOffsetsPartition => {
      const context = { topic, partition, api: 'ListOffsets' };
      const log = this.log(topic, partition);
      const fail = (error: KafkaClientError) => ({ topic, partition, offset: -1n, error });
      if (!log) return fail(protocolError('UNKNOWN_TOPIC_OR_PARTITION', context));
      if (!reachable(log.leader)) return fail(connectionError('Broker unreachable', { ...context, broker: `in-memory-${log.leader}:9092` }));
      const offset =
        timestamp === LATEST_TIMESTAMP ? log.highWatermark : timestamp === EARLIEST_TIMESTAMP ? log.logStartOffset : log.offsetForTimestamp(timestamp);
      return { topic, partition, offset };
    });
  }

  private produceBatches(request: ProduceRequest): readonly ProducePartitionResult[] {
    const results = request.partitions.map(({ topic, partition, records }): ProducePartitionResult => {
      const context = { topic, partition, api: 'Produce', broker: `in-memory-${request.nodeId}:9092` };
      const log = this.log(topic, partition);
      const outcome = !log
        ? { error: 'UNKNOWN_TOPIC_OR_PARTITION' as const }
        : log.leader !== request.nodeId
          ? { error: 'NOT_LEADER_OR_FOLLOWER' as const }
          : !this.mayAppend(records, topic, partition)
            ? { error: 'INVALID_TXN_STATE' as const }
            : log.appendBatch(records);
      const logStartOffset = log?.logStartOffset ?? -1n;
      if ('error' in outcome) return { topic, partition, baseOffset: -1n, logAppendTime: -1n, logStartOffset, error: protocolError(outcome.error, context) };
      return { topic, partition, baseOffset: outcome.baseOffset, logAppendTime: -1n, logStartOffset };
    });
    this.changed();
    return results;
  }

  /** A transactional batch only within its producer's open transaction, to a partition added to it. */
  private mayAppend(batch: Buffer, topic: string, partition: number): boolean {
    if (batch.length < BATCH_HEADER_SIZE) return true;
    const header = readBatchHeader(batch, 0);
    return !header.isTransactional || this.transactions.mayWrite(header.producerId, header.producerEpoch, topic, partition);
  }

  private log(topic: string, partition: number): PartitionLog | undefined {
    return this.topicsByName.get(topic)?.partitions[partition];
  }

  private topic(topic: string): Topic {
    const t = this.topicsByName.get(topic);
    if (!t) throw protocolError('UNKNOWN_TOPIC_OR_PARTITION', { topic });
    return t;
  }

  private partitionLog(topic: string, partition: number): PartitionLog {
    const log = this.topic(topic).partitions[partition];
    if (!log) throw protocolError('UNKNOWN_TOPIC_OR_PARTITION', { topic, partition });
    return log;
  }

  private broker(nodeId: number): void {
    if (!this.nodes.includes(nodeId)) throw new RangeError(`No broker ${nodeId} in the cluster`);
  }

  private choosePartition(t: Topic, record: RecordToEncode): number {
    if (record.key !== undefined && record.key !== null) return partitionForKey(record.key, t.partitions.length);
    const p = t.nextPartition % t.partitions.length;
    t.nextPartition += 1;
    return p;
  }

  private onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): this {
    this.groups.metadataChanged();
    for (const listener of [...this.listeners]) listener();
    return this;
  }
}
