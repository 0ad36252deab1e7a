import { concatMap, firstValueFrom, map, take, timer } from 'rxjs';
import { generations } from '../../src/sources/group-membership';
import { createAdminKit, type AdminKit } from '../../src/transport/kafkajs/admin-kit';
import { createKafkajsTransport } from '../../src/transport/kafkajs';
import type { Transport } from '../../src/transport';
import { brokers, uniqueName } from '../support/names';
import { coverage, membershipDefaults, stallableHeartbeats, startTestMember, TestMember } from '../support/membership-fixture';

const transportFor = (clientId: string): Transport =>
  createKafkajsTransport({ brokers: brokers(), clientId, connectionTimeout: 3000, requestTimeout: 30000, retry: { max: 2, initialBackoff: 100, maxBackoff: 1000 } });

describe('group membership on a real broker', () => {
  let kit: AdminKit;
  let topic: string;
  let groupId: string;
  const transports: Transport[] = [];
  const members: TestMember[] = [];
  const member = (options: Partial<ReturnType<typeof membershipDefaults>> = {}, clientId = uniqueName('member')) => {
    const transport = options.transport ?? transportFor(clientId);
    transports.push(transport);
    const m = startTestMember({ ...membershipDefaults(transport, groupId, [topic]), ...options, transport });
    members.push(m);
    return m;
  };

  beforeAll(() => {
    kit = createAdminKit(brokers());
  });
  beforeEach(async () => {
    topic = uniqueName('membership');
    groupId = uniqueName('membership-group');
    await kit.createTopic(topic, 6);
  });
  afterEach(async () => {
    await Promise.all(members.splice(0).map((m) => m.stop()));
    await Promise.all(transports.splice(0).map((t) => new Promise((r) => t.close().subscribe({ complete: () => r(undefined), error: () => r(undefined) }))));
  });
  afterAll(() => kit.close());

  it('one member joins and holds every partition', async () => {
    const t0 = Date.now();
    const a = member();
    const g = await a.generation();
    process.stderr.write(`[measure] subscribe -> first generation (1 member): ${Date.now() - t0} ms\n`);
    expect(coverage(topic, g)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(g.isLeader).toBe(true);
    expect(g.claimed).toEqual(g.current);
    const described = await kit.describeGroup(groupId);
    expect(described.state).toBe('Stable');
    expect(described.members.map((m) => m.memberId)).toEqual([g.memberId]);
  });

  it('a second member triggers a rebalance; both hold the new generation, every partition exactly once', async () => {
    const a = member();
    const first = await a.generation();
    const t0 = Date.now();
    const b = member();
    const [ga, gb] = await Promise.all([a.generation((g) => g.generationId > first.generationId), b.generation()]);
    process.stderr.write(`[measure] second member subscribe -> both hold the new generation (heartbeat 500 ms): ${Date.now() - t0} ms\n`);
    expect(ga.generationId).toBe(gb.generationId);
    expect(coverage(topic, ga, gb)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(coverage(topic, ga)).toHaveLength(3);
    expect(ga.released[topic]).toHaveLength(3);
  });

  it('a member that leaves gives its partitions back without waiting for the session timeout', async () => {
    const a = member({ sessionTimeoutMs: 30000 });
    const b = member({ sessionTimeoutMs: 30000 });
    const shared = await a.generation((g) => (g.current[topic]?.length ?? 0) === 3);
    await b.generation((g) => g.generationId === shared.generationId);
    const t0 = Date.now();
    await b.stop();
    const after = await a.generation((g) => g.generationId > shared.generationId);
    expect(coverage(topic, after)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(Date.now() - t0).toBeLessThan(30000); // well under the 30 s session timeout: LeaveGroup, not expiry
    expect(await b.ended).toBe('complete');
  });

  it('a member that stops heartbeating is evicted; when it comes back it learns it and rejoins', async () => {
    const stallable = stallableHeartbeats(transportFor(uniqueName('stalled')));
    const a = member({ sessionTimeoutMs: 1500, heartbeatIntervalMs: 300 });
    const b = member({ sessionTimeoutMs: 1500, heartbeatIntervalMs: 300, transport: stallable.transport });
    const shared = await a.generation((g) => (g.current[topic]?.length ?? 0) === 3);
    const bShared = await b.generation((g) => g.generationId === shared.generationId);
    stallable.stall(true);
    const alone = await a.generation((g) => g.generationId > shared.generationId && (g.current[topic]?.length ?? 0) === 6);
    expect(coverage(topic, alone)).toEqual([0, 1, 2, 3, 4, 5]);
    stallable.stall(false);
    const back = await b.generation((g) => g.generationId > shared.generationId);
    expect(back.memberId).not.toBe(bShared.memberId); // UNKNOWN_MEMBER_ID: rejoined with a new id
    const [ga] = await Promise.all([a.generation((g) => g.generationId === back.generationId)]);
    expect(coverage(topic, ga, back)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('heartbeats do not depend on the subscriber: async work longer than the session timeout does not evict', async () => {
    const transport = transportFor(uniqueName('slow-subscriber'));
    transports.push(transport);
    const sessionTimeoutMs = 1000;
    // The subscriber spends 3x the session timeout on async work for the generation it received, then reports
    // the generation id it worked on and how the coordinator sees the group at that moment.
    const result = await firstValueFrom(
      generations({ ...membershipDefaults(transport, groupId, [topic]), sessionTimeoutMs, heartbeatIntervalMs: 200 }).pipe(
        concatMap((g) => timer(3 * sessionTimeoutMs).pipe(concatMap(() => kit.describeGroup(groupId)), map((described) => ({ g, described })))),
        take(1),
      ),
    );
    expect(result.described.state).toBe('Stable');
    expect(result.described.members.map((m) => m.memberId)).toEqual([result.g.memberId]);
  });

  it('a topic that does not exist yet is joined with nothing assigned, and picked up once created', async () => {
    const later = uniqueName('later');
    const a = member({ topics: () => [later], metadataRefreshMs: 300 });
    const empty = await a.generation();
    expect(empty.current).toEqual({});
    await kit.createTopic(later, 2);
    const g = await a.generation((x) => (x.current[later]?.length ?? 0) === 2);
    expect(g.claimed).toEqual({ [later]: [0, 1] });
  });

  it('a broker that cannot be reached ends the stream with a typed error after bounded retries', async () => {
    const dead = createKafkajsTransport({ brokers: ['127.0.0.1:1'], clientId: 'unreachable', connectionTimeout: 200, requestTimeout: 1000, retry: { max: 1, initialBackoff: 50, maxBackoff: 100 } });
    transports.push(dead);
    const t0 = Date.now();
    const a = startTestMember({ ...membershipDefaults(dead, groupId, [topic]), retry: { max: 2, initialBackoffMs: 50, maxBackoffMs: 100 } });
    const ended = await a.ended;
    expect(ended).not.toBe('complete');
    expect(ended !== 'complete' && ended._tag).toBe('BrokerUnavailable');
    expect(Date.now() - t0).toBeLessThan(20000);
  });
});
