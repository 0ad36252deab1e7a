/**
 * Table tests for `range`: each row mirrors a case of Java's RangeAssignorTest
 * (apache/kafka clients/src/test/java/org/apache/kafka/clients/consumer/RangeAssignorTest.java) or the examples in
 * RangeAssignor's Javadoc, with the plan Java expects. Rack-aware rows are taken only from their
 * `verifyNonRackAwareAssignment` expectations, which is the behaviour we implement.
 */
import { MemberSubscription, PartitionCounts, range } from '../../../src/strategies';

/** "t1-0, t1-1, t2-0" -> { t1: [0, 1], t2: [0] } (Java's TopicPartition.toString is `topic-partition`). */
const tps = (s: string): Record<string, number[]> => {
  const out = new Map<string, number[]>();
  for (const item of s.split(',').map((x) => x.trim()).filter(Boolean)) {
    const dash = item.lastIndexOf('-');
    const topic = item.slice(0, dash);
    out.set(topic, [...(out.get(topic) ?? []), Number(item.slice(dash + 1))].sort((a, b) => a - b));
  }
  return Object.fromEntries(out);
};
const m = (memberId: string, topics: string[], groupInstanceId?: string): MemberSubscription => ({ memberId, topics, groupInstanceId });
const t12 = ['topic1', 'topic2'];

interface Row {
  readonly java: string;
  readonly counts: PartitionCounts;
  readonly members: readonly MemberSubscription[];
  readonly expected: Record<string, string>;
}

