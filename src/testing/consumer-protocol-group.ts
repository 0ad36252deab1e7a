import * as E from 'fp-ts/Either';
import { Subscription, timer, type SchedulerLike } from 'rxjs';
import { protocolError, KafkaClientError, type KafkaErrorCode } from '../errors';
import { type Assignment, assignmentOf, diffAssignments, emptyAssignment, partitionsOf } from '../protocol/assignment';
import { range } from '../strategies/range';
import type { ConsumerGroupHeartbeatRequest, ConsumerGroupHeartbeatResponse, TopicIdPartitions } from '../transport/port';
import type { Reply } from './reply';
import { sameAssignment, uniformAssign } from './uniform-assignor';

/** What a consumer-protocol group needs of its cluster. */
export interface ConsumerProtocolGroupEnv {
  readonly scheduler: SchedulerLike;
  /** The broker's group.consumer.heartbeat.interval.ms and group.consumer.session.timeout.ms. */
  readonly heartbeatIntervalMs: number;
  readonly sessionTimeoutMs: number;
  /** Every topic and its partition count. */
  partitionCounts(): Readonly<Record<string, number>>;
  topicId(topic: string): string | undefined;
  topicName(topicId: string): string | undefined;
}

interface Member {
  readonly memberId: string;
  readonly instanceId?: string;
  readonly clientId: string;
  epoch: number;
  previousEpoch: number;
  topics: readonly string[] | undefined;
  regex: string | undefined;
  rebalanceTimeoutMs: number;
  /** What the coordinator last said it may own. */
  assigned: Assignment;
  /** What it last said it owns. */
  owned: Assignment;
  /** A static member that left with epoch -2: its partitions wait for it until the session times out. */
  away: boolean;
  session: Subscription;
}

export interface ConsumerProtocolMemberDescription {
  readonly memberId: string;
  readonly instanceId?: string;
  readonly clientId: string;
  readonly memberEpoch: number;
  readonly assigned: Assignment;
  readonly target: Assignment;
}

const ASSIGNORS = ['uniform', 'range'] as const;
const minus = (a: Assignment, b: Assignment): Assignment => diffAssignments(b, a).claimed;
const union = (...xs: Assignment[]): Assignment => assignmentOf(xs.flatMap(partitionsOf));
const countsKey = (counts: Readonly<Record<string, number>>): string =>
  Object.keys(counts)
    .sort()
    .map((t) => `${t}:${counts[t]}`)
    .join(',');
const within = (a: Assignment, b: Assignment): boolean => partitionsOf(minus(a, b)).length === 0;

/**
 * One consumer-protocol group (KIP-848) as the broker's coordinator runs it, in memory: member epochs, a group
 * epoch bumped by every membership or subscription change, a server-side assignor (`uniform` or `range`) giving
 * each member a target, and the reconciliation that never lets two members own a partition: a member is told to
 * give up what it must revoke first, and gets a partition only once no other member holds it (assigned or still
 * reported owned). Sessions expire on the scheduler; static members (instance id) leaving with -2 keep their
 * assignment until theirs does.
 */
export class ConsumerProtocolGroup {
  private readonly members = new Map<string, Member>();
  private targets = new Map<string, Assignment>();
  private assignor: (typeof ASSIGNORS)[number] = 'uniform';
  groupEpoch = 0;
  /** The topics and partition counts the targets were computed from. */
  private countsSeen = '';

  constructor(
    readonly groupId: string,
    private readonly env: ConsumerProtocolGroupEnv,
  ) {}

  get state(): 'Empty' | 'Stable' | 'Reconciling' {
    const ms = [...this.members.values()];
    if (ms.length === 0) return 'Empty';
    return ms.every((m) => sameAssignment(m.assigned, this.targets.get(m.memberId) ?? emptyAssignment) && within(m.owned, m.assigned)) ? 'Stable' : 'Reconciling';
  }

  get assignorName(): string {
    return this.assignor;
  }

  describeMembers(): readonly ConsumerProtocolMemberDescription[] {
    return [...this.members.values()].map((m) => ({
      memberId: m.memberId,
      ...(m.instanceId === undefined ? {} : { instanceId: m.instanceId }),
      clientId: m.clientId,
      memberEpoch: m.epoch,
      assigned: m.assigned,
      target: this.targets.get(m.memberId) ?? emptyAssignment,
    }));
  }

