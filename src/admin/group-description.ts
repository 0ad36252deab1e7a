import { decodeAssignment } from '../protocol/consumer-protocol';
import type { BrokerAddress, ClassicGroupDescription, ConsumerGroupDescription, NamedTopicIdPartitions } from '../transport/port';

/*
 * One shape for a group, whichever protocol it runs: what `rx-kafka-cluster describe` prints, as Java's
 * Admin.describeConsumerGroups answers it (ConsumerGroupDescribe for consumer-protocol groups, DescribeGroups for
 * classic ones). Pure: the conversions below read what the requests answered.
 */

/** Topic and its partitions (ascending), topics sorted by name. */
export interface TopicAssignment {
  readonly topic: string;
  readonly partitions: readonly number[];
}

export interface GroupMember {
  readonly memberId: string;
  /** KIP-345 static membership, when the member has one. */
  readonly instanceId?: string;
  readonly clientId: string;
  /** The member's host as the coordinator saw it (e.g. `/127.0.0.1`). */
  readonly host: string;
  /** What it owns now. */
  readonly assignment: readonly TopicAssignment[];
  /** Consumer protocol only: its epoch and the assignment the coordinator targets. */
  readonly memberEpoch?: number;
  readonly targetAssignment?: readonly TopicAssignment[];
}

export interface GroupDescription {
  readonly groupId: string;
  /** `classic` (JoinGroup/SyncGroup) or `consumer` (KIP-848). */
  readonly groupType: 'classic' | 'consumer';
  /** As the coordinator names it: Stable, Empty, Dead, PreparingRebalance, CompletingRebalance, Assigning, Reconciling. */
  readonly state: string;
  /** `consumer` for consumer groups ('' for an empty classic group). */
  readonly protocolType: string;
  /** Classic: the chosen protocol (range, cooperative-sticky, ...); consumer protocol: the server assignor (uniform, range). */
  readonly assignor: string;
  /** Classic groups have no generation in DescribeGroups; the consumer protocol's group and assignment epochs. */
  readonly groupEpoch?: number;
  readonly assignmentEpoch?: number;
  readonly coordinator: BrokerAddress;
  readonly members: readonly GroupMember[];
}

/** Topic -> partitions as sorted topic assignments. */
export const sortedAssignment = (byTopic: Readonly<Record<string, readonly number[]>>): TopicAssignment[] =>
  Object.keys(byTopic)
    .sort()
    .map((topic) => ({ topic, partitions: [...(byTopic[topic] ?? [])].sort((a, b) => a - b) }))
    .filter((t) => t.partitions.length > 0);

/**
 * A classic group as one description; a `consumer` protocol type's assignments are decoded (an undecodable one,
 * or another protocol type's, is shown as no assignment).
 */
export const fromClassic = (d: ClassicGroupDescription, coordinator: BrokerAddress): GroupDescription => ({
  groupId: d.groupId,
  groupType: 'classic',
  state: d.state,
  protocolType: d.protocolType,
  assignor: d.protocol,
  coordinator,
  members: d.members.map((m) => {
    const decoded = d.protocolType === 'consumer' && m.assignment.length > 0 ? decodeAssignment(m.assignment) : undefined;
    return {
      memberId: m.memberId,
      ...(m.instanceId === undefined ? {} : { instanceId: m.instanceId }),
      clientId: m.clientId,
      host: m.clientHost,
      assignment: decoded?._tag === 'Right' ? sortedAssignment(decoded.right.assignedPartitions) : [],
    };
  }),
});

/** Topic ids the coordinator could not name, to resolve with Metadata. */
export const unnamedTopicIds = (d: ConsumerGroupDescription): string[] => [
  ...new Set(d.members.flatMap((m) => [...m.assignment, ...m.targetAssignment]).filter((t) => t.topic === '').map((t) => t.topicId)),
];

const named = (tps: readonly NamedTopicIdPartitions[], names: ReadonlyMap<string, string>): TopicAssignment[] => {
  const byTopic: Record<string, number[]> = {};
  for (const t of tps) {
    const topic = t.topic || names.get(t.topicId) || t.topicId;
    (byTopic[topic] ??= []).push(...t.partitions);
  }
  return sortedAssignment(byTopic);
};

/** A consumer-protocol group as one description; `names` maps topic ids the response left unnamed. */
export const fromConsumer = (d: ConsumerGroupDescription, coordinator: BrokerAddress, names: ReadonlyMap<string, string> = new Map()): GroupDescription => ({
  groupId: d.groupId,
  groupType: 'consumer',
  state: d.state,
  protocolType: 'consumer',
  assignor: d.assignor,
  groupEpoch: d.groupEpoch,
  assignmentEpoch: d.assignmentEpoch,
  coordinator,
  members: d.members.map((m) => ({
    memberId: m.memberId,
    ...(m.instanceId === undefined ? {} : { instanceId: m.instanceId }),
    clientId: m.clientId,
    host: m.clientHost,
    memberEpoch: m.memberEpoch,
    assignment: named(m.assignment, names),
    targetAssignment: named(m.targetAssignment, names),
  })),
});

/** Java's rule for reset-offsets: only an inactive group (Empty, or Dead: unknown) may have its offsets changed. */
export const isInactive = (state: string): boolean => ['empty', 'dead'].includes(state.toLowerCase());
