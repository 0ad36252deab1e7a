import { Observable, of } from 'rxjs';
import { map, mergeMap } from 'rxjs/operators';
import type { KafkaClientError } from '../errors';
import { EARLIEST_TIMESTAMP, LATEST_TIMESTAMP, type IsolationLevel, type OffsetFetchRequest, type TopicPartition, type Transport } from '../transport';

export const partitionKey = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

/**
 * Where each claimed partition starts: its committed offset, or with none, the oldest or newest offset
 * (`initial`). Only stable offsets are read (`requireStable`, as the Java consumer does): a partition with
 * transactional offsets pending answers UNSTABLE_OFFSET_COMMIT. Partition-level errors fail the whole lookup with
 * the first error (the caller retries).
 */
export const startPositions = (
  transport: Transport,
  group: Omit<OffsetFetchRequest, 'partitions'>,
  partitions: readonly TopicPartition[],
  initial: 'oldest' | 'newest',
  isolationLevel: IsolationLevel,
): Observable<ReadonlyMap<string, bigint>> => {
  if (partitions.length === 0) return of(new Map());
  const firstError = (rs: readonly { error?: KafkaClientError }[]) => rs.find((r) => r.error)?.error;
  return transport.offsetFetch({ ...group, partitions, requireStable: true }).pipe(
    mergeMap((committed) => {
      const err = firstError(committed);
      if (err) throw err;
      const known = new Map(committed.filter((c) => c.offset >= 0n).map((c) => [partitionKey(c.topic, c.partition), c.offset]));
      const missing = partitions.filter((p) => !known.has(partitionKey(p.topic, p.partition)));
      if (missing.length === 0) return of(known);
      const timestamp = initial === 'oldest' ? EARLIEST_TIMESTAMP : LATEST_TIMESTAMP;
      return transport.listOffsets({ partitions: missing.map((p) => ({ ...p, timestamp })), isolationLevel }).pipe(
        map((listed) => {
          const e = firstError(listed);
          if (e) throw e;
          for (const l of listed) known.set(partitionKey(l.topic, l.partition), l.offset);
          return known;
        }),
      );
    }),
  );
};
