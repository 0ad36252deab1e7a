import { concatMap, map, take, tap, timer } from 'rxjs';
import { markOffsets, type KafkaClientError, type KafkaMessage } from '../../../src';
import { InMemoryCluster } from '../../../src/testing';
import { inMemoryGroup, values, virtualTime } from '../../support/in-memory-group';

const id = (m: KafkaMessage) => `${m.partition}/${m.offset}`;

describe('consumerGroup on the in-memory broker, in virtual time', () => {
  it('multiplex mode emits every partition in order and commits marks at the commit interval, not before', () => {
    const ts = virtualTime();
    ts.run(({ expectObservable }) => {
      const cluster = new InMemoryCluster({ topics: { t: 2 } });
      cluster.produce('t', 0, values(3));
      cluster.produce('t', 1, values(2));
      const { group } = inMemoryGroup(cluster, ts, { groupId: 'g', topics: ['t'] });
      const seen: string[] = [];
      group.messages$.pipe(tap((m) => seen.push(id(m))), markOffsets(group)).subscribe();
      const look = () => ({ seen: [...seen].sort(), committed: cluster.committed('g') });
      // commit interval 1000 ms: at 500 ms everything is marked but nothing committed; at 1500 ms it is.
      expectObservable(timer(500).pipe(map(look))).toBe('500ms (a|)', { a: { seen: ['0/0', '0/1', '0/2', '1/0', '1/1'], committed: {} } });
      expectObservable(timer(1500).pipe(map(look))).toBe('1500ms (a|)', { a: { seen: ['0/0', '0/1', '0/2', '1/0', '1/1'], committed: { 't/0': 3n, 't/1': 2n } } });
      timer(2000).subscribe(() => group.close().subscribe());
    });
  });

  it('partition mode: nothing is fetched for a partition until its inner stream is subscribed', () => {
    const ts = virtualTime();
    ts.run(() => {
      const cluster = new InMemoryCluster({ topics: { t: 2 } });
      cluster.produce('t', 0, values(2));
      cluster.produce('t', 1, values(2));
      const { group, recorded } = inMemoryGroup(cluster, ts, { groupId: 'g', topics: ['t'] });
      const got: string[] = [];
      group.partitions$.subscribe((p) => {
        if (p.partition === 1) p.pipe(tap((m) => got.push(id(m))), markOffsets(group)).subscribe();
      });
      timer(2000).subscribe(() => group.close().subscribe());
      ts.flush();
      expect(got).toEqual(['1/0', '1/1']);
      expect(recorded.fetches.flatMap((f) => f.partitions).every((p) => p.startsWith('t/1@'))).toBe(true);
    });
  });

  it('credit: with marks as the credit, a slow handler never holds more than the budget plus one fetch', () => {
    const ts = virtualTime();
    ts.run(() => {
      const cluster = new InMemoryCluster({ topics: { t: 1 } });
      for (let i = 0; i < 40; i++) cluster.produce('t', 0, values(5, `b${i}-`)); // 200 messages in batches of 5
      const { group } = inMemoryGroup(cluster, ts, { groupId: 'g', topics: ['t'], consumer: { credit: { maxMessages: 20, returnOn: 'mark' }, fetch: { partitionMax: 100 } } });
      let emitted = 0;
      let processed = 0;
      let maxHeld = 0;
      group.messages$
        .pipe(
          tap(() => (maxHeld = Math.max(maxHeld, ++emitted - processed))),
          concatMap((m) => timer(10).pipe(map(() => m))), // 10 ms per message: far slower than fetching
          tap(() => processed++),
          take(200),
          markOffsets(group),
        )
        .subscribe();
      ts.flush();
      expect(processed).toBe(200);
      expect(maxHeld).toBeGreaterThan(0);
      expect(maxHeld).toBeLessThanOrEqual(20 + 5); // the budget, plus at most one 5-message batch fetched at its edge
    });
  });

  it('fencing: a mark for a partition the member does not own is dropped and reported, never committed', () => {
    const ts = virtualTime();
    ts.run(() => {
      const cluster = new InMemoryCluster({ topics: { t: 1, other: 1 } });
      cluster.produce('t', 0, values(1));
      const { group, recorded } = inMemoryGroup(cluster, ts, { groupId: 'g', topics: ['t'] });
      const errors: KafkaClientError[] = [];
      group.errors$.subscribe((e) => errors.push(e));
      group.messages$
        .pipe(
          take(1),
          tap(() => group.markPartitionOffset('other', 0, 41n)),
          markOffsets(group),
        )
        .subscribe();
      ts.flush();
      expect(errors.map((e) => [e._tag, e.context.topic])).toContainEqual(['MarkFenced', 'other']);
      expect(recorded.commits.flatMap((c) => Object.keys(c.offsets))).not.toContain('other/0');
      expect(cluster.committed('g')).toEqual({ 't/0': 1n });
    });
  });

  it('drain: a rebalance waits for in-flight messages to be marked, commits them, and the next owner starts after them', () => {
    const ts = virtualTime();
    ts.run(() => {
      const cluster = new InMemoryCluster({ topics: { t: 2 } });
      cluster.produce('t', 0, values(10));
      cluster.produce('t', 1, values(10));
      const a = inMemoryGroup(cluster, ts, { groupId: 'g', topics: ['t'] });
      const seenA: string[] = [];
      const seenB: string[] = [];
      a.group.messages$.pipe(concatMap((m) => timer(100).pipe(map(() => m))), tap((m) => seenA.push(id(m))), markOffsets(a.group)).subscribe();
      const b = inMemoryGroup(cluster, ts, { groupId: 'g', topics: ['t'] });
      timer(250).subscribe(() => b.group.messages$.pipe(tap((m) => seenB.push(id(m))), markOffsets(b.group)).subscribe());
      // After the rebalance settles, more records arrive on both partitions: the new owners consume them.
      timer(6000).subscribe(() => {
        cluster.produce('t', 0, values(10, 'late'));
        cluster.produce('t', 1, values(10, 'late'));
      });
      timer(10_000).subscribe(() => {
        a.group.close().subscribe();
        b.group.close().subscribe();
      });
      ts.flush();
      const all = [...seenA, ...seenB];
      expect(new Set(all).size).toBe(40); // nothing lost
      expect(all.length).toBe(40); // nothing duplicated: A's in-flight messages were marked and committed before B took over
      expect(seenB.length).toBeGreaterThan(0); // B did take partitions over
      expect(cluster.committed('g')).toEqual({ 't/0': 20n, 't/1': 20n });
    });
  });

  it('close drains, commits, leaves the group and completes the streams', () => {
    const ts = virtualTime();
    ts.run(() => {
      const cluster = new InMemoryCluster({ topics: { t: 1 } });
      cluster.produce('t', 0, values(3));
      const { group } = inMemoryGroup(cluster, ts, { groupId: 'g', topics: ['t'] });
      let completed = false;
      group.messages$.pipe(markOffsets(group)).subscribe({ complete: () => (completed = true) });
      let closed = false;
      timer(500).subscribe(() => group.close().subscribe({ complete: () => (closed = true) }));
      ts.flush();
      expect(closed).toBe(true);
      expect(completed).toBe(true);
      expect(cluster.committed('g')).toEqual({ 't/0': 3n });
      expect(cluster.members('g')).toEqual([]);
    });
  });
});
