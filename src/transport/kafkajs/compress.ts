import { Codecs, Types } from 'kafkajs/src/protocol/message/compression';
import { KafkaClientError } from '../../errors';
import type { CompressionCodecName } from './decompress';

const types: Record<CompressionCodecName, number> = { gzip: Types.GZIP, snappy: Types.Snappy, lz4: Types.LZ4, zstd: Types.ZSTD };
const packages: Record<CompressionCodecName, string> = { gzip: '(built in)', snappy: 'kafkajs-snappy', lz4: 'kafkajs-lz4', zstd: '@kafkajs/zstd' };
const typeNames: Record<CompressionCodecName, string> = { gzip: 'GZIP', snappy: 'Snappy', lz4: 'LZ4', zstd: 'ZSTD' };

const missing = (codec: CompressionCodecName, cause: unknown) =>
  new KafkaClientError({
    tag: 'CodecMissing',
    retriable: false,
    message:
      `No ${codec} codec is registered with kafkajs. Install one (e.g. ${packages[codec]}) and register it before producing: ` +
      `const { CompressionTypes, CompressionCodecs } = require('kafkajs'); ` +
      `CompressionCodecs[CompressionTypes.${typeNames[codec]}] = <codec factory>`,
    cause,
  });

/**
 * Compresses a record batch's records section with the codec registered in kafkajs's CompressionCodecs (gzip is
 * built in), the inverse of `kafkajsDecompress`. kafkajs codecs compress an Encoder: we hand them `{ buffer }`.
 * An unregistered codec, or one without `compress`, fails with `CodecMissing`.
 */
export const kafkajsCompress = async (codec: CompressionCodecName, data: Buffer): Promise<Buffer> => {
  let impl;
  try {
    impl = Codecs[types[codec]]?.();
  } catch (e) {
    // kafkajs's placeholders for snappy/lz4/zstd throw KafkaJSNotImplemented.
    throw missing(codec, e);
  }
  if (!impl || typeof impl.compress !== 'function') throw missing(codec, undefined);
  return impl.compress({ buffer: data });
};
