import { lastValueFrom } from 'rxjs';
import { hasCode, KafkaClientError, type ErrorContext } from '../errors';
import { EARLIEST_TIMESTAMP, LATEST_TIMESTAMP, type ListOffsetsPartition, type TopicPartition, type Transport } from '../transport/port';
import { fromClassic, fromConsumer, isInactive, unnamedTopicIds, type GroupDescription } from './group-description';
import { computeLag, lagPartitions, type GroupLag, type OffsetEntry } from './group-lag';
import { planReset, type PartitionOffsets, type PlannedReset, type ResetMode } from './reset-plan';

/*
 * The group admin operations over a Transport (what the CLI's describe, lag and reset-offsets run): requests here,
 * decisions in the pure modules beside it.
 */

const once = <T>(o: import('rxjs').Observable<T>): Promise<T> => lastValueFrom(o);

const missing = (what: string, context: ErrorContext): KafkaClientError =>
  new KafkaClientError({ tag: 'UsageError', message: `This transport cannot ${what} (it has no group admin requests)`, context });

/**
 * Describes a group as Java's Admin.describeConsumerGroups does: ConsumerGroupDescribe first; a classic or
 * unknown group (GROUP_ID_NOT_FOUND) or a broker without it (UNSUPPORTED_VERSION) is then asked with
 * DescribeGroups, which answers `Dead` for a group that does not exist. The order matters: Kafka 4.4 answers
 * DescribeGroups v5 for a consumer-protocol group with `Dead` and no members (seen on the real broker), which
 * would let reset-offsets through while it has members.
 */
export const describeGroup = async (t: Transport, groupId: string): Promise<GroupDescription> => {
  const coordinator = await once(t.findCoordinator({ groupId }));
  const request = { groupId, coordinator: coordinator.nodeId };
  if (t.consumerGroupDescribe) {
    try {
      const d = await once(t.consumerGroupDescribe(request));
      const unnamed = unnamedTopicIds(d);
      let names = new Map<string, string>();
      if (unnamed.length > 0) {
        const md = await once(t.metadata({ topicIds: true }));
        names = new Map(md.topics.flatMap((x) => (x.topicId ? [[x.topicId, x.topic] as const] : [])));
      }
      return fromConsumer(d, coordinator, names);
    } catch (e) {
      if (!hasCode(e, 'GROUP_ID_NOT_FOUND', 'UNSUPPORTED_VERSION')) throw e;
    }
  }
  if (!t.describeGroups) throw missing('describe groups', { group: groupId });
  return fromClassic(await once(t.describeGroups(request)), coordinator);
};

/** Committed offsets of the group (only partitions that have one); a per-partition error fails. */
export const committedOffsets = async (t: Transport, groupId: string, coordinator: number): Promise<OffsetEntry[]> => {
  if (!t.listGroupOffsets) throw missing('list group offsets', { group: groupId });
  const res = await once(t.listGroupOffsets({ groupId, coordinator }));
  const failed = res.find((p) => p.error);
  if (failed?.error) throw failed.error;
  return res.filter((p) => p.offset >= 0n).map(({ topic, partition, offset }) => ({ topic, partition, offset }));
};

/** ListOffsets (read_uncommitted) at one timestamp for each partition; a failed partition fails the call. */
export const offsetsAt = async (t: Transport, partitions: readonly TopicPartition[], timestamp: bigint): Promise<ListOffsetsPartition[]> => {
  if (partitions.length === 0) return [];
  const res = await once(t.listOffsets({ partitions: partitions.map((p) => ({ ...p, timestamp })), isolationLevel: 'read_uncommitted' }));
  const failed = res.find((p) => p.error);
  if (failed?.error) throw failed.error;
  return [...res];
};

/** Lag per partition (owned or committed) with the log end offsets (high watermarks) read now. */
export const groupLag = async (t: Transport, groupId: string): Promise<{ group: GroupDescription; lag: GroupLag }> => {
  const group = await describeGroup(t, groupId);
  const committed = await committedOffsets(t, groupId, group.coordinator.nodeId);
  const ends = await offsetsAt(t, lagPartitions(group, committed), LATEST_TIMESTAMP);
  return { group, lag: computeLag(group, committed, ends) };
};

/** A reset planned (and committed when `executed`), or refused because the group has members. */
export type ResetResult =
  | { readonly _tag: 'Planned'; readonly group: GroupDescription; readonly plan: readonly PlannedReset[]; readonly executed: boolean }
  | { readonly _tag: 'Refused'; readonly group: GroupDescription; readonly message: string };

/**
 * Plans (and with `execute` commits) new offsets for every partition of `topic`, as kafka-consumer-groups.sh
 * --reset-offsets does: `Refused` (naming the group and its state) unless the group is Empty or Dead;
 * the commit is an admin one (generation -1, no member id), like Admin.alterConsumerGroupOffsets.
 */
export const resetOffsets = async (t: Transport, groupId: string, topic: string, mode: ResetMode, execute: boolean): Promise<ResetResult> => {
  const group = await describeGroup(t, groupId);
  if (!isInactive(group.state)) {
    const message = `Assignments can only be reset if the group '${groupId}' is inactive, but the current state is ${group.state} (${group.members.length} member(s))`;
    return { _tag: 'Refused', group, message };
  }
  const md = await once(t.metadata({ topics: [topic] }));
  const tm = md.topics.find((x) => x.topic === topic);
  if (!tm || tm.error || tm.partitions.length === 0) {
    throw tm?.error ?? new KafkaClientError({ tag: 'KafkaProtocolError', code: 'UNKNOWN_TOPIC_OR_PARTITION', message: `Topic ${topic} does not exist`, context: { topic, group: groupId } });
  }
  const partitions = tm.partitions.map((p) => ({ topic, partition: p.partition })).sort((a, b) => a.partition - b.partition);
  const committed = new Map((await committedOffsets(t, groupId, group.coordinator.nodeId)).filter((c) => c.topic === topic).map((c) => [c.partition, c.offset]));
  const [starts, ends, atTime] = await Promise.all([
    offsetsAt(t, partitions, EARLIEST_TIMESTAMP),
    offsetsAt(t, partitions, LATEST_TIMESTAMP),
    mode.kind === 'to-datetime' ? offsetsAt(t, partitions, mode.timestamp) : Promise.resolve([]),
  ]);
  const at = (list: readonly ListOffsetsPartition[], p: number) => list.find((x) => x.partition === p)?.offset;
  const inputs: PartitionOffsets[] = partitions.map(({ partition }) => {
    const c = committed.get(partition);
    const ts = at(atTime, partition);
    return { topic, partition, ...(c === undefined ? {} : { committed: c }), logStart: at(starts, partition) ?? 0n, logEnd: at(ends, partition) ?? 0n, ...(ts === undefined ? {} : { atTimestamp: ts }) };
  });
  const plan = planReset(mode, inputs);
  if (plan._tag === 'Left') throw new KafkaClientError({ tag: 'UsageError', message: plan.left.join('; '), context: { group: groupId, topic } });
  if (execute) {
    const results = await once(
      t.offsetCommit({ groupId, coordinator: group.coordinator.nodeId, memberId: '', generationId: -1, offsets: plan.right.map((p) => ({ topic, partition: p.partition, offset: p.next })) }),
    );
    const failed = results.find((r) => r.error);
    if (failed?.error) throw failed.error;
  }
  return { _tag: 'Planned', group, plan: plan.right, executed: execute };
};
