/**
 * The partition assignment strategy port. The group leader decodes every member's subscription (see
 * `src/protocol/consumer-protocol.ts`), hands the members and the partition count of each topic to a strategy, and
 * encodes the plan it returns into one assignment per member. Strategies are pure functions of their input: no I/O,
 * no clock, no randomness, and the same plan whatever order the members and topics arrive in. Built-in strategies
 * reproduce the Java client's assignors byte for byte so that our members can share a group with Java ones; custom
 * strategies plug in through the same interface. Members are ordered the way Java orders them (`compareMembers`).
 */

/** One member as the leader sees it in the JoinGroup response, with its decoded ConsumerProtocol subscription. */
export interface MemberSubscription {
  readonly memberId: string;
  /** KIP-345 static membership id; `undefined` or `null` for a dynamic member. */
  readonly groupInstanceId?: string | null;
  readonly topics: readonly string[];
  readonly userData?: Buffer | null;
  readonly ownedPartitions?: readonly { readonly topic: string; readonly partitions: readonly number[] }[];
  /** -1 (or absent) when the member did not send one. */
  readonly generationId?: number;
  /** Ignored by range and roundrobin here: we have no replica racks to match it against. */
  readonly rackId?: string | null;
}

/** Topic -> number of partitions, for the topics metadata knows. Topics missing here are not assigned. */
export type PartitionCounts = Readonly<Record<string, number>>;

/** Topic -> ascending partition numbers. Only topics with at least one partition appear. */
export type TopicPartitions = Readonly<Record<string, readonly number[]>>;

/** Member id -> its partitions. Every member of the input is present, possibly with `{}`. */
export type AssignmentPlan = ReadonlyMap<string, TopicPartitions>;

/** How a rebalance treats owned partitions: eager revokes all first; cooperative (KIP-429) only those that move. */
export type RebalanceProtocolSupport = 'eager' | 'cooperative';

export interface AssignmentStrategy {
  /** The protocol name advertised in JoinGroup (`range`, `roundrobin`, ...). */
  readonly name: string;
  /**
   * The rebalance protocols this strategy's plans are safe under (Java's `supportedProtocols`); `['eager']` when
   * absent. Cooperative needs a plan that never hands a partition still owned by one member to another.
   */
  readonly supportedProtocols?: readonly RebalanceProtocolSupport[];
  /** Precondition: member ids are unique (they are, coming from the coordinator). */
  assign(members: readonly MemberSubscription[], partitionCounts: PartitionCounts): AssignmentPlan;
  /** Optional user data this member puts in its own subscription. */
  userData?(): Buffer | null;
  /** Called with this member's assignment after each SyncGroup (Java's ConsumerPartitionAssignor.onAssignment). */
  onAssignment?(assigned: TopicPartitions, generationId: number): void;
}

/**
 * The rebalance protocol a member with these strategies uses, as Java's ConsumerCoordinator picks it: the most
 * advanced one every strategy supports (cooperative over eager); undefined when they share none.
 */
export const rebalanceProtocolOf = (strategies: readonly Pick<AssignmentStrategy, 'supportedProtocols'>[]): RebalanceProtocolSupport | undefined => {
  const supports = (p: RebalanceProtocolSupport) => strategies.every((s) => (s.supportedProtocols ?? ['eager']).includes(p));
  return supports('cooperative') ? 'cooperative' : supports('eager') ? 'eager' : undefined;
};

const hasInstanceId = (m: MemberSubscription): m is MemberSubscription & { groupInstanceId: string } =>
  typeof m.groupInstanceId === 'string';

/** Java's String.compareTo: UTF-16 code units, not locale order. */
const compareStrings = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Java's AbstractPartitionAssignor.MemberInfo.compareTo: static members first, ordered by group.instance.id; then
 * dynamic members ordered by member id. Ties (duplicate instance ids, which the coordinator forbids) fall back to
 * the member id so that the order never depends on the input order.
 */
export const compareMembers = (a: MemberSubscription, b: MemberSubscription): number => {
  if (hasInstanceId(a) && hasInstanceId(b)) {
    return compareStrings(a.groupInstanceId, b.groupInstanceId) || compareStrings(a.memberId, b.memberId);
  }
  if (hasInstanceId(a)) return -1;
  if (hasInstanceId(b)) return 1;
  return compareStrings(a.memberId, b.memberId);
};

/** Partition count of `topic`, or 0 when metadata does not know it (own properties only: `__proto__` is a legal topic). */
export const partitionCountOf = (counts: PartitionCounts, topic: string): number => {
  const n: unknown = Object.hasOwn(counts, topic) ? counts[topic] : undefined;
  return typeof n === 'number' && Number.isInteger(n) && n > 0 ? n : 0;
};

/** Builds a plan from mutable per-member lists: sorts partitions, drops empty topics, keeps every member. */
export const toPlan = (
  members: readonly MemberSubscription[],
  assigned: ReadonlyMap<string, ReadonlyMap<string, readonly number[]>>,
): AssignmentPlan =>
  new Map(
    members.map((m): [string, TopicPartitions] => {
      const byTopic = assigned.get(m.memberId) ?? new Map<string, readonly number[]>();
      const entries = [...byTopic]
        .filter(([, ps]) => ps.length > 0)
        .sort(([a], [b]) => compareStrings(a, b))
        .map(([t, ps]): [string, readonly number[]] => [t, [...ps].sort((x, y) => x - y)]);
      // Object.fromEntries defines own properties, so a topic named `__proto__` stays a plain key.
      return [m.memberId, Object.fromEntries(entries)];
    }),
  );
