import * as E from 'fp-ts/Either';
import { gzipSync } from 'node:zlib';
import { Observable, Subscription, map, timer, type SchedulerLike, type TeardownLogic } from 'rxjs';
import { KafkaClientError, protocolError, type ErrorContext } from '../errors';
import type {
  AddOffsetsToTxnRequest,
  AddPartitionsToTxnRequest,
  BrokerAddress,
  EndTxnRequest,
  ClusterMetadata,
  ConsumerGroupHeartbeatRequest,
  ConsumerGroupHeartbeatResponse,
  FetchPartition,
  FetchRequest,
  FindCoordinatorRequest,
  HeartbeatRequest,
  InitProducerIdRequest,
  JoinGroupRequest,
  JoinGroupResponse,
  LeaveGroupRequest,
  ListOffsetsPartition,
  ListOffsetsRequest,
  MetadataRequest,
  OffsetCommitRequest,
  OffsetFetchPartition,
  OffsetFetchRequest,
  PartitionResult,
  ProducePartitionResult,
  ProduceRequest,
  ProducerIdentity,
  SyncGroupRequest,
  SyncGroupResponse,
  Transport,
  TxnOffsetCommitRequest,
} from '../transport/port';
import { FaultInjector, connectionError, type ApiName, type FaultControls, type InjectedError } from './fault-injection';
import type { GroupCoordinator } from './group-coordinator';
import type { TransactionCoordinator } from './transaction-coordinator';
import type { Reply } from './reply';

/** The broker side a transport talks to; built by {@link InMemoryCluster}, not meant to be implemented by users. */
export interface BrokerBackend {
  readonly scheduler: SchedulerLike;
  /** Cluster-wide faults, consulted after the transport's own. */
  readonly faults: FaultInjector;
  readonly groups: GroupCoordinator;
  nodeIds(): readonly number[];
  address(nodeId: number): BrokerAddress | undefined;
  metadata(request: MetadataRequest): ClusterMetadata;
  listOffsets(request: ListOffsetsRequest, reachable: (nodeId: number) => boolean): readonly ListOffsetsPartition[];
  fetch(request: FetchRequest, reply: Reply<readonly FetchPartition[]>): Subscription;
  initProducerId(request: InitProducerIdRequest): E.Either<KafkaClientError, ProducerIdentity>;
  readonly transactions: TransactionCoordinator;
  produce(request: ProduceRequest): readonly ProducePartitionResult[];
}

export interface InMemoryTransportOptions {
  /** Names the client: member ids start with it, and `cluster.dropConnection(clientId)` finds it. Default `'in-memory'`. */
  readonly clientId?: string;
}

interface InFlight {
  node: number | undefined;
  readonly context: ErrorContext;
  fail(error: KafkaClientError): void;
}

/**
 * One client's connections to an {@link InMemoryCluster}: a {@link Transport} whose every request is a cold
 * Observable answered on the cluster's scheduler. The transport holds one connection per broker, opened by the
 * first request to it; `dropConnection` closes them (requests in flight on them fail with a retriable
 * ConnectionError; the next request reconnects). Faults injected here touch only this client.
 */
export class InMemoryTransport implements Transport, FaultControls {
  readonly clientId: string;
  private readonly faults = new FaultInjector();
  private readonly inFlight = new Set<InFlight>();
  private readonly connected = new Set<number>();
  private connects = 0;
  private closed = false;

  /** Use `cluster.transport(options)`. */
  constructor(
    private readonly backend: BrokerBackend,
    options: InMemoryTransportOptions = {},
  ) {
    this.clientId = options.clientId ?? 'in-memory';
  }

