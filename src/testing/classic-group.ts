import * as E from 'fp-ts/Either';
import type { SchedulerLike, Subscription } from 'rxjs';
import { protocolError, type KafkaClientError, type KafkaErrorCode } from '../errors';
import type { HeartbeatRequest, JoinGroupMember, JoinGroupRequest, JoinGroupResponse, LeaveGroupRequest, SyncGroupRequest, SyncGroupResponse } from '../transport/port';
import {
  EMPTY_ASSIGNMENT,
  fromStored,
  metadataFor,
  sameProtocols,
  selectProtocol,
  toStored,
  type ClassicMember,
  type GroupSnapshot,
} from './classic-member';
import type { Reply } from './reply';

/** The states of a classic group, named as Kafka's DescribeGroups names them. */
export type ClassicGroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead';

/** Broker settings of the group coordinator (Kafka's `group.*` configs). */
export interface GroupCoordinatorConfig {
  /** `group.initial.rebalance.delay.ms`. Kafka defaults to 3000; this broker to 0, like the design's test broker. */
  readonly initialRebalanceDelayMs: number;
  /** `group.min.session.timeout.ms` (Kafka: 6000). */
  readonly minSessionTimeoutMs: number;
  /** `group.max.session.timeout.ms` (Kafka: 1800000). */
  readonly maxSessionTimeoutMs: number;
  /** How long a new member's first JoinGroup may stay parked before the member is dropped (Kafka: 5 minutes). */
  readonly newMemberJoinTimeoutMs: number;
  /** JoinGroup v4+: a dynamic member joining without a member id gets MEMBER_ID_REQUIRED and a new id (default). */
  readonly requireKnownMemberId: boolean;
}

export interface ClassicGroupEnv {
  readonly scheduler: SchedulerLike;
  readonly config: GroupCoordinatorConfig;
  /** A fresh member id starting with `prefix` (the client id, or the group instance id of a static member). */
  newMemberId(prefix: string): string;
  /** Called where Kafka writes the group to `__consumer_offsets`: a new coordinator loads the last snapshot. */
  persist(snapshot: GroupSnapshot): void;
}

type JoinPhase = { readonly kind: 'initial' | 'delayed'; readonly timer: Subscription };

/**
 * One classic consumer group, as Kafka's GroupCoordinator runs it: Empty → PreparingRebalance (JoinGroups are
 * parked until every known member rejoined, or the rebalance timeout removed the others) → CompletingRebalance
 * (the leader got the members' metadata; SyncGroups wait for its assignment) → Stable; Dead once unloaded.
 * Session timers, the initial rebalance delay, the pending-sync timeout and static membership follow the
 * broker; every timer runs on the injected scheduler. Answers go through {@link Reply} callbacks.
 */
export class ClassicGroup {
  private stateValue: ClassicGroupState = 'Empty';
  private generation = 0;
  private protocolTypeValue: string | undefined;
  private protocolNameValue: string | undefined;
  private leader: string | undefined;
  // Insertion order is join order: the leader's member list and leader re-election follow it.
  private readonly members = new Map<string, ClassicMember>();
  private readonly staticMembers = new Map<string, string>();
  // Members that got MEMBER_ID_REQUIRED and have not joined yet: they hold the join phase open.
  private readonly pendingMembers = new Map<string, Subscription>();
  private readonly pendingSync = new Set<string>();
  private joinPhase: JoinPhase | undefined;
  private syncTimer: Subscription | undefined;
  // A member joined during the initial delay: the delay is extended (Kafka's InitialDelayedJoin).
  private newMemberAdded = false;

  constructor(
    readonly groupId: string,
    private readonly env: ClassicGroupEnv,
  ) {}

  /** A group loaded by a new coordinator: Stable with the stored members (Empty without), sessions running. */
  static load(groupId: string, env: ClassicGroupEnv, snapshot: GroupSnapshot): ClassicGroup {
    const group = new ClassicGroup(groupId, env);
    group.generation = snapshot.generationId;
    group.protocolTypeValue = snapshot.protocolType;
    group.protocolNameValue = snapshot.protocolName;
    group.leader = snapshot.leaderId;
    for (const stored of snapshot.members) {
      const member = fromStored(stored);
      group.members.set(member.memberId, member);
      if (member.groupInstanceId !== undefined) group.staticMembers.set(member.groupInstanceId, member.memberId);
      group.armSession(member, member.sessionTimeoutMs);
    }
    group.stateValue = group.members.size > 0 ? 'Stable' : 'Empty';
    return group;
  }

