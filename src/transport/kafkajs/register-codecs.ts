import { CompressionCodecs, CompressionTypes } from 'kafkajs';
import type { CompressionCodecName } from './codecs';

/** A kafkajs codec as packages such as kafkajs-snappy provide it; only `decompress` is needed to consume. */
export interface KafkajsCodec {
  compress?(encoder: { buffer: Buffer }): Promise<Buffer>;
  decompress(buffer: Buffer): Buffer | Promise<Buffer>;
}

const types = { gzip: CompressionTypes.GZIP, snappy: CompressionTypes.Snappy, lz4: CompressionTypes.LZ4, zstd: CompressionTypes.ZSTD } as const;

/**
 * Registers `codec` (a factory, as kafkajs expects) in kafkajs's `CompressionCodecs` for `name`, which is
 * what the kafkajs transport decompresses with. Returns a function restoring the previous registration.
 */
export const registerCodec = (name: CompressionCodecName, codec: () => KafkajsCodec): (() => void) => {
  const type = types[name];
  const previous = CompressionCodecs[type];
  CompressionCodecs[type] = codec;
  return () => {
    CompressionCodecs[type] = previous;
  };
};
