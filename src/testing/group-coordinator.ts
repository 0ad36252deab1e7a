import * as E from 'fp-ts/Either';
import type { SchedulerLike } from 'rxjs';
import { protocolError, protocolErrorFromNumber, type KafkaClientError } from '../errors';
import type {
  ConsumerGroupHeartbeatRequest,
  ConsumerGroupHeartbeatResponse,
  HeartbeatRequest,
  JoinGroupRequest,
  JoinGroupResponse,
  LeaveGroupRequest,
  OffsetCommitRequest,
  OffsetFetchPartition,
  OffsetFetchRequest,
  PartitionResult,
  SyncGroupRequest,
  SyncGroupResponse,
  OffsetCommitEntry,
  TxnOffsetCommitRequest,
} from '../transport/port';
import { ClassicGroup, type ClassicGroupState, type GroupCoordinatorConfig } from './classic-group';
import type { GroupSnapshot } from './classic-member';
import { ConsumerProtocolGroup, type ConsumerProtocolGroupEnv } from './consumer-protocol-group';
import type { Reply } from './reply';

/** One member, as DescribeGroups would show it. */
export interface GroupMemberDescription {
  readonly memberId: string;
  readonly groupInstanceId?: string;
  readonly clientId: string;
  readonly sessionTimeoutMs: number;
  readonly rebalanceTimeoutMs: number;
  /** Supported protocol names, in order of preference. */
  readonly protocols: readonly string[];
  readonly assignment: Buffer;
  readonly isLeader: boolean;
}

/** A group as its coordinator sees it now. A group the coordinator does not know is `Dead`, as in Kafka. */
export interface GroupDescription {
  readonly groupId: string;
  readonly state: ClassicGroupState;
  readonly coordinator: number;
  readonly generationId: number;
  readonly protocolType?: string;
  readonly protocolName?: string;
  readonly leaderId?: string;
  readonly members: readonly GroupMemberDescription[];
  /** Member ids handed out with MEMBER_ID_REQUIRED that have not joined yet. */
  readonly pendingMemberIds: readonly string[];
}

export interface CommittedOffset {
  readonly topic: string;
  readonly partition: number;
  readonly offset: bigint;
  readonly metadata: string;
}

export interface GroupCoordinatorEnv {
  readonly scheduler: SchedulerLike;
  readonly config: GroupCoordinatorConfig;
  /** What consumer-protocol groups (KIP-848) read of the cluster: topics, ids, the broker's session and heartbeat. */
  readonly consumerProtocol: Omit<ConsumerProtocolGroupEnv, 'scheduler'>;
  /** The cluster's node ids, ascending. */
  nodeIds(): readonly number[];
  hasPartition(topic: string, partition: number): boolean;
}

const key = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

/** Java's `String.hashCode`, which places a group on a `__consumer_offsets` partition. */
export const javaHash = (s: string): number => {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return h;
};

/**
 * Every group coordinator of the cluster: which node coordinates each group (Kafka's placement by hash, or where
 * a test moved it), the classic groups themselves, and the committed offsets. Group requests sent to another
 * node get NOT_COORDINATOR. Moving a coordinator unloads the group (Dead; parked requests get NOT_COORDINATOR)
 * and the new node loads what was last persisted, as when `__consumer_offsets` leadership moves.
 */
export class GroupCoordinator {
  private readonly groups = new Map<string, ClassicGroup>();
  /** Consumer-protocol groups: their state survives a coordinator move, as it does in `__consumer_offsets`. */
  private readonly consumerGroups = new Map<string, ConsumerProtocolGroup>();
  private readonly snapshots = new Map<string, GroupSnapshot>();
  private readonly placement = new Map<string, number>();
  private readonly offsets = new Map<string, Map<string, CommittedOffset>>();
  /** Per group, per producer id: the offsets of its open transaction (TxnOffsetCommit), not yet committed. */
  private readonly pendingTxnOffsets = new Map<string, Map<bigint, Map<string, OffsetCommitEntry>>>();
  private memberSeq = 0;

  constructor(private readonly env: GroupCoordinatorEnv) {}

  coordinatorOf(groupId: string): number {
    const nodes = this.env.nodeIds();
    const placed = this.placement.get(groupId);
    if (placed !== undefined && nodes.includes(placed)) return placed;
    const partition = (javaHash(groupId) & 0x7fffffff) % 50;
    return nodes[partition % nodes.length] ?? -1;
  }

