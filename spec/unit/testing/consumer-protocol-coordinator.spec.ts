import { concat, defer, mergeMap, timer, type Observable } from 'rxjs';
import { InMemoryCluster, type InMemoryTransport } from '../../../src/testing';
import type { ConsumerGroupHeartbeatRequest, ConsumerGroupHeartbeatResponse } from '../../../src/transport/port';
import { outcome, testScheduler } from './support';

const after = <T>(ms: number, source$: Observable<T>): Observable<T> => timer(ms).pipe(mergeMap(() => source$));

/** The in-memory coordinator of consumer-protocol groups (KIP-848), request by request, in virtual time. */
describe('in-memory consumer-protocol coordinator', () => {
  const setup = () => {
    const cluster = new InMemoryCluster({ topics: { t: 4 }, consumerGroup: { heartbeatIntervalMs: 500, sessionTimeoutMs: 3000 } });
    const id = cluster.transport().metadata({ topics: ['t'], topicIds: true });
    return { cluster, id };
  };
  const hb = (t: InMemoryTransport, r: Partial<ConsumerGroupHeartbeatRequest> & { memberId: string; memberEpoch: number }): Observable<ConsumerGroupHeartbeatResponse> =>
    defer(() => t.consumerGroupHeartbeat({ groupId: 'g', coordinator: 0, rebalanceTimeoutMs: 30000, ...r }));
  const join = (t: InMemoryTransport, memberId: string, extra: Partial<ConsumerGroupHeartbeatRequest> = {}) =>
    hb(t, { memberId, memberEpoch: 0, subscribedTopicNames: ['t'], ownedPartitions: [], ...extra });
  const parts = (r: ConsumerGroupHeartbeatResponse) => [r.memberEpoch, r.assignment?.flatMap((a) => a.partitions) ?? null];

  it('a join gets epoch 1 and every partition; the answer names topics by id', () => {
    testScheduler().run(({ expectObservable }) => {
      const { cluster } = setup();
      const t = cluster.transport();
      expectObservable(outcome(join(t, 'a'), (r) => [r.memberEpoch, r.heartbeatIntervalMs, r.assignment?.map((x) => x.topicId.length), r.assignment?.[0]?.partitions])).toBe('(a|)', { a: [1, 500, [22], [0, 1, 2, 3]] });
    });
  });

  it('a second member gets its share only after the first has given it up', () => {
    testScheduler().run(({ expectObservable }) => {
      const { cluster } = setup();
      const ta = cluster.transport();
      const tb = cluster.transport();
      let topicId = '';
      const a$ = concat(
        outcome(join(ta, 'a'), (r) => ((topicId = r.assignment?.[0]?.topicId ?? ''), parts(r))),
        // After b joined: a is told to keep two (epoch unchanged while it revokes).
        after(10, defer(() => outcome(hb(ta, { memberId: 'a', memberEpoch: 1, ownedPartitions: [{ topicId, partitions: [0, 1, 2, 3] }] }), parts))),
        // It acknowledges owning two: now at the new group epoch.
        after(10, defer(() => outcome(hb(ta, { memberId: 'a', memberEpoch: 1, ownedPartitions: [{ topicId, partitions: [0, 1] }] }), parts))),
      );
      const b$ = concat(
        after(5, outcome(join(tb, 'b'), parts)),
        after(20, defer(() => outcome(hb(tb, { memberId: 'b', memberEpoch: 2, ownedPartitions: [] }), parts))),
      );
      expectObservable(a$).toBe('a 9ms b 9ms (c|)', { a: [1, [0, 1, 2, 3]], b: [1, [0, 1]], c: [2, null] });
      expectObservable(b$).toBe('5ms a 19ms (b|)', { a: [2, []], b: [2, [2, 3]] });
    });
  });

  it.each<[string, Partial<ConsumerGroupHeartbeatRequest>, string]>([
    ['an unknown server assignor', { serverAssignor: 'sticky' }, 'UNSUPPORTED_ASSIGNOR'],
    ['owned partitions on a join', { ownedPartitions: [{ topicId: 'AAAAAAAAAAAAAAAAAAAAAA', partitions: [0] }] }, 'INVALID_REQUEST'],
    ['no subscription on a join', { subscribedTopicNames: undefined }, 'INVALID_REQUEST'],
    ['an empty member id', { memberId: '' }, 'INVALID_REQUEST'],
  ])('refuses %s', (_name, extra, code) => {
    testScheduler().run(({ expectObservable }) => {
      const { cluster } = setup();
      expectObservable(outcome(join(cluster.transport(), 'a', extra))).toBe('(a|)', { a: code });
    });
  });

  it('a wrong epoch is FENCED_MEMBER_EPOCH; an unknown member UNKNOWN_MEMBER_ID', () => {
    testScheduler().run(({ expectObservable }) => {
      const { cluster } = setup();
      const t = cluster.transport();
      expectObservable(concat(outcome(join(t, 'a'), (r) => r.memberEpoch), outcome(hb(t, { memberId: 'a', memberEpoch: 7 })), outcome(hb(t, { memberId: 'z', memberEpoch: 1 })))).toBe('(abc|)', {
        a: 1,
        b: 'FENCED_MEMBER_EPOCH',
        c: 'UNKNOWN_MEMBER_ID',
      });
    });
  });

  it('an instance id in use by a live member is UNRELEASED_INSTANCE_ID; after a leave with -2 it takes over without a new group epoch', () => {
    testScheduler().run(({ expectObservable }) => {
      const { cluster } = setup();
      const t = cluster.transport();
      expectObservable(
        concat(
          outcome(join(t, 'a', { instanceId: 'i' }), parts),
          outcome(join(t, 'a2', { instanceId: 'i' })),
          outcome(hb(t, { memberId: 'a', memberEpoch: -2, instanceId: 'i' }), (r) => r.memberEpoch),
          outcome(join(t, 'a2', { instanceId: 'i' }), parts),
        ),
      ).toBe('(abcd|)', { a: [1, [0, 1, 2, 3]], b: 'UNRELEASED_INSTANCE_ID', c: -2, d: [1, [0, 1, 2, 3]] });
    });
  });

  it('a member that stops heartbeating is removed after the session timeout', () => {
    testScheduler().run(({ expectObservable }) => {
      const { cluster } = setup();
      const t = cluster.transport();
      expectObservable(concat(outcome(join(t, 'a'), (r) => r.memberEpoch), after(3001, outcome(hb(t, { memberId: 'a', memberEpoch: 1 }))))).toBe('a 3000ms (b|)', { a: 1, b: 'UNKNOWN_MEMBER_ID' });
    });
  });

  it('commits must come on OffsetCommit v9 with the current epoch', () => {
    testScheduler().run(({ expectObservable }) => {
      const { cluster } = setup();
      const t = cluster.transport();
      const commit = (generationId: number, groupProtocol?: 'consumer') =>
        outcome(defer(() => t.offsetCommit({ groupId: 'g', coordinator: 0, memberId: 'a', generationId, ...(groupProtocol ? { groupProtocol } : {}), offsets: [{ topic: 't', partition: 0, offset: 1n }] })), (r) => r[0]?.error?.code ?? 'ok');
      expectObservable(concat(outcome(join(t, 'a'), (r) => r.memberEpoch), commit(1), commit(0, 'consumer'), commit(2, 'consumer'), commit(1, 'consumer'))).toBe('(abcde|)', {
        a: 1,
        b: 'UNSUPPORTED_VERSION',
        c: 'STALE_MEMBER_EPOCH',
        d: 'STALE_MEMBER_EPOCH',
        e: 'ok',
      });
    });
  });
});
