import * as E from 'fp-ts/Either';
import { protocolError, type KafkaErrorCode } from '../errors';
import type { HeartbeatRequest, JoinGroupRequest, JoinGroupResponse, LeaveGroupRequest, SyncGroupRequest, SyncGroupResponse } from '../transport/port';
import { ClassicGroupBase, type ClassicGroupEnv } from './classic-group-base';
import { EMPTY_ASSIGNMENT, fromStored, sameProtocols, selectProtocol, type ClassicMember, type GroupSnapshot } from './classic-member';
import type { Reply } from './reply';

export type { ClassicGroupEnv, ClassicGroupState, GroupCoordinatorConfig } from './classic-group-base';

/**
 * One classic consumer group, as Kafka's GroupCoordinator runs it: Empty → PreparingRebalance (JoinGroups are
 * parked until every known member rejoined, or the rebalance timeout removed the others) → CompletingRebalance
 * (the leader got the members' metadata; SyncGroups wait for its assignment) → Stable; Dead once unloaded.
 * This class holds the request handlers (JoinGroup with MEMBER_ID_REQUIRED and static membership, SyncGroup,
 * Heartbeat, LeaveGroup, commit validation, unloading); {@link ClassicGroupBase} the rebalance machinery and
 * sessions. Answers go through {@link Reply} callbacks.
 */
export class ClassicGroup extends ClassicGroupBase {
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

  private supportsProtocols(req: JoinGroupRequest): boolean {
    if (this.stateValue === 'Empty') return req.protocolType !== '' && req.protocols.length > 0;
    const all = this.allMembers();
    return (
      this.protocolTypeValue === req.protocolType &&
      req.protocols.some((p) => all.every((m) => m.protocols.some((q) => q.name === p.name)))
    );
  }
}
