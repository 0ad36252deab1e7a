import { Codecs, Types } from 'kafkajs/src/protocol/message/compression';
import { KafkaClientError } from '../../errors';

export type CompressionCodecName = 'gzip' | 'snappy' | 'lz4' | 'zstd';

const types: Record<CompressionCodecName, number> = { gzip: Types.GZIP, snappy: Types.Snappy, lz4: Types.LZ4, zstd: Types.ZSTD };
const packages: Record<CompressionCodecName, string> = { gzip: '(built in)', snappy: 'kafkajs-snappy', lz4: 'kafkajs-lz4', zstd: '@kafkajs/zstd' };
const typeNames: Record<CompressionCodecName, string> = { gzip: 'GZIP', snappy: 'Snappy', lz4: 'LZ4', zstd: 'ZSTD' };

const missing = (codec: CompressionCodecName, use: 'consuming' | 'producing', cause: unknown) =>
  new KafkaClientError({
    tag: 'CodecMissing',
    retriable: false,
    message:
      `No ${codec} codec is registered with kafkajs. Install one (e.g. ${packages[codec]}) and register it before ${use}: ` +
      `const { CompressionTypes, CompressionCodecs } = require('kafkajs'); ` +
      `CompressionCodecs[CompressionTypes.${typeNames[codec]}] = <codec factory>`,
    cause,
  });

/** The codec registered in kafkajs's CompressionCodecs (gzip is built in); `CodecMissing` without one that can `need`. */
const codecFor = <K extends 'compress' | 'decompress'>(codec: CompressionCodecName, need: K) => {
  const use = need === 'compress' ? 'producing' : 'consuming';
  let impl;
  try {
    impl = Codecs[types[codec]]?.();
  } catch (e) {
    // kafkajs's placeholders for snappy/lz4/zstd throw KafkaJSNotImplemented.
    throw missing(codec, use, e);
  }
  if (!impl || typeof impl[need] !== 'function') throw missing(codec, use, undefined);
  return impl;
};

/**
 * Decompresses a record batch's records section with the codec registered in kafkajs's CompressionCodecs
 * (gzip is built in; snappy, lz4 and zstd come from packages such as kafkajs-snappy). An unregistered codec
 * fails with `CodecMissing`, naming the codec and how to register it.
 */
export const kafkajsDecompress = async (codec: CompressionCodecName, data: Buffer): Promise<Buffer> => codecFor(codec, 'decompress').decompress(data);

/** The inverse, for producing: kafkajs codecs compress an Encoder, so they get `{ buffer }`. */
export const kafkajsCompress = async (codec: CompressionCodecName, data: Buffer): Promise<Buffer> => {
  const impl = codecFor(codec, 'compress');
  if (!impl.compress) throw missing(codec, 'producing', undefined);
  return impl.compress({ buffer: data });
};
