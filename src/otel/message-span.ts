import { trace, type Context, type Span } from '@opentelemetry/api';
import type { KafkaMessage } from '../protocol/message';
import { openContextOf } from './open-spans';

/**
 * The context of the span `traced()` gave this message (its span active in it), for child spans and for
 * `context.with(contextOf(m), ...)`, while the span is open (until the message is marked); else undefined.
 */
export const contextOf = (message: KafkaMessage): Context | undefined => openContextOf(message);

/** The span `traced()` gave this message, while it is open (until the message is marked), or undefined. */
export const spanOf = (message: KafkaMessage): Span | undefined => {
  const ctx = openContextOf(message);
  return ctx ? trace.getSpan(ctx) : undefined;
};
