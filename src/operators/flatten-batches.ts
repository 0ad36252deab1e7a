import { Observable, OperatorFunction } from 'rxjs';

/**
 * Emits the items of each array, in order, synchronously: messages arrive per fetched batch and leave one by
 * one, without an intermediate Observable per batch.
 *
 *   --[a,b,c]------[d]--|
 *   flattenBatches()
 *   --(abc)--------d----|
 */
export const flattenBatches =
  <T>(): OperatorFunction<readonly T[], T> =>
  (source) =>
    new Observable<T>((subscriber) =>
      source.subscribe({
        next: (batch) => {
          for (const item of batch) {
            if (subscriber.closed) return;
            subscriber.next(item);
          }
        },
        error: (e: unknown) => subscriber.error(e),
        complete: () => subscriber.complete(),
      }),
    );
