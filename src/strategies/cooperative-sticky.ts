/**
 * `cooperativeSticky()`: Java's org.apache.kafka.clients.consumer.CooperativeStickyAssignor. The sticky
 * assignment, computed from the partitions each member says it owns (the subscription's owned partitions and
 * generation), minus every partition that would move from a member that still owns it: those are assigned to
 * nobody this round, the owner revokes them, and the follow-up rebalance hands them over, so a partition is never
 * owned by two members at once (KIP-429). The user data carries the generation, for subscriptions older than v2.
 * Interchangeable with Java members using `cooperative-sticky`. A factory: one instance per member.
 */
import { assignSticky } from './sticky/assign-sticky';
import { JavaHashMap } from './sticky/java-hash-map';
import { cooperativeMemberData, DEFAULT_GENERATION, encodeCooperativeUserData, ownedPartitionsOf } from './sticky/member-data';
import { stickyPlan } from './sticky/to-plan';
import { hashOfTopicPartition, removeFirst, type TopicPartition } from './sticky/topic-partition';
import type { AssignmentStrategy, MemberSubscription, PartitionCounts } from './strategy';

export const COOPERATIVE_STICKY = 'cooperative-sticky';

const assignCooperative = (members: readonly MemberSubscription[], partitionCounts: PartitionCounts) => {
  const run = assignSticky(members, partitionCounts, cooperativeMemberData);
  const transferring = run.partitionsTransferringOwnership ?? partitionsTransferringOwnership(run);
  for (const [tp, member] of transferring.entries()) removeFirst(run.assignment.get(member) ?? [], tp);
  return stickyPlan(members, run.assignment);
};

/** CooperativeStickyAssignor.computePartitionsTransferringOwnership: added to one member, revoked from another. */
const partitionsTransferringOwnership = (run: ReturnType<typeof assignSticky>): JavaHashMap<TopicPartition, string> => {
  const added = new JavaHashMap<TopicPartition, string>(hashOfTopicPartition);
  const revoked = new Set<TopicPartition>();
  for (const [member, assigned] of run.assignment.entries()) {
    const subscription = run.subscriptions.get(member);
    const owned = subscription ? ownedPartitionsOf(subscription).map(({ topic, partition }) => run.pool.of(topic, partition)) : [];
    for (const tp of assigned) if (!owned.includes(tp)) added.set(tp, member);
    for (const tp of owned) if (!assigned.includes(tp)) revoked.add(tp);
  }
  for (const tp of added.keys()) if (!revoked.has(tp)) added.delete(tp);
  return added;
};

export const cooperativeSticky = (): AssignmentStrategy => {
  let generation = DEFAULT_GENERATION;
  return {
    name: COOPERATIVE_STICKY,
    supportedProtocols: ['cooperative', 'eager'],
    assign: assignCooperative,
    userData: () => encodeCooperativeUserData(generation),
    onAssignment: (_assigned, generationId) => {
      generation = generationId;
    },
  };
};
