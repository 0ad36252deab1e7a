import * as fetchRequest from 'kafkajs/src/protocol/requests/fetch';
import type { ErrorContext } from '../../errors';
import type { FetchPartition, FetchRequest } from '../port';
import type { NodeLookup } from './broker-registry';
import { decodeFetchResponseV11 } from './fetch-response-decoder';
import { errorFromCode } from './map-error';
import { byTopic } from './offsets';

/**
 * Fetch v11 to the given leader: kafkajs's request encoder, our decoder (records stay raw). Full fetches only:
 * session id 0 / epoch -1, no incremental fetch sessions (KIP-227). kafkajs sends Fetch on its own socket per
 * broker, so a long poll never delays group requests to the same broker.
 */
export const fetch = async (node: NodeLookup, r: FetchRequest): Promise<FetchPartition[]> => {
  if (r.partitions.length === 0) return [];
  const context: ErrorContext = { api: 'Fetch' };
  const leader = await node(r.nodeId, context);
  const protocol = fetchRequest.protocol({ version: 11 })({
    replicaId: -1,
    isolationLevel: r.isolationLevel === 'read_committed' ? 1 : 0,
    sessionId: 0,
    sessionEpoch: -1,
    forgottenTopics: [],
    maxWaitTime: r.maxWaitMs,
    minBytes: r.minBytes,
    maxBytes: r.maxBytes,
    topics: byTopic(r.partitions).map((t) => ({
      topic: t.topic,
      partitions: t.partitions.map((p) => ({ partition: p.partition, fetchOffset: p.fetchOffset, maxBytes: p.maxBytes })),
    })),
    rackId: '',
  });
  const withBroker = { ...context, broker: leader.address };
  const res = await leader.send(
    {
      request: protocol.request,
      response: { decode: async (payload: Buffer) => decodeFetchResponseV11(payload, withBroker), parse: async (d) => d },
      // The broker holds the request up to maxWaitMs before answering.
      requestTimeout: leader.requestTimeout + r.maxWaitMs,
    },
    context,
  );
  const error = errorFromCode(res.errorCode, withBroker);
  if (error) throw error;
  return [...res.partitions];
};
