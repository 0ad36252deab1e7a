import { concat, concatMap, EMPTY, interval, map, mergeMap, NEVER, Observable, of, Subject, take, timer } from 'rxjs';
import { KafkaClientError } from '../../../src/errors';
import { generations, type GroupNotification } from '../../../src/sources/group-membership';
import { at, describeNotification, memberIdOf, runVirtual, testCluster, testMember, views } from './generations-fixture';

/**
 * `generations$` against the in-memory broker, in virtual time: joining, rebalancing as members come and go,
 * eviction, teardown, and the guarantees around the subscriber (heartbeats and notifications never wait for it;
 * the rejoin waits for `onRevoke`, within the rebalance timeout). Members heartbeat every 1 s with a 10 s session
 * and a 30 s rebalance timeout; topic `t` has 4 partitions; the broker answers with no latency.
 */
describe('generations$ (in-memory broker, virtual time)', () => {
  const A1 = memberIdOf('a', 1);

  it('one member joins at once with every partition claimed; unsubscribing sends LeaveGroup and empties the group', () => {
    runVirtual(({ expectObservable }, scheduler) => {
      const cluster = testCluster(scheduler);
      const a = testMember(cluster, scheduler, 'a');
      const all = { t: [0, 1, 2, 3] };
      expectObservable(views(a.generations$), '^ 4999ms !').toBe('a', {
        a: { generationId: 1, memberId: A1, isLeader: true, claimed: all, released: {}, current: all },
      });
      expectObservable(at(4999, () => [cluster.groupState('g'), cluster.members('g').map((m) => m.memberId)])).toBe('4999ms (a|)', {
        a: ['Stable', [A1]],
      });
      expectObservable(at(5001, () => cluster.describeGroup('g'))).toBe('5001ms (a|)', {
        a: expect.objectContaining({ state: 'Empty', members: [] }),
      });
      expectObservable(at(6000, () => a.requests('leaveGroup'))).toBe('6000ms (a|)', {
        a: [expect.objectContaining({ at: 5000, memberId: A1, coordinator: 0, outcome: 'ok' })],
      });
      // Heartbeats ran every second while subscribed and stopped with the unsubscription.
      expectObservable(at(20000, () => a.requests('heartbeat').map((r) => r.at))).toBe('20000ms (a|)', { a: [1000, 2000, 3000, 4000] });
    });
  });

  it('a second member triggers REBALANCE_IN_PROGRESS on the first one\'s heartbeat; both get the next generation with a split assignment', () => {
    runVirtual(({ expectObservable }, scheduler) => {
      const cluster = testCluster(scheduler);
      const a = testMember(cluster, scheduler, 'a');
      const b = testMember(cluster, scheduler, 'b');
      const B2 = memberIdOf('b', 2);
      // RebalanceStart carries what was held before the rebalance; RebalanceOK the diff against it.
      expectObservable(a.notifications.pipe(map(describeNotification)), '^ 19999ms !').toBe('(ab) 5996ms (cd)', {
        a: 'Start -',
        b: 'OK 1 +t:0,1,2,3 -- =t:0,1,2,3',
        c: 'Start t:0,1,2,3',
        d: 'OK 2 +- -t:2,3 =t:0,1',
      });
      expectObservable(views(a.generations$), '^ 19999ms !').toBe('a 5999ms b', {
        a: { generationId: 1, memberId: A1, isLeader: true, claimed: { t: [0, 1, 2, 3] }, released: {}, current: { t: [0, 1, 2, 3] } },
        b: { generationId: 2, memberId: A1, isLeader: true, claimed: {}, released: { t: [2, 3] }, current: { t: [0, 1] } },
      });
      expectObservable(views(b.generations$), '5000ms ^ 14999ms !').toBe('6000ms a', {
        a: { generationId: 2, memberId: B2, isLeader: false, claimed: { t: [2, 3] }, released: {}, current: { t: [2, 3] } },
      });
      // b's JoinGroup at 5000 puts the group in PreparingRebalance; a learns it from its heartbeat at 6000 and rejoins.
      expectObservable(at(5500, () => cluster.groupState('g'))).toBe('5500ms (a|)', { a: 'PreparingRebalance' });
      expectObservable(at(7000, () => a.sent.filter((r) => r.at >= 5000 && r.at <= 6000 && r.api !== 'metadata').map((r) => `${r.at} ${r.api} ${r.outcome}`))).toBe(
        '7000ms (a|)',
        { a: ['5000 heartbeat ok', '6000 heartbeat REBALANCE_IN_PROGRESS', '6000 joinGroup ok', '6000 syncGroup ok'] },
      );
    });
  });

  it('a member that unsubscribes drains (onRevoke, not fenced), leaves, and the other member gets every partition back at its next heartbeat', () => {
    runVirtual(({ expectObservable }, scheduler) => {
      const cluster = testCluster(scheduler);
      const a = testMember(cluster, scheduler, 'a');
      const revokes: [number, number, boolean][] = [];
      const b = testMember(cluster, scheduler, 'b', {
        onRevoke: (g, _partitions, fenced) => {
          revokes.push([scheduler.now(), g.generationId, fenced]);
          return timer(0);
        },
      });
      const B2 = memberIdOf('b', 2);
      expectObservable(views(a.generations$), '^ 19999ms !').toBe('a 10999ms b', {
        a: { generationId: 1, memberId: A1, isLeader: true, claimed: { t: [0, 1] }, released: {}, current: { t: [0, 1] } },
        b: { generationId: 2, memberId: A1, isLeader: true, claimed: { t: [2, 3] }, released: {}, current: { t: [0, 1, 2, 3] } },
      });
      expectObservable(views(b.generations$), '^ 10499ms !').toBe('a', {
        a: { generationId: 1, memberId: B2, isLeader: false, claimed: { t: [2, 3] }, released: {}, current: { t: [2, 3] } },
      });
      expectObservable(at(10501, () => [[...revokes], b.requests('leaveGroup').map((r) => `${r.at} ${r.memberId} ${r.outcome}`)])).toBe('10501ms (a|)', {
        a: [[[10500, 1, false]], [`10500 ${B2} ok`]],
      });
      expectObservable(at(10750, () => [cluster.groupState('g'), cluster.members('g').map((m) => m.memberId)])).toBe('10750ms (a|)', {
        a: ['PreparingRebalance', [A1]],
      });
    });
  });

  describe('eviction on missed heartbeats', () => {
    /** a and b share the group from frame 0 (a: t0-1, b: t2-3); b's last heartbeat to reach the broker is at 2000. */
    const scenario = (scheduler: Parameters<Parameters<typeof runVirtual>[0]>[1], silence: (b: ReturnType<typeof testMember>) => void) => {
      const cluster = testCluster(scheduler);
      const a = testMember(cluster, scheduler, 'a');
      const revokes: [number, number, string, boolean][] = [];
      const b = testMember(cluster, scheduler, 'b', {
        onRevoke: (g, _partitions, fenced) => {
          revokes.push([scheduler.now(), g.generationId, g.memberId, fenced]);
          return timer(0);
        },
      });
      scheduler.schedule(() => silence(b), 2500);
      return { cluster, a, b, revokes };
    };
    const B2 = memberIdOf('b', 2);
    const B3 = memberIdOf('b', 3);

    it('heartbeats failing until the session timeout: the coordinator evicts the member, the other member gets a new generation, the evicted one revokes fenced and rejoins with an empty member id', () => {
      runVirtual(({ expectObservable }, scheduler) => {
        const dropped = new KafkaClientError({ tag: 'ConnectionError', retriable: true, message: 'Connection dropped' });
        // b's heartbeats at 3000 .. 12000 fail on the network (each failure makes it re-find the coordinator);
        // the broker expires b's session at 12000, 10 s after its last heartbeat, and a, alone, gets generation 2
        // from its heartbeat in that frame. b's heartbeat at 13000 gets through: UNKNOWN_MEMBER_ID. b rejoins as a
        // new member; a learns of that rebalance from its heartbeat at 14000, and both get generation 3.
        const { cluster, a, b, revokes } = scenario(scheduler, (m) => m.transport.failNext('heartbeat', 10, dropped));
        expectObservable(views(a.generations$).pipe(map((g) => `${g.generationId}: ${g.current['t']?.join(',')}`)), '^ 29999ms !').toBe('a 11999ms b 1999ms c', {
          a: '1: 0,1',
          b: '2: 0,1,2,3',
          c: '3: 0,1',
        });
        expectObservable(views(b.generations$).pipe(map((g) => `${g.generationId} ${g.memberId}: ${g.current['t']?.join(',')}`)), '^ 29999ms !').toBe(
          'a 13999ms b',
          { a: `1 ${B2}: 2,3`, b: `3 ${B3}: 2,3` },
        );
        expectObservable(at(12001, () => cluster.members('g').map((m) => m.memberId))).toBe('12001ms (a|)', { a: [A1] });
        expectObservable(
          at(13001, () => [
            b.requests('heartbeat').filter((r) => r.at >= 3000 && r.at <= 13000).map((r) => `${r.at} ${r.outcome}`),
            b.requests('findCoordinator').map((r) => r.at),
            [...revokes],
            b.requests('joinGroup').filter((r) => r.at === 13000).map((r) => r.memberId),
          ]),
        ).toBe('13001ms (a|)', {
          a: [
            [...Array.from({ length: 10 }, (_, i) => `${3000 + i * 1000} ConnectionError`), '13000 UNKNOWN_MEMBER_ID'],
            [0, 3000, 4000, 5000, 6000, 7000, 8000, 9000, 10000, 11000, 12000],
            [[13000, 1, B2, true]],
            ['', B3],
          ],
        });
      });
    });

    it('a heartbeat never answered: the member is silent until its own session-long request timeout, is evicted meanwhile, then revokes fenced and rejoins with an empty member id', () => {
      runVirtual(({ expectObservable }, scheduler) => {
        // b's heartbeat at 3000 is lost on the way (it would reach the broker a minute later); no other heartbeat is
        // sent while it is outstanding. The broker evicts b at 12000. b gives the heartbeat up at 13000 (its session
        // timeout), re-finds the coordinator, and its next heartbeat, at 14000, gets UNKNOWN_MEMBER_ID.
        const { cluster, a, b, revokes } = scenario(scheduler, (m) => m.transport.delayNext('heartbeat', 60000));
        expectObservable(views(a.generations$).pipe(map((g) => `${g.generationId}: ${g.current['t']?.join(',')}`)), '^ 29999ms !').toBe('a 11999ms b 2999ms c', {
          a: '1: 0,1',
          b: '2: 0,1,2,3',
          c: '3: 0,1',
        });
        expectObservable(views(b.generations$).pipe(map((g) => `${g.generationId} ${g.memberId}: ${g.current['t']?.join(',')}`)), '^ 29999ms !').toBe(
          'a 14999ms b',
          { a: `1 ${B2}: 2,3`, b: `3 ${B3}: 2,3` },
        );
        expectObservable(at(12001, () => cluster.members('g').map((m) => m.memberId))).toBe('12001ms (a|)', { a: [A1] });
        expectObservable(
          at(14001, () => [
            b.requests('heartbeat').filter((r) => r.at >= 3000 && r.at <= 14000).map((r) => `${r.at} ${r.outcome}`),
            b.notified.filter((n) => n.at > 0 && n.at <= 14000).map((n) => `${n.at} ${describeNotification(n.notification)}`),
            [...revokes],
            b.requests('joinGroup').filter((r) => r.at === 14000).map((r) => r.memberId),
          ]),
        ).toBe('14001ms (a|)', {
          a: [
            ['3000 abandoned', '14000 UNKNOWN_MEMBER_ID'],
            ['13000 Error RequestTimeout', '14000 Start t:2,3'],
            [[14000, 1, B2, true]],
            ['', B3],
          ],
        });
      });
    });
  });

  it('heartbeats do not wait for the subscriber: a minute of work per generation (concatMap to a timer) neither delays a heartbeat nor gets the member evicted', () => {
    runVirtual(({ expectObservable }, scheduler) => {
      const cluster = testCluster(scheduler);
      const a = testMember(cluster, scheduler, 'a');
      const worked$ = a.generations$.pipe(concatMap((g) => timer(60000).pipe(map(() => `worked on ${g.generationId}`))));
      expectObservable(worked$, '^ 60999ms !').toBe('60000ms a', { a: 'worked on 1' });
      expectObservable(at(59999, () => cluster.describeGroup('g'))).toBe('59999ms (a|)', {
        a: expect.objectContaining({ state: 'Stable', generationId: 1, members: [expect.objectContaining({ memberId: A1 })] }),
      });
      const beats = Array.from({ length: 60 }, (_, i) => `${(i + 1) * 1000} ok`);
      expectObservable(at(60001, () => a.requests('heartbeat').map((r) => `${r.at} ${r.outcome}`))).toBe('60001ms (a|)', { a: beats });
    });
  });

  it.each<[string, () => Subject<GroupNotification> | undefined]>([
    ['a notifications Subject nobody subscribes to', () => new Subject<GroupNotification>()],
    ['no notifications Subject at all', () => undefined],
    [
      'a notifications subscriber with a minute of work per notification',
      () => {
        const s = new Subject<GroupNotification>();
        s.pipe(concatMap(() => timer(60000))).subscribe();
        return s;
      },
    ],
    [
      'a notifications subscriber gone after the first notification',
      () => {
        const s = new Subject<GroupNotification>();
        s.pipe(take(1)).subscribe();
        return s;
      },
    ],
  ])('notifications never block the protocol: with %s, joins, rebalances and leaves happen at the same virtual times', (_name, notifications) => {
    runVirtual(({ expectObservable }, scheduler) => {
      const cluster = testCluster(scheduler);
      const a = testMember(cluster, scheduler, 'a');
      const b = testMember(cluster, scheduler, 'b');
      const n = notifications();
      const quiet = (m: typeof a) => views(generations({ ...m.options, notifications: n })).pipe(map((g) => `${g.generationId}: ${g.current['t']?.join(',')}`));
      // b joins at 5000 and leaves at 15500; a learns of each rebalance from its next heartbeat.
      expectObservable(quiet(a), '^ 29999ms !').toBe('a 5999ms b 9999ms c', { a: '1: 0,1,2,3', b: '2: 0,1', c: '3: 0,1,2,3' });
      expectObservable(quiet(b), '5000ms ^ 10499ms !').toBe('6000ms a', { a: '2: 2,3' });
      expectObservable(at(31000, () => [cluster.groupState('g'), a.notified.length, b.notified.length])).toBe('31000ms (a|)', { a: ['Empty', 0, 0] });
    });
  });

  describe('onRevoke', () => {
    it('the rejoin waits for the onRevoke Observable to complete, heartbeating meanwhile; revoked$ fires when the revocation starts', () => {
      runVirtual(({ expectObservable, expectSubscriptions, cold }, scheduler) => {
        const cluster = testCluster(scheduler);
        const drain = cold('3000ms |');
        const a = testMember(cluster, scheduler, 'a', { onRevoke: () => drain });
        const b = testMember(cluster, scheduler, 'b');
        const a$ = a.generations$.pipe(mergeMap((g) => concat(of(`gen ${g.generationId}`), g.revoked$.pipe(map(() => `revoked ${g.generationId}`)))));
        // b joins at 5000; a learns it at 6000, drains for 3 s, and only then rejoins; b's JoinGroup waits for it.
        expectObservable(a$, '^ 19999ms !').toBe('a 5999ms b 2999ms c', { a: 'gen 1', b: 'revoked 1', c: 'gen 2' });
        expectObservable(views(b.generations$).pipe(map((g) => g.generationId)), '5000ms ^ 14999ms !').toBe('9000ms a', { a: 2 });
        // Revoked at 6000 and again when unsubscribed at 20000 (the drain before leaving), 3 s each.
        expectSubscriptions(drain.subscriptions).toBe(['6000ms ^ 2999ms !', '20000ms ^ 2999ms !']);
        expectObservable(
          at(24000, () => [
            a.sent.filter((r) => r.at >= 6000 && r.at <= 9000 && (r.api === 'heartbeat' || r.api === 'joinGroup')).map((r) => `${r.at} ${r.api} ${r.outcome}`),
            a.requests('leaveGroup').map((r) => r.at),
          ]),
        ).toBe('24000ms (a|)', {
          a: [
            ['6000 heartbeat REBALANCE_IN_PROGRESS', '7000 heartbeat REBALANCE_IN_PROGRESS', '8000 heartbeat REBALANCE_IN_PROGRESS', '9000 joinGroup ok'],
            [23000],
          ],
        });
      });
    });

    it.each<[string, () => Observable<unknown>]>([
      ['never completes', () => NEVER],
      ['keeps emitting every 20 s and never completes', () => interval(20000)],
    ])('an onRevoke that %s is cut off at the rebalance timeout: the member rejoins 30 s after the revocation started', (_name, stuck) => {
      runVirtual(({ expectObservable }, scheduler) => {
        // b joins at 5000: the coordinator waits for a until 35000 (the rebalance timeout), then goes on without it;
        // a, revoking since its heartbeat at 6000, gives the drain up at 36000, reports it, and rejoins, as a new
        // member by then. b learns of that rebalance from its heartbeat at 37000; both get generation 3.
        const cluster = testCluster(scheduler);
        const a = testMember(cluster, scheduler, 'a', { onRevoke: (g) => (g.generationId === 1 ? stuck() : EMPTY) });
        const b = testMember(cluster, scheduler, 'b');
        expectObservable(views(a.generations$).pipe(map((g) => `${g.generationId} ${g.memberId}`)), '^ 59999ms !').toBe('a 36999ms b', {
          a: `1 ${A1}`,
          b: `3 ${memberIdOf('a', 3)}`,
        });
        expectObservable(views(b.generations$).pipe(map((g) => `${g.generationId}: ${g.current['t']?.join(',')}`)), '5000ms ^ 54999ms !').toBe('35000ms a 1999ms b', {
          a: '2: 0,1,2,3',
          b: '3: 2,3',
        });
        expectObservable(
          at(36001, () => [
            a.notified.filter((n) => n.at > 6000 && n.at <= 36000).map((n) => `${n.at} ${describeNotification(n.notification)}`),
            a.requests('joinGroup').filter((r) => r.at > 0).map((r) => `${r.at} ${r.memberId}`),
          ]),
        ).toBe('36001ms (a|)', {
          a: [['36000 Error RequestTimeout'], ['36000 ', `36000 ${memberIdOf('a', 3)}`]],
        });
      });
    });
  });

  describe('teardown', () => {
    it('take(1): the member leaves in the frame of its first generation, after draining it', () => {
      runVirtual(({ expectObservable, expectSubscriptions, cold }, scheduler) => {
        const cluster = testCluster(scheduler);
        const drain = cold('|');
        const a = testMember(cluster, scheduler, 'a', { onRevoke: () => drain });
        expectObservable(views(a.generations$).pipe(take(1), map((g) => g.generationId))).toBe('(a|)', { a: 1 });
        expectSubscriptions(drain.subscriptions).toBe('(^!)');
        expectObservable(at(1, () => [a.requests('leaveGroup').map((r) => `${r.at} ${r.memberId} ${r.outcome}`), cluster.groupState('g')])).toBe('1ms (a|)', {
          a: [[`0 ${A1} ok`], 'Empty'],
        });
        expectObservable(at(10000, () => a.requests('heartbeat').length)).toBe('10000ms (a|)', { a: 0 });
      });
    });

    it('unsubscribing while the JoinGroup is parked in a rebalance leaves with the pending member id; the rebalance completes without the member', () => {
      runVirtual(({ expectObservable }, scheduler) => {
        const cluster = testCluster(scheduler);
        const a = testMember(cluster, scheduler, 'a');
        const b = testMember(cluster, scheduler, 'b');
        const B2 = memberIdOf('b', 2);
        expectObservable(views(a.generations$).pipe(map((g) => `${g.generationId}: ${g.current['t']?.join(',')}`)), '^ 19999ms !').toBe('a 5999ms b', {
          a: '1: 0,1,2,3',
          b: '2: 0,1,2,3',
        });
        expectObservable(b.generations$, '5000ms ^ 499ms !').toBe('');
        expectObservable(
          at(5501, () => [b.requests('joinGroup').map((r) => `${r.at} '${r.memberId}' ${r.outcome}`), b.requests('leaveGroup').map((r) => `${r.at} ${r.memberId} ${r.outcome}`)]),
        ).toBe('5501ms (a|)', {
          a: [[`5000 '' MEMBER_ID_REQUIRED`, `5000 '${B2}' abandoned`], [`5500 ${B2} ok`]],
        });
        expectObservable(at(6001, () => cluster.members('g').map((m) => m.memberId))).toBe('6001ms (a|)', { a: [A1] });
      });
    });

    it('unsubscribing during a backoff ends the membership at once: no member id yet, so no LeaveGroup, and no retry later', () => {
      runVirtual(({ expectObservable }, scheduler) => {
        const cluster = testCluster(scheduler);
        const a = testMember(cluster, scheduler, 'a');
        a.transport.failNext('findCoordinator', 1, 'COORDINATOR_NOT_AVAILABLE');
        expectObservable(a.generations$, '^ 49ms !').toBe('');
        expectObservable(at(1000, () => a.sent.map((r) => `${r.at} ${r.api} ${r.outcome}`))).toBe('1000ms (a|)', { a: ['0 findCoordinator COORDINATOR_NOT_AVAILABLE'] });
      });
    });

    it('unsubscribing during a revocation: the drain finishes, then the member leaves instead of rejoining', () => {
      runVirtual(({ expectObservable, expectSubscriptions, cold }, scheduler) => {
        const cluster = testCluster(scheduler);
        const drain = cold('3000ms |');
        const a = testMember(cluster, scheduler, 'a', { onRevoke: () => drain });
        const b = testMember(cluster, scheduler, 'b');
        // b joins at 5000; a revokes from 6000 (3 s drain); a is unsubscribed at 7000, mid-drain.
        expectObservable(views(a.generations$).pipe(map((g) => g.generationId)), '^ 6999ms !').toBe('a', { a: 1 });
        expectSubscriptions(drain.subscriptions).toBe('6000ms ^ 2999ms !');
        expectObservable(views(b.generations$).pipe(map((g) => `${g.generationId}: ${g.current['t']?.join(',')}`)), '5000ms ^ 14999ms !').toBe('9000ms a', {
          a: '2: 0,1,2,3',
        });
        expectObservable(at(9001, () => [a.requests('joinGroup').map((r) => r.at), a.requests('leaveGroup').map((r) => `${r.at} ${r.outcome}`)])).toBe('9001ms (a|)', {
          a: [[0, 0], ['9000 ok']],
        });
      });
    });
  });
});
