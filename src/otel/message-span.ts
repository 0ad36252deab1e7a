import { trace, type Context, type Span } from '@opentelemetry/api';
import type { KafkaMessage } from '../protocol/message';

const contexts = new WeakMap<KafkaMessage, Context>();

/** Remembers the context a message's span runs in (internal: `traced()` calls it). */
export const rememberContext = (message: KafkaMessage, ctx: Context): void => void contexts.set(message, ctx);

/**
 * The context of the span `traced()` gave this message (its span active in it), for child spans and for
 * `context.with(contextOf(m), ...)`; undefined for a message that went through no `traced()`.
 */
export const contextOf = (message: KafkaMessage): Context | undefined => contexts.get(message);

/** The span `traced()` gave this message (still open until the message is marked), or undefined. */
export const spanOf = (message: KafkaMessage): Span | undefined => {
  const ctx = contexts.get(message);
  return ctx ? trace.getSpan(ctx) : undefined;
};
