/**
 * Consume, transform, produce, exactly once: each fetched batch becomes one transaction holding its outputs and its
 * offsets, so a read_committed consumer of the output sees each input's output once, even across crashes and
 * rebalances. The transactional id names this instance; a restarted instance with the same id fences the old one.
 *
 *   KAFKA_BROKERS=localhost:9092 npx ts-node examples/exactly-once.ts my-group orders orders-upper instance-1
 */
import { concat, fromEvent, ignoreElements, map, merge, Observable, take, takeUntil } from 'rxjs';
import { createClient, transactional, type ConsumerGroupDeps, type KafkaMessage, type TransactionReport } from '../src';

export interface ExactlyOnceOptions {
  readonly brokers: readonly string[];
  readonly groupId: string;
  readonly input: string;
  readonly output: string;
  readonly transactionalId: string;
  readonly transform: (m: KafkaMessage) => string;
  readonly initial?: 'oldest' | 'newest';
  /** Emits to stop: no new batches are taken; the open transaction finishes, then the group leaves. */
  readonly stop$: Observable<unknown>;
  /** Collaborators for tests (the in-memory broker's transport). */
  readonly deps?: Pick<ConsumerGroupDeps, 'createTransport'>;
}

/** Emits each committed transaction's report; completes once the group has left (after `stop$`). */
export const exactlyOnce = ({ brokers, groupId, input, output, transactionalId, transform, initial = 'newest', stop$, deps }: ExactlyOnceOptions): Observable<TransactionReport> => {
  const client = createClient({ brokers, clientId: transactionalId }, deps);
  // read_committed: inputs written by other transactional producers are seen only once committed.
  const group = client.consumerGroup({ groupId, topics: [input], consumer: { offsets: { initial }, isolationLevel: 'read_committed' } });
  const transactions$ = group.batches$.pipe(
    takeUntil(stop$),
    map((batch) => ({
      records: batch.messages.map((m) => ({ topic: output, key: m.key, value: transform(m) })),
      consumed: batch.messages,
    })),
    transactional(client, group, { transactionalId }),
  );
  return concat(transactions$, group.close().pipe(ignoreElements()), client.close().pipe(ignoreElements()));
};

const signals = (): Observable<unknown> => merge(fromEvent(process, 'SIGINT'), fromEvent(process, 'SIGTERM')).pipe(take(1));

if (require.main === module) {
  const [groupId = 'transformer', input = 'orders', output = 'orders-upper', transactionalId = 'transformer-1'] = process.argv.slice(2);
  exactlyOnce({
    brokers: (process.env.KAFKA_BROKERS ?? 'localhost:9092').split(','),
    groupId,
    input,
    output,
    transactionalId,
    transform: (m) => m.value?.toString().toUpperCase() ?? '',
    stop$: signals(),
  }).subscribe({
    next: (r) => process.stdout.write(`committed ${r.deliveries.length} records, offsets ${r.offsets.map((o) => `${o.topic}/${o.partition}@${o.offset}`).join(' ')}\n`),
    error: (e: unknown) => {
      process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    },
  });
}
