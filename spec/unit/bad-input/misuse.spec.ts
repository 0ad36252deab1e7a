import { map, take, tap, timer } from 'rxjs';
import { markOffsets, type KafkaClientError, type KafkaMessage, type MarkResult } from '../../../src';
import { InMemoryCluster } from '../../../src/testing';
import { inMemoryGroup, values, virtualTime } from '../../support/in-memory-group';

const id = (m: KafkaMessage) => `${m.partition}/${m.offset}`;
const fenced = (e: KafkaClientError) => ({ tag: e._tag, group: e.context.group, topic: e.context.topic, partition: e.context.partition, offset: e.context.offset });

describe('misuse (in-memory broker, virtual time)', () => {
  describe('marking a message of another group', () => {
    it('on a partition this member does not own: dropped, returns not-owned, MarkFenced names this group and the message; never committed', () => {
      const ts = virtualTime();
      ts.run(() => {
        const cluster = new InMemoryCluster({ topics: { a: 1, b: 1 } });
        cluster.produce('a', 0, values(3));
        cluster.produce('b', 0, values(1));
        const A = inMemoryGroup(cluster, ts, { groupId: 'ga', topics: ['a'] });
        const B = inMemoryGroup(cluster, ts, { groupId: 'gb', topics: ['b'] });
        const errorsB: KafkaClientError[] = [];
        B.group.errors$.subscribe((e) => errorsB.push(e));
        B.group.messages$.pipe(markOffsets(B.group)).subscribe();
        const results: MarkResult[] = [];
        A.group.messages$.pipe(tap((m) => results.push(B.group.markOffset(m))), markOffsets(A.group)).subscribe();
        timer(3000).subscribe(() => [A, B].forEach((x) => x.group.close().subscribe()));
        ts.flush();
        expect(results).toEqual(['not-owned', 'not-owned', 'not-owned']);
        expect(errorsB.map(fenced)).toEqual([0n, 1n, 2n].map((offset) => ({ tag: 'MarkFenced', group: 'gb', topic: 'a', partition: 0, offset })));
        expect(cluster.committed('gb')).toEqual({ 'b/0': 1n });
        expect(cluster.committed('ga')).toEqual({ 'a/0': 3n });
      });
    });

    it('on a partition this member owns too: marks are coordinates (topic, partition, offset), as sarama-cluster MarkOffset, so it marks that offset in this group', () => {
      const ts = virtualTime();
      ts.run(() => {
        const cluster = new InMemoryCluster({ topics: { t: 1 } });
        cluster.produce('t', 0, values(5));
        const A = inMemoryGroup(cluster, ts, { groupId: 'ga', topics: ['t'] });
        const B = inMemoryGroup(cluster, ts, { groupId: 'gb', topics: ['t'] });
        let result: MarkResult | undefined;
        let messageOfA: KafkaMessage | undefined;
        B.group.messages$.subscribe(); // B consumes t/0 and marks nothing
        A.group.messages$.pipe(take(3)).subscribe((m) => (messageOfA = m));
        timer(1000).subscribe(() => (result = messageOfA && B.group.markOffset(messageOfA)));
        timer(3000).subscribe(() => [A, B].forEach((x) => x.group.close().subscribe()));
        ts.flush();
        expect(messageOfA?.offset).toBe(2n);
        expect(result).toBe('ok');
        expect(cluster.committed('gb')).toEqual({ 't/0': 3n });
      });
    });
  });

  it('marking a message of a partition revoked by a rebalance: dropped as not-owned with MarkFenced; the new owner commits its own progress', () => {
    const ts = virtualTime();
    ts.run(() => {
      const cluster = new InMemoryCluster({ topics: { t: 2 } });
      cluster.produce('t', 0, values(3));
      cluster.produce('t', 1, values(3));
      const A = inMemoryGroup(cluster, ts, { groupId: 'g', topics: ['t'] });
      const B = inMemoryGroup(cluster, ts, { groupId: 'g', topics: ['t'] });
      const held: KafkaMessage[] = [];
      const errorsA: KafkaClientError[] = [];
      A.group.errors$.subscribe((e) => errorsA.push(e));
      A.group.messages$.subscribe((m) => held.push(m)); // consumed, never marked (no marker: credit returns on emit)
      timer(1000).subscribe(() => B.group.messages$.pipe(markOffsets(B.group)).subscribe());
      let lost: KafkaMessage | undefined;
      let result: MarkResult | undefined;
      timer(8000).subscribe(() => {
        const kept = A.group.subscriptions()['t'] ?? [];
        lost = held.find((m) => !kept.includes(m.partition));
        if (lost) result = A.group.markOffset(lost);
      });
      timer(10000).subscribe(() => [A, B].forEach((x) => x.group.close().subscribe()));
      ts.flush();
      expect([...new Set(held.map(id))].sort()).toEqual(['0/0', '0/1', '0/2', '1/0', '1/1', '1/2']);
      expect(lost).toBeDefined();
      expect(result).toBe('not-owned');
      expect(errorsA.map(fenced)).toEqual([{ tag: 'MarkFenced', group: 'g', topic: 't', partition: lost?.partition, offset: lost?.offset }]);
      expect(cluster.committed('g')[`t/${lost?.partition ?? -1}`]).toBe(3n); // B re-consumed the revoked partition and committed it
    });
  });

  describe('close', () => {
    it('twice, and again later: every close completes; the streams complete, the marks are committed and the member is gone', () => {
      const ts = virtualTime();
      ts.run(() => {
        const cluster = new InMemoryCluster({ topics: { t: 1 } });
        cluster.produce('t', 0, values(2));
        const { group } = inMemoryGroup(cluster, ts, { groupId: 'g', topics: ['t'] });
        const events: string[] = [];
        group.messages$.pipe(markOffsets(group)).subscribe({ complete: () => events.push(`${ts.now()} messages complete`) });
        timer(1000).subscribe(() => {
          group.close().subscribe({ complete: () => events.push(`${ts.now()} first close complete`) });
          group.close().subscribe({ complete: () => events.push(`${ts.now()} second close complete`) });
        });
        timer(2000).subscribe(() => group.close().subscribe({ complete: () => events.push(`${ts.now()} third close complete`) }));
        ts.flush();
        expect(events).toEqual(['1000 messages complete', '1000 first close complete', '1000 second close complete', '2000 third close complete']);
        expect(cluster.members('g')).toEqual([]);
        expect(cluster.committed('g')).toEqual({ 't/0': 2n });
      });
    });

    it('before anything was subscribed: completes at once without connecting', () => {
      const ts = virtualTime();
      ts.run(() => {
        const cluster = new InMemoryCluster({ topics: { t: 1 } });
        const { group, recorded } = inMemoryGroup(cluster, ts, { groupId: 'g', topics: ['t'] });
        let closedAt = -1;
        group.close().subscribe({ complete: () => (closedAt = ts.now()) });
        ts.flush();
        expect(closedAt).toBe(0);
        expect(recorded.fetches).toEqual([]);
        expect(cluster.describeGroup('g').members).toEqual([]);
      });
    });

    it('during a rebalance (another member\'s JoinGroup parked, waiting for this one to rejoin): completes, commits its marks, leaves; the other member gets every partition', () => {
      const ts = virtualTime();
      ts.run(() => {
        const cluster = new InMemoryCluster({ topics: { t: 2 } });
        cluster.produce('t', 0, values(3));
        cluster.produce('t', 1, values(3));
        const A = inMemoryGroup(cluster, ts, { groupId: 'g', topics: ['t'] });
        const B = inMemoryGroup(cluster, ts, { groupId: 'g', topics: ['t'] });
        A.group.messages$.pipe(markOffsets(A.group)).subscribe();
        const stateAtClose: string[] = [];
        let closedAt = -1;
        const generationsB: string[] = [];
        timer(1000).subscribe(() => {
          B.group.generations$.pipe(map((g) => JSON.stringify(g.current))).subscribe((g) => generationsB.push(g));
          B.group.messages$.pipe(markOffsets(B.group)).subscribe();
        });
        // B's JoinGroup at 1000 starts a rebalance that waits for A's rejoin (after A's next heartbeat): close A in it.
        timer(1001).subscribe(() => {
          stateAtClose.push(cluster.groupState('g'));
          A.group.close().subscribe({ complete: () => (closedAt = ts.now()) });
        });
        timer(20000).subscribe(() => B.group.close().subscribe());
        ts.flush();
        expect(stateAtClose).toEqual(['PreparingRebalance']);
        expect(closedAt).toBeGreaterThanOrEqual(1001);
        expect(closedAt).toBeLessThan(20000);
        expect(generationsB[generationsB.length - 1]).toBe(JSON.stringify({ t: [0, 1] }));
        expect(cluster.committed('g')).toEqual({ 't/0': 3n, 't/1': 3n });
      });
    });
  });

  describe('subscribing twice to the same group object', () => {
    it('generations$ twice and messages$ twice: one membership (one generation, one member); each subscriber sees every message once', () => {
      const ts = virtualTime();
      ts.run(() => {
        const cluster = new InMemoryCluster({ topics: { t: 1 } });
        cluster.produce('t', 0, values(3));
        const { group } = inMemoryGroup(cluster, ts, { groupId: 'g', topics: ['t'] });
        const gens: number[][] = [[], []];
        const msgs: string[][] = [[], []];
        [0, 1].forEach((i) => group.generations$.subscribe((g) => gens[i]?.push(g.generationId)));
        [0, 1].forEach((i) => group.messages$.subscribe((m) => msgs[i]?.push(id(m))));
        let members = -1;
        timer(1500).subscribe(() => (members = cluster.members('g').length));
        timer(2000).subscribe(() => group.close().subscribe());
        ts.flush();
        expect(members).toBe(1);
        expect(gens).toEqual([[1], [1]]);
        expect(msgs).toEqual([['0/0', '0/1', '0/2'], ['0/0', '0/1', '0/2']]);
      });
    });

    it('after close, subscribing again starts a new membership (close ends a session, not the object)', () => {
      const ts = virtualTime();
      ts.run(() => {
        const cluster = new InMemoryCluster({ topics: { t: 1 } });
        cluster.produce('t', 0, values(3));
        const { group } = inMemoryGroup(cluster, ts, { groupId: 'g', topics: ['t'] });
        const got: string[] = [];
        group.messages$.pipe(take(2), tap((m) => got.push(id(m))), markOffsets(group)).subscribe();
        timer(1000).subscribe(() => group.close().subscribe());
        timer(2000).subscribe(() => group.messages$.pipe(tap((m) => got.push(id(m))), markOffsets(group)).subscribe());
        let membersAfterResubscribe = -1;
        timer(3000).subscribe(() => (membersAfterResubscribe = cluster.members('g').length));
        timer(4000).subscribe(() => group.close().subscribe());
        ts.flush();
        expect(got).toEqual(['0/0', '0/1', '0/2']);
        expect(membersAfterResubscribe).toBe(1);
        expect(cluster.committed('g')).toEqual({ 't/0': 3n });
        expect(cluster.members('g')).toEqual([]);
      });
    });
  });
});
