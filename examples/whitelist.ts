/**
 * sarama-cluster's whitelist example (Group.Topics.Whitelist = regexp.MustCompile(`myservice.*`)): subscribe to
 * every topic matching a pattern, including topics created later (found at the next metadata refresh,
 * `group.topics.refreshInterval`), minus an optional blacklist.
 *
 *   KAFKA_BROKERS=localhost:9092 npx ts-node examples/whitelist.ts my-group 'myservice.*'
 */
import { concat, fromEvent, ignoreElements, merge, Observable, take, takeUntil, tap } from 'rxjs';
import { consumerGroup, markOffsets, type ConsumerGroupDeps } from '../src';

export interface WhitelistOptions {
  readonly brokers: readonly string[];
  readonly groupId: string;
  readonly whitelist: RegExp;
  /** Wins over the whitelist (sarama-cluster: "will precede over the Whitelist setting"). */
  readonly blacklist?: RegExp;
  readonly initial?: 'oldest' | 'newest';
  /** How often new matching topics are looked for, in ms. */
  readonly refreshInterval?: number;
  readonly stop$: Observable<unknown>;
  readonly print?: (line: string) => void;
  readonly deps?: ConsumerGroupDeps;
}

/** Prints and marks every message of every matching topic; completes once the group has closed (after `stop$`). */
export const whitelisted = ({ brokers, groupId, whitelist, blacklist, initial = 'newest', refreshInterval, stop$, print = (l) => process.stdout.write(`${l}\n`), deps }: WhitelistOptions): Observable<never> => {
  const group = consumerGroup({ brokers, groupId, whitelist, blacklist, group: { topics: { refreshInterval } }, consumer: { offsets: { initial } } }, deps);
  const consumed$ = group.messages$.pipe(
    takeUntil(stop$),
    tap((m) => print(`${m.topic}/${m.partition}/${m.offset}\t${m.value?.toString() ?? ''}`)),
    markOffsets(group),
  );
  return concat(consumed$, group.close().pipe(ignoreElements()));
};

if (require.main === module) {
  const [groupId = 'my-consumer-group', pattern = 'myservice.*'] = process.argv.slice(2);
  const stop$ = merge(fromEvent(process, 'SIGINT'), fromEvent(process, 'SIGTERM')).pipe(take(1));
  whitelisted({ brokers: (process.env.KAFKA_BROKERS ?? 'localhost:9092').split(','), groupId, whitelist: new RegExp(pattern), stop$ }).subscribe({
    error: (e: unknown) => {
      process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    },
  });
}
