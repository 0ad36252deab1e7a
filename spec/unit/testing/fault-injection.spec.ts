import { catchError, concat, concatMap, defer, interval, map, mergeMap, of, take, timer, type Observable } from 'rxjs';
import { KafkaClientError, isKafkaClientError } from '../../../src/errors';
import { InMemoryCluster } from '../../../src/testing';
import type { FetchRequest } from '../../../src/transport/port';
import { Member, at, outcome, testScheduler } from './support';

const after = <T>(ms: number, source$: Observable<T>): Observable<T> => timer(ms).pipe(mergeMap(() => source$));

/** 'ok', or the error as `tag/code retriable`: to see ConnectionError and Closed in marbles. */
const failure = <T>(source$: Observable<T>): Observable<string> =>
  source$.pipe(
    map(() => 'ok'),
    catchError((e: unknown) => of(isKafkaClientError(e) ? `${e._tag}${e.code ? `/${e.code}` : ''}${e.retriable ? ' retriable' : ''}` : String(e))),
  );

const longPoll: FetchRequest = {
  nodeId: 0,
  maxWaitMs: 1000,
  minBytes: 1,
  maxBytes: 1 << 20,
  isolationLevel: 'read_uncommitted',
  partitions: [{ topic: 'orders', partition: 0, fetchOffset: 0n, maxBytes: 1 << 20 }],
};

/**
 * Fault injection, per transport (one client) or per cluster (every client): failing the next N requests of an
 * API, delaying requests (the broker sees them late), latency, dropped connections (in-flight requests fail,
 * the next request reconnects), unreachable brokers, and closing the transport.
 */
