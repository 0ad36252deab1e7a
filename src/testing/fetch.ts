import * as E from 'fp-ts/Either';
import { Subscription, type SchedulerLike } from 'rxjs';
import { protocolError, type KafkaErrorCode } from '../errors';
import type { FetchPartition, FetchRequest } from '../transport/port';
import type { PartitionLog } from './partition-log';
import type { Reply } from './reply';

/** What a fetch reads: the partition logs, and a signal whenever any of them (or a leader) changed. */
export interface LogView {
  log(topic: string, partition: number): PartitionLog | undefined;
  /** Calls `listener` after every change to the cluster's logs or leaders; returns the unregister function. */
  onChange(listener: () => void): () => void;
}

interface Evaluation {
  readonly partitions: readonly FetchPartition[];
  readonly bytes: number;
  readonly failed: boolean;
}

const EMPTY = Buffer.alloc(0);

const evaluate = (view: LogView, req: FetchRequest): Evaluation => {
  let bytes = 0;
  let failed = false;
  const partitions = req.partitions.map(({ topic, partition, fetchOffset, maxBytes }): FetchPartition => {
    const log = view.log(topic, partition);
    const committed = req.isolationLevel === 'read_committed';
    const lastStableOffset = log?.lastStableOffset ?? -1n;
    const offsets = {
      highWatermark: log?.highWatermark ?? -1n,
      lastStableOffset,
      logStartOffset: log?.logStartOffset ?? -1n,
      abortedTransactions: log && committed ? log.abortedTransactions(fetchOffset, lastStableOffset) : [],
    };
    const fail = (code: KafkaErrorCode): FetchPartition => {
      failed = true;
      const error = protocolError(code, { topic, partition, offset: fetchOffset, api: 'Fetch' });
      return { topic, partition, error, ...offsets, records: EMPTY };
    };
    if (!log) return fail('UNKNOWN_TOPIC_OR_PARTITION');
    if (log.leader !== req.nodeId) return fail('NOT_LEADER_OR_FOLLOWER');
    if (fetchOffset < log.logStartOffset || fetchOffset > log.highWatermark) return fail('OFFSET_OUT_OF_RANGE');
    const records = log.read(fetchOffset, Math.min(maxBytes, Math.max(req.maxBytes - bytes, 0)), bytes === 0, committed ? lastStableOffset : undefined);
    bytes += records.length;
    return { topic, partition, ...offsets, records };
  });
  return { partitions, bytes, failed };
};

/**
 * Serves a Fetch like a broker's DelayedFetch: answers at once when a partition has an error or at least
 * `minBytes` are available; otherwise waits until enough data is produced (or a leader moves) or `maxWaitMs`
 * of scheduler time passed, then answers with whatever there is. Batches are whole: from the one holding the
 * fetch offset, within each partition's `maxBytes` and the request's `maxBytes`, the first one always.
 * Unsubscribing the returned subscription abandons the wait.
 */
export const serveFetch = (view: LogView, scheduler: SchedulerLike, req: FetchRequest, reply: Reply<readonly FetchPartition[]>): Subscription => {
  const first = evaluate(view, req);
  const subscription = new Subscription();
  if (first.failed || first.bytes >= req.minBytes || req.maxWaitMs <= 0) {
    reply(E.right(first.partitions));
    return subscription;
  }
  const answer = (result: Evaluation) => {
    subscription.unsubscribe();
    reply(E.right(result.partitions));
  };
  subscription.add(scheduler.schedule(() => answer(evaluate(view, req)), req.maxWaitMs));
  subscription.add(
    view.onChange(() => {
      const now = evaluate(view, req);
      if (now.failed || now.bytes >= req.minBytes) answer(now);
    }),
  );
  return subscription;
};
