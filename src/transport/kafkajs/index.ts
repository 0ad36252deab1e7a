export { createKafkajsTransport, type KafkajsTransportOptions, type RetryOptions, type SaslOptions, type KafkajsSocketFactory } from './create-kafkajs-transport';
export { kafkajsDecompress, type CompressionCodecName } from './codecs';
export { mapKafkajsError } from './map-error';
export { decodeFetchResponseV11, type FetchResponseV11 } from './fetch-response-decoder';
