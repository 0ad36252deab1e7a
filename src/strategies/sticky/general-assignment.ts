/**
 * Java's AbstractStickyAssignor.GeneralAssignmentBuilder (no racks): the sticky algorithm when subscriptions
 * differ. Members keep what they own and still subscribe to; unowned partitions go, topics with the fewest
 * potential members first, to the least loaded member that subscribes; then partitions move, one at a time, from
 * a member with more than one above another member that could take them, preferring to give a partition back to
 * its previous owner, until no such move is left. A balance that ends no better than it started is undone.
 */
import { javaStringHash, JavaHashMap } from './java-hash-map';
import { JavaTreeSet } from './java-tree-set';
import type { StickyOutcome } from './constrained-assignment';
import type { ReportedPartition } from './member-data';
import { PartitionMovements } from './partition-movements';
import { compareJavaStrings, hashOfTopicPartition, removeFirst, TopicPartition, TopicPartitionPool, unassignedByTwoPointers } from './topic-partition';

export interface GeneralInput {
  readonly pool: TopicPartitionPool;
  readonly partitionsPerTopic: JavaHashMap<string, number>;
  readonly currentAssignment: JavaHashMap<string, TopicPartition[]>;
  /** Member -> its subscribed topics (in subscription order). */
  readonly subscriptions: JavaHashMap<string, readonly string[]>;
  /** Member -> the partitions and generation it reported (Java's memberData), in subscription-map order. */
  readonly memberData: JavaHashMap<string, { readonly partitions: readonly ReportedPartition[]; readonly generation: number | undefined }>;
  /** The highest generation any member reported (Java's maxGeneration). */
  readonly maxGeneration: number;
}

interface PreviousOwner {
  readonly consumer: string;
  readonly generation: number;
}

const DEFAULT_GENERATION = -1;

/** Java dereferences maps it expects to hold a key; a missing one there is Java's NullPointerException. */
const must = <T>(v: T | undefined, what: string): T => {
  if (v === undefined) throw new Error(`NullPointerException: ${what}`);
  return v;
};

