import type { KafkajsConnection } from 'kafkajs/src/network/connectionPool';

/**
 * Stops kafkajs's Connection from copying every response. After each response it keeps the rest of the chunk
 * (usually empty) as the first of the next response's chunks, so a response that arrives in one chunk is still
 * joined to that empty rest with Buffer.concat, a copy of the whole response. Dropping an empty rest first lets
 * a one-chunk response (every response, with framedSocketFactory) be decoded in place.
 */
export const decodeWholeChunksInPlace = (connection: KafkajsConnection): void => {
  const processData = connection.processData;
  connection.processData = function (this: KafkajsConnection, rawData: Buffer): void {
    if (this.bytesBuffered === 0) this.chunks = [];
    processData.call(this, rawData);
  };
};