  get state(): ClassicGroupState {
    return this.stateValue;
  }
  get generationId(): number {
    return this.generation;
  }
  get protocolType(): string | undefined {
    return this.protocolTypeValue;
  }
  get protocolName(): string | undefined {
    return this.protocolNameValue;
  }
  get leaderId(): string | undefined {
    return this.leader;
  }
  get pendingMemberIds(): readonly string[] {
    return [...this.pendingMembers.keys()];
  }
  allMembers(): readonly ClassicMember[] {
    return [...this.members.values()];
  }

  // ------------------------------------------------------------------------------------------------------------
  // requests

  join(req: JoinGroupRequest, clientId: string, reply: Reply<JoinGroupResponse>): void {
    const fail = (code: KafkaErrorCode) => reply(E.left(this.error(code, 'JoinGroup', req.memberId)));
    const { minSessionTimeoutMs, maxSessionTimeoutMs } = this.env.config;
    if (req.sessionTimeoutMs < minSessionTimeoutMs || req.sessionTimeoutMs > maxSessionTimeoutMs) return fail('INVALID_SESSION_TIMEOUT');
    if (this.stateValue === 'Dead') return fail('COORDINATOR_NOT_AVAILABLE');
    if (!this.supportsProtocols(req)) return fail('INCONSISTENT_GROUP_PROTOCOL');
    if (req.memberId === '') this.joinNewMember(req, clientId, reply);
    else this.joinKnownMember(req, clientId, reply, fail);
    if (this.stateValue === 'PreparingRebalance') this.tryCompleteJoin();
  }

  sync(req: SyncGroupRequest, reply: Reply<SyncGroupResponse>): void {
    const fail = (code: KafkaErrorCode) => reply(E.left(this.error(code, 'SyncGroup', req.memberId, req.generationId)));
    if (this.stateValue === 'Dead') return fail('COORDINATOR_NOT_AVAILABLE');
    const found = this.lookup(req.memberId, req.groupInstanceId);
    if (E.isLeft(found)) return fail(found.left);
    const member = found.right;
    if (req.generationId !== this.generation) return fail('ILLEGAL_GENERATION');
    switch (this.stateValue) {
      case 'PreparingRebalance':
        return fail('REBALANCE_IN_PROGRESS');
      case 'CompletingRebalance': {
        member.awaitingSync = reply;
        this.removePendingSync(member.memberId);
        if (this.isLeader(member.memberId)) {
          const assignments = new Map(req.assignments.map((a) => [a.memberId, a.assignment]));
          for (const m of this.members.values()) m.assignment = assignments.get(m.memberId) ?? EMPTY_ASSIGNMENT;
          this.persist();
          this.propagateAssignment();
          this.stateValue = 'Stable';
        }
        return;
      }
      case 'Stable':
        this.removePendingSync(member.memberId);
        reply(E.right({ assignment: member.assignment }));
        return this.armSession(member, member.sessionTimeoutMs);
      default:
        return fail('UNKNOWN_MEMBER_ID');
    }
  }

  heartbeat(req: HeartbeatRequest, reply: Reply<void>): void {
    const fail = (code: KafkaErrorCode) => reply(E.left(this.error(code, 'Heartbeat', req.memberId, req.generationId)));
    if (this.stateValue === 'Dead') return fail('COORDINATOR_NOT_AVAILABLE');
    const found = this.lookup(req.memberId, req.groupInstanceId);
    if (E.isLeft(found)) return fail(found.left);
    if (req.generationId !== this.generation) return fail('ILLEGAL_GENERATION');
    if (this.stateValue === 'Empty') return fail('UNKNOWN_MEMBER_ID');
    this.armSession(found.right, found.right.sessionTimeoutMs);
    if (this.stateValue === 'PreparingRebalance') return fail('REBALANCE_IN_PROGRESS');
    reply(E.right(undefined));
  }

