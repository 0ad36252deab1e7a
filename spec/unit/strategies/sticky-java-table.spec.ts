/**
 * Our sticky() and cooperativeSticky() against Java's own StickyAssignor and CooperativeStickyAssignor: every case
 * in java-sticky-table.json was computed by running kafka-clients' classes on the same input
 * (regenerate: `node scripts/assignor-table.js`), and our assignment must be the same, partition for partition.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cooperativeSticky, sticky, type MemberSubscription, type TopicPartitions } from '../../../src/strategies';
import { encodeCooperativeUserData, encodeStickyUserData } from '../../../src/strategies/sticky/member-data';

type Pair = [string, number];
interface TableMember {
  memberId: string;
  groupInstanceId: string | null;
  topics: string[];
  userData: string | null;
  ownedPartitions: Pair[];
  generationId: number;
}
interface TableCase {
  name: string;
  assignor: 'sticky' | 'cooperative-sticky';
  partitionCounts: Record<string, number>;
  members: TableMember[];
  assignment?: Record<string, Pair[]>;
  error?: string;
}
interface UserDataCheck {
  assignor: 'sticky' | 'cooperative-sticky';
  partitions: Pair[] | null;
  generation: number | null;
  hex: string | null;
}
const table = JSON.parse(readFileSync(join(__dirname, 'java-sticky-table.json'), 'utf8')) as { kafkaClients: string; cases: TableCase[]; userData: UserDataCheck[] };

/** Consecutive runs of one topic, so the flattened list is the case's list in its order. */
const grouped = (pairs: readonly Pair[]): { topic: string; partitions: number[] }[] => {
  const out: { topic: string; partitions: number[] }[] = [];
  for (const [topic, partition] of pairs) {
    const last = out[out.length - 1];
    if (last && last.topic === topic) last.partitions.push(partition);
    else out.push({ topic, partitions: [partition] });
  }
  return out;
};

const toTopicPartitions = (pairs: readonly Pair[]): TopicPartitions => {
  const byTopic = new Map<string, number[]>();
  for (const [t, p] of pairs) byTopic.set(t, [...(byTopic.get(t) ?? []), p]);
  return Object.fromEntries([...byTopic].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([t, ps]) => [t, ps.sort((x, y) => x - y)]));
};

const member = (m: TableMember): MemberSubscription => ({
  memberId: m.memberId,
  groupInstanceId: m.groupInstanceId,
  topics: m.topics,
  userData: m.userData === null ? null : Buffer.from(m.userData, 'hex'),
  ownedPartitions: grouped(m.ownedPartitions),
  generationId: m.generationId,
});

describe(`sticky assignors equal Java's (kafka-clients ${table.kafkaClients})`, () => {
  it('the table covers both assignors, both algorithms and Java errors', () => {
    expect(table.cases.filter((c) => c.assignor === 'sticky').length).toBeGreaterThan(100);
    expect(table.cases.filter((c) => c.assignor === 'cooperative-sticky').length).toBeGreaterThan(100);
  });

  it.each(table.cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const strategy = c.assignor === 'sticky' ? sticky() : cooperativeSticky();
    const members = c.members.map(member);
    if (c.error !== undefined) {
      expect(() => strategy.assign(members, c.partitionCounts)).toThrow(c.error.replace(/^java\.lang\./, ''));
      return;
    }
    const plan = strategy.assign(members, c.partitionCounts);
    const expected = Object.fromEntries(c.members.map((m) => [m.memberId, toTopicPartitions(c.assignment?.[m.memberId] ?? [])]));
    expect(Object.fromEntries(plan)).toEqual(expected);
  });

  it.each(table.userData.map((u, i) => [`${u.assignor} #${i}`, u] as const))('user data %s is byte for byte Java\'s', (_name, u) => {
    const strategy = u.assignor === 'sticky' ? sticky() : cooperativeSticky();
    if (u.partitions !== null && u.generation !== null) {
      if (u.assignor === 'sticky') {
        expect(encodeStickyUserData(u.partitions.map(([topic, partition]) => ({ topic, partition })), u.generation).toString('hex')).toBe(u.hex);
      } else expect(encodeCooperativeUserData(u.generation).toString('hex')).toBe(u.hex);
    } else expect(strategy.userData?.()?.toString('hex') ?? null).toBe(u.hex);
  });
});
