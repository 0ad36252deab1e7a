/**
 * At-least-once processing with concurrency: up to 8 messages handled at once (`mergeMap(handler, 8)`), finishing
 * in any order. `markOffsets(group, { outOfOrder: true })` marks each finished message, and only the contiguous
 * processed prefix of each partition is committed: a crash re-delivers at most the messages that were in flight
 * (or finished but behind an unfinished one), never skips one. On stop, no new messages are taken; the in-flight
 * ones finish and are marked, then the group commits and leaves.
 *
 *   KAFKA_BROKERS=localhost:9092 npx ts-node examples/at-least-once-concurrency.ts my-group my_topic
 */
import { concat, from, fromEvent, ignoreElements, map, merge, mergeMap, Observable, take, takeUntil } from 'rxjs';
import { consumerGroup, markOffsets, type ConsumerGroupDeps, type KafkaMessage } from '../src';

export interface AtLeastOnceOptions {
  readonly brokers: readonly string[];
  readonly topics: readonly string[];
  readonly groupId: string;
  /** The work; a rejected promise fails the pipeline (and nothing after the failure is marked). */
  readonly handler: (message: KafkaMessage) => Promise<void>;
  readonly concurrency?: number;
  readonly initial?: 'oldest' | 'newest';
  /** Emits to stop taking messages; the group then drains, commits and leaves. */
  readonly stop$: Observable<unknown>;
  readonly deps?: ConsumerGroupDeps;
}

/** Completes once the group has closed (after `stop$`), with every handled message's offset committed. */
export const atLeastOnce = ({ brokers, topics, groupId, handler, concurrency = 8, initial = 'newest', stop$, deps }: AtLeastOnceOptions): Observable<never> => {
  const group = consumerGroup({ brokers, groupId, topics, consumer: { offsets: { initial } } }, deps);
  const processed$ = group.messages$.pipe(
    takeUntil(stop$),
    mergeMap((m) => from(handler(m)).pipe(map(() => m)), concurrency),
    markOffsets(group, { outOfOrder: true }),
  );
  return concat(processed$, group.close().pipe(ignoreElements()));
};

if (require.main === module) {
  const [groupId = 'my-consumer-group', topics = 'my_topic'] = process.argv.slice(2);
  const stop$ = merge(fromEvent(process, 'SIGINT'), fromEvent(process, 'SIGTERM')).pipe(take(1));
  const handler = async (m: KafkaMessage): Promise<void> => {
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 50)); // pretend work: an HTTP call, a DB write
    process.stdout.write(`${m.topic}/${m.partition}/${m.offset}\t${m.value?.toString() ?? ''}\n`);
  };
  atLeastOnce({ brokers: (process.env.KAFKA_BROKERS ?? 'localhost:9092').split(','), groupId, topics: topics.split(','), handler, stop$ }).subscribe({
    error: (e: unknown) => {
      process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    },
  });
}
