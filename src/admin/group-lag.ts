import type { GroupDescription, GroupMember } from './group-description';

/*
 * Lag per partition, as kafka-consumer-groups.sh --describe computes it: every partition a member owns plus every
 * partition the group has committed, with the committed offset, the log end offset (high watermark) and their
 * difference. Pure.
 */

export interface PartitionOwner {
  readonly memberId: string;
  readonly clientId: string;
  readonly host: string;
}

export interface LagRow {
  readonly topic: string;
  readonly partition: number;
  /** The committed offset (next to consume), undefined when the group has none. */
  readonly committed?: bigint;
  /** The log end offset (high watermark), undefined when it could not be read. */
  readonly end?: bigint;
  /** end - committed, undefined when either is. */
  readonly lag?: bigint;
  readonly owner?: PartitionOwner;
}

export interface GroupLag {
  readonly groupId: string;
  readonly state: string;
  readonly rows: readonly LagRow[];
  /** Sum of the known lags, and how many partitions have one. */
  readonly totalLag: bigint;
  readonly partitionsWithLag: number;
}

const key = (topic: string, partition: number) => `${topic}\u0000${partition}`;

/** The partitions owned by members, by topic-partition key. */
export const ownersOf = (members: readonly GroupMember[]): Map<string, PartitionOwner> => {
  const owners = new Map<string, PartitionOwner>();
  for (const m of members) for (const t of m.assignment) for (const p of t.partitions) owners.set(key(t.topic, p), { memberId: m.memberId, clientId: m.clientId, host: m.host });
  return owners;
};

export interface OffsetEntry {
  readonly topic: string;
  readonly partition: number;
  readonly offset: bigint;
}

/** The partitions lag is computed for: owned ones and committed ones, sorted by topic then partition. */
export const lagPartitions = (group: GroupDescription, committed: readonly OffsetEntry[]): { topic: string; partition: number }[] => {
  const all = new Map<string, { topic: string; partition: number }>();
  for (const m of group.members) for (const t of m.assignment) for (const partition of t.partitions) all.set(key(t.topic, partition), { topic: t.topic, partition });
  for (const c of committed) if (c.offset >= 0n) all.set(key(c.topic, c.partition), { topic: c.topic, partition: c.partition });
  return [...all.values()].sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));
};

/** One row per lag partition; a negative committed offset (none) counts as none. */
export const computeLag = (group: GroupDescription, committed: readonly OffsetEntry[], ends: readonly OffsetEntry[]): GroupLag => {
  const owners = ownersOf(group.members);
  const committedBy = new Map(committed.filter((c) => c.offset >= 0n).map((c) => [key(c.topic, c.partition), c.offset]));
  const endBy = new Map(ends.filter((e) => e.offset >= 0n).map((e) => [key(e.topic, e.partition), e.offset]));
  const rows = lagPartitions(group, committed).map(({ topic, partition }): LagRow => {
    const k = key(topic, partition);
    const c = committedBy.get(k);
    const end = endBy.get(k);
    const owner = owners.get(k);
    return {
      topic,
      partition,
      ...(c === undefined ? {} : { committed: c }),
      ...(end === undefined ? {} : { end }),
      ...(c !== undefined && end !== undefined ? { lag: end - c } : {}),
      ...(owner ? { owner } : {}),
    };
  });
  const lags = rows.flatMap((r) => (r.lag === undefined ? [] : [r.lag]));
  return { groupId: group.groupId, state: group.state, rows, totalLag: lags.reduce((a, b) => a + b, 0n), partitionsWithLag: lags.length };
};