  moveCoordinator(groupId: string, nodeId: number): void {
    if (!this.env.nodeIds().includes(nodeId)) throw new RangeError(`No broker ${nodeId} in the cluster`);
    if (this.coordinatorOf(groupId) === nodeId) return;
    this.placement.set(groupId, nodeId);
    const group = this.groups.get(groupId);
    if (!group) return;
    group.unload();
    this.groups.delete(groupId);
    const snapshot = this.snapshots.get(groupId);
    if (snapshot) this.groups.set(groupId, ClassicGroup.load(groupId, this.groupEnv(groupId), snapshot));
  }

  findCoordinator(groupId: string): E.Either<KafkaClientError, number> {
    return groupId === '' ? E.left(protocolError('INVALID_GROUP_ID', { api: 'FindCoordinator' })) : E.right(this.coordinatorOf(groupId));
  }

  joinGroup(req: JoinGroupRequest, clientId: string, reply: Reply<JoinGroupResponse>): void {
    const routed = this.route(req.groupId, req.coordinator, 'JoinGroup');
    if (routed) return reply(E.left(routed));
    const group = this.groups.get(req.groupId);
    if (group) return group.join(req, clientId, reply);
    if (req.memberId !== '') return reply(E.left(protocolError('UNKNOWN_MEMBER_ID', { group: req.groupId, member: req.memberId, api: 'JoinGroup' })));
    this.create(req.groupId).join(req, clientId, reply);
  }

  syncGroup(req: SyncGroupRequest, reply: Reply<SyncGroupResponse>): void {
    const routed = this.route(req.groupId, req.coordinator, 'SyncGroup');
    if (routed) return reply(E.left(routed));
    const group = this.groups.get(req.groupId);
    if (group) return group.sync(req, reply);
    reply(E.left(protocolError('UNKNOWN_MEMBER_ID', { group: req.groupId, member: req.memberId, api: 'SyncGroup' })));
  }

  heartbeat(req: HeartbeatRequest, reply: Reply<void>): void {
    const routed = this.route(req.groupId, req.coordinator, 'Heartbeat');
    if (routed) return reply(E.left(routed));
    const group = this.groups.get(req.groupId);
    if (group) return group.heartbeat(req, reply);
    reply(E.left(protocolError('UNKNOWN_MEMBER_ID', { group: req.groupId, member: req.memberId, api: 'Heartbeat' })));
  }

  /** ConsumerGroupHeartbeat: a group id a classic group holds answers GROUP_ID_NOT_FOUND (no online migration here). */
  consumerGroupHeartbeat(req: ConsumerGroupHeartbeatRequest, clientId: string, reply: Reply<ConsumerGroupHeartbeatResponse>): void {
    const routed = this.route(req.groupId, req.coordinator, 'ConsumerGroupHeartbeat');
    if (routed) return reply(E.left(routed));
    const classic = this.groups.get(req.groupId);
    if (classic && classic.state !== 'Empty') return reply(E.left(protocolError('GROUP_ID_NOT_FOUND', { group: req.groupId, api: 'ConsumerGroupHeartbeat' })));
    let group = this.consumerGroups.get(req.groupId);
    if (!group) {
      group = new ConsumerProtocolGroup(req.groupId, { scheduler: this.env.scheduler, ...this.env.consumerProtocol });
      this.consumerGroups.set(req.groupId, group);
    }
    group.heartbeat(req, clientId, reply);
  }

  /** The consumer-protocol group with this id, if any (for tests that look inside). */
  consumerGroup(groupId: string): ConsumerProtocolGroup | undefined {
    return this.consumerGroups.get(groupId);
  }

  /** Topics changed: consumer-protocol groups recompute their targets (the coordinator watches metadata). */
  metadataChanged(): void {
    for (const g of this.consumerGroups.values()) g.metadataChanged();
  }

  leaveGroup(req: LeaveGroupRequest, reply: Reply<void>): void {
    const routed = this.route(req.groupId, req.coordinator, 'LeaveGroup');
    if (routed) return reply(E.left(routed));
    const group = this.groups.get(req.groupId);
    if (group) return group.leave(req, reply);
    reply(E.left(protocolError('UNKNOWN_MEMBER_ID', { group: req.groupId, member: req.memberId, api: 'LeaveGroup' })));
  }