  /** LeaveGroup; an empty member id with a group instance id removes that static member (the admin path). */
  leave(req: LeaveGroupRequest, reply: Reply<void>): void {
    const fail = (code: KafkaErrorCode) => reply(E.left(this.error(code, 'LeaveGroup', req.memberId)));
    if (this.stateValue === 'Dead') return fail('COORDINATOR_NOT_AVAILABLE');
    if (req.memberId === '') {
      const current = req.groupInstanceId === undefined ? undefined : this.staticMembers.get(req.groupInstanceId);
      const member = current === undefined ? undefined : this.members.get(current);
      if (!member) return fail('UNKNOWN_MEMBER_ID');
      this.removeMemberAndUpdateGroup(member);
      return reply(E.right(undefined));
    }
    if (this.pendingMembers.has(req.memberId)) {
      this.removePendingMember(req.memberId);
      return reply(E.right(undefined));
    }
    const found = this.lookup(req.memberId, req.groupInstanceId);
    if (E.isLeft(found)) return fail(found.left);
    this.removeMemberAndUpdateGroup(found.right);
    reply(E.right(undefined));
  }

  /**
   * Kafka's `validateOffsetCommit`: generation -1 with no member is a simple commit, allowed only while Empty;
   * otherwise member and generation must be current, and CompletingRebalance answers REBALANCE_IN_PROGRESS. A
   * valid commit from a member counts as a heartbeat.
   */
  validateCommit(memberId: string, groupInstanceId: string | undefined, generationId: number): KafkaErrorCode | undefined {
    if (this.stateValue === 'Dead') return 'COORDINATOR_NOT_AVAILABLE';
    if (generationId < 0 && this.stateValue === 'Empty') return undefined;
    let member: ClassicMember | undefined;
    if (generationId >= 0 || memberId !== '' || groupInstanceId !== undefined) {
      const found = this.lookup(memberId, groupInstanceId);
      if (E.isLeft(found)) return found.left;
      if (generationId !== this.generation) return 'ILLEGAL_GENERATION';
      member = found.right;
    } else if (this.stateValue !== 'Empty') return 'UNKNOWN_MEMBER_ID';
    if (this.stateValue === 'CompletingRebalance') return 'REBALANCE_IN_PROGRESS';
    if (member) this.armSession(member, member.sessionTimeoutMs);
    return undefined;
  }

  /** The coordinator moved away: Dead; parked JoinGroups or SyncGroups are answered NOT_COORDINATOR. */
  unload(): void {
    const previous = this.stateValue;
    this.stateValue = 'Dead';
    this.joinPhase?.timer.unsubscribe();
    this.syncTimer?.unsubscribe();
    for (const timer of this.pendingMembers.values()) timer.unsubscribe();
    for (const member of this.members.values()) {
      member.session?.unsubscribe();
      const error = E.left(this.error('NOT_COORDINATOR', previous === 'PreparingRebalance' ? 'JoinGroup' : 'SyncGroup', member.memberId));
      if (previous === 'PreparingRebalance') this.invokeJoin(member, error);
      else this.invokeSync(member, error);
    }
  }

  // ------------------------------------------------------------------------------------------------------------
  // joining

  private joinNewMember(req: JoinGroupRequest, clientId: string, reply: Reply<JoinGroupResponse>): void {
    const instanceId = req.groupInstanceId;
    const memberId = this.env.newMemberId(instanceId ?? clientId);
    if (instanceId !== undefined) {
      const old = this.staticMembers.get(instanceId);
      return old === undefined ? this.addMemberAndRebalance(req, clientId, memberId, reply) : this.replaceStaticMember(req, old, memberId, reply);
    }
    if (!this.env.config.requireKnownMemberId) return this.addMemberAndRebalance(req, clientId, memberId, reply);
    this.pendingMembers.set(memberId, this.env.scheduler.schedule(() => this.removePendingMember(memberId), req.sessionTimeoutMs));
    reply(E.left(protocolError('MEMBER_ID_REQUIRED', { group: this.groupId, member: memberId, api: 'JoinGroup' }, { memberId })));
  }

  private joinKnownMember(req: JoinGroupRequest, clientId: string, reply: Reply<JoinGroupResponse>, fail: (code: KafkaErrorCode) => void): void {
    if (this.pendingMembers.has(req.memberId)) {
      // A static member never gets MEMBER_ID_REQUIRED, so a pending id with an instance id is a confused client.
      return req.groupInstanceId === undefined ? this.addMemberAndRebalance(req, clientId, req.memberId, reply) : fail('UNKNOWN_MEMBER_ID');
    }
    const found = this.lookup(req.memberId, req.groupInstanceId);
    if (E.isLeft(found)) return fail(found.left);
    const member = found.right;
    const unchanged = sameProtocols(member.protocols, req.protocols);
    switch (this.stateValue) {
      case 'PreparingRebalance':
        return this.updateMemberAndRebalance(member, req, reply);
      case 'CompletingRebalance':
        // Same metadata: the member lost the JoinGroup response; answer it again.
        if (unchanged) return reply(E.right(this.joinResult(member, this.isLeader(member.memberId))));
        return this.updateMemberAndRebalance(member, req, reply);
      case 'Stable':
        // A follower with unchanged metadata just gets the current generation; the leader always rebalances.
        if (unchanged && !this.isLeader(member.memberId)) return reply(E.right(this.joinResult(member, false)));
        return this.updateMemberAndRebalance(member, req, reply);
      default:
        return fail('UNKNOWN_MEMBER_ID');
    }
  }