const rows: Row[] = [
  { java: 'testOneConsumerNoTopic', counts: {}, members: [m('consumer1', [])], expected: { consumer1: '' } },
  { java: 'testOneConsumerNonexistentTopic', counts: {}, members: [m('consumer1', ['topic1'])], expected: { consumer1: '' } },
  { java: 'testOneConsumerOneTopic', counts: { topic1: 3 }, members: [m('consumer1', ['topic1'])], expected: { consumer1: 'topic1-0, topic1-1, topic1-2' } },
  {
    java: 'testOnlyAssignsPartitionsFromSubscribedTopics',
    counts: { topic1: 3, other: 3 },
    members: [m('consumer1', ['topic1'])],
    expected: { consumer1: 'topic1-0, topic1-1, topic1-2' },
  },
  {
    java: 'testOneConsumerMultipleTopics',
    counts: { topic1: 1, topic2: 2 },
    members: [m('consumer1', t12)],
    expected: { consumer1: 'topic1-0, topic2-0, topic2-1' },
  },
  {
    java: 'testTwoConsumersOneTopicOnePartition',
    counts: { topic1: 1 },
    members: [m('consumer1', ['topic1']), m('consumer2', ['topic1'])],
    expected: { consumer1: 'topic1-0', consumer2: '' },
  },
  {
    java: 'testTwoConsumersOneTopicTwoPartitions',
    counts: { topic1: 2 },
    members: [m('consumer1', ['topic1']), m('consumer2', ['topic1'])],
    expected: { consumer1: 'topic1-0', consumer2: 'topic1-1' },
  },
  {
    java: 'testMultipleConsumersMixedTopics',
    counts: { topic1: 3, topic2: 2 },
    members: [m('consumer1', ['topic1']), m('consumer2', t12), m('consumer3', ['topic1'])],
    expected: { consumer1: 'topic1-0', consumer2: 'topic1-1, topic2-0, topic2-1', consumer3: 'topic1-2' },
  },
  {
    java: 'testTwoConsumersTwoTopicsSixPartitions (and the RangeAssignor Javadoc example C0/C1)',
    counts: { topic1: 3, topic2: 3 },
    members: [m('consumer1', t12), m('consumer2', t12)],
    expected: { consumer1: 'topic1-0, topic1-1, topic2-0, topic2-1', consumer2: 'topic1-2, topic2-2' },
  },
  {
    java: 'testTwoStaticConsumersTwoTopicsSixPartitions (instance ids order, not member ids)',
    counts: { topic1: 3, topic2: 3 },
    members: [m('consumer-b', t12, 'instance1'), m('consumer-a', t12, 'instance2')],
    expected: { 'consumer-b': 'topic1-0, topic1-1, topic2-0, topic2-1', 'consumer-a': 'topic1-2, topic2-2' },
  },
  {
    java: 'testOneStaticConsumerAndOneDynamicConsumerTwoTopicsSixPartitions (static first)',
    counts: { topic1: 3, topic2: 3 },
    members: [m('consumer-b', t12, 'instance1'), m('consumer-a', t12)],
    expected: { 'consumer-b': 'topic1-0, topic1-1, topic2-0, topic2-1', 'consumer-a': 'topic1-2, topic2-2' },
  },
  {
    java: 'testStaticMemberRangeAssignmentPersistent',
    counts: { topic1: 5, topic2: 4 },
    members: [m('consumer1', t12, 'instance1'), m('consumer2', t12, 'instance2'), m('consumer3', t12, 'instance3'), m('consumer4', t12)],
    expected: {
      consumer1: 'topic1-0, topic1-1, topic2-0',
      consumer2: 'topic1-2, topic2-1',
      consumer3: 'topic1-3, topic2-2',
      consumer4: 'topic1-4, topic2-3',
    },
  },
  {
    java: 'testStaticMemberRangeAssignmentPersistent (dynamic consumer4 replaced by consumer5)',
    counts: { topic1: 5, topic2: 4 },
    members: [m('consumer1', t12, 'instance1'), m('consumer2', t12, 'instance2'), m('consumer3', t12, 'instance3'), m('consumer5', t12)],
    expected: {
      consumer1: 'topic1-0, topic1-1, topic2-0',
      consumer2: 'topic1-2, topic2-1',
      consumer3: 'topic1-3, topic2-2',
      consumer5: 'topic1-4, topic2-3',
    },
  },
  {
    java: 'testStaticMemberRangeAssignmentPersistentAfterMemberIdChanges (after the swap)',
    counts: { topic1: 5, topic2: 5 },
    members: [m('consumer1', t12, 'instance1'), m('consumer5', t12, 'instance2'), m('consumer4', t12, 'instance3')],
    expected: {
      consumer1: 'topic1-0, topic1-1, topic2-0, topic2-1',
      consumer5: 'topic1-2, topic1-3, topic2-2, topic2-3',
      consumer4: 'topic1-4, topic2-4',
    },
  },
  {
    java: 'testRackAwareAssignmentWithUniformSubscription (non-rack-aware expectation)',
    counts: { t1: 6, t2: 7, t3: 2 },
    members: [m('consumer0', ['t1', 't2', 't3']), m('consumer1', ['t1', 't2', 't3']), m('consumer2', ['t1', 't2', 't3'])],
    expected: { consumer0: 't1-0, t1-1, t2-0, t2-1, t2-2, t3-0', consumer1: 't1-2, t1-3, t2-3, t2-4, t3-1', consumer2: 't1-4, t1-5, t2-5, t2-6' },
  },
  {
    java: 'testRackAwareAssignmentWithNonEqualSubscription (non-rack-aware expectation)',
    counts: { t1: 6, t2: 7, t3: 2 },
    members: [m('consumer0', ['t1', 't2', 't3']), m('consumer1', ['t1', 't2', 't3']), m('consumer2', ['t1', 't3'])],
    expected: {
      consumer0: 't1-0, t1-1, t2-0, t2-1, t2-2, t2-3, t3-0',
      consumer1: 't1-2, t1-3, t2-4, t2-5, t2-6, t3-1',
      consumer2: 't1-4, t1-5',
    },
  },
  {
    java: 'testCoPartitionedAssignmentWithSameSubscription (null racks; t7..t9 have no metadata)',
    counts: { t1: 6, t2: 6, t3: 2, t4: 2, t5: 4, t6: 4 },
    members: ['consumer0', 'consumer1', 'consumer2'].map((id) => m(id, ['t1', 't2', 't3', 't4', 't5', 't6', 't7', 't8', 't9'])),
    expected: {
      consumer0: 't1-0, t1-1, t2-0, t2-1, t3-0, t4-0, t5-0, t5-1, t6-0, t6-1',
      consumer1: 't1-2, t1-3, t2-2, t2-3, t3-1, t4-1, t5-2, t6-2',
      consumer2: 't1-4, t1-5, t2-4, t2-5, t5-3, t6-3',
    },
  },
  {
    java: 'RangeAssignor Javadoc: "the first few consumers will have one extra partition" (4 over 3 is 2,1,1, not sarama-cluster\'s 1,2,1)',
    counts: { t: 4 },
    members: [m('c', ['t']), m('a', ['t']), m('b', ['t'])],
    expected: { a: 't-0, t-1', b: 't-2', c: 't-3' },
  },
];

describe('range (Java RangeAssignor)', () => {
  it.each(rows)('$java', ({ counts, members, expected }) => {
    const plan = range.assign(members, counts);
    expect(Object.fromEntries(plan)).toEqual(Object.fromEntries(Object.entries(expected).map(([id, s]) => [id, tps(s)])));
  });

  it('is named "range"', () => expect(range.name).toBe('range'));

  it('treats __proto__ and constructor as ordinary topic names', () => {
    const counts = Object.fromEntries([['__proto__', 2], ['topic', 1]]);
    const plan = range.assign([m('a', ['__proto__', 'constructor', 'topic']), m('b', ['__proto__', 'constructor'])], counts);
    expect(Object.fromEntries(plan)).toEqual({ a: tps('__proto__-0, topic-0'), b: tps('__proto__-1') });
    expect(Object.hasOwn(plan.get('a') ?? {}, '__proto__')).toBe(true);
    expect(Object.hasOwn(plan.get('a') ?? {}, 'constructor')).toBe(false);
  });
});
