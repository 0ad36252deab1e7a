/**
 * Java's AbstractStickyAssignor.ConstrainedAssignmentBuilder (no racks): the sticky algorithm when every member
 * subscribes to the same topics. Each member keeps up to its quota of what it owned (minQuota = floor(total /
 * members), and maxQuota = ceil for the first `total % members` members that own enough, in Java's HashMap order);
 * the partitions left over go round-robin to the members still under quota, sorted by member id. A partition that
 * leaves a member that still owned it, or that two members claimed in the same generation, is recorded as
 * transferring ownership (the cooperative assignor withholds those for one rebalance).
 */
import { javaStringHash, JavaHashMap } from './java-hash-map';
import { compareJavaStrings, hashOfTopicPartition, removeFirst, TopicPartition, TopicPartitionPool, unassignedByTwoPointers } from './topic-partition';

export interface ConstrainedInput {
  readonly pool: TopicPartitionPool;
  /** Topic -> partition count, for topics with at least one partition (Java's partitionsPerTopic). */
  readonly partitionsPerTopic: JavaHashMap<string, number>;
  /** Member -> the owned partitions it may keep (Java's consumerToOwnedPartitions). */
  readonly currentAssignment: JavaHashMap<string, TopicPartition[]>;
  readonly partitionsWithMultiplePreviousOwners: JavaHashMap<TopicPartition, true>;
}

export interface StickyOutcome {
  readonly assignment: JavaHashMap<string, TopicPartition[]>;
  /** Partition -> its new owner, for partitions taken from a member that still owns them; `null`: not computed. */
  readonly partitionsTransferringOwnership: JavaHashMap<TopicPartition, string> | null;
}

const byPartitionThenTopic = (a: TopicPartition, b: TopicPartition): number => a.partition - b.partition || compareJavaStrings(a.topic, b.topic);

export const constrainedAssignment = (input: ConstrainedInput): StickyOutcome => {
  const { pool, partitionsPerTopic, currentAssignment, partitionsWithMultiplePreviousOwners: multi } = input;
  const totalPartitionsCount = partitionsPerTopic.entries().reduce((n, [, count]) => n + count, 0);
  const members = currentAssignment.size;
  const minQuota = Math.floor(totalPartitionsCount / members);
  const maxQuota = Math.ceil(totalPartitionsCount / members);
  const expectedOverMin = totalPartitionsCount % members;
  let currentOverMin = 0;

  const fresh = new JavaHashMap<string, TopicPartition[]>(javaStringHash);
  for (const member of currentAssignment.keys()) fresh.set(member, []);
  const assignment = JavaHashMap.copyOf(fresh);
  const assignedPartitions: TopicPartition[] = [];
  const maybeRevoked = new JavaHashMap<TopicPartition, string>(hashOfTopicPartition);
  const transferring = new JavaHashMap<TopicPartition, string>(hashOfTopicPartition);
  const underMin: string[] = [];
  let exactlyMin: string[] = [];
  const assigned = (member: string): TopicPartition[] => assignment.get(member) as TopicPartition[];

  // 1. Owned partitions, up to the quota.
  for (const [member, ownedList] of currentAssignment.entries()) {
    const owned = [...ownedList].sort(byPartitionThenTopic);
    for (const doubly of multi.keys()) removeFirst(owned, doubly);
    const mine = assigned(member);
    if (owned.length < minQuota) {
      mine.push(...owned);
      assignedPartitions.push(...owned);
      underMin.push(member);
    } else if (owned.length >= maxQuota && currentOverMin < expectedOverMin) {
      currentOverMin++;
      if (currentOverMin === expectedOverMin) exactlyMin = [];
      mine.push(...owned.slice(0, maxQuota));
      assignedPartitions.push(...owned.slice(0, maxQuota));
      for (const tp of owned.slice(maxQuota)) maybeRevoked.set(tp, member);
    } else {
      mine.push(...owned.slice(0, minQuota));
      assignedPartitions.push(...owned.slice(0, minQuota));
      for (const tp of owned.slice(minQuota)) maybeRevoked.set(tp, member);
      if (currentOverMin < expectedOverMin) exactlyMin.push(member);
    }
  }

  const unassigned = unassignedPartitions(pool, partitionsPerTopic, assignedPartitions);
  underMin.sort(compareJavaStrings);
  exactlyMin.sort(compareJavaStrings);

  const assignNewPartition = (tp: TopicPartition, member: string): number => {
    const mine = assigned(member);
    mine.push(tp);
    const revokedFrom = maybeRevoked.get(tp);
    if ((revokedFrom !== undefined && revokedFrom !== member) || multi.has(tp)) transferring.set(tp, member);
    return mine.length;
  };

  // 2. The rest, round-robin over the members under quota, then those at exactly minQuota.
  let next = 0; // Java's iterator over underMin
  for (const tp of unassigned) {
    let member: string;
    if (next < underMin.length) member = underMin[next++] as string;
    else if (underMin.length === 0 && exactlyMin.length === 0) throw new Error('IllegalStateException: No more unfilled consumers to be assigned.');
    else if (underMin.length === 0) member = exactlyMin.shift() as string;
    else {
      next = 0;
      member = underMin[next++] as string;
    }
    const count = assignNewPartition(tp, member);
    if (count === minQuota) {
      underMin.splice(--next, 1);
      exactlyMin.push(member);
    } else if (count === maxQuota) currentOverMin++;
  }

  // 3. Java's verifyUnfilledMembers.
  if (underMin.length > 0) {
    if (currentOverMin !== expectedOverMin) {
      throw new Error('IllegalStateException: We haven\'t reached the expected number of members with more than the minQuota partitions, but no more partitions to be assigned');
    }
    for (const member of underMin) {
      if (assigned(member).length !== minQuota) throw new Error(`IllegalStateException: Consumer: [${member}] doesn't reach minQuota partitions, and no more partitions to be assigned`);
    }
  }
  return { assignment, partitionsTransferringOwnership: transferring };
};

/**
 * Java's getUnassignedPartitions: every partition of the topics in name order, minus the assigned ones.
 */
const unassignedPartitions = (
  pool: TopicPartitionPool,
  partitionsPerTopic: JavaHashMap<string, number>,
  assignedPartitions: TopicPartition[],
): TopicPartition[] => {
  const topics = partitionsPerTopic.keys().sort(compareJavaStrings);
  const all = (): TopicPartition[] => topics.flatMap((t) => Array.from({ length: partitionsPerTopic.get(t) ?? 0 }, (_, i) => pool.of(t, i)));
  if (assignedPartitions.length === 0) return all();
  const sorted = [...assignedPartitions].sort((a, b) => compareJavaStrings(a.topic, b.topic) || a.partition - b.partition);
  return unassignedByTwoPointers(all(), sorted);
};
