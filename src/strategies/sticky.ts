/**
 * `sticky()`: Java's org.apache.kafka.clients.consumer.StickyAssignor (eager). Balanced like roundrobin, but a
 * rebalance moves as few partitions as balance allows: each member reports its previous assignment and generation in
 * its subscription user data (Java's STICKY_ASSIGNOR_USER_DATA_V1), and the leader keeps partitions where they were.
 * Interchangeable with Java members using `sticky` in the same group. A factory: each member needs its own instance,
 * which remembers the member's last assignment (via `onAssignment`) to report it at the next join.
 */
import { assignSticky } from './sticky/assign-sticky';
import { encodeStickyUserData, stickyMemberData, type ReportedPartition } from './sticky/member-data';
import { stickyPlan } from './sticky/to-plan';
import type { AssignmentStrategy, TopicPartitions } from './strategy';

export const STICKY = 'sticky';

/** The partitions of an assignment, topic by topic, in the order given. */
export const flattenAssignment = (assigned: TopicPartitions): ReportedPartition[] =>
  Object.entries(assigned).flatMap(([topic, partitions]) => partitions.map((partition) => ({ topic, partition })));

export const sticky = (): AssignmentStrategy => {
  let last: { readonly partitions: readonly ReportedPartition[]; readonly generation: number } | undefined;
  return {
    name: STICKY,
    assign: (members, partitionCounts) => stickyPlan(members, assignSticky(members, partitionCounts, stickyMemberData).assignment),
    userData: () => (last ? encodeStickyUserData(last.partitions, last.generation) : null),
    onAssignment: (assigned, generationId) => {
      last = { partitions: flattenAssignment(assigned), generation: generationId };
    },
  };
};
