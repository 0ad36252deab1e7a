/**
 * Consume, transform, produce, at least once: each input message is turned into an output record, produced, and
 * marked only once the broker acknowledged its output. Credit bounds the work in flight; a crash re-delivers the
 * inputs whose outputs were not all acknowledged (so an output may appear twice, never zero times).
 *
 *   KAFKA_BROKERS=localhost:9092 npx ts-node examples/consume-transform-produce.ts my-group orders orders-upper
 */
import { concat, fromEvent, ignoreElements, map, merge, Observable, share, take, takeUntil } from 'rxjs';
import { createClient, markOffsets, produce, type ConsumerGroupDeps, type DeliveryReport, type KafkaMessage, type ProducerRecord } from '../src';

export interface TransformOptions {
  readonly brokers: readonly string[];
  readonly groupId: string;
  readonly input: string;
  readonly output: string;
  /** The transformation: one output value per input message. */
  readonly transform: (m: KafkaMessage) => string;
  readonly initial?: 'oldest' | 'newest';
  /** Emits to stop: no new messages are taken; what is in flight is produced and marked, then the group leaves. */
  readonly stop$: Observable<unknown>;
  /** Collaborators for tests (the in-memory broker's transport, a TestScheduler). */
  readonly deps?: Pick<ConsumerGroupDeps, 'createTransport'>;
}

/** An output record that remembers the message it came from (to mark it once delivered). */
type Derived = ProducerRecord & { readonly source: KafkaMessage };

/** Emits each output's delivery report; completes once the group has committed and left (after `stop$`). */
export const transformTopic = ({ brokers, groupId, input, output, transform, initial = 'newest', stop$, deps }: TransformOptions): Observable<DeliveryReport<Derived>> => {
  const client = createClient({ brokers, clientId: `${groupId}-transform` }, deps);
  const group = client.consumerGroup({ groupId, topics: [input], consumer: { offsets: { initial } } });
  const reports$ = group.messages$.pipe(
    takeUntil(stop$),
    map((m): Derived => ({ topic: output, key: m.key, value: transform(m), source: m })), // the key keeps per-key order
    produce(client),
    share(),
  );
  // Subscribed first, so each input is marked before its report is emitted.
  const marked$ = reports$.pipe(
    map((report) => report.record.source),
    markOffsets(group),
  );
  return concat(merge(marked$, reports$), group.close().pipe(ignoreElements()), client.close().pipe(ignoreElements()));
};

const signals = (): Observable<unknown> => merge(fromEvent(process, 'SIGINT'), fromEvent(process, 'SIGTERM')).pipe(take(1));

if (require.main === module) {
  const [groupId = 'transformer', input = 'orders', output = 'orders-upper'] = process.argv.slice(2);
  transformTopic({
    brokers: (process.env.KAFKA_BROKERS ?? 'localhost:9092').split(','),
    groupId,
    input,
    output,
    transform: (m) => m.value?.toString().toUpperCase() ?? '',
    stop$: signals(),
  }).subscribe({
    next: (r) => process.stdout.write(`${r.record.source.partition}/${r.record.source.offset} -> ${r.topic}/${r.partition}/${r.offset}\n`),
    error: (e: unknown) => {
      process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    },
  });
}
