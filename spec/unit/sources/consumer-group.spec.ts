import { concatMap, filter, map, mergeMap, take, tap, timer } from 'rxjs';
import { markOffsets, OffsetStash, range, type AssignmentStrategy, type KafkaClientError, type KafkaMessage } from '../../../src';
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

  it('credit: with marks as the credit, a slow handler never holds more than the budget', () => {
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
      expect(maxHeld).toBeLessThanOrEqual(20); // the budget: what a fetch brings beyond it is cut and fetched again
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

describe('consumerGroup marking modes and failures, in virtual time', () => {
  it('out-of-order completion (mergeMap with concurrency) commits only the highest contiguous processed offset', () => {
    const ts = virtualTime();
    ts.run(() => {
      const cluster = new InMemoryCluster({ topics: { t: 1 } });
      cluster.produce('t', 0, values(4));
      const { group, recorded } = inMemoryGroup(cluster, ts, { groupId: 'g', topics: ['t'], consumer: { offsets: { commitInterval: 100 } } });
      // offset 0 takes 1000 ms, offsets 1..3 take 10 ms: 1..3 finish first.
      group.messages$
        .pipe(
          mergeMap((m) => timer(m.offset === 0n ? 1000 : 10).pipe(map(() => m)), 4),
          markOffsets(group, { outOfOrder: true }),
        )
        .subscribe();
      const committedAt = (ms: number) => {
        const before = recorded.commits.filter((c) => c.at <= ms);
        return before.length ? before[before.length - 1]?.offsets['t/0'] : undefined;
      };
      timer(1500).subscribe(() => group.close().subscribe());
      ts.flush();
      expect(committedAt(900)).toBeUndefined(); // 1..3 done but 0 is not: nothing contiguous to commit
      expect(committedAt(1200)).toBe(4n); // 0 done: everything up to 3 is contiguous
    });
  });

  it("an error in the user's pipeline ends it as RxJS does, but what was marked before is committed", () => {
    const ts = virtualTime();
    ts.run(() => {
      const cluster = new InMemoryCluster({ topics: { t: 1 } });
      cluster.produce('t', 0, values(10));
      const { group } = inMemoryGroup(cluster, ts, { groupId: 'g', topics: ['t'] });
      let failed: unknown;
      group.messages$
        .pipe(
          tap((m) => {
            if (m.offset === 5n) throw new Error('handler failed at 5');
          }),
          markOffsets(group),
        )
        .subscribe({ error: (e: unknown) => (failed = e) });
      ts.flush();
      expect(String(failed)).toContain('handler failed at 5');
      expect(cluster.committed('g')).toEqual({ 't/0': 5n });
      expect(cluster.members('g')).toEqual([]);
    });
  });
});

describe('consumerGroup positions and partitions, in virtual time', () => {
  it('an OffsetStash applied with markStash is committed like individual marks', () => {
    const ts = virtualTime();
    ts.run(() => {
      const cluster = new InMemoryCluster({ topics: { t: 2 } });
      cluster.produce('t', 0, values(3));
      cluster.produce('t', 1, values(3));
      const { group } = inMemoryGroup(cluster, ts, { groupId: 'g', topics: ['t'] });
      const stash = new OffsetStash();
      group.messages$.pipe(take(6)).subscribe({
        next: (m) => stash.markOffset(m),
        complete: () => {
          group.markStash(stash);
          group.close().subscribe();
        },
      });
      ts.flush();
      expect(cluster.committed('g')).toEqual({ 't/0': 3n, 't/1': 3n });
    });
  });

  it('OFFSET_OUT_OF_RANGE resets by the configured policy and is reported on errors$, never silently', () => {
    const ts = virtualTime();
    ts.run(() => {
      const cluster = new InMemoryCluster({ topics: { t: 1 } });
      cluster.produce('t', 0, values(10));
      // A commit at 2, then the log start moves past it (retention): position 2 is out of range.
      const first = inMemoryGroup(cluster, ts, { groupId: 'g', topics: ['t'] });
      first.group.messages$.pipe(take(2), markOffsets(first.group)).subscribe();
      timer(1000).subscribe(() => cluster.deleteRecords('t', 0, 6n));
      const seen: bigint[] = [];
      const errors: KafkaClientError[] = [];
      timer(2000).subscribe(() => {
        const second = inMemoryGroup(cluster, ts, { groupId: 'g', topics: ['t'], consumer: { offsets: { outOfRange: 'oldest' } } });
        second.group.errors$.subscribe((e) => errors.push(e));
        second.group.messages$.pipe(take(4), tap((m) => seen.push(m.offset)), markOffsets(second.group)).subscribe();
      });
      ts.flush();
      expect(seen).toEqual([6n, 7n, 8n, 9n]);
      expect(errors.map((e) => [e._tag, e.context.partition, e.context.offset])).toContainEqual(['OffsetReset', 0, 2n]);
    });
  });

  it('partition mode: unsubscribing one partition stops fetching it without a rebalance', () => {
    const ts = virtualTime();
    ts.run(() => {
      const cluster = new InMemoryCluster({ topics: { t: 2 } });
      cluster.produce('t', 0, values(2));
      cluster.produce('t', 1, values(2));
      const { group, recorded } = inMemoryGroup(cluster, ts, { groupId: 'g', topics: ['t'] });
      const generations: number[] = [];
      group.generations$.subscribe((g) => generations.push(g.generationId));
      group.partitions$.subscribe((p) => {
        const sub = p.pipe(markOffsets(group)).subscribe();
        if (p.partition === 0) timer(500).subscribe(() => sub.unsubscribe());
      });
      timer(700).subscribe(() => cluster.produce('t', 0, values(5, 'late')));
      timer(5000).subscribe(() => group.close().subscribe());
      ts.flush();
      expect(generations).toHaveLength(1); // no rebalance
      expect(recorded.fetches.filter((f) => f.at > 600).flatMap((f) => f.partitions).some((p) => p.startsWith('t/0@'))).toBe(false);
      expect(cluster.committed('g')['t/0']).toBe(2n);
    });
  });

  it('a partition whose leader moves is fetched from the new leader, nothing lost or repeated', () => {
    const ts = virtualTime();
    ts.run(() => {
      const cluster = new InMemoryCluster({ brokers: 2, topics: { t: 1 } });
      cluster.produce('t', 0, values(3));
      const { group } = inMemoryGroup(cluster, ts, { groupId: 'g', topics: ['t'] });
      const seen: bigint[] = [];
      group.messages$.pipe(tap((m) => seen.push(m.offset)), markOffsets(group)).subscribe();
      timer(500).subscribe(() => {
        cluster.moveLeader('t', 0, cluster.leaderOf('t', 0) === 0 ? 1 : 0);
        cluster.produce('t', 0, values(3, 'after'));
      });
      timer(5000).subscribe(() => group.close().subscribe());
      ts.flush();
      expect(seen).toEqual([0n, 1n, 2n, 3n, 4n, 5n]);
    });
  });
});

describe('consumerGroup views: subscriptions, high-water marks and lag', () => {
  it('report the partitions held, the high-water marks fetched and the lag behind what was marked', () => {
    const ts = virtualTime();
    ts.run(() => {
      const cluster = new InMemoryCluster({ topics: { t: 2 } });
      cluster.produce('t', 0, values(5));
      cluster.produce('t', 1, values(3));
      const { group } = inMemoryGroup(cluster, ts, { groupId: 'g', topics: ['t'] });
      const lags: string[] = [];
      group.lag$.subscribe((l) => lags.push(JSON.stringify(l, (_k, v: unknown) => (typeof v === 'bigint' ? Number(v) : v))));
      // Process everything but the last message of partition 0.
      group.messages$.pipe(filter((m) => !(m.partition === 0 && m.offset === 4n)), markOffsets(group)).subscribe();
      let seen: unknown;
      timer(500).subscribe(() => (seen = { subscriptions: group.subscriptions(), highWaterMarks: group.highWaterMarks(), lag: group.lag() }));
      timer(1000).subscribe(() => group.close().subscribe());
      ts.flush();
      expect(seen).toEqual({ subscriptions: { t: [0, 1] }, highWaterMarks: { t: { 0: 5n, 1: 3n } }, lag: { t: { 0: 1n, 1: 0n } } });
      expect(lags).toContain('{"t":{"0":1,"1":0}}');
      expect(group.subscriptions()).toEqual({}); // nothing held after close
    });
  });
});

describe('consumerGroup with several subscribers', () => {
  it('messages$ subscribed twice shares one fetch: both subscribers see every message once', () => {
    const ts = virtualTime();
    ts.run(() => {
      const cluster = new InMemoryCluster({ topics: { t: 1 } });
      cluster.produce('t', 0, values(3));
      const { group, recorded } = inMemoryGroup(cluster, ts, { groupId: 'g', topics: ['t'] });
      const a: string[] = [];
      const b: string[] = [];
      group.messages$.subscribe((m) => a.push(id(m)));
      group.messages$.subscribe((m) => b.push(id(m)));
      timer(1000).subscribe(() => group.close().subscribe());
      ts.flush();
      expect(a).toEqual(['0/0', '0/1', '0/2']);
      expect(b).toEqual(a);
      expect(recorded.fetches.flatMap((f) => f.partitions).filter((p) => p === 't/0@0')).toHaveLength(1); // one fetcher, not two
    });
  });

  it('mixing multiplex and partition mode on one group is a clear UsageError, not a silent split', () => {
    const ts = virtualTime();
    ts.run(() => {
      const cluster = new InMemoryCluster({ topics: { t: 1 } });
      cluster.produce('t', 0, values(1));
      const { group } = inMemoryGroup(cluster, ts, { groupId: 'g', topics: ['t'] });
      const got: string[] = [];
      let error: KafkaClientError | undefined;
      group.messages$.subscribe((m) => got.push(id(m)));
      group.partitions$.subscribe((p) => p.subscribe({ error: (e: KafkaClientError) => (error = e) }));
      timer(1000).subscribe(() => group.close().subscribe());
      ts.flush();
      expect(got).toEqual(['0/0']);
      expect(error?._tag).toBe('UsageError');
      expect(error?.context.partition).toBe(0);
    });
  });
});

describe('consumerGroup pause and resume', () => {
  it('a paused partition is not fetched (others flow, no rebalance) until resumed', () => {
    const ts = virtualTime();
    ts.run(() => {
      const cluster = new InMemoryCluster({ topics: { t: 2 } });
      cluster.produce('t', 0, values(2));
      cluster.produce('t', 1, values(2));
      const { group } = inMemoryGroup(cluster, ts, { groupId: 'g', topics: ['t'] });
      group.pause('t', 0);
      const seen: { at: number; id: string }[] = [];
      const generations: number[] = [];
      group.generations$.subscribe((g) => generations.push(g.generationId));
      group.messages$.pipe(markOffsets(group)).subscribe();
      group.messages$.subscribe((m) => seen.push({ at: ts.now(), id: id(m) }));
      let pausedAtStart: unknown;
      timer(100).subscribe(() => (pausedAtStart = group.paused()));
      timer(3000).subscribe(() => group.resume('t', 0));
      timer(5000).subscribe(() => group.close().subscribe());
      ts.flush();
      expect(pausedAtStart).toEqual({ t: [0] });
      expect(seen.filter((s) => s.id.startsWith('1/')).every((s) => s.at < 3000)).toBe(true);
      expect(seen.filter((s) => s.id.startsWith('0/')).map((s) => s.id)).toEqual(['0/0', '0/1']);
      expect(seen.filter((s) => s.id.startsWith('0/')).every((s) => s.at >= 3000)).toBe(true);
      expect(generations).toHaveLength(1);
      expect(group.paused()).toEqual({});
    });
  });
});

describe('consumerGroup seek', () => {
  it('seeking back mid-stream re-delivers only that partition from the offset; marks of messages from before the seek are fenced', () => {
    const ts = virtualTime();
    ts.run(() => {
      const cluster = new InMemoryCluster({ topics: { t: 2 } });
      cluster.produce('t', 0, values(6));
      cluster.produce('t', 1, values(2));
      const { group } = inMemoryGroup(cluster, ts, { groupId: 'g', topics: ['t'] });
      const seen: string[] = [];
      const errors: KafkaClientError[] = [];
      group.errors$.subscribe((e) => errors.push(e));
      // 100 ms of work per message: at 250 ms, 0/0 and 0/1 (or so) are done and the rest is in flight.
      group.messages$.pipe(concatMap((m) => timer(100).pipe(map(() => m))), tap((m) => seen.push(id(m))), markOffsets(group)).subscribe();
      let sought = false;
      timer(250).subscribe(() => (sought = group.seek('t', 0, 4n)));
      timer(5000).subscribe(() => group.close().subscribe());
      ts.flush();
      expect(sought).toBe(true);
      const p0 = seen.filter((s) => s.startsWith('0/'));
      expect(p0.slice(-2)).toEqual(['0/4', '0/5']); // the partition continued from the sought offset
      expect(seen.filter((s) => s.startsWith('1/'))).toEqual(['1/0', '1/1']); // the other partition was untouched
      expect(errors.filter((e) => e._tag === 'MarkFenced').length).toBeGreaterThan(0); // pre-seek deliveries could not mark
      expect(cluster.committed('g')).toEqual({ 't/0': 6n, 't/1': 2n });
    });
  });

  it('seekToTimestamp moves to the first message at or after the time and emits that offset', () => {
    const ts = virtualTime();
    ts.run(() => {
      const cluster = new InMemoryCluster({ topics: { t: 1 } });
      cluster.produce('t', 0, [{ value: 'a', timestamp: 1000 }, { value: 'b', timestamp: 2000 }, { value: 'c', timestamp: 3000 }]);
      const { group } = inMemoryGroup(cluster, ts, { groupId: 'g', topics: ['t'] });
      const seen: string[] = [];
      let moved: bigint | undefined;
      group.messages$.pipe(tap((m) => seen.push(m.value?.toString() ?? '')), markOffsets(group)).subscribe();
      timer(500).subscribe(() => group.seekToTimestamp('t', 0, 2000).subscribe((o) => (moved = o)));
      timer(3000).subscribe(() => group.close().subscribe());
      ts.flush();
      expect(moved).toBe(1n);
      expect(seen).toEqual(['a', 'b', 'c', 'b', 'c']);
    });
  });
});

describe('consumerGroup resets (sarama-cluster ResetOffset family)', () => {
  const consumeAllThen = (after: (group: ReturnType<typeof inMemoryGroup>['group']) => void) => {
    const ts = virtualTime();
    let committed: Readonly<Record<string, bigint>> = {};
    ts.run(() => {
      const cluster = new InMemoryCluster({ topics: { t: 1 } });
      cluster.produce('t', 0, values(10));
      const { group } = inMemoryGroup(cluster, ts, { groupId: 'g', topics: ['t'] });
      group.messages$.pipe(markOffsets(group)).subscribe();
      timer(500).subscribe(() => after(group));
      timer(2000).subscribe(() => group.close().subscribe());
      ts.flush();
      committed = cluster.committed('g');
    });
    return committed;
  };

  it('resetOffset(message) rewinds the commit position to just after that message', () => {
    expect(consumeAllThen((g) => g.resetOffset({ topic: 't', partition: 0, offset: 3n }))).toEqual({ 't/0': 4n });
  });

  it('resetPartitionOffset rewinds by topic, partition and offset', () => {
    expect(consumeAllThen((g) => g.resetPartitionOffset('t', 0, 5n))).toEqual({ 't/0': 6n });
  });

  it('an OffsetStash with a reset, applied with markStash, rewinds', () => {
    const stash = new OffsetStash();
    stash.resetOffset({ topic: 't', partition: 0, offset: 1n });
    expect(consumeAllThen((g) => g.markStash(stash))).toEqual({ 't/0': 2n });
  });

  it('a PartitionConsumer carries its high-water mark and can reset its own commit position', () => {
    const ts = virtualTime();
    ts.run(() => {
      const cluster = new InMemoryCluster({ topics: { t: 1 } });
      cluster.produce('t', 0, values(4));
      const { group } = inMemoryGroup(cluster, ts, { groupId: 'g', topics: ['t'] });
      let hw: bigint | undefined;
      group.partitions$.subscribe((p) => {
        p.pipe(markOffsets(group)).subscribe();
        timer(500).subscribe(() => {
          hw = p.highWaterMark();
          p.resetOffset(0n);
        });
      });
      timer(2000).subscribe(() => group.close().subscribe());
      ts.flush();
      expect(hw).toBe(4n);
      expect(cluster.committed('g')).toEqual({ 't/0': 1n });
    });
  });
});

describe('consumerGroup commit retries and member user data', () => {
  it('a commit failing with a retriable error is retried (group.offsets.retry.max) and the marks are kept until it succeeds', () => {
    const ts = virtualTime();
    ts.run(() => {
      const cluster = new InMemoryCluster({ topics: { t: 1 } });
      cluster.produce('t', 0, values(3));
      const { group, recorded } = inMemoryGroup(cluster, ts, { groupId: 'g', topics: ['t'], group: { offsets: { retry: { max: 1 } } } });
      const errors: KafkaClientError[] = [];
      group.errors$.subscribe((e) => errors.push(e));
      cluster.failNext('offsetCommit', 3, 'COORDINATOR_LOAD_IN_PROGRESS');
      group.messages$.pipe(markOffsets(group)).subscribe();
      timer(5000).subscribe(() => group.close().subscribe());
      ts.flush();
      expect(errors.some((e) => e.code === 'COORDINATOR_LOAD_IN_PROGRESS')).toBe(true); // the first interval gave up after 1 retry
      expect(recorded.commits.length).toBeGreaterThanOrEqual(4); // 3 failed attempts, then a later one
      expect(cluster.committed('g')).toEqual({ 't/0': 3n }); // the marks were never thrown away
    });
  });

  it("group.userData reaches the leader's strategy in every member's subscription", () => {
    const ts = virtualTime();
    ts.run(() => {
      const cluster = new InMemoryCluster({ topics: { t: 2 } });
      const seenUserData: string[] = [];
      const spy: AssignmentStrategy = {
        name: 'spy',
        assign: (members, counts) => {
          seenUserData.push(...members.map((m) => m.userData?.toString() ?? ''));
          return range.assign(members, counts);
        },
      };
      const { group } = inMemoryGroup(cluster, ts, { groupId: 'g', topics: ['t'], group: { partitionStrategy: [spy], userData: Buffer.from('rack-a') } });
      group.generations$.subscribe();
      timer(1000).subscribe(() => group.close().subscribe());
      ts.flush();
      expect(seenUserData).toEqual(['rack-a']);
    });
  });
});

describe('consumerGroup subscription changes', () => {
  it('a partition-count increase is picked up by the metadata refresh and the new partition consumed', () => {
    const ts = virtualTime();
    ts.run(() => {
      const cluster = new InMemoryCluster({ topics: { t: 1 } });
      const { group } = inMemoryGroup(cluster, ts, { groupId: 'g', topics: ['t'], group: { topics: { refreshInterval: 500 } } });
      const held: string[] = [];
      const seen: string[] = [];
      group.generations$.subscribe((g) => held.push(JSON.stringify(g.current)));
      group.messages$.pipe(tap((m) => seen.push(id(m))), markOffsets(group)).subscribe();
      timer(1000).subscribe(() => {
        cluster.addPartitions('t', 1);
        cluster.produce('t', 1, values(2));
      });
      timer(5000).subscribe(() => group.close().subscribe());
      ts.flush();
      expect(held).toEqual(['{"t":[0]}', '{"t":[0,1]}']);
      expect(seen).toEqual(['1/0', '1/1']);
    });
  });

  it('a deleted topic leaves the subscription', () => {
    const ts = virtualTime();
    ts.run(() => {
      const cluster = new InMemoryCluster({ topics: { a: 1, b: 1 } });
      const { group } = inMemoryGroup(cluster, ts, { groupId: 'g', topics: ['a', 'b'], group: { topics: { refreshInterval: 500 } } });
      const held: string[] = [];
      group.generations$.subscribe((g) => held.push(Object.keys(g.current).join(',')));
      timer(1000).subscribe(() => cluster.deleteTopic('b'));
      timer(5000).subscribe(() => group.close().subscribe());
      ts.flush();
      expect(held).toEqual(['a,b', 'a']);
    });
  });
});
