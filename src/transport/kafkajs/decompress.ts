import { Codecs, Types } from 'kafkajs/src/protocol/message/compression';
import { KafkaClientError } from '../../errors';

export type CompressionCodecName = 'gzip' | 'snappy' | 'lz4' | 'zstd';

const types: Record<CompressionCodecName, number> = { gzip: Types.GZIP, snappy: Types.Snappy, lz4: Types.LZ4, zstd: Types.ZSTD };
const packages: Record<CompressionCodecName, string> = { gzip: '(built in)', snappy: 'kafkajs-snappy', lz4: 'kafkajs-lz4', zstd: '@kafkajs/zstd' };
const typeNames: Record<CompressionCodecName, string> = { gzip: 'GZIP', snappy: 'Snappy', lz4: 'LZ4', zstd: 'ZSTD' };

const missing = (codec: CompressionCodecName, cause: unknown) =>
  new KafkaClientError({
    tag: 'CodecMissing',
    retriable: false,
    message:
      `No ${codec} codec is registered with kafkajs. Install one (e.g. ${packages[codec]}) and register it before consuming: ` +
      `const { CompressionTypes, CompressionCodecs } = require('kafkajs'); ` +
      `CompressionCodecs[CompressionTypes.${typeNames[codec]}] = <codec factory>`,
    cause,
  });

/**
 * Decompresses a record batch's records section with the codec registered in kafkajs's CompressionCodecs
 * (gzip is built in; snappy, lz4 and zstd come from packages such as kafkajs-snappy). An unregistered codec
 * fails with `CodecMissing`, naming the codec and how to register it.
 */
export const kafkajsDecompress = async (codec: CompressionCodecName, data: Buffer): Promise<Buffer> => {
  let impl;
  try {
    impl = Codecs[types[codec]]?.();
  } catch (e) {
    // kafkajs's placeholders for snappy/lz4/zstd throw KafkaJSNotImplemented.
    throw missing(codec, e);
  }
  if (!impl || typeof impl.decompress !== 'function') throw missing(codec, undefined);
  return impl.decompress(data);
};