  private addMemberAndRebalance(req: JoinGroupRequest, clientId: string, memberId: string, reply: Reply<JoinGroupResponse>): void {
    this.pendingMembers.get(memberId)?.unsubscribe();
    this.pendingMembers.delete(memberId);
    const member: ClassicMember = {
      memberId,
      groupInstanceId: req.groupInstanceId,
      clientId,
      sessionTimeoutMs: req.sessionTimeoutMs,
      rebalanceTimeoutMs: req.rebalanceTimeoutMs,
      protocols: req.protocols,
      assignment: EMPTY_ASSIGNMENT,
      awaitingJoin: reply,
      awaitingSync: undefined,
      isNew: true,
      session: undefined,
    };
    if (this.stateValue === 'PreparingRebalance' && this.generation === 0) this.newMemberAdded = true;
    if (this.members.size === 0) this.protocolTypeValue = req.protocolType;
    this.members.set(memberId, member);
    if (member.groupInstanceId !== undefined) this.staticMembers.set(member.groupInstanceId, memberId);
    this.leader ??= memberId;
    this.armSession(member, this.env.config.newMemberJoinTimeoutMs);
    this.maybePrepareRebalance();
  }

  /**
   * A known static member joined with a new member id: the old id is fenced (its parked requests answered
   * FENCED_INSTANCE_ID). In Stable, if the group would keep its protocol, the member gets the current generation
   * with the old leader id and no rebalance happens; otherwise, and in CompletingRebalance, the group rebalances.
   */
  private replaceStaticMember(req: JoinGroupRequest, oldMemberId: string, newMemberId: string, reply: Reply<JoinGroupResponse>): void {
    const member = this.members.get(oldMemberId);
    if (!member) return;
    const currentLeader = this.leader;
    const fenced = () => E.left(this.error('FENCED_INSTANCE_ID', 'JoinGroup', oldMemberId));
    this.invokeJoin(member, fenced());
    this.invokeSync(member, fenced());
    this.members.delete(oldMemberId);
    member.memberId = newMemberId;
    this.members.set(newMemberId, member);
    if (member.groupInstanceId !== undefined) this.staticMembers.set(member.groupInstanceId, newMemberId);
    if (this.leader === oldMemberId) this.leader = newMemberId;
    if (this.pendingSync.delete(oldMemberId)) this.pendingSync.add(newMemberId);
    this.armSession(member, member.sessionTimeoutMs);
    this.updateMember(member, req, reply);
    if (this.stateValue === 'Stable') {
      if (selectProtocol(this.allMembers()) !== this.protocolNameValue) return this.maybePrepareRebalance();
      this.persist();
      this.invokeJoin(member, E.right({ ...this.joinResult(member, false), leaderId: currentLeader ?? '' }));
    } else if (this.stateValue === 'CompletingRebalance') this.prepareRebalance();
  }

  private updateMember(member: ClassicMember, req: JoinGroupRequest, reply: Reply<JoinGroupResponse>): void {
    member.protocols = req.protocols;
    member.sessionTimeoutMs = req.sessionTimeoutMs;
    member.rebalanceTimeoutMs = req.rebalanceTimeoutMs;
    member.awaitingJoin = reply;
  }

  private updateMemberAndRebalance(member: ClassicMember, req: JoinGroupRequest, reply: Reply<JoinGroupResponse>): void {
    this.updateMember(member, req, reply);
    this.maybePrepareRebalance();
  }

  // ------------------------------------------------------------------------------------------------------------
  // rebalancing

  private maybePrepareRebalance(): void {
    if (this.stateValue === 'Stable' || this.stateValue === 'CompletingRebalance' || this.stateValue === 'Empty') this.prepareRebalance();
  }

