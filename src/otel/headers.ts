import type { TextMapGetter } from '@opentelemetry/api';
import type { MessageHeader } from '../protocol/message';

/**
 * Reads propagation fields (`traceparent`, `tracestate`, `baggage`, ...) from a record's headers. A header named
 * twice gives its last value (as Java's `Headers.lastHeader`); names match exactly, else case-insensitively.
 */
export const headerGetter: TextMapGetter<readonly MessageHeader[]> = {
  keys: (headers) => headers.map((h) => h.key),
  get: (headers, key) => {
    let found: MessageHeader | undefined;
    for (const h of headers) if (h.key === key) found = h;
    if (!found) {
      const lower = key.toLowerCase();
      for (const h of headers) if (h.key.toLowerCase() === lower) found = h;
    }
    return found?.value ? found.value.toString('utf8') : undefined;
  },
};
