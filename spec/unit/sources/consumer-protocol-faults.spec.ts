/**
 * Faults under the consumer group protocol, injected into the in-memory cluster, in virtual time: what the
 * membership does with the errors KIP-848 adds, the recovery the Java client does.
 */
import { tap } from 'rxjs';
import { markOffsets, type Generation, type GroupNotification, type KafkaClientError } from '../../../src';
import { InMemoryCluster } from '../../../src/testing';
import { inMemoryGroup, virtualTime } from '../../support/in-memory-group';

const consumerProtocol = { groupProtocol: 'consumer', group: { rebalance: { timeout: 30000, drainTimeout: 5000 } } } as const;

describe('consumer group protocol faults (in-memory cluster, virtual time)', () => {
  it('FENCED_MEMBER_EPOCH: the partitions are lost (no commit), the member rejoins with epoch 0 and consumes on; nothing lost', () => {
    const ts = virtualTime();
    const cluster = new InMemoryCluster({ topics: { t: 3 }, consumerGroup: { heartbeatIntervalMs: 500, sessionTimeoutMs: 10000 } });
    const delivered = new Map<string, number>();
    const generations: Generation[] = [];
    const notes: GroupNotification[] = [];
    let produced = 0;
    ts.run(({ flush }) => {
      const { group } = inMemoryGroup(cluster, ts, { groupId: 'g', topics: ['t'], ...consumerProtocol });
      const subs = [
        group.generations$.subscribe((g) => generations.push(g)),
        group.notifications$.subscribe((n) => notes.push(n)),
        group.messages$.pipe(tap((m) => delivered.set(`${m.partition}/${m.offset}`, (delivered.get(`${m.partition}/${m.offset}`) ?? 0) + 1)), markOffsets(group)).subscribe(),
      ];
      for (let t = 0; t < 10_000; t += 100) {
        ts.schedule(() => {
          for (let p = 0; p < 3; p++) cluster.produce('t', p, [{ value: `${p}@${t}` }]);
          produced += 3;
        }, t);
      }
      ts.schedule(() => cluster.failNext('consumerGroupHeartbeat', 1, 'FENCED_MEMBER_EPOCH'), 5_000);
      ts.schedule(() => subs.forEach((s) => s.unsubscribe()), 15_000);
      flush();
    });
    expect(delivered.size).toBe(produced);
    const lost = notes.find((n): n is Extract<GroupNotification, { type: 'RebalanceStart' }> => n.type === 'RebalanceStart' && Object.keys(n.lost).length > 0);
    expect(lost?.lost).toEqual({ t: [0, 1, 2] });
    expect(notes.some((n) => n.type === 'RebalanceError' && n.error.code === 'FENCED_MEMBER_EPOCH')).toBe(true);
    // After the loss, one generation adds all three back.
    const rejoined = generations.filter((g) => Object.keys(g.added).length > 0);
    expect(rejoined).toHaveLength(2);
    expect(rejoined[1]?.added).toEqual({ t: [0, 1, 2] });
    // Lost marks are not committed; what is re-read is what had been consumed since the last commit (1 s interval).
    const twice = [...delivered.values()].filter((n) => n > 1).length;
    expect(twice).toBeLessThanOrEqual(3 * 10 * 2);
  });

  it('OffsetFetch v9 carries the member id and current epoch; STALE_MEMBER_EPOCH and UNKNOWN_MEMBER_ID on it are retried (errors$), and every offset is then delivered once', () => {
    const ts = virtualTime();
    const cluster = new InMemoryCluster({ topics: { t: 2 }, consumerGroup: { heartbeatIntervalMs: 500, sessionTimeoutMs: 10000 } });
    for (let p = 0; p < 2; p++) cluster.produce('t', p, Array.from({ length: 10 }, (_, i) => ({ value: `${p}-${i}` })));
    const delivered: string[] = [];
    const errors: KafkaClientError[] = [];
    const generations: Generation[] = [];
    let requests: ReturnType<typeof inMemoryGroup>['recorded'] | undefined;
    ts.run(({ flush }) => {
      cluster.failNext('offsetFetch', 1, 'STALE_MEMBER_EPOCH').failNext('offsetFetch', 1, 'UNKNOWN_MEMBER_ID');
      const { group, recorded } = inMemoryGroup(cluster, ts, { groupId: 'g', topics: ['t'], ...consumerProtocol });
      requests = recorded;
      const subs = [
        group.generations$.subscribe((g) => generations.push(g)),
        group.errors$.subscribe((e) => errors.push(e)),
        group.messages$.pipe(tap((m) => delivered.push(`${m.partition}/${m.offset}`)), markOffsets(group)).subscribe(),
      ];
      ts.schedule(() => subs.forEach((s) => s.unsubscribe()), 5_000);
      flush();
    });
    expect(errors.map((e) => [e.code, e.context.group])).toEqual([['STALE_MEMBER_EPOCH', 'g'], ['UNKNOWN_MEMBER_ID', 'g']]);
    const [first] = generations;
    expect(requests?.offsetFetches.map((f) => f.member)).toEqual([1, 2, 3].map(() => ({ memberId: first?.memberId, memberEpoch: first?.generationId })));
    expect(delivered.sort()).toEqual([0, 1].flatMap((p) => Array.from({ length: 10 }, (_, o) => `${p}/${o}`)).sort());
  });

  it('UNRELEASED_INSTANCE_ID: a second member under a live instance id fails typed, naming the group; the first goes on', () => {
    const ts = virtualTime();
    const cluster = new InMemoryCluster({ topics: { t: 2 }, consumerGroup: { heartbeatIntervalMs: 500, sessionTimeoutMs: 10000 } });
    let failure: KafkaClientError | undefined;
    const first: Generation[] = [];
    ts.run(({ flush }) => {
      const a = inMemoryGroup(cluster, ts, { groupId: 'g', topics: ['t'], ...consumerProtocol, group: { ...consumerProtocol.group, instanceId: 'i' } }).group;
      const b = inMemoryGroup(cluster, ts, { groupId: 'g', topics: ['t'], ...consumerProtocol, group: { ...consumerProtocol.group, instanceId: 'i' } }).group;
      const subs = [a.generations$.subscribe((g) => first.push(g))];
      ts.schedule(() => subs.push(b.generations$.subscribe({ error: (e: KafkaClientError) => (failure = e) })), 1_000);
      ts.schedule(() => subs.forEach((s) => s.unsubscribe()), 5_000);
      flush();
    });
    expect(failure).toMatchObject({ _tag: 'KafkaProtocolError', code: 'UNRELEASED_INSTANCE_ID', context: { group: 'g', api: 'ConsumerGroupHeartbeat' } });
    expect(first.at(-1)?.current).toEqual({ t: [0, 1] });
  });

  it('a coordinator moving (NOT_COORDINATOR) is found again without losing the partitions', () => {
    const ts = virtualTime();
    const cluster = new InMemoryCluster({ brokers: 2, topics: { t: 2 }, consumerGroup: { heartbeatIntervalMs: 500, sessionTimeoutMs: 10000 } });
    const generations: Generation[] = [];
    const errors: string[] = [];
    ts.run(({ flush }) => {
      const { group } = inMemoryGroup(cluster, ts, { groupId: 'g', topics: ['t'], ...consumerProtocol });
      const subs = [group.generations$.subscribe((g) => generations.push(g)), group.notifications$.subscribe((n) => n.type === 'RebalanceError' && errors.push(n.error.code ?? n.error._tag))];
      ts.schedule(() => cluster.moveCoordinator('g', cluster.coordinatorOf('g') === 0 ? 1 : 0), 3_000);
      ts.schedule(() => subs.forEach((s) => s.unsubscribe()), 8_000);
      flush();
    });
    expect(errors).toEqual(['NOT_COORDINATOR']);
    expect(generations).toHaveLength(1);
    expect(generations[0]?.current).toEqual({ t: [0, 1] });
  });
});
