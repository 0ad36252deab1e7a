import type { ProducerIdentity } from '../transport/port';

/**
 * The cluster's producer ids (InitProducerId): a fresh id for each idempotent producer; for a transactional id the
 * same id every time with its epoch bumped, which fences the previous holder (KIP-98).
 */
export class ProducerIds {
  private next = 1000n;
  private readonly transactional = new Map<string, ProducerIdentity>();

  init(transactionalId: string | undefined): ProducerIdentity {
    if (transactionalId === undefined) return { producerId: this.next++, producerEpoch: 0 };
    const held = this.transactional.get(transactionalId);
    const identity = held ? { producerId: held.producerId, producerEpoch: held.producerEpoch + 1 } : { producerId: this.next++, producerEpoch: 0 };
    this.transactional.set(transactionalId, identity);
    return identity;
  }
}
