/**
 * sarama-cluster's partitioned mode (Group.Mode = ConsumerModePartitions): one inner stream per claimed partition,
 * consumed independently (`mergeMap`), each completing when its partition is revoked.
 *
 *   KAFKA_BROKERS=localhost:9092 npx ts-node examples/partition-mode.ts my-group my_topic,other_topic
 */
import { concat, finalize, fromEvent, ignoreElements, merge, mergeMap, Observable, take, takeUntil, tap } from 'rxjs';
import { consumerGroup, type ConsumerGroupDeps, type KafkaMessage } from '../src';

export interface PartitionModeOptions {
  readonly brokers: readonly string[];
  readonly topics: readonly string[];
  readonly groupId: string;
  readonly initial?: 'oldest' | 'newest';
  /** Emits to stop; then the group drains, commits and leaves. */
  readonly stop$: Observable<unknown>;
  readonly print?: (line: string) => void;
  readonly log?: (line: string) => void;
  readonly deps?: ConsumerGroupDeps;
}

/** Emits each message after it was printed and marked; completes once the group has closed (after `stop$`). */
export const partitionMode = ({ brokers, topics, groupId, initial = 'newest', stop$, print = (l) => process.stdout.write(`${l}\n`), log = (l) => process.stderr.write(`${l}\n`), deps }: PartitionModeOptions): Observable<KafkaMessage> => {
  const group = consumerGroup({ brokers, groupId, topics, consumer: { offsets: { initial } } }, deps);

  const consumed$ = group.partitions$.pipe(
    // `for part := range consumer.Partitions() { go func(pc) { for msg := range pc.Messages() { ... } }(part) }`
    mergeMap((pc) => {
      log(`claimed ${pc.topic}/${pc.partition} (generation ${pc.generationId}) from offset ${pc.initialOffset}`);
      return pc.pipe(
        tap((m) => print(`${m.topic}/${m.partition}/${m.offset}\t${m.key?.toString() ?? ''}\t${m.value?.toString() ?? ''}`)),
        tap((m) => pc.markOffset(m.offset)), // the PartitionConsumer marks its own offsets
        finalize(() => log(`released ${pc.topic}/${pc.partition} (high-water mark ${pc.highWaterMark() ?? '?'})`)),
      );
    }),
    takeUntil(stop$),
  );

  return concat(consumed$, group.close().pipe(ignoreElements()));
};

if (require.main === module) {
  const [groupId = 'my-consumer-group', topics = 'my_topic'] = process.argv.slice(2);
  const stop$ = merge(fromEvent(process, 'SIGINT'), fromEvent(process, 'SIGTERM')).pipe(take(1));
  partitionMode({ brokers: (process.env.KAFKA_BROKERS ?? 'localhost:9092').split(','), groupId, topics: topics.split(','), stop$ }).subscribe({
    error: (e: unknown) => {
      process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    },
  });
}
