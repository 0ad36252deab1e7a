import { mergeMap, tap } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { markOffsets, type ConsumerGroup, type ConsumerGroupConfigInput, type Generation } from '../../src';
import type { InMemoryCluster } from '../../src/testing';
import { inMemoryGroup, virtualTime } from './in-memory-group';

/** One member of a rebalance scenario and what it saw, in virtual time. */
export interface ScenarioMember {
  readonly group: ConsumerGroup;
  readonly generations: Generation[];
  /** The virtual time each generation arrived. */
  readonly generationTimes: number[];
  /** Per partition, the virtual times its messages arrived. */
  readonly arrivals: Map<number, number[]>;
  /** Per partition stream (partition mode): when it started and when it completed. */
  readonly streams: { partition: number; started: number; completed?: number }[];
}

export interface RebalanceScenario {
  readonly cluster: InMemoryCluster;
  /** Group settings beside groupId 'g' and topics ['t']. */
  readonly config: Partial<ConsumerGroupConfigInput>;
  readonly mode: 'messages' | 'partitions';
  /** When each member subscribes and unsubscribes (virtual ms). */
  readonly members: readonly { readonly at: number; readonly leaveAt: number }[];
  /** Schedules more work in the same virtual run (sampling the coordinator, say). */
  readonly during?: (ts: TestScheduler) => void;
}

/**
 * Members of group 'g' on topic 't' (every partition), consuming with messages$ + markOffsets or partitions$, while
 * one record per partition is produced every 100 ms from 0 to 30 s. Counts every delivery of every offset.
 */
export const runRebalanceScenario = ({ cluster, config, mode, members: plan, during }: RebalanceScenario) => {
  const ts = virtualTime();
  const delivered = new Map<string, number>();
  const members: ScenarioMember[] = [];
  const partitions = cluster.partitionCount('t');
  let produced = 0;
  ts.run(({ flush }) => {
    for (const { at, leaveAt } of plan) {
      const { group } = inMemoryGroup(cluster, ts, { groupId: 'g', topics: ['t'], ...config });
      const m: ScenarioMember = { group, generations: [], generationTimes: [], arrivals: new Map(), streams: [] };
      members.push(m);
      const seen = (partition: number, offset: bigint) => {
        const key = `${partition}/${offset}`;
        delivered.set(key, (delivered.get(key) ?? 0) + 1);
        m.arrivals.set(partition, [...(m.arrivals.get(partition) ?? []), ts.now()]);
      };
      ts.schedule(() => {
        const subs = [group.generations$.subscribe((g) => (m.generations.push(g), m.generationTimes.push(ts.now())))];
        if (mode === 'messages') subs.push(group.messages$.pipe(tap((msg) => seen(msg.partition, msg.offset)), markOffsets(group)).subscribe());
        else {
          subs.push(
            group.partitions$
              .pipe(
                mergeMap((p) => {
                  const stream: ScenarioMember['streams'][number] = { partition: p.partition, started: ts.now() };
                  m.streams.push(stream);
                  return p.pipe(tap({ next: (msg) => seen(msg.partition, msg.offset), complete: () => (stream.completed = ts.now()) }), markOffsets(group));
                }),
              )
              .subscribe(),
          );
        }
        ts.schedule(() => subs.forEach((s) => s.unsubscribe()), leaveAt - at);
      }, at);
    }
    for (let t = 0; t < 30_000; t += 100) {
      ts.schedule(() => {
        for (let p = 0; p < partitions; p++) cluster.produce('t', p, [{ value: `${p}@${t}` }]);
        produced += partitions;
      }, t);
    }
    during?.(ts);
    flush();
  });
  return { members, delivered, produced };
};

/** Every produced offset delivered, none twice. */
export const expectExactlyOnce = ({ delivered, produced }: { delivered: ReadonlyMap<string, number>; produced: number }): void => {
  expect(delivered.size).toBe(produced);
  expect([...delivered.values()].filter((n) => n > 1)).toEqual([]);
};

/**
 * A third member `c` joined at `joinAt`: `a` gave up exactly one partition in one generation (revoked, nothing
 * added, the rest kept), and `c` ended up owning it among its two.
 */
export const expectJoinRevokesOne = (a: ScenarioMember | undefined, c: ScenarioMember | undefined, joinAt: number): void => {
  const afterJoin = a?.generations.filter((g, i) => (a.generationTimes[i] ?? 0) >= joinAt && Object.keys(g.revoked).length > 0) ?? [];
  expect(afterJoin).toHaveLength(1);
  const revoking = afterJoin[0];
  expect(revoking?.added).toEqual({});
  expect(revoking?.kept['t']).toHaveLength(2);
  expect(revoking?.revoked['t']).toHaveLength(1);
  const cOwns = c?.generations.at(-1)?.current['t'] ?? [];
  expect(cOwns).toHaveLength(2);
  expect(cOwns).toContain(revoking?.revoked['t']?.[0]);
};

/**
 * partitions$ across a join at `joinAt`: streams that ended before `endAt` are exactly the revoked partitions', when
 * they were revoked; each partition still owned at the end had one stream since before the join, which never
 * paused more than 200 ms (records every 100 ms, fetches waiting up to 100 ms).
 */
export const expectOnlyRevokedStreamsEnd = (m: ScenarioMember, joinAt: number, endAt: number): void => {
  const revokedAt = m.generations.flatMap((g, i) => (g.revoked['t'] ?? []).map((p) => `${p}@${m.generationTimes[i]}`));
  const completedAt = m.streams.filter((s) => s.completed !== undefined && s.completed < endAt).map((s) => `${s.partition}@${s.completed}`);
  expect(completedAt.sort()).toEqual(revokedAt.sort());
  const final = m.generations.at(-1)?.current['t'] ?? [];
  expect(final).toHaveLength(2);
  for (const p of final) {
    const streams = m.streams.filter((s) => s.partition === p);
    expect(streams).toHaveLength(1);
    expect(streams[0]?.started).toBeLessThan(joinAt);
    const times = (m.arrivals.get(p) ?? []).filter((t) => t >= joinAt / 2);
    const gaps = times.slice(1).map((t, i) => t - (times[i] ?? t));
    expect(times.length).toBeGreaterThan(200);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(200);
  }
};