  /** How many connections this client has opened so far (reconnects included). */
  get connectionCount(): number {
    return this.connects;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  // ------------------------------------------------------------------------------------------------------------
  // Transport

  metadata(request: MetadataRequest): Observable<ClusterMetadata> {
    return this.request('metadata', 'any', { api: 'Metadata' }, (reply) => reply(E.right(this.backend.metadata(request))));
  }

  findCoordinator(request: FindCoordinatorRequest): Observable<BrokerAddress> {
    const context = { group: request.groupId, api: 'FindCoordinator' };
    return this.request('findCoordinator', 'any', context, (reply) =>
      reply(
        E.flatMap(this.backend.groups.findCoordinator(request.groupId), (nodeId) => {
          const address = this.backend.address(nodeId);
          return address ? E.right(address) : E.left(protocolError('COORDINATOR_NOT_AVAILABLE', context));
        }),
      ),
    );
  }

  joinGroup(request: JoinGroupRequest): Observable<JoinGroupResponse> {
    const context = { group: request.groupId, member: request.memberId, api: 'JoinGroup' };
    return this.request('joinGroup', request.coordinator, context, (reply) => this.backend.groups.joinGroup(request, this.clientId, reply));
  }

  syncGroup(request: SyncGroupRequest): Observable<SyncGroupResponse> {
    const context = { group: request.groupId, member: request.memberId, generation: request.generationId, api: 'SyncGroup' };
    return this.request('syncGroup', request.coordinator, context, (reply) => this.backend.groups.syncGroup(request, reply));
  }

  heartbeat(request: HeartbeatRequest): Observable<void> {
    const context = { group: request.groupId, member: request.memberId, generation: request.generationId, api: 'Heartbeat' };
    return this.request('heartbeat', request.coordinator, context, (reply) => this.backend.groups.heartbeat(request, reply));
  }

  consumerGroupHeartbeat(request: ConsumerGroupHeartbeatRequest): Observable<ConsumerGroupHeartbeatResponse> {
    const context = { group: request.groupId, member: request.memberId, generation: request.memberEpoch, api: 'ConsumerGroupHeartbeat' };
    return this.request('consumerGroupHeartbeat', request.coordinator, context, (reply) => this.backend.groups.consumerGroupHeartbeat(request, this.clientId, reply));
  }

  leaveGroup(request: LeaveGroupRequest): Observable<void> {
    const context = { group: request.groupId, member: request.memberId, api: 'LeaveGroup' };
    return this.request('leaveGroup', request.coordinator, context, (reply) => this.backend.groups.leaveGroup(request, reply));
  }

  offsetFetch(request: OffsetFetchRequest): Observable<readonly OffsetFetchPartition[]> {
    if (request.partitions.length === 0) return this.nothing();
    return this.request('offsetFetch', request.coordinator, { group: request.groupId, api: 'OffsetFetch' }, (reply) =>
      this.backend.groups.offsetFetch(request, reply),
    );
  }

  offsetCommit(request: OffsetCommitRequest): Observable<readonly PartitionResult[]> {
    if (request.offsets.length === 0) return this.nothing();
    const context = { group: request.groupId, member: request.memberId, generation: request.generationId, api: 'OffsetCommit' };
    return this.request('offsetCommit', request.coordinator, context, (reply) => this.backend.groups.offsetCommit(request, reply));
  }

  /** Answered from each partition's leader; a partition whose leader is unreachable carries a ConnectionError. */
  listOffsets(request: ListOffsetsRequest): Observable<readonly ListOffsetsPartition[]> {
    if (request.partitions.length === 0) return this.nothing();
    return this.request('listOffsets', 'any', { api: 'ListOffsets' }, (reply) =>
      reply(E.right(this.backend.listOffsets(request, (nodeId) => this.reachable(nodeId)))),
    );
  }

  fetch(request: FetchRequest): Observable<readonly FetchPartition[]> {
    if (request.partitions.length === 0) return this.nothing();
    return this.request('fetch', request.nodeId, { api: 'Fetch' }, (reply) => this.backend.fetch(request, reply));
  }

  initProducerId(request: InitProducerIdRequest): Observable<ProducerIdentity> {
    const context = { api: 'InitProducerId' };
    return this.request('initProducerId', request.nodeId ?? 'any', context, (reply) => reply(this.backend.initProducerId(request)));
  }

  /** Written by the leader named; with acks 0 answered at once with unknown offsets, as the real client does. */
  produce(request: ProduceRequest): Observable<readonly ProducePartitionResult[]> {
    if (request.partitions.length === 0) return this.nothing();
    return this.request('produce', request.nodeId, { api: 'Produce' }, (reply) => {
      const results = this.backend.produce(request);
      reply(E.right(request.acks === 0 ? results.map((r) => ({ topic: r.topic, partition: r.partition, baseOffset: -1n, logAppendTime: -1n, logStartOffset: -1n })) : results));
    });
  }

  findTransactionCoordinator(request: { readonly transactionalId: string }): Observable<BrokerAddress> {
    const context = { api: 'FindCoordinator' };
    return this.request('findTransactionCoordinator', 'any', context, (reply) => {
      const address = this.backend.address(this.backend.transactions.coordinatorOf(request.transactionalId));
      reply(address ? E.right(address) : E.left(protocolError('COORDINATOR_NOT_AVAILABLE', context)));
    });
  }

  addPartitionsToTxn(request: AddPartitionsToTxnRequest): Observable<readonly PartitionResult[]> {
    return this.request('addPartitionsToTxn', request.coordinator, { api: 'AddPartitionsToTxn' }, (reply) => reply(E.right(this.backend.transactions.addPartitions(request))));
  }

  addOffsetsToTxn(request: AddOffsetsToTxnRequest): Observable<void> {
    return this.request('addOffsetsToTxn', request.coordinator, { group: request.groupId, api: 'AddOffsetsToTxn' }, (reply) => reply(this.backend.transactions.addOffsets(request)));
  }

  txnOffsetCommit(request: TxnOffsetCommitRequest): Observable<readonly PartitionResult[]> {
    const context = { group: request.groupId, member: request.memberId, generation: request.generationId, api: 'TxnOffsetCommit' };
    return this.request('txnOffsetCommit', request.coordinator, context, (reply) => reply(E.right(this.backend.transactions.txnOffsetCommit(request))));
  }

  endTxn(request: EndTxnRequest): Observable<void> {
    return this.request('endTxn', request.coordinator, { api: 'EndTxn' }, (reply) => reply(this.backend.transactions.endTxn(request)));
  }

  /** gzip only (Node's zlib, synchronously); the in-memory broker has no other codec. */
  compress(codec: 'gzip' | 'snappy' | 'lz4' | 'zstd', data: Buffer): Buffer {
    if (codec === 'gzip') return gzipSync(data);
    throw new KafkaClientError({ tag: 'CodecMissing', retriable: false, message: `The in-memory broker has no ${codec} codec` });
  }

  close(): Observable<void> {
    return new Observable<void>((subscriber) => {
      if (!this.closed) {
        this.closed = true;
        this.connected.clear();
        for (const entry of [...this.inFlight]) entry.fail(closedError(entry.context));
      }
      return this.backend.scheduler.schedule(() => {
        subscriber.next();
        subscriber.complete();
      });
    });
  }

  // ------------------------------------------------------------------------------------------------------------
  // faults

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
    if (on) this.dropConnection(nodeId);
    return this;
  }