  heartbeat(req: ConsumerGroupHeartbeatRequest, clientId: string, reply: Reply<ConsumerGroupHeartbeatResponse>): void {
    const context = { group: this.groupId, member: req.memberId, generation: req.memberEpoch, api: 'ConsumerGroupHeartbeat' };
    const fail = (code: KafkaErrorCode, why?: string) =>
      reply(E.left(why ? new KafkaClientError({ tag: 'KafkaProtocolError', code, message: `Broker returned ${code}: ${why}`, context }) : protocolError(code, context)));
    if (req.memberId === '') return fail('INVALID_REQUEST', 'MemberId can not be empty.');
    if (req.memberEpoch === -1 || req.memberEpoch === -2) return this.leave(req, reply);
    let member = this.members.get(req.memberId);
    let joined = false;
    if (req.memberEpoch === 0) {
      if ((req.ownedPartitions ?? []).length > 0) return fail('INVALID_REQUEST', 'TopicPartitions must be empty when (re-)joining.');
      if (req.subscribedTopicNames === undefined && req.subscribedTopicRegex === undefined) return fail('INVALID_REQUEST', 'SubscribedTopicNames or SubscribedTopicRegex must be set in first request.');
      if (req.serverAssignor !== undefined && !(ASSIGNORS as readonly string[]).includes(req.serverAssignor)) return fail('UNSUPPORTED_ASSIGNOR', `ServerAssignor ${req.serverAssignor} is not supported.`);
      const joinedAs = this.join(req, clientId);
      if (typeof joinedAs === 'string') return fail(joinedAs);
      member = joinedAs;
      joined = true;
    } else {
      if (!member) return fail('UNKNOWN_MEMBER_ID', `Member ${req.memberId} is not a member of group ${this.groupId}.`);
      const owned = this.named(req.ownedPartitions);
      const stale = req.memberEpoch === member.previousEpoch && (owned === undefined || within(owned, member.assigned));
      if (req.memberEpoch !== member.epoch && !stale) return fail('FENCED_MEMBER_EPOCH', `The member epoch (${req.memberEpoch}) does not match the group's (${member.epoch}).`);
      if (owned) member.owned = owned;
      if (this.resubscribe(member, req)) this.bump();
    }
    this.keepAlive(member);
    const before = member.assigned;
    this.reconcile(member);
    const changed = joined || !sameAssignment(before, member.assigned);
    reply(
      E.right({
        memberId: member.memberId,
        memberEpoch: member.epoch,
        heartbeatIntervalMs: this.env.heartbeatIntervalMs,
        ...(changed ? { assignment: this.byId(member.assigned) } : {}),
      }),
    );
  }

  /** OffsetCommit's and OffsetFetch v9's member check: the member's current epoch (Kafka 4.4 answers any other STALE). */
  validateCommit(memberId: string, memberEpoch: number): KafkaErrorCode | undefined {
    if (memberEpoch < 0 && this.members.size === 0) return undefined;
    const m = this.members.get(memberId);
    if (!m) return 'UNKNOWN_MEMBER_ID';
    return memberEpoch === m.epoch ? undefined : 'STALE_MEMBER_EPOCH';
  }

  /** The cluster changed: if topics appeared, grew or went, targets are recomputed. */
  metadataChanged(): void {
    if (this.members.size > 0 && countsKey(this.env.partitionCounts()) !== this.countsSeen) this.bump();
  }

  unload(): void {
    for (const m of this.members.values()) m.session.unsubscribe();
  }

  private join(req: ConsumerGroupHeartbeatRequest, clientId: string): Member | KafkaErrorCode {
    const previous = req.instanceId === undefined ? undefined : [...this.members.values()].find((m) => m.instanceId === req.instanceId);
    if (previous && !previous.away && previous.memberId !== req.memberId) return 'UNRELEASED_INSTANCE_ID';
    const rejoining = this.members.get(req.memberId);
    if (rejoining) this.remove(rejoining);
    if (req.serverAssignor !== undefined && this.members.size === 0) this.assignor = req.serverAssignor as (typeof ASSIGNORS)[number];
    const member: Member = {
      memberId: req.memberId,
      ...(req.instanceId === undefined ? {} : { instanceId: req.instanceId }),
      clientId,
      epoch: 0,
      previousEpoch: -1,
      topics: req.subscribedTopicNames,
      regex: req.subscribedTopicRegex,
      rebalanceTimeoutMs: req.rebalanceTimeoutMs,
      assigned: emptyAssignment,
      owned: emptyAssignment,
      away: false,
      session: Subscription.EMPTY,
    };
    if (previous) {
      // A static member back under a new member id: it takes over the assignment and epoch, no rebalance.
      previous.session.unsubscribe();
      this.members.delete(previous.memberId);
      member.epoch = previous.epoch;
      member.previousEpoch = previous.epoch;
      member.assigned = previous.assigned;
      this.targets.set(member.memberId, this.targets.get(previous.memberId) ?? emptyAssignment);
      this.targets.delete(previous.memberId);
      this.members.set(member.memberId, member);
      return member;
    }
    this.members.set(member.memberId, member);
    this.bump();
    return member;
  }

