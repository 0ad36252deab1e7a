import type { KafkaErrorCode } from '../errors';

interface Written {
  readonly firstSequence: number;
  readonly lastSequence: number;
  readonly baseOffset: bigint;
}

interface ProducerEntry {
  epoch: number;
  /** The last five batches written (what a broker keeps to answer retries). */
  readonly recent: Written[];
}

/** What a partition answers a producer's batch: write it, it is a duplicate of one written, or refuse it. */
export type SequenceCheck = { readonly kind: 'append' } | { readonly kind: 'duplicate'; readonly baseOffset: bigint } | { readonly kind: 'refuse'; readonly code: KafkaErrorCode };

const RECENT = 5;

/**
 * One partition's idempotence state, as a broker's ProducerStateManager keeps it: per producer id its epoch and
 * the sequences of its last five batches. A batch continues the last sequence, repeats a recent batch
 * (a retry: answered with the offset it got), or is refused (a gap, an old epoch).
 */
export class ProducerState {
  private readonly producers = new Map<bigint, ProducerEntry>();

  check(producerId: bigint, epoch: number, firstSequence: number): SequenceCheck {
    if (producerId < 0n) return { kind: 'append' };
    const entry = this.producers.get(producerId);
    if (!entry || epoch > entry.epoch) return firstSequence === 0 ? { kind: 'append' } : { kind: 'refuse', code: 'OUT_OF_ORDER_SEQUENCE_NUMBER' };
    if (epoch < entry.epoch) return { kind: 'refuse', code: 'INVALID_PRODUCER_EPOCH' };
    const repeat = entry.recent.find((w) => w.firstSequence === firstSequence);
    if (repeat) return { kind: 'duplicate', baseOffset: repeat.baseOffset };
    const last = entry.recent[entry.recent.length - 1];
    const expected = last ? (last.lastSequence + 1) % 0x80000000 : 0;
    return firstSequence === expected ? { kind: 'append' } : { kind: 'refuse', code: 'OUT_OF_ORDER_SEQUENCE_NUMBER' };
  }

  /** Records a written batch (after `check` said append). */
  written(producerId: bigint, epoch: number, firstSequence: number, count: number, baseOffset: bigint): void {
    if (producerId < 0n) return;
    let entry = this.producers.get(producerId);
    if (!entry || epoch > entry.epoch) {
      entry = { epoch, recent: [] };
      this.producers.set(producerId, entry);
    }
    entry.recent.push({ firstSequence, lastSequence: (firstSequence + count - 1) % 0x80000000, baseOffset });
    if (entry.recent.length > RECENT) entry.recent.shift();
  }
}
