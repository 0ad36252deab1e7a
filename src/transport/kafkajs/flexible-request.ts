import Encoder from 'kafkajs/src/protocol/encoder';
import type { ProtocolRequest } from 'kafkajs/src/network/connectionPool';
import { CompactReader, CompactWriter } from './compact-codec';

/**
 * A flexible-version request for kafkajs's connection, which writes request header v1 and reads response header
 * v0. Header v2 differs from v1 only by a tagged-fields section after the client id, and response header v1 from
 * v0 by one after the correlation id: the body here starts with the request's (empty) one, and the decoder first
 * skips the response's.
 */
export const flexibleRequest = <D>(
  api: { readonly apiKey: number; readonly apiVersion: number; readonly apiName: string },
  body: (w: CompactWriter) => void,
  decode: (r: CompactReader) => D,
  requestTimeout?: number,
): ProtocolRequest<D> => ({
  request: {
    ...api,
    encode: async () => {
      const w = new CompactWriter().tags();
      body(w);
      return new Encoder().writeBuffer(w.buffer());
    },
  },
  response: {
    decode: async (payload: Buffer) => {
      const r = new CompactReader(payload, api.apiName);
      r.tags();
      return decode(r);
    },
    parse: async (d: D) => d,
  },
  ...(requestTimeout === undefined ? {} : { requestTimeout }),
});
