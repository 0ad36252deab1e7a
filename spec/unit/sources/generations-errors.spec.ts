import { catchError, concat, map, mergeMap, Observable, of, timer } from 'rxjs';
import { isKafkaClientError, type KafkaErrorCode } from '../../../src/errors';
import type { Generation } from '../../../src/sources/group-membership';
import { at, describeNotification, memberIdOf, runVirtual, testCluster, testMember, views } from './generations-fixture';

/** A generation as `id member: t-partitions`, an error as `tag code retriable`: marble values for these specs. */
const brief = (source: Observable<Generation>): Observable<string> =>
  views(source).pipe(
    map((g) => `${g.generationId} ${g.memberId}: ${g.current['t']?.join(',') ?? '-'}`),
    catchError((e: unknown) => of(isKafkaClientError(e) ? `${e._tag} ${e.code ?? '-'} ${e.retriable ? 'retriable' : 'final'}` : String(e))),
  );

const COORDINATOR_ERRORS: readonly KafkaErrorCode[] = ['NOT_COORDINATOR', 'COORDINATOR_NOT_AVAILABLE', 'COORDINATOR_LOAD_IN_PROGRESS'];

/**
 * `generations$` when the broker answers with errors, moves the coordinator, drops connections, or cannot be
 * reached: what the member does, and when (in virtual time). Members heartbeat every 1 s (10 s session, 30 s
 * rebalance timeout); retries back off 100, 200, 400 ms and give up after 3. Topic `t` has 4 partitions.
 */
