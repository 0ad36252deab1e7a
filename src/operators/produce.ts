import { asyncScheduler, Observable, type OperatorFunction, type SchedulerLike } from 'rxjs';
import { configError, validateProducerOptions, type ProducerOptionsInput } from '../config';
import type { DeliveryReport, ProducerRecord } from '../protocol/message';
import { ProducerSession, type RecordPartitioner } from '../sources/producer-session';
import type { Transport } from '../transport';

/** Where a producer gets its connections: a client (`createClient`), each subscription its own transport. */
export interface ProducerConnections {
  openTransport(): Transport;
}

export interface ProduceOptions<R extends ProducerRecord> extends ProducerOptionsInput {
  /** Picks the partition of records without one (default: murmur2 of the key as Java does, keyless records sticky per batch). */
  readonly partitioner?: RecordPartitioner<R>;
  /** Where time comes from (lingering, backoff, timeouts). Default asyncScheduler. */
  readonly scheduler?: SchedulerLike;
}

/**
 * Produces each record and emits its delivery report, in input order, once the broker acknowledged it. Idempotent
 * by default (acks 'all', no duplicates from retries, order kept per partition). Records are batched per
 * partition (`lingerMs`, `batchBytes`); at most `maxInFlightBytes` are on the wire. Completing the input flushes
 * what is queued, then completes. A record that cannot be delivered (not retriable, or past `deliveryTimeoutMs`)
 * errors the output with a KafkaClientError naming its topic and partition; reports before it are emitted first.
 * Invalid options throw a ConfigValidationError at once.
 *
 *   --a--b------c--|        records
 *   produce(client)
 *   ------A-B------C|       their delivery reports (topic, partition, offset, timestamp, record)
 */
export const produce = <R extends ProducerRecord>(connections: ProducerConnections, options: ProduceOptions<R> = {}): OperatorFunction<R, DeliveryReport<R>> => {
  const { partitioner, scheduler = asyncScheduler, ...settings } = options;
  const validated = validateProducerOptions(settings);
  if (validated._tag === 'Left') throw configError(validated.left);
  const config = validated.right;
  return (source) =>
    new Observable<DeliveryReport<R>>((subscriber) => {
      const transport = connections.openTransport();
      const session = new ProducerSession<R>(transport, config, scheduler, subscriber, partitioner);
      const input = source.subscribe({
        next: (record) => session.add(record),
        error: (e: unknown) => subscriber.error(e),
        complete: () => session.end(),
      });
      return () => {
        input.unsubscribe();
        session.close();
        transport.close().subscribe({ error: () => undefined });
      };
    });
};
