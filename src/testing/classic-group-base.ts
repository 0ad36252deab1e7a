import * as E from 'fp-ts/Either';
import type { SchedulerLike, Subscription } from 'rxjs';
import { protocolError, type KafkaClientError, type KafkaErrorCode } from '../errors';
import type { JoinGroupMember, JoinGroupResponse, SyncGroupResponse } from '../transport/port';
import { EMPTY_ASSIGNMENT, metadataFor, selectProtocol, toStored, type ClassicMember, type GroupSnapshot } from './classic-member';

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
 * The model of one classic group and the machinery its requests drive, as in Kafka's GroupCoordinator: the
 * join phase (the initial delay, or the rebalance timeout cut short once every member rejoined), the new
 * generation and its protocol vote, the pending-sync timeout, assignment propagation, session timers and member
 * removal. {@link ClassicGroup} adds the request handlers. Every timer runs on the injected scheduler.
 */
export abstract class ClassicGroupBase {
  protected stateValue: ClassicGroupState = 'Empty';
  protected generation = 0;
  protected protocolTypeValue: string | undefined;
  protected protocolNameValue: string | undefined;
  protected leader: string | undefined;
  // Insertion order is join order: the leader's member list and leader re-election follow it.
  protected readonly members = new Map<string, ClassicMember>();
  protected readonly staticMembers = new Map<string, string>();
  // Members that got MEMBER_ID_REQUIRED and have not joined yet: they hold the join phase open.
  protected readonly pendingMembers = new Map<string, Subscription>();
  protected readonly pendingSync = new Set<string>();
  protected joinPhase: JoinPhase | undefined;
  protected syncTimer: Subscription | undefined;
  // A member joined during the initial delay: the delay is extended (Kafka's InitialDelayedJoin).
  protected newMemberAdded = false;

  constructor(
    readonly groupId: string,
    protected readonly env: ClassicGroupEnv,
  ) {}

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
  // rebalancing

  protected maybePrepareRebalance(): void {
    if (this.stateValue === 'Stable' || this.stateValue === 'CompletingRebalance' || this.stateValue === 'Empty') this.prepareRebalance();
  }

