/**
 * Operating a consumer: a handler per partition, with metrics$ printed as one line per partition every few
 * seconds, stalls$ reported (a handler stuck on a record, a partition forgotten paused) and errors logged.
 *
 *   KAFKA_BROKERS=localhost:9092 npx ts-node examples/monitoring.ts my-group my_topic
 */
import { concat, concatMap, defer, fromEvent, ignoreElements, merge, mergeMap, Observable, take, takeUntil, tap } from 'rxjs';
import { consumerGroup, markOffsets, type ConsumerGroupDeps, type ConsumerMetrics, type KafkaMessage, type Stall } from '../src';

export interface MonitoringOptions {
  readonly brokers: readonly string[];
  readonly topics: readonly string[];
  readonly groupId: string;
  /** The work per message; may take as long as it needs (partitions go on independently). */
  readonly handle: (m: KafkaMessage) => Observable<unknown> | Promise<unknown>;
  readonly stop$: Observable<unknown>;
  readonly metricsIntervalMs?: number;
  readonly stallTimeoutMs?: number;
  readonly onMetrics?: (m: ConsumerMetrics) => void;
  readonly onStall?: (s: Stall) => void;
  readonly log?: (line: string) => void;
  readonly deps?: ConsumerGroupDeps;
}

/** One line per partition: lag, rate, buffered and commit position. */
export const metricsLines = (m: ConsumerMetrics): string[] =>
  m.partitions.map((p) => `${p.topic}/${p.partition} lag=${p.lag ?? '?'} rate=${p.recordsPerSecond.toFixed(0)}/s buffered=${p.bufferedRecords} committed=${p.committed ?? '-'}`);

export const describeStall = (s: Stall): string =>
  s.recovered
    ? `${s.topic}/${s.partition} recovered (${s.kind} stall since ${new Date(s.since).toISOString()})`
    : `${s.topic}/${s.partition} stalled (${s.kind}): no progress since ${new Date(s.since).toISOString()}, lag ${s.lag ?? '?'}, last offset ${s.lastOffset ?? '-'}`;

/** Consumes until `stop$`, then drains, commits and leaves; completes (emitting nothing) when the group has closed. */
export const monitored = ({ brokers, topics, groupId, handle, stop$, metricsIntervalMs = 5_000, stallTimeoutMs = 30_000, onMetrics, onStall, log = (l) => process.stderr.write(`${l}\n`), deps }: MonitoringOptions): Observable<never> => {
  const group = consumerGroup({ brokers, groupId, topics, consumer: { offsets: { initial: 'oldest' } }, monitoring: { metricsInterval: metricsIntervalMs, stallTimeout: stallTimeoutMs } }, deps);
  const watch$ = merge(
    group.metrics$.pipe(tap((m) => (onMetrics ? onMetrics(m) : metricsLines(m).forEach(log)))),
    group.stalls$.pipe(tap((s) => (onStall ? onStall(s) : log(describeStall(s))))),
    group.errors$.pipe(tap((e) => log(`error: ${e.message}`))),
  ).pipe(ignoreElements(), takeUntil(stop$));
  const work$ = group.partitions$.pipe(
    takeUntil(stop$),
    mergeMap((partition) => partition.pipe(concatMap((m) => concat(defer(() => handle(m)).pipe(ignoreElements()), [m])), markOffsets(group))),
  );
  return concat(merge(watch$, work$), group.close().pipe(ignoreElements()));
};

if (require.main === module) {
  const [groupId = 'my-consumer-group', topics = 'my_topic'] = process.argv.slice(2);
  const stop$ = merge(fromEvent(process, 'SIGINT'), fromEvent(process, 'SIGTERM')).pipe(take(1));
  monitored({ brokers: (process.env.KAFKA_BROKERS ?? 'localhost:9092').split(','), groupId, topics: topics.split(','), handle: async () => undefined, stop$ }).subscribe({
    error: (e: unknown) => {
      process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    },
  });
}
