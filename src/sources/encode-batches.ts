import { Observable } from 'rxjs';
import type { ProducerCompression } from '../config/producer';
import { KafkaClientError } from '../errors';
import type { RecordToEncode } from '../protocol/message';
import { assembleBatch, encodeRecordsSection } from '../protocol/record-batch';
import type { ProducerIdentity, Transport } from '../transport';

/** One partition's records for one RecordBatch, with the first record's sequence number. */
export interface BatchToEncode {
  readonly records: readonly RecordToEncode[];
  readonly baseSequence: number;
}

/**
 * The batches as a producer sends them: each records section compressed when configured (the transport's
 * codecs; synchronously when it answers so, which keeps virtual time), framed with the producer's id, epoch and
 * sequence (none without an identity) and the transactional flag. Emits them all once, in order.
 */
export const encodeBatches = (
  batches: readonly BatchToEncode[],
  compression: ProducerCompression,
  transport: Transport,
  identity: ProducerIdentity | undefined,
  transactional = false,
): Observable<Buffer[]> =>
  new Observable<Buffer[]>((subscriber) => {
    const sections = batches.map((b) => encodeRecordsSection(b.records, b.records[0]?.timestamp));
    const framed = (compressed: readonly Buffer[]) => {
      subscriber.next(
        sections.map((s, i) =>
          assembleBatch({ ...s, section: compressed[i] as Buffer }, compression, {
            baseOffset: 0n,
            producerId: identity?.producerId ?? -1n,
            producerEpoch: identity?.producerEpoch ?? -1,
            baseSequence: identity ? (batches[i] as BatchToEncode).baseSequence : -1,
            transactional,
          }),
        ),
      );
      subscriber.complete();
    };
    if (compression === 'none') return framed(sections.map((s) => s.section));
    const compress = transport.compress?.bind(transport);
    if (!compress) return subscriber.error(new KafkaClientError({ tag: 'CodecMissing', message: `This transport cannot compress with ${compression}` }));
    let compressed: (Buffer | Promise<Buffer>)[];
    try {
      compressed = sections.map((s) => compress(compression, s.section));
    } catch (e) {
      return subscriber.error(e);
    }
    if (compressed.every((c): c is Buffer => !(c instanceof Promise))) return framed(compressed);
    Promise.all(compressed).then(framed, (e: unknown) => subscriber.error(e));
  });
