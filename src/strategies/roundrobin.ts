/**
 * `roundrobin`: Java's org.apache.kafka.clients.consumer.RoundRobinAssignor. Every partition of every topic that
 * some member subscribes to (and that metadata knows) is laid out sorted by topic name, then partition number. The
 * members, sorted like Java's MemberInfo (static members by group.instance.id first, then dynamic members by member
 * id), form a circle; each partition goes to the next member on the circle that subscribes to its topic, skipping
 * the others, and the circle does not restart per topic. With identical subscriptions the member totals differ by
 * at most one; with different subscriptions the result can be unbalanced, exactly as in Java.
 */
import { AssignmentPlan, AssignmentStrategy, MemberSubscription, PartitionCounts, compareMembers, partitionCountOf, toPlan } from './strategy';

const assignRoundRobin = (members: readonly MemberSubscription[], partitionCounts: PartitionCounts): AssignmentPlan => {
  const circle = [...members].sort(compareMembers).map((m) => ({ id: m.memberId, topics: new Set(m.topics) }));
  const assigned = new Map(members.map((m) => [m.memberId, new Map<string, number[]>()]));
  // Java's TreeSet<String> of all subscribed topics: natural (UTF-16 code unit) order.
  const topics = [...new Set(members.flatMap((m) => m.topics))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

  let next = 0; // Java's CircularIterator position
  const advance = (): void => {
    next = (next + 1) % circle.length;
  };
  for (const topic of topics) {
    const n = partitionCountOf(partitionCounts, topic);
    for (let partition = 0; partition < n; partition++) {
      // Terminates: the topic comes from some member's subscription, so some member on the circle subscribes to it.
      while (!circle[next]?.topics.has(topic)) advance();
      const byTopic = assigned.get(circle[next]?.id ?? '');
      advance();
      const list = byTopic?.get(topic);
      if (list) list.push(partition);
      else byTopic?.set(topic, [partition]);
    }
  }
  return toPlan(members, assigned);
};

export const roundrobin: AssignmentStrategy = { name: 'roundrobin', assign: assignRoundRobin };
