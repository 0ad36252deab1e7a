/**
 * `range`: Java's org.apache.kafka.clients.consumer.RangeAssignor without rack awareness. Each topic is handled on
 * its own: its subscribers are sorted (static members by group.instance.id first, then dynamic members by member id),
 * its partitions are laid out in numeric order, and subscriber i gets the contiguous block starting at
 * `i * floor(n / k) + min(i, n % k)` of length `floor(n / k)`, plus one for the first `n % k` subscribers. A member
 * gets nothing from a topic it does not subscribe to; topics unknown to metadata, or with no partitions, are skipped.
 * Java's rack-aware pass only runs when replica racks are known and differ, which this interface does not carry.
 */
import { AssignmentPlan, AssignmentStrategy, MemberSubscription, PartitionCounts, compareMembers, partitionCountOf, toPlan } from './strategy';

const assignRange = (members: readonly MemberSubscription[], partitionCounts: PartitionCounts): AssignmentPlan => {
  const subscribers = new Map<string, MemberSubscription[]>();
  for (const m of members) {
    for (const topic of new Set(m.topics)) {
      const list = subscribers.get(topic);
      if (list) list.push(m);
      else subscribers.set(topic, [m]);
    }
  }

  const assigned = new Map(members.map((m) => [m.memberId, new Map<string, number[]>()]));
  for (const [topic, consumers] of subscribers) {
    const n = partitionCountOf(partitionCounts, topic);
    if (n === 0) continue;
    consumers.sort(compareMembers);
    const perConsumer = Math.floor(n / consumers.length);
    const withExtra = n % consumers.length;
    consumers.forEach((c, i) => {
      const start = perConsumer * i + Math.min(i, withExtra);
      const length = perConsumer + (i < withExtra ? 1 : 0);
      const partitions = Array.from({ length }, (_, k) => start + k);
      assigned.get(c.memberId)?.set(topic, partitions);
    });
  }
  return toPlan(members, assigned);
};

export const range: AssignmentStrategy = { name: 'range', assign: assignRange };
