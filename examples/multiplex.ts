/**
 * sarama-cluster's README example, multiplexed mode: every assigned partition's messages on one stream, printed as
 * `topic/partition/offset<TAB>key<TAB>value` and marked; errors and rebalance notifications logged to stderr.
 *
 *   KAFKA_BROKERS=localhost:9092 npx ts-node examples/multiplex.ts my-group my_topic,other_topic
 */
import { concat, fromEvent, ignoreElements, merge, Observable, take, takeUntil, tap } from 'rxjs';
import { consumerGroup, type ConsumerGroupDeps, type GroupNotification, type KafkaMessage } from '../src';

export interface MultiplexOptions {
  readonly brokers: readonly string[];
  readonly topics: readonly string[];
  readonly groupId: string;
  /** Where a partition without a committed offset starts (sarama's Consumer.Offsets.Initial). */
  readonly initial?: 'oldest' | 'newest';
  /** Emits to stop: no new messages are taken, then the group drains, commits and leaves (SIGINT in main). */
  readonly stop$: Observable<unknown>;
  readonly print?: (line: string) => void;
  readonly log?: (line: string) => void;
  /** Collaborators for tests (the in-memory broker's transport, a TestScheduler). */
  readonly deps?: ConsumerGroupDeps;
}

const show = (a: Readonly<Record<string, readonly number[]>>) => JSON.stringify(a);
export const describeNotification = (n: GroupNotification): string =>
  n.type === 'RebalanceOK'
    ? `RebalanceOK generation=${n.generationId} claimed=${show(n.claimed)} released=${show(n.released)} current=${show(n.current)}`
    : n.type === 'RebalanceStart'
      ? `RebalanceStart current=${show(n.claims)}`
      : `RebalanceError ${n.error.message}`;

/** Emits each message after it was printed and marked; completes once the group has closed (after `stop$`). */
export const multiplex = ({ brokers, topics, groupId, initial = 'newest', stop$, print = (l) => process.stdout.write(`${l}\n`), log = (l) => process.stderr.write(`${l}\n`), deps }: MultiplexOptions): Observable<KafkaMessage> => {
  const group = consumerGroup({ brokers, groupId, topics, consumer: { offsets: { initial } } }, deps);

  // sarama-cluster: Consumer.Return.Errors / Group.Return.Notifications. Here they are always there: subscribe to see them.
  const logs$ = merge(
    group.errors$.pipe(tap((e) => log(`Error: ${e.message}`))),
    group.notifications$.pipe(tap((n) => log(`Rebalanced: ${describeNotification(n)}`))),
  ).pipe(ignoreElements(), takeUntil(stop$));

  const messages$ = group.messages$.pipe(
    takeUntil(stop$), // stop taking messages; unsubscribing drains, commits and leaves
    tap((m) => print(`${m.topic}/${m.partition}/${m.offset}\t${m.key?.toString() ?? ''}\t${m.value?.toString() ?? ''}`)),
    tap((m) => group.markOffset(m)), // consumer.MarkOffset(msg, "")
  );

  return concat(merge(logs$, messages$), group.close().pipe(ignoreElements()));
};

const signals = (): Observable<unknown> => merge(fromEvent(process, 'SIGINT'), fromEvent(process, 'SIGTERM')).pipe(take(1));

if (require.main === module) {
  const [groupId = 'my-consumer-group', topics = 'my_topic'] = process.argv.slice(2);
  multiplex({ brokers: (process.env.KAFKA_BROKERS ?? 'localhost:9092').split(','), groupId, topics: topics.split(','), stop$: signals() }).subscribe({
    error: (e: unknown) => {
      process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    },
  });
}
