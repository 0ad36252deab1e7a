import type { ErrorContext } from '../../errors';
import type { InitProducerIdRequest, ProducerIdentity } from '../port';
import type { NodeHandle } from './broker-registry';
import { flexibleRequest } from './flexible-request';
import { errorFromCode } from './map-error';

interface Decoded extends ProducerIdentity {
  /** Read by kafkajs's connection (KIP-219). */
  readonly clientSideThrottleTime: number;
  readonly errorCode: number;
}

/** InitProducerId v4 (flexible, KIP-360): an id and epoch, or the held ones re-initialised (epoch bumped). */
const initProducerIdV4 = (q: InitProducerIdRequest) =>
  flexibleRequest<Decoded>(
    { apiKey: 22, apiVersion: 4, apiName: 'InitProducerId' },
    (w) =>
      w
        .string(q.transactionalId ?? null)
        .int32(q.transactionTimeoutMs)
        .int64(q.producerId ?? -1n)
        .int16(q.producerEpoch ?? -1)
        .tags(),
    (r) => {
      const clientSideThrottleTime = r.int32();
      const errorCode = r.int16();
      const producerId = r.int64();
      const producerEpoch = r.int16();
      r.tags();
      return { clientSideThrottleTime, errorCode, producerId, producerEpoch };
    },
  );

/**
 * InitProducerId to `target` (the transaction coordinator for a transactional id, any broker otherwise). A broker
 * error code fails the request, e.g. NOT_COORDINATOR or CONCURRENT_TRANSACTIONS (both retriable).
 */
export const initProducerId = async (target: (context: ErrorContext) => Promise<NodeHandle>, q: InitProducerIdRequest): Promise<ProducerIdentity> => {
  const context: ErrorContext = { api: 'InitProducerId' };
  const node = await target(context);
  const res = await node.send(initProducerIdV4(q), context);
  const error = errorFromCode(res.errorCode, { ...context, broker: node.address });
  if (error) throw error;
  return { producerId: res.producerId, producerEpoch: res.producerEpoch };
};