  /**
   * OffsetCommit. As the real broker (and the kafkajs adapter) do, group-level errors (NOT_COORDINATOR,
   * ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID, REBALANCE_IN_PROGRESS, FENCED_INSTANCE_ID) come back on every
   * partition; a partition of no existing topic gets UNKNOWN_TOPIC_OR_PARTITION.
   */
  offsetCommit(req: OffsetCommitRequest, reply: Reply<readonly PartitionResult[]>): void {
    const context = { group: req.groupId, member: req.memberId, generation: req.generationId, api: 'OffsetCommit' };
    const all = (error: KafkaClientError) =>
      reply(E.right(req.offsets.map((o) => ({ topic: o.topic, partition: o.partition, error: error.withContext({ topic: o.topic, partition: o.partition }) }))));
    const routed = this.route(req.groupId, req.coordinator, 'OffsetCommit');
    if (routed) return all(routed.withContext(context));
    const modern = this.consumerGroups.get(req.groupId);
    if (modern) {
      // As the broker: members of the consumer protocol must commit with OffsetCommit v9+, carrying their epoch.
      if (req.groupProtocol !== 'consumer') return all(protocolError('UNSUPPORTED_VERSION', context));
      const stale = modern.validateCommit(req.memberId, req.generationId);
      if (stale) return all(protocolError(stale, context));
      return this.store(req, context, reply);
    }
    let group = this.groups.get(req.groupId);
    if (!group) {
      // No group: a simple consumer's commit (generation -1) creates an Empty one; any other is from a dead generation.
      if (req.generationId >= 0) return all(protocolError('ILLEGAL_GENERATION', context));
      group = this.create(req.groupId);
    }
    const invalid = group.validateCommit(req.memberId, req.groupInstanceId, req.generationId);
    if (invalid) return all(protocolError(invalid, context));
    this.store(req, context, reply);
  }

  /**
   * TxnOffsetCommit's check (KIP-447), on the group's coordinator: the member must be in the group at that
   * generation (or member epoch); a consumer-protocol group checks the epoch as for commits. The offsets are
   * held apart (`holdTransactional`) until the transaction ends (`endTransactional`).
   */
  validateTxnCommit(req: TxnOffsetCommitRequest): KafkaClientError | undefined {
    const context = { group: req.groupId, member: req.memberId, generation: req.generationId, api: 'TxnOffsetCommit' };
    const routed = this.route(req.groupId, req.coordinator, 'TxnOffsetCommit');
    if (routed) return routed.withContext(context);
    const modern = this.consumerGroups.get(req.groupId);
    const group = this.groups.get(req.groupId);
    const invalid = modern ? modern.validateCommit(req.memberId, req.generationId) : group ? group.validateCommit(req.memberId, req.groupInstanceId, req.generationId) : req.generationId >= 0 ? 'ILLEGAL_GENERATION' : undefined;
    return invalid ? protocolError(invalid, context) : undefined;
  }

  /** Offsets a transaction committed (TxnOffsetCommit): held apart until it ends, as Kafka's pending offsets are. */
  holdTransactional(groupId: string, producerId: bigint, offsets: readonly OffsetCommitEntry[]): void {
    const byProducer = this.pendingTxnOffsets.get(groupId) ?? new Map<bigint, Map<string, OffsetCommitEntry>>();
    this.pendingTxnOffsets.set(groupId, byProducer);
    const held = byProducer.get(producerId) ?? new Map<string, OffsetCommitEntry>();
    byProducer.set(producerId, held);
    for (const o of offsets) held.set(key(o.topic, o.partition), o);
  }

  /** The transaction ended: on commit its held offsets become the group's committed offsets; on abort they go. */
  endTransactional(groupId: string, producerId: bigint, commit: boolean): void {
    const byProducer = this.pendingTxnOffsets.get(groupId);
    const held = byProducer?.get(producerId);
    byProducer?.delete(producerId);
    if (!held || !commit) return;
    const stored = this.offsets.get(groupId) ?? new Map<string, CommittedOffset>();
    this.offsets.set(groupId, stored);
    for (const { topic, partition, offset, metadata } of held.values()) stored.set(key(topic, partition), { topic, partition, offset, metadata: metadata ?? '' });
  }

  private pendingTransactional(groupId: string, topic: string, partition: number): boolean {
    return [...(this.pendingTxnOffsets.get(groupId)?.values() ?? [])].some((held) => held.has(key(topic, partition)));
  }

  private store(req: OffsetCommitRequest, context: { group: string; member: string; generation: number; api: string }, reply: Reply<readonly PartitionResult[]>): void {
    const stored = this.offsets.get(req.groupId) ?? new Map<string, CommittedOffset>();
    this.offsets.set(req.groupId, stored);
    reply(
      E.right(
        req.offsets.map(({ topic, partition, offset, metadata }) => {
          if (!this.env.hasPartition(topic, partition)) {
            return { topic, partition, error: protocolError('UNKNOWN_TOPIC_OR_PARTITION', { ...context, topic, partition }) };
          }
          stored.set(key(topic, partition), { topic, partition, offset, metadata: metadata ?? '' });
          return { topic, partition };
        }),
      ),
    );
  }

