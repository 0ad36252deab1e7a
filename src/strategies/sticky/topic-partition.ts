/**
 * Java's TopicPartition for the sticky assignor port: one object per (topic, partition) within an assignment, so
 * that identity is equality (as `equals` is in Java) and maps and sets can key on it, with Java's hash code.
 */
import { topicPartitionHash } from './java-hash-map';

export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
  readonly hash: number;
}

/** Interns TopicPartitions for one assignment run. */
export class TopicPartitionPool {
  private readonly byKey = new Map<string, TopicPartition>();

  of(topic: string, partition: number): TopicPartition {
    const key = `${partition}\u0000${topic}`;
    let tp = this.byKey.get(key);
    if (!tp) {
      tp = { topic, partition, hash: topicPartitionHash(topic, partition) };
      this.byKey.set(key, tp);
    }
    return tp;
  }
}

export const hashOfTopicPartition = (tp: TopicPartition): number => tp.hash;

/** Java's String.compareTo (UTF-16 code units). */
export const compareJavaStrings = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Removes the first occurrence, as java.util.List.remove(Object) does. */
export const removeFirst = <T>(list: T[], x: T): boolean => {
  const i = list.indexOf(x);
  if (i < 0) return false;
  list.splice(i, 1);
  return true;
};

/**
 * Java's getUnassignedPartitions walk: `all` minus `sortedAssigned` (sorted in `all`'s order), by two pointers. As in
 * Java, an assigned partition that is not in `all` stops the walk from matching, so everything after it is kept.
 */
export const unassignedByTwoPointers = (all: readonly TopicPartition[], sortedAssigned: readonly TopicPartition[]): TopicPartition[] => {
  const out: TopicPartition[] = [];
  let i = 0;
  let addDirectly = false;
  for (const tp of all) {
    if (addDirectly || sortedAssigned[i] !== tp) out.push(tp);
    else if (i + 1 < sortedAssigned.length) i++;
    else addDirectly = true;
  }
  return out;
};
