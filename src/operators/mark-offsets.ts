import { Observable, OperatorFunction } from 'rxjs';

/** What can be marked: a consumed message, or anything that names its topic, partition and offset. */
export interface MarkableOffset {
  readonly topic: string;
  readonly partition: number;
  readonly offset: bigint;
}

/** The part of a consumer group the sink needs. */
export interface OffsetMarker {
  /** Cumulative: everything up to and including the message's offset is processed (sarama-cluster MarkOffset). */
  markOffset(message: MarkableOffset, metadata?: string | null): unknown;
  /** Out of order: only this message is processed; the commit moves over the contiguous processed prefix. */
  markProcessed(message: MarkableOffset, metadata?: string | null): unknown;
  /** Tells the group a marker exists, so credit returns on marks (bounded in-flight work). */
  registerMarker(): () => void;
  /**
   * Optional: markOffset for a caller that ignores the result. The group may hold it until the batch being
   * delivered has been delivered and apply the run's last mark once (before anything reads or moves offsets).
   */
  markOffsetLater?(message: MarkableOffset, metadata?: string | null): void;
}

export interface MarkOffsetsOptions {
  /** For pipelines that finish messages out of order (mergeMap with concurrency). Default false. */
  readonly outOfOrder?: boolean;
  /** Metadata string carried into OffsetCommit. */
  readonly metadata?: string;
}

/**
 * The sink that marks each processed message; commits follow (interval, revocation, close). It emits nothing and
 * completes (or errors) with its source. Cumulative marks made while one fetched batch is delivered synchronously
 * are applied as one when the batch has been delivered (the group's `markOffsetLater`).
 *
 *   --a--b--c--|     (messages after the handler)
 *   markOffsets(group)
 *   -----------|     marks a, b, c as they pass
 */
export const markOffsets =
  (group: OffsetMarker, options: MarkOffsetsOptions = {}): OperatorFunction<MarkableOffset, never> =>
  (source) =>
    new Observable<never>((subscriber) => {
      const unregister = group.registerMarker();
      const later = group.markOffsetLater?.bind(group);
      const mark = options.outOfOrder
        ? (m: MarkableOffset) => group.markProcessed(m, options.metadata)
        : later
          ? (m: MarkableOffset) => later(m, options.metadata)
          : (m: MarkableOffset) => group.markOffset(m, options.metadata);
      const inner = source.subscribe({ next: mark, error: (e: unknown) => subscriber.error(e), complete: () => subscriber.complete() });
      return () => {
        inner.unsubscribe();
        unregister();
      };
    });