describe('in-memory cluster: fault injection', () => {
  it('fails the next N requests of an API on one transport, without them reaching the broker', () => {
    testScheduler().run(({ expectObservable }) => {
      const cluster = new InMemoryCluster();
      const m1 = new Member(cluster.transport({ clientId: 'c1' }), { sessionTimeoutMs: 10000 });
      const m2 = new Member(cluster.transport({ clientId: 'c2' }), { groupId: 'other' });
      m1.transport.failNext('heartbeat', 3, 'NOT_COORDINATOR');
      const beats$ = interval(3000).pipe(
        take(4),
        concatMap(() => outcome(m1.heartbeat$())),
      );
      expectObservable(concat(outcome(m1.join$(), (r) => r.generationId), defer(() => outcome(m1.sync$({ [m1.memberId]: 'p' }))), beats$)).toBe(
        '(ab) 2996ms c 2999ms d 2999ms e 2999ms (f|)',
        // The failed heartbeats never reached the coordinator: the session expired at 10000.
        { a: 1, b: 'p', c: 'NOT_COORDINATOR', d: 'NOT_COORDINATOR', e: 'NOT_COORDINATOR', f: 'UNKNOWN_MEMBER_ID' },
      );
      expectObservable(concat(outcome(m2.join$(), (r) => r.generationId), defer(() => outcome(m2.sync$({ [m2.memberId]: 'p' }))), after(3000, outcome(m2.heartbeat$())))).toBe(
        '(ab) 2996ms (c|)',
        { a: 1, b: 'p', c: 'ok' },
      );
    });
  });

  it('fails requests of every client from the cluster, with a code or an exact error', () => {
    testScheduler().run(({ expectObservable }) => {
      const cluster = new InMemoryCluster();
      const timeout = new KafkaClientError({ tag: 'RequestTimeout', retriable: true, message: 'injected timeout' });
      cluster.failNext('joinGroup', 1, 'COORDINATOR_LOAD_IN_PROGRESS').failNext('joinGroup', 1, timeout);
      const a = new Member(cluster.transport({ clientId: 'a' }));
      const b = new Member(cluster.transport({ clientId: 'b' }));
      expectObservable(concat(failure(a.join$()), outcome(a.join$(), (r) => r.generationId))).toBe('(ab|)', { a: 'KafkaProtocolError/COORDINATOR_LOAD_IN_PROGRESS retriable', b: 1 });
      expectObservable(failure(b.join$())).toBe('(a|)', { a: 'RequestTimeout retriable' });
    });
  });

  it('delays requests on their way to the broker, and adds cluster and transport latencies', () => {
    testScheduler().run(({ expectObservable }) => {
      const cluster = new InMemoryCluster({ latencyMs: 5 });
      const m = new Member(cluster.transport().setLatency(10), { sessionTimeoutMs: 10000 });
      const flow$ = concat(
        outcome(m.join$(), (r) => r.generationId),
        defer(() => outcome(m.sync$({ [m.memberId]: 'p' }))),
        defer(() => {
          m.transport.delayNext('heartbeat', 500);
          return outcome(m.heartbeat$());
        }),
        // Sent at 560, seen by the broker at 11560: the session (renewed at 545) expired at 10545.
        defer(() => {
          m.transport.delayNext('heartbeat', 11000);
          return outcome(m.heartbeat$());
        }),
      );
      expectObservable(flow$).toBe('30ms a 14ms b 514ms c 11014ms (d|)', { a: 1, b: 'p', c: 'ok', d: 'UNKNOWN_MEMBER_ID' });
    });
  });

  it('drops a client connection: in-flight requests fail retriably, the next request reconnects', () => {
    testScheduler().run(({ expectObservable }) => {
      const cluster = new InMemoryCluster();
      const m1 = new Member(cluster.transport({ clientId: 'c1' }));
      const m2 = new Member(cluster.transport({ clientId: 'c2' }));
      const m1$ = concat(
        outcome(m1.join$(), (r) => r.generationId),
        defer(() => outcome(m1.sync$({ [m1.memberId]: 'p' }))),
        after(300, outcome(m1.join$(), (r) => `gen ${r.generationId}: ${r.members.length}`)),
      );
      expectObservable(m1$).toBe('(ab) 296ms (c|)', { a: 1, b: 'p', c: 'gen 2: 2' });
      // m2's JoinGroup is parked (m1 has not rejoined) when its connection drops at 100; the broker still counts it.
      const m2$ = concat(after(50, failure(m2.join$())), after(100, outcome(m2.joinOnce$(), (r) => r.generationId)));
      expectObservable(m2$).toBe('100ms a 199ms (b|)', { a: 'ConnectionError retriable', b: 2 });
      expectObservable(at(100, () => cluster.dropConnection('c2').describeGroup('g').members.length)).toBe('100ms (a|)', { a: 2 });
      expectObservable(at(150, () => [m1.transport.connectionCount, m2.transport.connectionCount])).toBe('150ms (a|)', { a: [1, 1] });
      expectObservable(at(250, () => m2.transport.connectionCount)).toBe('250ms (a|)', { a: 2 });
    });
  });

  it('makes a broker unreachable for one client or for all, dropping what is in flight to it', () => {
    testScheduler().run(({ expectObservable }) => {
      const cluster = new InMemoryCluster({ brokers: 2, topics: { orders: 2 } });
      const t1 = cluster.transport({ clientId: 'c1' });
      const t2 = cluster.transport({ clientId: 'c2' });
      const poll$ = failure(t1.fetch(longPoll));
      expectObservable(poll$).toBe('100ms (a|)', { a: 'ConnectionError retriable' });
      expectObservable(at(100, () => t1.unreachable(true, 0).isClosed)).toBe('100ms (a|)', { a: false });
      expectObservable(after(200, failure(t1.fetch(longPoll)))).toBe('200ms (a|)', { a: 'ConnectionError retriable' });
      expectObservable(after(200, t1.metadata({ topics: [] }).pipe(map((m) => m.brokers.length)))).toBe('200ms (a|)', { a: 2 });
      const list$ = t1
        .listOffsets({ isolationLevel: 'read_uncommitted', partitions: [0, 1].map((partition) => ({ topic: 'orders', partition, timestamp: -1n })) })
        .pipe(map((ps) => ps.map((p) => p.error?._tag ?? p.offset)));
      expectObservable(after(200, list$)).toBe('200ms (a|)', { a: ['ConnectionError', 0n] });
      expectObservable(after(200, failure(t2.fetch({ ...longPoll, maxWaitMs: 0 })))).toBe('200ms (a|)', { a: 'ok' });
      expectObservable(at(300, () => cluster.unreachable(true).brokers.length)).toBe('300ms (a|)', { a: 2 });
      expectObservable(after(400, failure(t2.metadata({})))).toBe('400ms (a|)', { a: 'ConnectionError retriable' });
      expectObservable(at(500, () => cluster.unreachable(false).brokers.length)).toBe('500ms (a|)', { a: 2 });
      expectObservable(after(600, failure(t2.metadata({})))).toBe('600ms (a|)', { a: 'ok' });
      expectObservable(after(600, failure(t1.fetch({ ...longPoll, maxWaitMs: 0 })))).toBe('600ms (a|)', { a: 'ConnectionError retriable' });
    });
  });

  it('closes a transport: requests in flight and later ones fail with Closed', () => {
    testScheduler().run(({ expectObservable }) => {
      const cluster = new InMemoryCluster({ topics: { orders: 1 } });
      const t = cluster.transport();
      expectObservable(failure(t.fetch(longPoll))).toBe('100ms (a|)', { a: 'Closed' });
      expectObservable(after(100, t.close())).toBe('100ms (a|)', { a: undefined });
      expectObservable(after(200, failure(t.metadata({})))).toBe('200ms (a|)', { a: 'Closed' });
      expectObservable(after(200, t.close())).toBe('200ms (a|)', { a: undefined });
    });
  });
});