  /**
   * OffsetFetch: NOT_COORDINATOR fails the request; a partition with no commit answers offset -1n; with
   * `requireStable`, one whose offsets an open transaction holds answers UNSTABLE_OFFSET_COMMIT. A consumer-protocol
   * member's fetch (v9) is checked as its commits are: an unknown member or another epoch fails it, as Kafka's does.
   */
  offsetFetch(req: OffsetFetchRequest, reply: Reply<readonly OffsetFetchPartition[]>): void {
    const routed = this.route(req.groupId, req.coordinator, 'OffsetFetch');
    if (routed) return reply(E.left(routed));
    const invalid = req.member && this.consumerGroups.get(req.groupId)?.validateCommit(req.member.memberId, req.member.memberEpoch);
    if (invalid) return reply(E.left(protocolError(invalid, { group: req.groupId, member: req.member?.memberId, generation: req.member?.memberEpoch, api: 'OffsetFetch' })));
    const stored = this.offsets.get(req.groupId);
    reply(
      E.right(
        req.partitions.map(({ topic, partition }) => {
          const c = stored?.get(key(topic, partition));
          if (req.requireStable && this.pendingTransactional(req.groupId, topic, partition)) {
            return { topic, partition, offset: -1n, metadata: null, error: protocolError('UNSTABLE_OFFSET_COMMIT', { group: req.groupId, topic, partition, api: 'OffsetFetch' }) };
          }
          return { topic, partition, offset: c?.offset ?? -1n, metadata: c?.metadata ?? '' };
        }),
      ),
    );
  }

  describe(groupId: string): GroupDescription {
    const group = this.groups.get(groupId);
    const coordinator = this.coordinatorOf(groupId);
    if (!group) return { groupId, state: 'Dead', coordinator, generationId: -1, members: [], pendingMemberIds: [] };
    return {
      groupId,
      state: group.state,
      coordinator,
      generationId: group.generationId,
      ...(group.protocolType === undefined ? {} : { protocolType: group.protocolType }),
      ...(group.protocolName === undefined ? {} : { protocolName: group.protocolName }),
      ...(group.leaderId === undefined ? {} : { leaderId: group.leaderId }),
      members: group.allMembers().map((m) => ({
        memberId: m.memberId,
        ...(m.groupInstanceId === undefined ? {} : { groupInstanceId: m.groupInstanceId }),
        clientId: m.clientId,
        sessionTimeoutMs: m.sessionTimeoutMs,
        rebalanceTimeoutMs: m.rebalanceTimeoutMs,
        protocols: m.protocols.map((p) => p.name),
        assignment: m.assignment,
        isLeader: m.memberId === group.leaderId,
      })),
      pendingMemberIds: group.pendingMemberIds,
    };
  }

  committed(groupId: string): readonly CommittedOffset[] {
    return [...(this.offsets.get(groupId)?.values() ?? [])].sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
  }

  /** DeleteGroups: only an Empty (or unknown) group; its committed offsets go with it. */
  deleteGroup(groupId: string): void {
    const group = this.groups.get(groupId);
    if (group && group.state !== 'Empty') throw protocolErrorFromNumber(68, { group: groupId, api: 'DeleteGroups' }); // NON_EMPTY_GROUP
    group?.unload();
    this.groups.delete(groupId);
    this.snapshots.delete(groupId);
    this.offsets.delete(groupId);
  }

  /** A deleted topic's committed offsets are dropped. */
  forgetTopic(topic: string): void {
    for (const stored of this.offsets.values()) {
      for (const [k, c] of stored) if (c.topic === topic) stored.delete(k);
    }
  }

  private route(groupId: string, coordinator: number, api: string): KafkaClientError | undefined {
    if (groupId === '') return protocolError('INVALID_GROUP_ID', { api });
    if (coordinator !== this.coordinatorOf(groupId)) return protocolError('NOT_COORDINATOR', { group: groupId, api });
    return undefined;
  }

  private create(groupId: string): ClassicGroup {
    const group = new ClassicGroup(groupId, this.groupEnv(groupId));
    this.groups.set(groupId, group);
    return group;
  }

  private groupEnv(groupId: string) {
    return {
      scheduler: this.env.scheduler,
      config: this.env.config,
      // Kafka appends a random UUID; a counter in UUID form keeps tests deterministic.
      newMemberId: (prefix: string) => `${prefix}-00000000-0000-4000-8000-${(++this.memberSeq).toString(16).padStart(12, '0')}`,
      persist: (snapshot: GroupSnapshot) => this.snapshots.set(groupId, snapshot),
    };
  }
}
