/**
 * Java's AbstractStickyAssignor.assignPartitions, reached the way the Java leader reaches it
 * (ConsumerCoordinator puts the JoinGroup members into a HashMap; AbstractPartitionAssignor.assign collects the
 * subscribed topics that metadata knows). It validates what members claim to own (a partition claimed by two
 * members of the same generation belongs to neither; of different generations, to the newer), then runs the
 * constrained algorithm when all subscriptions are equal and the general one otherwise.
 * Racks are not considered: the strategy port carries no replica racks.
 */
import { partitionCountOf, type MemberSubscription, type PartitionCounts } from '../strategy';
import { constrainedAssignment, type StickyOutcome } from './constrained-assignment';
import { generalAssignment } from './general-assignment';
import { javaStringHash, JavaHashMap } from './java-hash-map';
import { DEFAULT_GENERATION, subscriptionGeneration, type StickyMemberData } from './member-data';
import { hashOfTopicPartition, removeFirst, TopicPartition, TopicPartitionPool } from './topic-partition';

export interface StickyRun extends StickyOutcome {
  readonly pool: TopicPartitionPool;
  readonly subscriptions: JavaHashMap<string, MemberSubscription>;
}

export const assignSticky = (
  members: readonly MemberSubscription[],
  partitionCounts: PartitionCounts,
  memberDataOf: (s: MemberSubscription) => StickyMemberData,
): StickyRun => {
  const pool = new TopicPartitionPool();
  const subscriptions = new JavaHashMap<string, MemberSubscription>(javaStringHash);
  for (const m of members) subscriptions.set(m.memberId, m);

  const allSubscribedTopics = new JavaHashMap<string, true>(javaStringHash);
  for (const [, s] of subscriptions.entries()) for (const t of s.topics) allSubscribedTopics.set(t, true);
  const partitionsPerTopic = new JavaHashMap<string, number>(javaStringHash);
  for (const topic of allSubscribedTopics.keys()) {
    const n = partitionCountOf(partitionCounts, topic);
    if (n > 0) partitionsPerTopic.set(topic, n);
  }

  // allSubscriptionsEqual, which also settles who owns what.
  let allEqual = true;
  const subscribedTopics = new Set<string>();
  let maxGeneration = DEFAULT_GENERATION;
  const consumerToOwned = new JavaHashMap<string, TopicPartition[]>(javaStringHash);
  const multiplyClaimed = new JavaHashMap<TopicPartition, true>(hashOfTopicPartition);
  const previousOwner = new JavaHashMap<TopicPartition, string>(hashOfTopicPartition);
  const memberData = new JavaHashMap<string, StickyMemberData>(javaStringHash);
  for (const [consumer, s] of subscriptions.entries()) {
    if (subscribedTopics.size === 0) s.topics.forEach((t) => subscribedTopics.add(t));
    else if (allEqual && !(s.topics.length === subscribedTopics.size && s.topics.every((t) => subscribedTopics.has(t)))) allEqual = false;
    const data = memberDataOf(s);
    memberData.set(consumer, data);
    const generation = data.generation ?? DEFAULT_GENERATION;
    maxGeneration = Math.max(maxGeneration, generation);
    const owned: TopicPartition[] = [];
    consumerToOwned.set(consumer, owned);
    for (const { topic, partition } of data.partitions) {
      if (!partitionsPerTopic.has(topic)) continue;
      const tp = pool.of(topic, partition);
      const other = previousOwner.get(tp);
      if (other === undefined) {
        owned.push(tp);
        previousOwner.set(tp, consumer);
        continue;
      }
      // As in Java, the other claimant's generation comes from its subscription field, not its member data.
      const otherSubscription = subscriptions.get(other);
      const otherGeneration = (otherSubscription && subscriptionGeneration(otherSubscription)) ?? DEFAULT_GENERATION;
      if (generation === otherGeneration) {
        multiplyClaimed.set(tp, true);
        removeFirst(consumerToOwned.get(other) ?? [], tp);
        previousOwner.set(tp, consumer);
      } else if (generation > otherGeneration) {
        owned.push(tp);
        removeFirst(consumerToOwned.get(other) ?? [], tp);
        previousOwner.set(tp, consumer);
      }
    }
  }

  const outcome = allEqual
    ? constrainedAssignment({ pool, partitionsPerTopic, currentAssignment: consumerToOwned, partitionsWithMultiplePreviousOwners: multiplyClaimed })
    : generalAssignment({
        pool,
        partitionsPerTopic,
        currentAssignment: consumerToOwned,
        subscriptions: topicsByMember(subscriptions),
        memberData,
        maxGeneration,
      });
  return { ...outcome, pool, subscriptions };
};

const topicsByMember = (subscriptions: JavaHashMap<string, MemberSubscription>): JavaHashMap<string, readonly string[]> => {
  const topics = new JavaHashMap<string, readonly string[]>(javaStringHash);
  for (const [member, s] of subscriptions.entries()) topics.set(member, s.topics);
  return topics;
};