  private leave(req: ConsumerGroupHeartbeatRequest, reply: Reply<ConsumerGroupHeartbeatResponse>): void {
    const member = this.members.get(req.memberId);
    if (!member) return reply(E.left(protocolError('UNKNOWN_MEMBER_ID', { group: this.groupId, member: req.memberId, api: 'ConsumerGroupHeartbeat' })));
    if (req.memberEpoch === -2 && member.instanceId !== undefined) {
      member.away = true;
      member.owned = emptyAssignment;
    } else {
      this.remove(member);
      this.bump();
    }
    reply(E.right({ memberId: req.memberId, memberEpoch: req.memberEpoch, heartbeatIntervalMs: 0 }));
  }

  private remove(member: Member): void {
    member.session.unsubscribe();
    this.members.delete(member.memberId);
    this.targets.delete(member.memberId);
  }

  /** The session restarts with every heartbeat; when it runs out the member is removed and its partitions move. */
  private keepAlive(member: Member): void {
    member.session.unsubscribe();
    member.session = timer(this.env.sessionTimeoutMs, this.env.scheduler).subscribe(() => {
      if (this.members.get(member.memberId) !== member) return;
      this.remove(member);
      this.bump();
    });
  }

  private resubscribe(member: Member, req: ConsumerGroupHeartbeatRequest): boolean {
    const topics = req.subscribedTopicNames ?? member.topics;
    const regex = req.subscribedTopicRegex ?? member.regex;
    const changed = (topics ?? []).join('\u0000') !== (member.topics ?? []).join('\u0000') || regex !== member.regex;
    member.topics = topics;
    member.regex = regex;
    if (req.rebalanceTimeoutMs >= 0) member.rebalanceTimeoutMs = req.rebalanceTimeoutMs;
    return changed;
  }

  /** A new group epoch: every member's target is recomputed (sticky: from the targets before). */
  private bump(): void {
    this.groupEpoch++;
    const counts = this.env.partitionCounts();
    this.countsSeen = countsKey(counts);
    const all = Object.keys(counts);
    const subscriptions = [...this.members.values()].map((m) => ({
      memberId: m.memberId,
      topics: [...new Set([...(m.topics ?? []).filter((t) => t in counts), ...(m.regex === undefined ? [] : all.filter((t) => new RegExp(`^(?:${m.regex})$`).test(t)))])].sort(),
      current: this.targets.get(m.memberId) ?? emptyAssignment,
    }));
    this.targets =
      this.assignor === 'range'
        ? new Map(range.assign(subscriptions, counts))
        : uniformAssign(subscriptions, counts);
  }

  /**
   * Moves a member towards its target: first it must give up what it may no longer own (its epoch waits); once it
   * owns nothing beyond what it is assigned, it gets what no other member holds, at the group epoch.
   */
  private reconcile(member: Member): void {
    if (member.away) return;
    const target = this.targets.get(member.memberId) ?? emptyAssignment;
    const kept = minus(member.assigned, minus(member.assigned, target));
    if (!sameAssignment(kept, member.assigned)) {
      member.assigned = kept;
      return;
    }
    if (!within(member.owned, member.assigned)) return;
    const heldByOthers = union(...[...this.members.values()].filter((m) => m !== member).flatMap((m) => [m.assigned, m.owned]));
    const free = minus(minus(target, member.assigned), heldByOthers);
    const next = union(member.assigned, free);
    if (!sameAssignment(next, member.assigned) || member.epoch < this.groupEpoch) {
      member.previousEpoch = member.epoch;
      member.epoch = this.groupEpoch;
      member.assigned = next;
    }
  }

  private named(partitions: readonly TopicIdPartitions[] | undefined): Assignment | undefined {
    if (!partitions) return undefined;
    return assignmentOf(partitions.flatMap((t) => {
      const topic = this.env.topicName(t.topicId);
      return topic === undefined ? [] : t.partitions.map((partition) => ({ topic, partition }));
    }));
  }

  private byId(a: Assignment): TopicIdPartitions[] {
    return Object.entries(a).flatMap(([topic, partitions]) => {
      const topicId = this.env.topicId(topic);
      return topicId ? [{ topicId, partitions }] : [];
    });
  }
}