  private prepareRebalance(): void {
    if (this.stateValue === 'CompletingRebalance') {
      for (const m of this.members.values()) m.assignment = EMPTY_ASSIGNMENT;
      this.propagateAssignment('REBALANCE_IN_PROGRESS');
    }
    this.syncTimer?.unsubscribe();
    this.syncTimer = undefined;
    this.joinPhase?.timer.unsubscribe();
    const wasEmpty = this.stateValue === 'Empty';
    this.stateValue = 'PreparingRebalance';
    const rebalanceTimeout = this.rebalanceTimeoutMs();
    if (wasEmpty) {
      const delay = this.env.config.initialRebalanceDelayMs;
      this.scheduleInitialJoin(delay, Math.max(rebalanceTimeout - delay, 0));
    } else {
      this.scheduleDelayedJoin(rebalanceTimeout);
      this.tryCompleteJoin();
    }
  }

  private scheduleDelayedJoin(delay: number): void {
    const timer = this.env.scheduler.schedule(() => {
      this.joinPhase = undefined;
      this.completeJoin();
    }, delay);
    this.joinPhase = { kind: 'delayed', timer };
  }

  private scheduleInitialJoin(delay: number, remaining: number): void {
    const timer = this.env.scheduler.schedule(() => {
      this.joinPhase = undefined;
      if (this.newMemberAdded && remaining > 0) {
        this.newMemberAdded = false;
        const next = Math.min(this.env.config.initialRebalanceDelayMs, remaining);
        this.scheduleInitialJoin(next, remaining - next);
      } else this.completeJoin();
    }, delay);
    this.joinPhase = { kind: 'initial', timer };
  }

  /** Completes the join phase early once every member has rejoined and no member id is pending. */
  private tryCompleteJoin(): void {
    if (this.stateValue !== 'PreparingRebalance' || this.joinPhase?.kind !== 'delayed') return;
    const allJoined = this.pendingMembers.size === 0 && this.allMembers().every((m) => m.awaitingJoin !== undefined);
    if (!allJoined) return;
    this.joinPhase.timer.unsubscribe();
    this.joinPhase = undefined;
    this.completeJoin();
  }

  private completeJoin(): void {
    for (const m of this.allMembers()) if (!m.awaitingJoin && m.groupInstanceId === undefined) this.removeMember(m);
    if (this.stateValue === 'Dead') return;
    if (!this.electJoinedLeader() && this.members.size > 0) return this.scheduleDelayedJoin(this.rebalanceTimeoutMs());
    this.generation += 1;
    this.pendingSync.clear();
    this.protocolNameValue = this.members.size > 0 ? selectProtocol(this.allMembers()) : undefined;
    if (this.members.size === 0) {
      this.stateValue = 'Empty';
      return this.persist();
    }
    this.stateValue = 'CompletingRebalance';
    for (const m of this.members.values()) {
      this.invokeJoin(m, E.right(this.joinResult(m, this.isLeader(m.memberId))));
      this.armSession(m, m.sessionTimeoutMs);
      m.isNew = false;
      this.pendingSync.add(m.memberId);
    }
    this.syncTimer = this.env.scheduler.schedule(() => this.expirePendingSync(), this.rebalanceTimeoutMs());
  }

  private electJoinedLeader(): boolean {
    const current = this.leader === undefined ? undefined : this.members.get(this.leader);
    if (!current) return false;
    if (current.awaitingJoin) return true;
    const joined = this.allMembers().find((m) => m.awaitingJoin !== undefined);
    if (joined) this.leader = joined.memberId;
    return joined !== undefined;
  }

  /** Members that got their JoinGroup response but sent no SyncGroup within the rebalance timeout are removed. */
  private expirePendingSync(): void {
    this.syncTimer = undefined;
    if ((this.stateValue !== 'CompletingRebalance' && this.stateValue !== 'Stable') || this.pendingSync.size === 0) return;
    for (const id of [...this.pendingSync]) {
      const m = this.members.get(id);
      if (m) this.removeMember(m);
    }
    this.prepareRebalance();
  }

  private removePendingSync(memberId: string): void {
    this.pendingSync.delete(memberId);
    if (this.pendingSync.size > 0) return;
    this.syncTimer?.unsubscribe();
    this.syncTimer = undefined;
  }

  private propagateAssignment(error?: KafkaErrorCode): void {
    for (const m of this.members.values()) {
      if (!m.awaitingSync) continue;
      this.invokeSync(m, error ? E.left(this.error(error, 'SyncGroup', m.memberId)) : E.right({ assignment: m.assignment }));
      this.armSession(m, m.sessionTimeoutMs);
    }
  }

  // ------------------------------------------------------------------------------------------------------------
  // members and sessions

