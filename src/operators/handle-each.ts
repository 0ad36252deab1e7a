import { catchError, concatMap, defer, EMPTY, endWith, from, ignoreElements, mergeMap, throwError, type Observable, type ObservableInput, type OperatorFunction } from 'rxjs';
import { KafkaClientError } from '../errors';
import type { MarkableOffset } from './mark-offsets';

export interface HandleEachOptions {
  /** Messages handled at once (mergeMap); pair more than 1 with `markOffsets(group, { outOfOrder: true })`. Default 1 (in order). */
  readonly concurrency?: number;
}

/** What a handler failed with, as a typed error naming the message. */
export const handlerError = (error: unknown, message: MarkableOffset): KafkaClientError =>
  new KafkaClientError({
    tag: 'HandlerError',
    message: `Handler failed: ${error instanceof Error ? error.message : String(error)}`,
    context: { topic: message.topic, partition: message.partition, offset: message.offset },
    cause: error,
  });

/**
 * Runs `handler` for each message (your processing, deserializer included), waits until what it returns (an
 * Observable, a Promise, or nothing) completes, then emits the message, ready for `markOffsets`. Whatever the
 * handler throws, or its Observable or Promise fails with, ends the stream as a `HandlerError` naming the message's
 * topic, partition and offset (the original error is the `cause`); messages marked before stay marked and are
 * committed as the group closes.
 *
 *   group.messages$.pipe(handleEach((m) => save(JSON.parse(String(m.value)))), markOffsets(group))
 *
 *   --a--b--c--        (b's handler throws)
 *   handleEach(h)
 *   --a--#             # = HandlerError { topic, partition, offset of b }, cause: what h threw
 */
export const handleEach =
  <M extends MarkableOffset>(handler: (message: M) => ObservableInput<unknown> | void, options: HandleEachOptions = {}): OperatorFunction<M, M> =>
  (source) => {
    const run = (message: M): Observable<M> =>
      defer(() => {
        const out = handler(message);
        return out === undefined || out === null ? EMPTY : from(out);
      }).pipe(
        ignoreElements(),
        endWith(message),
        catchError((e: unknown) => throwError(() => handlerError(e, message))),
      );
    const concurrency = options.concurrency ?? 1;
    return concurrency > 1 ? source.pipe(mergeMap(run, concurrency)) : source.pipe(concatMap(run));
  };