  /** Closes this client's connection to `nodeId` (every connection when omitted); requests in flight on it fail. */
  dropConnection(nodeId?: number): void {
    for (const node of [...this.connected]) if (nodeId === undefined || node === nodeId) this.connected.delete(node);
    for (const entry of [...this.inFlight]) {
      if (nodeId === undefined || entry.node === nodeId) entry.fail(connectionError('Connection dropped', { ...entry.context, broker: this.describe(entry.node) }));
    }
  }

  // ------------------------------------------------------------------------------------------------------------
  // machinery

  /**
   * One request: queued faults are taken when it is sent; it reaches the broker after any injected delay,
   * through this client's connection to `target` (opened if needed); the answer is delivered after the
   * latency. Unsubscribing abandons it (a request still delayed never reaches the broker).
   */
  private request<T>(api: ApiName, target: number | 'any', context: ErrorContext, handle: (reply: Reply<T>) => TeardownLogic): Observable<T> {
    return new Observable<T>((subscriber) => {
      const { scheduler } = this.backend;
      const subscription = new Subscription();
      let settled = false;
      const settle = (result: E.Either<KafkaClientError, T>, delay: number) => {
        if (settled) return;
        settled = true;
        this.inFlight.delete(entry);
        const deliver = () => {
          if (E.isLeft(result)) return subscriber.error(result.left);
          subscriber.next(result.right);
          subscriber.complete();
        };
        subscription.add(scheduler.schedule(deliver, delay));
      };
      const entry: InFlight = { node: target === 'any' ? undefined : target, context, fail: (e) => settle(E.left(e), 0) };
      if (this.closed) {
        settle(E.left(closedError(context)), 0);
        return subscription;
      }
      this.inFlight.add(entry);
      subscription.add(() => this.inFlight.delete(entry));
      const failure = this.faults.takeFailure(api, context) ?? this.backend.faults.takeFailure(api, context);
      const delay = this.faults.takeDelay(api) + this.backend.faults.takeDelay(api);
      const arrive = () => {
        if (settled) return;
        const node = this.connect(target, context);
        if (E.isLeft(node)) return settle(node, this.latency());
        entry.node = node.right;
        if (failure) return settle(E.left(failure), this.latency());
        subscription.add(handle((result) => settle(result, this.latency())));
      };
      if (delay > 0) subscription.add(scheduler.schedule(arrive, delay));
      else arrive();
      return subscription;
    });
  }

  private connect(target: number | 'any', context: ErrorContext): E.Either<KafkaClientError, number> {
    const node = target === 'any' ? this.backend.nodeIds().find((n) => this.reachable(n)) : target;
    if (node === undefined) return E.left(connectionError('No broker reachable', context));
    const broker = this.describe(node);
    if (!this.backend.address(node)) return E.left(connectionError(`Unknown broker ${node}`, { ...context, broker }));
    if (!this.reachable(node)) return E.left(connectionError('Broker unreachable', { ...context, broker }));
    if (!this.connected.has(node)) {
      this.connected.add(node);
      this.connects += 1;
    }
    return E.right(node);
  }

  private reachable(nodeId: number): boolean {
    return !this.faults.isUnreachable(nodeId) && !this.backend.faults.isUnreachable(nodeId);
  }

  private latency(): number {
    return this.faults.latencyMs + this.backend.faults.latencyMs;
  }

  private describe(nodeId: number | undefined): string | undefined {
    const address = nodeId === undefined ? undefined : this.backend.address(nodeId);
    return address ? `${address.host}:${address.port}` : nodeId === undefined ? undefined : String(nodeId);
  }

  private nothing<T>(): Observable<readonly T[]> {
    return timer(0, this.backend.scheduler).pipe(map(() => []));
  }
}

const closedError = (context: ErrorContext): KafkaClientError =>
  new KafkaClientError({ tag: 'Closed', retriable: false, message: 'Transport closed', context });