  private armSession(member: ClassicMember, timeoutMs: number): void {
    member.session?.unsubscribe();
    member.session = this.env.scheduler.schedule(() => {
      member.session = undefined;
      if (this.members.get(member.memberId) !== member || this.stateValue === 'Dead') return;
      // Members parked in a rebalance need no heartbeat (new members excepted: they expire while joining).
      if (!member.isNew && (member.awaitingJoin || member.awaitingSync)) return;
      this.removeMemberAndUpdateGroup(member);
    }, timeoutMs);
  }

  private removeMemberAndUpdateGroup(member: ClassicMember): void {
    const unknown = () => E.left(this.error('UNKNOWN_MEMBER_ID', 'JoinGroup', member.memberId));
    this.invokeJoin(member, unknown());
    this.invokeSync(member, unknown());
    this.removeMember(member);
    if (this.stateValue === 'Stable' || this.stateValue === 'CompletingRebalance') this.maybePrepareRebalance();
    else if (this.stateValue === 'PreparingRebalance') this.tryCompleteJoin();
  }

  private removeMember(member: ClassicMember): void {
    member.session?.unsubscribe();
    this.members.delete(member.memberId);
    if (member.groupInstanceId !== undefined && this.staticMembers.get(member.groupInstanceId) === member.memberId) {
      this.staticMembers.delete(member.groupInstanceId);
    }
    if (this.leader === member.memberId) this.leader = this.members.keys().next().value;
    this.pendingSync.delete(member.memberId);
  }

  private removePendingMember(memberId: string): void {
    this.pendingMembers.get(memberId)?.unsubscribe();
    this.pendingMembers.delete(memberId);
    this.tryCompleteJoin();
  }

  /** Kafka's `validateCurrentMember`: a static member's instance id must map to this member id. */
  private lookup(memberId: string, groupInstanceId: string | undefined): E.Either<KafkaErrorCode, ClassicMember> {
    if (groupInstanceId !== undefined) {
      const current = this.staticMembers.get(groupInstanceId);
      if (current === undefined) return E.left('UNKNOWN_MEMBER_ID');
      if (current !== memberId) return E.left('FENCED_INSTANCE_ID');
    }
    const member = this.members.get(memberId);
    return member ? E.right(member) : E.left('UNKNOWN_MEMBER_ID');
  }

  private supportsProtocols(req: JoinGroupRequest): boolean {
    if (this.stateValue === 'Empty') return req.protocolType !== '' && req.protocols.length > 0;
    const all = this.allMembers();
    return (
      this.protocolTypeValue === req.protocolType &&
      req.protocols.some((p) => all.every((m) => m.protocols.some((q) => q.name === p.name)))
    );
  }

  private rebalanceTimeoutMs(): number {
    return this.allMembers().reduce((max, m) => Math.max(max, m.rebalanceTimeoutMs), 0);
  }

  private isLeader(memberId: string): boolean {
    return this.leader === memberId;
  }

  private joinResult(member: ClassicMember, withMembers: boolean): JoinGroupResponse {
    const members: JoinGroupMember[] = withMembers
      ? this.allMembers().map((m) => ({
          memberId: m.memberId,
          ...(m.groupInstanceId === undefined ? {} : { groupInstanceId: m.groupInstanceId }),
          metadata: metadataFor(m, this.protocolNameValue),
        }))
      : [];
    return {
      generationId: this.generation,
      protocolName: this.protocolNameValue ?? '',
      leaderId: this.leader ?? '',
      memberId: member.memberId,
      members,
    };
  }

  private invokeJoin(member: ClassicMember, result: E.Either<KafkaClientError, JoinGroupResponse>): void {
    const reply = member.awaitingJoin;
    member.awaitingJoin = undefined;
    reply?.(result);
  }

  private invokeSync(member: ClassicMember, result: E.Either<KafkaClientError, SyncGroupResponse>): void {
    const reply = member.awaitingSync;
    member.awaitingSync = undefined;
    reply?.(result);
  }

  private persist(): void {
    this.env.persist({
      generationId: this.generation,
      protocolType: this.protocolTypeValue,
      protocolName: this.protocolNameValue,
      leaderId: this.leader,
      members: this.allMembers().map((m) => toStored(m, this.protocolNameValue)),
    });
  }

  private error(code: KafkaErrorCode, api: string, member: string, generation?: number): KafkaClientError {
    return protocolError(code, { group: this.groupId, member, generation, api });
  }
}
