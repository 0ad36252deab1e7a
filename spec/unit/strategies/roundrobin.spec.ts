/**
 * Table tests for `roundrobin`: each row mirrors a case of Java's RoundRobinAssignorTest
 * (apache/kafka clients/src/test/java/org/apache/kafka/clients/consumer/RoundRobinAssignorTest.java) or an example
 * in RoundRobinAssignor's Javadoc, with the plan Java expects.
 */
import { MemberSubscription, PartitionCounts, roundrobin } from '../../../src/strategies';

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
  { java: 'testOneConsumerNoTopic', counts: {}, members: [m('consumer', [])], expected: { consumer: '' } },
  { java: 'testOneConsumerNonexistentTopic', counts: {}, members: [m('consumer', ['topic'])], expected: { consumer: '' } },
  { java: 'testOneConsumerOneTopic', counts: { topic: 3 }, members: [m('consumer', ['topic'])], expected: { consumer: 'topic-0, topic-1, topic-2' } },
  {
    java: 'testOnlyAssignsPartitionsFromSubscribedTopics',
    counts: { topic: 3, other: 3 },
    members: [m('consumer', ['topic'])],
    expected: { consumer: 'topic-0, topic-1, topic-2' },
  },
  {
    java: 'testOneConsumerMultipleTopics',
    counts: { topic1: 1, topic2: 2 },
    members: [m('consumer', t12)],
    expected: { consumer: 'topic1-0, topic2-0, topic2-1' },
  },
  {
    java: 'testTwoConsumersOneTopicOnePartition',
    counts: { topic: 1 },
    members: [m('consumer1', ['topic']), m('consumer2', ['topic'])],
    expected: { consumer1: 'topic-0', consumer2: '' },
  },
  {
    java: 'testTwoConsumersOneTopicTwoPartitions',
    counts: { topic: 2 },
    members: [m('consumer1', ['topic']), m('consumer2', ['topic'])],
    expected: { consumer1: 'topic-0', consumer2: 'topic-1' },
  },
  {
    java: 'testMultipleConsumersMixedTopics',
    counts: { topic1: 3, topic2: 2 },
    members: [m('consumer1', ['topic1']), m('consumer2', t12), m('consumer3', ['topic1'])],
    expected: { consumer1: 'topic1-0', consumer2: 'topic1-1, topic2-0, topic2-1', consumer3: 'topic1-2' },
  },
  {
    java: 'testTwoDynamicConsumersTwoTopicsSixPartitions (and the RoundRobinAssignor Javadoc example C0/C1)',
    counts: { topic1: 3, topic2: 3 },
    members: [m('consumer1', t12), m('consumer2', t12)],
    expected: { consumer1: 'topic1-0, topic1-2, topic2-1', consumer2: 'topic1-1, topic2-0, topic2-2' },
  },
  {
    java: 'testTwoStaticConsumersTwoTopicsSixPartitions (instance ids order, not member ids)',
    counts: { topic1: 3, topic2: 3 },
    members: [m('consumer-b', t12, 'instance1'), m('consumer-a', t12, 'instance2')],
    expected: { 'consumer-b': 'topic1-0, topic1-2, topic2-1', 'consumer-a': 'topic1-1, topic2-0, topic2-2' },
  },
  {
    java: 'testOneStaticConsumerAndOneDynamicConsumerTwoTopicsSixPartitions (static first)',
    counts: { topic1: 3, topic2: 3 },
    members: [m('consumer-b', t12, 'instance1'), m('consumer-a', t12)],
    expected: { 'consumer-b': 'topic1-0, topic1-2, topic2-1', 'consumer-a': 'topic1-1, topic2-0, topic2-2' },
  },
  {
    java: 'testStaticMemberAssignmentPersistent',
    counts: { topic1: 3, topic2: 3 },
    members: [m('consumer1', t12, 'instance1'), m('consumer2', t12, 'instance2'), m('consumer3', t12, 'instance3'), m('consumer4', t12)],
    expected: { consumer1: 'topic1-0, topic2-1', consumer2: 'topic1-1, topic2-2', consumer3: 'topic1-2', consumer4: 'topic2-0' },
  },
  {
    java: 'testStaticMemberAssignmentPersistent (dynamic consumer4 replaced by consumer5)',
    counts: { topic1: 3, topic2: 3 },
    members: [m('consumer1', t12, 'instance1'), m('consumer2', t12, 'instance2'), m('consumer3', t12, 'instance3'), m('consumer5', t12)],
    expected: { consumer1: 'topic1-0, topic2-1', consumer2: 'topic1-1, topic2-2', consumer3: 'topic1-2', consumer5: 'topic2-0' },
  },
  {
    java: 'testStaticMemberAssignmentPersistentAfterMemberIdChanges (after the swap)',
    counts: { topic1: 3, topic2: 3 },
    members: [m('consumer4', t12, 'instance1'), m('consumer5', t12, 'instance2'), m('consumer1', t12, 'instance3')],
    expected: { consumer4: 'topic1-0, topic2-0', consumer5: 'topic1-1, topic2-1', consumer1: 'topic1-2, topic2-2' },
  },
  {
    java: 'RoundRobinAssignor Javadoc: differing subscriptions, C0 skipped for t1 and t2',
    counts: { t0: 1, t1: 2, t2: 3 },
    members: [m('C0', ['t0']), m('C1', ['t0', 't1']), m('C2', ['t0', 't1', 't2'])],
    expected: { C0: 't0-0', C1: 't1-0', C2: 't1-1, t2-0, t2-1, t2-2' },
  },
  {
    java: 'RoundRobinAssignor Javadoc: the circle does not restart per topic (unlike sarama-cluster)',
    counts: { a: 1, b: 1, c: 1 },
    members: [m('m2', ['a', 'b', 'c']), m('m0', ['a', 'b', 'c']), m('m1', ['a', 'b', 'c'])],
    expected: { m0: 'a-0', m1: 'b-0', m2: 'c-0' },
  },
];

describe('roundrobin (Java RoundRobinAssignor)', () => {
  it.each(rows)('$java', ({ counts, members, expected }) => {
    const plan = roundrobin.assign(members, counts);
    expect(Object.fromEntries(plan)).toEqual(Object.fromEntries(Object.entries(expected).map(([id, s]) => [id, tps(s)])));
  });

  it('is named "roundrobin"', () => expect(roundrobin.name).toBe('roundrobin'));

  it('treats __proto__ and constructor as ordinary topic names', () => {
    const counts = Object.fromEntries([['__proto__', 3]]);
    const plan = roundrobin.assign([m('a', ['__proto__', 'constructor']), m('b', ['__proto__'])], counts);
    expect(plan.get('a')?.['__proto__']).toEqual([0, 2]);
    expect(plan.get('b')?.['__proto__']).toEqual([1]);
    expect(Object.keys(plan.get('a') ?? {})).toEqual(['__proto__']);
  });
});
