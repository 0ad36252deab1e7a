import { Observable, OperatorFunction } from 'rxjs';

/** Told around each batch's synchronous delivery (the group coalesces a sink's marks over it). */
export interface BatchDelivery<T> {
  start(batch: readonly T[]): void;
  end(): void;
}

/**
 * Emits the items of each array, in order, synchronously: messages arrive per fetched batch and leave one by
 * one, without an intermediate Observable per batch. `delivery` is told when each batch starts and ends.
 *
 *   --[a,b,c]------[d]--|
 *   flattenBatches()
 *   --(abc)--------d----|
 */
export const flattenBatches =
  <T>(delivery?: BatchDelivery<T>): OperatorFunction<readonly T[], T> =>
  (source) =>
    new Observable<T>((subscriber) =>
      source.subscribe({
        next: (batch) => {
          delivery?.start(batch);
          try {
            for (const item of batch) {
              if (subscriber.closed) return;
              subscriber.next(item);
            }
          } finally {
            delivery?.end();
          }
        },
        error: (e: unknown) => subscriber.error(e),
        complete: () => subscriber.complete(),
      }),
    );
