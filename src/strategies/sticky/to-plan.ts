/** A sticky run's member -> partitions map, as the port's AssignmentPlan (every input member present). */
import { toPlan, type AssignmentPlan, type MemberSubscription } from '../strategy';
import type { JavaHashMap } from './java-hash-map';
import type { TopicPartition } from './topic-partition';

export const stickyPlan = (members: readonly MemberSubscription[], assignment: JavaHashMap<string, TopicPartition[]>): AssignmentPlan => {
  const byMember = new Map<string, Map<string, number[]>>();
  for (const [member, tps] of assignment.entries()) {
    const byTopic = new Map<string, number[]>();
    for (const { topic, partition } of tps) {
      const list = byTopic.get(topic);
      if (list) list.push(partition);
      else byTopic.set(topic, [partition]);
    }
    byMember.set(member, byTopic);
  }
  return toPlan(members, byMember);
};
