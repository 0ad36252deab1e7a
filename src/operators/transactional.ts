import { asyncScheduler, concatMap, Observable, type OperatorFunction, type SchedulerLike } from 'rxjs';
import { configError, validateProducerOptions, type ProducerOptionsInput } from '../config';
import type { ProducerRecord } from '../protocol/message';
import { TransactionSession, type TransactionalGroup, type TransactionInput, type TransactionReport } from '../sources/transaction-session';
import type { ProducerConnections } from './produce';

export interface TransactionalOptions extends Pick<ProducerOptionsInput, 'compression' | 'deliveryTimeoutMs' | 'ackTimeoutMs' | 'retryBackoffMs' | 'transactionTimeoutMs'> {
  /** The producer's transactional id: one per input partition set (e.g. per member); a new holder fences the old one. */
  readonly transactionalId: string;
  readonly scheduler?: SchedulerLike;
}

/**
 * Consume-transform-produce, exactly once: each input is one transaction holding its output records and the
 * consumed messages it finishes. Their offsets commit inside the transaction with the group's member id and
 * generation (KIP-447), so a zombie member or producer is fenced; read_committed consumers of the outputs see each
 * transaction's records once, or never. Transactions run one at a time, in input order. A transaction aborted by a
 * rebalance emits nothing (its inputs are consumed again, here or by the new owner); any other failure aborts it,
 * rewinds its partitions and errors the output with a KafkaClientError.
 *
 *   --t1------t2------|      transactions: { records, consumed }
 *   transactional(client, group, { transactionalId })
 *   -----R1-------R2--|      committed: { deliveries, offsets }
 */
export const transactional = <R extends ProducerRecord>(connections: ProducerConnections, group: TransactionalGroup, options: TransactionalOptions): OperatorFunction<TransactionInput<R>, TransactionReport<R>> => {
  const { transactionalId, scheduler = asyncScheduler, ...settings } = options;
  const validated = validateProducerOptions(settings);
  if (validated._tag === 'Left') throw configError(validated.left);
  const config = validated.right;
  return (source) =>
    new Observable<TransactionReport<R>>((subscriber) => {
      const unregister = group.registerMarker?.() ?? (() => undefined);
      const transport = connections.openTransport();
      const session = new TransactionSession<R>(transport, config, scheduler, transactionalId, group);
      const run = source.pipe(concatMap((input) => session.run(input))).subscribe(subscriber);
      return () => {
        run.unsubscribe();
        unregister();
        session.close().subscribe({ complete: () => transport.close().subscribe({ error: () => undefined }), error: () => transport.close().subscribe({ error: () => undefined }) });
      };
    });
};
