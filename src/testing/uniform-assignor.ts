import { type Assignment, assignmentOf, partitionsOf } from '../protocol/assignment';

/**
 * A server-side assignor for the in-memory consumer-protocol coordinator, after Kafka's `uniform`: balanced (for
 * members with the same subscription, counts differ by at most one) and sticky (a member keeps what it had up to
 * its share; only the surplus moves). Pure.
 */
export const uniformAssign = (
  members: readonly { readonly memberId: string; readonly topics: readonly string[]; readonly current: Assignment }[],
  partitionCounts: Readonly<Record<string, number>>,
): Map<string, Assignment> => {
  const sorted = [...members].sort((a, b) => a.memberId.localeCompare(b.memberId));
  const result = new Map<string, { topic: string; partition: number }[]>(sorted.map((m) => [m.memberId, []]));
  const topics = [...new Set(sorted.flatMap((m) => m.topics))].filter((t) => (partitionCounts[t] ?? 0) > 0).sort();
  const taken = new Set<string>();
  const key = (topic: string, partition: number) => `${topic}\u0000${partition}`;
  for (const topic of topics) {
    const subscribers = sorted.filter((m) => m.topics.includes(topic));
    const count = partitionCounts[topic] ?? 0;
    const base = Math.floor(count / subscribers.length);
    let extra = count % subscribers.length;
    const quota = new Map<string, number>();
    // Those already holding more get the extra slots first: fewer moves.
    const byHeld = [...subscribers].sort((a, b) => (b.current[topic]?.length ?? 0) - (a.current[topic]?.length ?? 0) || a.memberId.localeCompare(b.memberId));
    for (const m of byHeld) quota.set(m.memberId, base + (extra-- > 0 ? 1 : 0));
    for (const m of subscribers) {
      const mine = result.get(m.memberId) ?? [];
      for (const partition of m.current[topic] ?? []) {
        if (partition >= count || taken.has(key(topic, partition)) || mine.filter((p) => p.topic === topic).length >= (quota.get(m.memberId) ?? 0)) continue;
        mine.push({ topic, partition });
        taken.add(key(topic, partition));
      }
    }
    for (let partition = 0; partition < count; partition++) {
      if (taken.has(key(topic, partition))) continue;
      const m = subscribers.find((s) => (result.get(s.memberId) ?? []).filter((p) => p.topic === topic).length < (quota.get(s.memberId) ?? 0));
      if (!m) break;
      result.get(m.memberId)?.push({ topic, partition });
      taken.add(key(topic, partition));
    }
  }
  return new Map([...result].map(([id, ps]) => [id, assignmentOf(ps)]));
};

/** True when `a` and `b` hold the same partitions. */
export const sameAssignment = (a: Assignment, b: Assignment): boolean => {
  const x = partitionsOf(a);
  const y = partitionsOf(b);
  return x.length === y.length && x.every((p, i) => p.topic === y[i]?.topic && p.partition === y[i]?.partition);
};