export const generalAssignment = (input: GeneralInput): StickyOutcome => {
  const { pool, partitionsPerTopic, currentAssignment, subscriptions } = input;
  const count = (topic: string): number => partitionsPerTopic.get(topic) ?? 0;
  const totalPartitionsCount = partitionsPerTopic.entries().reduce((n, [, c]) => n + c, 0);
  const topic2Consumers = new JavaHashMap<string, string[]>(javaStringHash, partitionsPerTopic.size);
  const consumer2Topics = new JavaHashMap<string, string[]>(javaStringHash, subscriptions.size);
  for (const topic of partitionsPerTopic.keys()) topic2Consumers.set(topic, []);
  for (const [consumer, topics] of subscriptions.entries()) {
    const subscribed: string[] = [];
    consumer2Topics.set(consumer, subscribed);
    for (const topic of topics) {
      if (!partitionsPerTopic.has(topic)) continue;
      subscribed.push(topic);
      topic2Consumers.get(topic)?.push(consumer);
    }
    if (!currentAssignment.has(consumer)) currentAssignment.set(consumer, []);
  }
  const currentPartitionConsumer = new JavaHashMap<TopicPartition, string>(hashOfTopicPartition);
  for (const [consumer, tps] of currentAssignment.entries()) for (const tp of tps) currentPartitionConsumer.set(tp, consumer);
  const potentialConsumers = (topic: string): string[] => must(topic2Consumers.get(topic), `topic2AllPotentialConsumers(${topic})`);
  const topicsOf = (consumer: string): string[] => must(consumer2Topics.get(consumer), `consumer2AllPotentialTopics(${consumer})`);
  const assignedTo = (consumer: string): TopicPartition[] => must(currentAssignment.get(consumer), `currentAssignment(${consumer})`);

  const sortedAllTopics = topic2Consumers.keys().sort((a, b) => potentialConsumers(a).length - potentialConsumers(b).length || compareJavaStrings(a, b));
  const sortedAllPartitions = sortedAllTopics.flatMap((t) => Array.from({ length: count(t) }, (_, i) => pool.of(t, i)));
  const sorted = new JavaTreeSet<string>((a, b) => assignedTo(a).length - assignedTo(b).length || compareJavaStrings(a, b));
  const movements = new PartitionMovements();
  let revocationRequired = false;

  // prepopulateCurrentAssignments: the previous owner of each partition, from members of older generations.
  const prevAssignment = new JavaHashMap<TopicPartition, PreviousOwner>(hashOfTopicPartition);
  const updatePrev = (partitions: readonly ReportedPartition[], consumer: string, generation: number): void => {
    for (const { topic, partition } of partitions) {
      const tp = pool.of(topic, partition);
      const prev = prevAssignment.get(tp);
      if (!prev || generation > prev.generation) prevAssignment.set(tp, { consumer, generation });
    }
  };
  for (const [consumer, data] of input.memberData.entries()) {
    if (data.generation !== undefined && data.generation < input.maxGeneration) updatePrev(data.partitions, consumer, data.generation);
    else if (data.generation === undefined && input.maxGeneration > DEFAULT_GENERATION) updatePrev(data.partitions, consumer, DEFAULT_GENERATION);
  }

  // assignOwnedPartitions: drop owned partitions of topics the member no longer subscribes to.
  const assignedPartitions: TopicPartition[] = [];
  for (const [consumer, tps] of currentAssignment.entries()) {
    const topics = must(subscriptions.get(consumer), `subscriptions(${consumer})`);
    for (const tp of [...tps]) {
      if (!topic2Consumers.has(tp.topic)) {
        removeFirst(tps, tp);
        currentPartitionConsumer.delete(tp);
      } else if (!topics.includes(tp.topic)) {
        removeFirst(tps, tp);
        revocationRequired = true;
      } else assignedPartitions.push(tp);
    }
  }

  const unassignedPartitions = ((): TopicPartition[] => {
    if (assignedPartitions.length === 0) return sortedAllPartitions; // the same list, as in Java
    const byTopicWeight = (a: TopicPartition, b: TopicPartition): number =>
      potentialConsumers(a.topic).length - potentialConsumers(b.topic).length || compareJavaStrings(a.topic, b.topic) || a.partition - b.partition;
    return unassignedByTwoPointers(sortedAllPartitions, [...assignedPartitions].sort(byTopicWeight));
  })();

  for (const consumer of currentAssignment.keys()) sorted.add(consumer);

  const maxAssignmentSize = (topics: readonly string[]): number =>
    topics.length === partitionsPerTopic.size ? totalPartitionsCount : topics.reduce((n, t) => n + count(t), 0);

  const isBalanced = (): boolean => {
    const min = assignedTo(must(sorted.first(), 'first')).length;
    const max = assignedTo(must(sorted.last(), 'last')).length;
    if (min >= max - 1) return true;
    const owners = new JavaHashMap<TopicPartition, string>(hashOfTopicPartition);
    for (const [consumer, tps] of currentAssignment.entries()) for (const tp of tps) owners.set(tp, consumer);
    for (const consumer of sorted.toArray()) {
      const mine = assignedTo(consumer);
      const topics = topicsOf(consumer);
      if (mine.length === maxAssignmentSize(topics)) continue;
      for (const topic of topics) {
        for (let i = 0; i < count(topic); i++) {
          const tp = pool.of(topic, i);
          if (mine.includes(tp)) continue;
          const other = must(owners.get(tp), `owner of ${topic}-${i}`);
          if (mine.length + 1 < assignedTo(other).length) return false;
        }
      }
    }
    return true;
  };

  const processPartitionMovement = (tp: TopicPartition, newConsumer: string): void => {
    const oldConsumer = must(currentPartitionConsumer.get(tp), `owner of ${tp.topic}-${tp.partition}`);
    sorted.remove(oldConsumer);
    sorted.remove(newConsumer);
    movements.movePartition(tp, oldConsumer, newConsumer);
    removeFirst(assignedTo(oldConsumer), tp);
    assignedTo(newConsumer).push(tp);
    currentPartitionConsumer.set(tp, newConsumer);
    sorted.add(newConsumer);
    sorted.add(oldConsumer);
  };

  const reassignPartition = (tp: TopicPartition, newConsumer?: string): void => {
    const target = newConsumer ?? must(sorted.toArray().find((c) => topicsOf(c).includes(tp.topic)), `a consumer for ${tp.topic}`);
    const consumer = must(currentPartitionConsumer.get(tp), `owner of ${tp.topic}-${tp.partition}`);
    processPartitionMovement(movements.partitionToMove(tp, consumer, target), target);
  };

  const performReassignments = (reassignable: readonly TopicPartition[]): boolean => {
    let performed = false;
    let modified: boolean;
    do {
      modified = false;
      for (let i = 0; i < reassignable.length && !isBalanced(); i++) {
        const tp = reassignable[i] as TopicPartition;
        const consumer = must(currentPartitionConsumer.get(tp), `owner of ${tp.topic}-${tp.partition}`);
        const prev = prevAssignment.get(tp);
        if (prev && assignedTo(consumer).length > assignedTo(prev.consumer).length + 1) {
          reassignPartition(tp, prev.consumer);
          performed = modified = true;
          continue;
        }
        for (const other of potentialConsumers(tp.topic)) {
          if (assignedTo(consumer).length > assignedTo(other).length + 1) {
            reassignPartition(tp);
            performed = modified = true;
            break;
          }
        }
      }
    } while (modified);
    return performed;
  };

  // balance
  const initializing = assignedTo(must(sorted.last(), 'last')).length === 0;
  for (const tp of unassignedPartitions) {
    if (potentialConsumers(tp.topic).length === 0) continue;
    const consumer = sorted.toArray().find((c) => topicsOf(c).includes(tp.topic));
    if (consumer === undefined) continue;
    sorted.remove(consumer);
    assignedTo(consumer).push(tp);
    currentPartitionConsumer.set(tp, consumer);
    sorted.add(consumer);
  }

  const fixedPartitions = new Set<TopicPartition>();
  for (const topic of topic2Consumers.keys()) {
    if (potentialConsumers(topic).length < 2) for (let i = 0; i < count(topic); i++) fixedPartitions.add(pool.of(topic, i));
  }
  removeAllInPlace(sortedAllPartitions, fixedPartitions);
  removeAllInPlace(unassignedPartitions, fixedPartitions);

  const canParticipate = (consumer: string): boolean => {
    const mine = assignedTo(consumer);
    if (mine.length < maxAssignmentSize(topicsOf(consumer))) return true;
    return mine.some((tp) => potentialConsumers(tp.topic).length >= 2);
  };
  const fixedAssignments = new JavaHashMap<string, TopicPartition[]>(javaStringHash);
  for (const consumer of consumer2Topics.keys()) {
    if (canParticipate(consumer)) continue;
    sorted.remove(consumer);
    fixedAssignments.set(consumer, assignedTo(consumer));
    currentAssignment.delete(consumer);
  }

  const preBalanceAssignment = deepCopy(currentAssignment);
  const preBalancePartitionConsumers = JavaHashMap.copyOf(currentPartitionConsumer);
  if (!revocationRequired) performReassignments(unassignedPartitions);
  const reassignmentPerformed = performReassignments(sortedAllPartitions);
  if (!initializing && reassignmentPerformed && balanceScore(currentAssignment) >= balanceScore(preBalanceAssignment)) {
    currentAssignment.clear();
    for (const [consumer, tps] of preBalanceAssignment.entries()) currentAssignment.set(consumer, [...tps]);
    currentPartitionConsumer.clear();
    currentPartitionConsumer.putAll(preBalancePartitionConsumers);
  }
  for (const [consumer, tps] of fixedAssignments.entries()) {
    currentAssignment.set(consumer, tps);
    sorted.add(consumer);
  }
  return { assignment: currentAssignment, partitionsTransferringOwnership: null };
};

/** ArrayList.removeAll: in place, order kept (the list may be shared, as Java's is). */
const removeAllInPlace = <T>(list: T[], remove: ReadonlySet<T>): void => {
  const kept = list.filter((x) => !remove.has(x));
  list.splice(0, list.length, ...kept);
};

const deepCopy = (source: JavaHashMap<string, TopicPartition[]>): JavaHashMap<string, TopicPartition[]> => {
  const copy = new JavaHashMap<string, TopicPartition[]>(javaStringHash);
  for (const [k, v] of source.entries()) copy.set(k, [...v]);
  return copy;
};

/** Sum over member pairs of the difference in assignment size. */
const balanceScore = (assignment: JavaHashMap<string, TopicPartition[]>): number => {
  const sizes = assignment.entries().map(([, tps]) => tps.length);
  let score = 0;
  for (let i = 0; i < sizes.length; i++) for (let j = i + 1; j < sizes.length; j++) score += Math.abs((sizes[i] as number) - (sizes[j] as number));
  return score;
};