describe('generations$ error paths (in-memory broker, virtual time)', () => {
  const A1 = memberIdOf('a', 1);
  const A2 = memberIdOf('a', 2);

  it('MEMBER_ID_REQUIRED: the member rejoins at once with the member id the coordinator gave it', () => {
    runVirtual(({ expectObservable }, scheduler) => {
      const cluster = testCluster(scheduler);
      const a = testMember(cluster, scheduler, 'a');
      expectObservable(brief(a.generations$), '^ 999ms !').toBe('a', { a: `1 ${A1}: 0,1,2,3` });
      expectObservable(at(1, () => a.requests('joinGroup').map((r) => `${r.at} '${r.memberId}' ${r.outcome}`))).toBe('1ms (a|)', {
        a: [`0 '' MEMBER_ID_REQUIRED`, `0 '${A1}' ok`],
      });
    });
  });

  describe('JoinGroup errors', () => {
    it('REBALANCE_IN_PROGRESS on JoinGroup: the member sends JoinGroup again at once, without backoff', () => {
      runVirtual(({ expectObservable }, scheduler) => {
        const cluster = testCluster(scheduler);
        const a = testMember(cluster, scheduler, 'a');
        a.transport.failNext('joinGroup', 1, 'REBALANCE_IN_PROGRESS');
        expectObservable(brief(a.generations$), '^ 999ms !').toBe('a', { a: `1 ${A1}: 0,1,2,3` });
        expectObservable(at(1, () => [a.requests('joinGroup').map((r) => `${r.at} '${r.memberId}' ${r.outcome}`), a.requests('findCoordinator').length])).toBe('1ms (a|)', {
          a: [[`0 '' REBALANCE_IN_PROGRESS`, `0 '' MEMBER_ID_REQUIRED`, `0 '${A1}' ok`], 1],
        });
      });
    });

    it.each<[KafkaErrorCode, string]>([
      ['GROUP_AUTHORIZATION_FAILED', 'AuthorizationError GROUP_AUTHORIZATION_FAILED final'],
      ['INCONSISTENT_GROUP_PROTOCOL', 'KafkaProtocolError INCONSISTENT_GROUP_PROTOCOL final'],
    ])('%s on JoinGroup (not retriable): the stream fails at once with that typed error, no retry', (code, failure) => {
      runVirtual(({ expectObservable }, scheduler) => {
        const cluster = testCluster(scheduler);
        const a = testMember(cluster, scheduler, 'a');
        a.transport.failNext('joinGroup', 1, code);
        expectObservable(brief(a.generations$)).toBe('(a|)', { a: failure });
        expectObservable(at(1000, () => a.sent.map((r) => r.api))).toBe('1000ms (a|)', { a: ['findCoordinator', 'metadata', 'joinGroup'] });
      });
    });
  });

  describe('SyncGroup errors', () => {
    it.each<[KafkaErrorCode, string, string]>([
      // The coordinator never saw the failed SyncGroup: it answers the repeated JoinGroup with generation 1 again.
      ['REBALANCE_IN_PROGRESS', A1, `1 ${A1}: 0,1,2,3`],
      ['ILLEGAL_GENERATION', A1, `1 ${A1}: 0,1,2,3`],
    ])('%s on SyncGroup: the member rejoins at once with its member id', (code, rejoinedAs, generation) => {
      runVirtual(({ expectObservable }, scheduler) => {
        const cluster = testCluster(scheduler);
        const a = testMember(cluster, scheduler, 'a');
        a.transport.failNext('syncGroup', 1, code);
        expectObservable(brief(a.generations$), '^ 999ms !').toBe('a', { a: generation });
        expectObservable(at(1, () => [a.requests('joinGroup').map((r) => `${r.at} '${r.memberId}'`), a.requests('syncGroup').map((r) => `${r.at} ${r.outcome}`)])).toBe(
          '1ms (a|)',
          { a: [[`0 ''`, `0 '${A1}'`, `0 '${rejoinedAs}'`], [`0 ${code}`, '0 ok']] },
        );
      });
    });

    it('UNKNOWN_MEMBER_ID on SyncGroup: the member rejoins at once with an empty member id, as a new member', () => {
      runVirtual(({ expectObservable }, scheduler) => {
        const cluster = testCluster(scheduler);
        const a = testMember(cluster, scheduler, 'a');
        a.transport.failNext('syncGroup', 1, 'UNKNOWN_MEMBER_ID');
        // The coordinator still counts the old member id (its SyncGroup never arrived): the rebalance the new id
        // started completes once that member's session expires, 10 s after its JoinGroup.
        expectObservable(brief(a.generations$), '^ 19999ms !').toBe('10000ms a', { a: `2 ${A2}: 0,1,2,3` });
        expectObservable(at(1, () => a.requests('joinGroup').map((r) => `${r.at} '${r.memberId}' ${r.outcome ?? 'parked'}`))).toBe('1ms (a|)', {
          a: [`0 '' MEMBER_ID_REQUIRED`, `0 '${A1}' ok`, `0 '' MEMBER_ID_REQUIRED`, `0 '${A2}' parked`],
        });
      });
    });
  });

  describe('Heartbeat errors', () => {
    it.each<[KafkaErrorCode, boolean, string[], number, string]>([
      ['REBALANCE_IN_PROGRESS', false, [A1], 3000, A1],
      ['ILLEGAL_GENERATION', true, [A1], 3000, A1],
      // A new member id: the coordinator drops the old one when its session expires (10 s after its last heartbeat).
      ['UNKNOWN_MEMBER_ID', true, ['', A2], 12000, A2],
    ])('%s on a heartbeat: the member revokes (fenced: %s) and rejoins at once as %j', (code, fenced, rejoinedAs, nextAt, nextMember) => {
      runVirtual(({ expectObservable }, scheduler) => {
        const cluster = testCluster(scheduler);
        const revokes: string[] = [];
        const a = testMember(cluster, scheduler, 'a', {
          onRevoke: (g, _partitions, f) => {
            revokes.push(`${scheduler.now()} ${g.generationId} fenced=${f}`);
            return timer(0);
          },
        });
        scheduler.schedule(() => a.transport.failNext('heartbeat', 1, code), 2500);
        expectObservable(brief(a.generations$), '^ 19999ms !').toBe(`a ${nextAt - 1}ms b`, {
          a: `1 ${A1}: 0,1,2,3`,
          b: `2 ${nextMember}: 0,1,2,3`,
        });
        expectObservable(
          at(3001, () => [
            a.requests('heartbeat').filter((r) => r.at === 3000).map((r) => r.outcome),
            [...revokes],
            a.requests('joinGroup').filter((r) => r.at === 3000).map((r) => r.memberId),
            a.notified.filter((n) => n.at === 3000).map((n) => describeNotification(n.notification)),
          ]),
        ).toBe('3001ms (a|)', {
          a: [[code], [`3000 1 fenced=${fenced}`], rejoinedAs, ['Start t:0,1,2,3', ...(nextAt === 3000 ? ['OK 2 +- -- =t:0,1,2,3'] : [])]],
        });
      });
    });
  });

  describe('coordinator errors: rediscovery with backoff', () => {
    const cases = COORDINATOR_ERRORS.flatMap((code) => (['findCoordinator', 'joinGroup', 'syncGroup'] as const).map((api) => [code, api] as const));

    it.each(cases)('%s on %s three times: re-finds the coordinator after 100, 200 and 400 ms, and joins at 700 ms', (code, api) => {
      runVirtual(({ expectObservable }, scheduler) => {
        const cluster = testCluster(scheduler);
        const a = testMember(cluster, scheduler, 'a');
        a.transport.failNext(api, 3, code);
        expectObservable(brief(a.generations$), '^ 1999ms !').toBe('700ms a', { a: `1 ${A1}: 0,1,2,3` });
        expectObservable(
          at(701, () => [
            a.requests('findCoordinator').map((r) => r.at),
            a.requests(api).map((r) => `${r.at} ${r.outcome}`).filter((r) => !r.endsWith('MEMBER_ID_REQUIRED')),
            a.notified.filter((n) => n.notification.type === 'RebalanceError').map((n) => `${n.at} ${describeNotification(n.notification)}`),
          ]),
        ).toBe('701ms (a|)', {
          a: [[0, 100, 300, 700], [`0 ${code}`, `100 ${code}`, `300 ${code}`, '700 ok'], [`0 Error ${code}`, `100 Error ${code}`, `300 Error ${code}`]],
        });
      });
    });

    it.each(COORDINATOR_ERRORS)('%s on every attempt: the stream fails with that typed error at 700 ms, after the 3 retries', (code) => {
      runVirtual(({ expectObservable }, scheduler) => {
        const cluster = testCluster(scheduler);
        const a = testMember(cluster, scheduler, 'a');
        a.transport.failNext('joinGroup', 4, code);
        expectObservable(brief(a.generations$)).toBe('700ms (a|)', { a: `KafkaProtocolError ${code} final` });
        expectObservable(at(701, () => [a.requests('findCoordinator').map((r) => r.at), a.requests('joinGroup').map((r) => r.at), a.requests('leaveGroup')])).toBe('701ms (a|)', {
          a: [[0, 100, 300, 700], [0, 100, 300, 700], []],
        });
      });
    });

    it.each(COORDINATOR_ERRORS)('%s on a heartbeat: the member re-finds the coordinator at once and keeps its generation; heartbeats resume a second later', (code) => {
      runVirtual(({ expectObservable }, scheduler) => {
        const cluster = testCluster(scheduler);
        const a = testMember(cluster, scheduler, 'a');
        scheduler.schedule(() => a.transport.failNext('heartbeat', 1, code), 2500);
        expectObservable(brief(a.generations$), '^ 9999ms !').toBe('a', { a: `1 ${A1}: 0,1,2,3` });
        expectObservable(
          at(5001, () => [
            a.requests('findCoordinator').map((r) => r.at),
            a.requests('heartbeat').map((r) => `${r.at} ${r.generationId} ${r.outcome}`),
            a.requests('joinGroup').length,
            a.notified.filter((n) => n.at > 0).map((n) => `${n.at} ${describeNotification(n.notification)}`),
          ]),
        ).toBe('5001ms (a|)', {
          a: [[0, 3000], ['1000 1 ok', '2000 1 ok', `3000 1 ${code}`, '4000 1 ok', '5000 1 ok'], 2, [`3000 Error ${code}`]],
        });
      });
    });

    it('NOT_COORDINATOR on a heartbeat while FindCoordinator answers COORDINATOR_NOT_AVAILABLE twice: re-found after 100 + 200 ms of backoff, heartbeats resume a second later, same generation', () => {
      runVirtual(({ expectObservable }, scheduler) => {
        const cluster = testCluster(scheduler);
        const a = testMember(cluster, scheduler, 'a');
        scheduler.schedule(() => a.transport.failNext('heartbeat', 1, 'NOT_COORDINATOR').failNext('findCoordinator', 2, 'COORDINATOR_NOT_AVAILABLE'), 2500);
        expectObservable(brief(a.generations$), '^ 9999ms !').toBe('a', { a: `1 ${A1}: 0,1,2,3` });
        expectObservable(
          at(5001, () => [
            a.requests('findCoordinator').map((r) => `${r.at} ${r.outcome}`),
            a.requests('heartbeat').map((r) => `${r.at} ${r.generationId} ${r.outcome}`),
          ]),
        ).toBe('5001ms (a|)', {
          a: [
            ['0 ok', '3000 COORDINATOR_NOT_AVAILABLE', '3100 COORDINATOR_NOT_AVAILABLE', '3300 ok'],
            ['1000 1 ok', '2000 1 ok', '3000 1 NOT_COORDINATOR', '4300 1 ok'],
          ],
        });
      });
    });
  });

  describe('the coordinator moves', () => {
    it('while stable: the heartbeat gets NOT_COORDINATOR, the member re-finds the coordinator at once and keeps its generation on the new one', () => {
      runVirtual(({ expectObservable }, scheduler) => {
        const cluster = testCluster(scheduler, { brokers: 3 });
        const a = testMember(cluster, scheduler, 'a');
        expectObservable(at(0, () => cluster.coordinatorOf('g'))).toBe('(a|)', { a: 0 });
        scheduler.schedule(() => cluster.moveCoordinator('g', 2), 2500);
        expectObservable(brief(a.generations$), '^ 9999ms !').toBe('a', { a: `1 ${A1}: 0,1,2,3` });
        expectObservable(
          at(5001, () => [
            a.requests('heartbeat').map((r) => `${r.at} node ${r.coordinator} ${r.outcome}`),
            a.requests('findCoordinator').map((r) => r.at),
            cluster.describeGroup('g'),
          ]),
        ).toBe('5001ms (a|)', {
          a: [
            ['1000 node 0 ok', '2000 node 0 ok', '3000 node 0 NOT_COORDINATOR', '4000 node 2 ok', '5000 node 2 ok'],
            [0, 3000],
            expect.objectContaining({ coordinator: 2, state: 'Stable', generationId: 1, members: [expect.objectContaining({ memberId: A1 })] }),
          ],
        });
      });
    });

    it('while a JoinGroup is parked on it: NOT_COORDINATOR, rediscovery after 100 ms of backoff, then a rejoin on the new coordinator, which does not know the pending member id', () => {
      runVirtual(({ expectObservable }, scheduler) => {
        const cluster = testCluster(scheduler, { brokers: 3 });
        const a = testMember(cluster, scheduler, 'a');
        const b = testMember(cluster, scheduler, 'b');
        // b's JoinGroup (5000) waits for a to rejoin; the coordinator moves at 5500 and answers it NOT_COORDINATOR.
        scheduler.schedule(() => cluster.moveCoordinator('g', 2), 5500);
        expectObservable(brief(a.generations$), '^ 19999ms !').toBe('a 6999ms b', { a: `1 ${A1}: 0,1,2,3`, b: `2 ${A1}: 0,1` });
        expectObservable(brief(b.generations$), '5000ms ^ 14999ms !').toBe('7000ms a', { a: `2 ${memberIdOf('b', 3)}: 2,3` });
        expectObservable(
          at(7001, () => [
            b.requests('joinGroup').map((r) => `${r.at} node ${r.coordinator} '${r.memberId}' ${r.outcome}`),
            b.requests('findCoordinator').map((r) => r.at),
            a.sent.filter((r) => r.at >= 6000 && r.at <= 7000 && r.api !== 'metadata').map((r) => `${r.at} ${r.api} node ${r.coordinator ?? '-'} ${r.outcome}`),
          ]),
        ).toBe('7001ms (a|)', {
          a: [
            [
              `5000 node 0 '' MEMBER_ID_REQUIRED`,
              `5000 node 0 '${memberIdOf('b', 2)}' NOT_COORDINATOR`,
              `5600 node 2 '${memberIdOf('b', 2)}' UNKNOWN_MEMBER_ID`,
              `5600 node 2 '' MEMBER_ID_REQUIRED`,
              `5600 node 2 '${memberIdOf('b', 3)}' ok`,
            ],
            [5000, 5600],
            [
              '6000 heartbeat node 0 NOT_COORDINATOR',
              '6000 findCoordinator node - ok',
              '7000 heartbeat node 2 REBALANCE_IN_PROGRESS',
              '7000 joinGroup node 2 ok',
              '7000 syncGroup node 2 ok',
            ],
          ],
        });
      });
    });
  });

  describe('a dropped coordinator connection', () => {
    it('under a heartbeat in flight: the heartbeat fails with ConnectionError, the member re-finds the coordinator at once, reconnects and keeps its generation', () => {
      runVirtual(({ expectObservable }, scheduler) => {
        const cluster = testCluster(scheduler);
        const a = testMember(cluster, scheduler, 'a');
        // The heartbeat sent at 3000 is slow (it would reach the broker at 3500); the connection drops at 3200.
        scheduler.schedule(() => a.transport.delayNext('heartbeat', 500), 2500);
        scheduler.schedule(() => cluster.dropConnection('a'), 3200);
        expectObservable(brief(a.generations$), '^ 9999ms !').toBe('a', { a: `1 ${A1}: 0,1,2,3` });
        expectObservable(at(3199, () => a.transport.connectionCount)).toBe('3199ms (a|)', { a: 1 });
        expectObservable(
          at(5001, () => [
            a.requests('heartbeat').map((r) => `${r.at} ${r.generationId} ${r.outcome}@${r.answeredAt}`),
            a.requests('findCoordinator').map((r) => r.at),
            a.notified.filter((n) => n.at > 0).map((n) => `${n.at} ${describeNotification(n.notification)}`),
            a.transport.connectionCount,
            cluster.describeGroup('g'),
          ]),
        ).toBe('5001ms (a|)', {
          a: [
            ['1000 1 ok@1000', '2000 1 ok@2000', '3000 1 ConnectionError@3200', '4200 1 ok@4200'],
            [0, 3200],
            ['3200 Error ConnectionError'],
            2,
            expect.objectContaining({ state: 'Stable', generationId: 1, members: [expect.objectContaining({ memberId: A1 })] }),
          ],
        });
      });
    });

    it('under a JoinGroup parked in a rebalance: the member re-finds the coordinator after 100 ms of backoff and rejoins the same rebalance with its member id', () => {
      runVirtual(({ expectObservable }, scheduler) => {
        const cluster = testCluster(scheduler);
        const a = testMember(cluster, scheduler, 'a');
        const b = testMember(cluster, scheduler, 'b');
        const B2 = memberIdOf('b', 2);
        // b's JoinGroup (5000) waits for a, which learns of the rebalance at 6000; b's connection drops at 5500.
        scheduler.schedule(() => cluster.dropConnection('b'), 5500);
        expectObservable(brief(a.generations$), '^ 19999ms !').toBe('a 5999ms b', { a: `1 ${A1}: 0,1,2,3`, b: `2 ${A1}: 0,1` });
        expectObservable(brief(b.generations$), '5000ms ^ 14999ms !').toBe('6000ms a', { a: `2 ${B2}: 2,3` });
        expectObservable(
          at(6001, () => [
            b.requests('joinGroup').map((r) => `${r.at} '${r.memberId}' ${r.outcome}@${r.answeredAt}`),
            b.requests('findCoordinator').map((r) => r.at),
            b.notified.map((n) => `${n.at} ${describeNotification(n.notification)}`),
          ]),
        ).toBe('6001ms (a|)', {
          a: [
            [`5000 '' MEMBER_ID_REQUIRED@5000`, `5000 '${B2}' ConnectionError@5500`, `5600 '${B2}' ok@6000`],
            [5000, 5600],
            ['5000 Start -', '5500 Error ConnectionError', '6000 OK 2 +t:2,3 -- =t:2,3'],
          ],
        });
      });
    });
  });

  it('a subscribed topic that does not exist yet: joined with nothing assigned, then picked up by the metadata refresh once created', () => {
    runVirtual(({ expectObservable }, scheduler) => {
      const cluster = testCluster(scheduler);
      const a = testMember(cluster, scheduler, 'a', { topics: () => ['later'], metadataRefreshMs: 5000 });
      scheduler.schedule(() => cluster.createTopic('later', 2), 7000);
      // Metadata is re-read every 5 s while stable: at 5000 the topic is still missing, at 10000 it has 2 partitions.
      expectObservable(views(a.generations$), '^ 19999ms !').toBe('a 9999ms b', {
        a: { generationId: 1, memberId: A1, isLeader: true, claimed: {}, released: {}, current: {} },
        b: { generationId: 2, memberId: A1, isLeader: true, claimed: { later: [0, 1] }, released: {}, current: { later: [0, 1] } },
      });
      expectObservable(
        at(10001, () => [
          a.requests('metadata').map((r) => r.at).filter((t) => t > 0),
          a.notified.filter((n) => n.at === 10000).map((n) => describeNotification(n.notification)),
        ]),
      ).toBe('10001ms (a|)', { a: [[5000, 10000, 10000, 10000], ['Start -', 'OK 2 +later:0,1 -- =later:0,1']] });
    });
  });

  it('a topic only another member subscribes to, created later: the leader\'s metadata refresh covers the whole group\'s subscription and rebalances', () => {
    runVirtual(({ expectObservable }, scheduler) => {
      const cluster = testCluster(scheduler);
      // a leads (it joined first) and subscribes to t only; b subscribes to t and to later, created at 7000. b's own
      // refresh is too slow to matter here: a's refresh at 10000 sees later and a rejoins; b learns it at 11000.
      const a = testMember(cluster, scheduler, 'a', { metadataRefreshMs: 5000 });
      const b = testMember(cluster, scheduler, 'b', { topics: () => ['t', 'later'], metadataRefreshMs: 600000 });
      scheduler.schedule(() => cluster.createTopic('later', 2), 7000);
      const all = (g: Generation) => Object.keys(g.current).sort().map((t) => `${t}:${g.current[t]?.join(',')}`).join(' ');
      expectObservable(a.generations$.pipe(map((g) => `${g.generationId} ${all(g)}`)), '^ 19999ms !').toBe('a 10999ms b', { a: '1 t:0,1', b: '2 t:0,1' });
      expectObservable(b.generations$.pipe(map((g) => `${g.generationId} ${all(g)}`)), '^ 19999ms !').toBe('a 10999ms b', { a: '1 t:2,3', b: '2 later:0,1 t:2,3' });
    });
  });

  describe('a broker that cannot be reached', () => {
    it('from the start: FindCoordinator is retried after 100, 200 and 400 ms, then the stream fails with BrokerUnavailable at 700 ms', () => {
      runVirtual(({ expectObservable }, scheduler) => {
        const cluster = testCluster(scheduler).unreachable(true);
        const a = testMember(cluster, scheduler, 'a');
        expectObservable(brief(a.generations$)).toBe('700ms (a|)', { a: 'BrokerUnavailable - final' });
        expectObservable(at(701, () => [a.requests('findCoordinator').map((r) => `${r.at} ${r.outcome}`), a.sent.length])).toBe('701ms (a|)', {
          a: [['0 ConnectionError', '100 ConnectionError', '300 ConnectionError', '700 ConnectionError'], 4],
        });
      });
    });

    it('while stable: the failed heartbeat starts rediscovery, which gives up with BrokerUnavailable 700 ms later', () => {
      runVirtual(({ expectObservable }, scheduler) => {
        const cluster = testCluster(scheduler);
        const a = testMember(cluster, scheduler, 'a');
        scheduler.schedule(() => cluster.unreachable(true), 2500);
        expectObservable(brief(a.generations$)).toBe('a 3699ms (b|)', { a: `1 ${A1}: 0,1,2,3`, b: 'BrokerUnavailable - final' });
        expectObservable(
          at(3701, () => [a.requests('heartbeat').map((r) => `${r.at} ${r.outcome}`), a.requests('findCoordinator').map((r) => r.at), a.requests('leaveGroup').length]),
        ).toBe('3701ms (a|)', { a: [['1000 ok', '2000 ok', '3000 ConnectionError'], [0, 3000, 3100, 3300, 3700], 0] });
      });
    });

    it('while stable: the held generation\'s revoked$ fires before the stream fails, so nothing keyed on it outlives the membership', () => {
      runVirtual(({ expectObservable }, scheduler) => {
        const cluster = testCluster(scheduler);
        const a = testMember(cluster, scheduler, 'a');
        scheduler.schedule(() => cluster.unreachable(true), 2500);
        const lifecycle$ = a.generations$.pipe(
          mergeMap((g) => concat(of(`gen ${g.generationId}`), g.revoked$.pipe(map(() => `revoked ${g.generationId}`)))),
          catchError((e: unknown) => of(isKafkaClientError(e) ? e._tag : String(e))),
        );
        expectObservable(lifecycle$).toBe('a 3699ms (bc|)', { a: 'gen 1', b: 'revoked 1', c: 'BrokerUnavailable' });
      });
    });
  });
});
