/**
 * Assignments as plain data (topic -> sorted partitions) and the pure diff between two of them: what a member
 * claimed, released and now holds across a rebalance.
 */
export type Assignment = Readonly<Record<string, readonly number[]>>;

export interface AssignmentDiff {
  readonly claimed: Assignment;
  readonly released: Assignment;
  readonly current: Assignment;
}

const keyOf = (topic: string, partition: number) => `${topic}\u0000${partition}`;

/** Every (topic, partition) of an assignment. */
export const partitionsOf = (a: Assignment): { topic: string; partition: number }[] =>
  Object.keys(a)
    .sort()
    .flatMap((topic) => (a[topic] ?? []).map((partition) => ({ topic, partition })));

/** Builds a normalised assignment (topics sorted, partitions sorted and unique, empty topics dropped). */
export const assignmentOf = (entries: Iterable<{ topic: string; partition: number }>): Assignment => {
  const byTopic = new Map<string, Set<number>>();
  for (const { topic, partition } of entries) {
    const set = byTopic.get(topic) ?? new Set<number>();
    set.add(partition);
    byTopic.set(topic, set);
  }
  const out: Record<string, readonly number[]> = {};
  for (const topic of [...byTopic.keys()].sort()) out[topic] = [...(byTopic.get(topic) ?? [])].sort((x, y) => x - y);
  return out;
};

export const emptyAssignment: Assignment = Object.freeze({});

/** Claimed = next \ previous, released = previous \ next, current = next (normalised). */
export const diffAssignments = (previous: Assignment, next: Assignment): AssignmentDiff => {
  const prev = new Set(partitionsOf(previous).map((p) => keyOf(p.topic, p.partition)));
  const nxt = new Set(partitionsOf(next).map((p) => keyOf(p.topic, p.partition)));
  return {
    claimed: assignmentOf(partitionsOf(next).filter((p) => !prev.has(keyOf(p.topic, p.partition)))),
    released: assignmentOf(partitionsOf(previous).filter((p) => !nxt.has(keyOf(p.topic, p.partition)))),
    current: assignmentOf(partitionsOf(next)),
  };
};

/** True when the assignment holds (topic, partition). */
export const holds = (a: Assignment, topic: string, partition: number): boolean => (a[topic] ?? []).includes(partition);