  protected prepareRebalance(): void {
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

  protected scheduleDelayedJoin(delay: number): void {
    const timer = this.env.scheduler.schedule(() => {
      this.joinPhase = undefined;
      this.completeJoin();
    }, delay);
    this.joinPhase = { kind: 'delayed', timer };
  }

  protected scheduleInitialJoin(delay: number, remaining: number): void {
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
  protected tryCompleteJoin(): void {
    if (this.stateValue !== 'PreparingRebalance' || this.joinPhase?.kind !== 'delayed') return;
    const allJoined = this.pendingMembers.size === 0 && this.allMembers().every((m) => m.awaitingJoin !== undefined);
    if (!allJoined) return;
    this.joinPhase.timer.unsubscribe();
    this.joinPhase = undefined;
    this.completeJoin();
  }

  protected completeJoin(): void {
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

  protected electJoinedLeader(): boolean {
    const current = this.leader === undefined ? undefined : this.members.get(this.leader);
    if (!current) return false;
    if (current.awaitingJoin) return true;
    const joined = this.allMembers().find((m) => m.awaitingJoin !== undefined);
    if (joined) this.leader = joined.memberId;
    return joined !== undefined;
  }

  /** Members that got their JoinGroup response but sent no SyncGroup within the rebalance timeout are removed. */
  protected expirePendingSync(): void {
    this.syncTimer = undefined;
    if ((this.stateValue !== 'CompletingRebalance' && this.stateValue !== 'Stable') || this.pendingSync.size === 0) return;
    for (const id of [...this.pendingSync]) {
      const m = this.members.get(id);
      if (m) this.removeMember(m);
    }
    this.prepareRebalance();
  }

  protected removePendingSync(memberId: string): void {
    this.pendingSync.delete(memberId);
    if (this.pendingSync.size > 0) return;
    this.syncTimer?.unsubscribe();
    this.syncTimer = undefined;
  }

  protected propagateAssignment(error?: KafkaErrorCode): void {
    for (const m of this.members.values()) {
      if (!m.awaitingSync) continue;
      this.invokeSync(m, error ? E.left(this.error(error, 'SyncGroup', m.memberId)) : E.right({ assignment: m.assignment }));
      this.armSession(m, m.sessionTimeoutMs);
    }
  }

  // ------------------------------------------------------------------------------------------------------------
  // members and sessions

  protected armSession(member: ClassicMember, timeoutMs: number): void {
    member.session?.unsubscribe();
    member.session = this.env.scheduler.schedule(() => {
      member.session = undefined;
      if (this.members.get(member.memberId) !== member || this.stateValue === 'Dead') return;
      // Members parked in a rebalance need no heartbeat (new members excepted: they expire while joining).
      if (!member.isNew && (member.awaitingJoin || member.awaitingSync)) return;
      this.removeMemberAndUpdateGroup(member);
    }, timeoutMs);
  }

  protected removeMemberAndUpdateGroup(member: ClassicMember): void {
    const unknown = () => E.left(this.error('UNKNOWN_MEMBER_ID', 'JoinGroup', member.memberId));
    this.invokeJoin(member, unknown());
    this.invokeSync(member, unknown());
    this.removeMember(member);
    if (this.stateValue === 'Stable' || this.stateValue === 'CompletingRebalance') this.maybePrepareRebalance();
    else if (this.stateValue === 'PreparingRebalance') this.tryCompleteJoin();
  }

  protected removeMember(member: ClassicMember): void {
    member.session?.unsubscribe();
    this.members.delete(member.memberId);
    if (member.groupInstanceId !== undefined && this.staticMembers.get(member.groupInstanceId) === member.memberId) {
      this.staticMembers.delete(member.groupInstanceId);
    }
    if (this.leader === member.memberId) this.leader = this.members.keys().next().value;
    this.pendingSync.delete(member.memberId);
  }

  protected removePendingMember(memberId: string): void {
    this.pendingMembers.get(memberId)?.unsubscribe();
    this.pendingMembers.delete(memberId);
    this.tryCompleteJoin();
  }

  /** Kafka's `validateCurrentMember`: a static member's instance id must map to this member id. */
  protected lookup(memberId: string, groupInstanceId: string | undefined): E.Either<KafkaErrorCode, ClassicMember> {
    if (groupInstanceId !== undefined) {
      const current = this.staticMembers.get(groupInstanceId);
      if (current === undefined) return E.left('UNKNOWN_MEMBER_ID');
      if (current !== memberId) return E.left('FENCED_INSTANCE_ID');
    }
    const member = this.members.get(memberId);
    return member ? E.right(member) : E.left('UNKNOWN_MEMBER_ID');
  }

  protected rebalanceTimeoutMs(): number {
    return this.allMembers().reduce((max, m) => Math.max(max, m.rebalanceTimeoutMs), 0);
  }

  protected isLeader(memberId: string): boolean {
    return this.leader === memberId;
  }

  protected joinResult(member: ClassicMember, withMembers: boolean): JoinGroupResponse {
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

  protected invokeJoin(member: ClassicMember, result: E.Either<KafkaClientError, JoinGroupResponse>): void {
    const reply = member.awaitingJoin;
    member.awaitingJoin = undefined;
    reply?.(result);
  }

  protected invokeSync(member: ClassicMember, result: E.Either<KafkaClientError, SyncGroupResponse>): void {
    const reply = member.awaitingSync;
    member.awaitingSync = undefined;
    reply?.(result);
  }

  protected persist(): void {
    this.env.persist({
      generationId: this.generation,
      protocolType: this.protocolTypeValue,
      protocolName: this.protocolNameValue,
      leaderId: this.leader,
      members: this.allMembers().map((m) => toStored(m, this.protocolNameValue)),
    });
  }

  protected error(code: KafkaErrorCode, api: string, member: string, generation?: number): KafkaClientError {
    return protocolError(code, { group: this.groupId, member, generation, api });
  }
}
