// @ts-check
/**
 * A minimal Kafka Metadata (v1) request over a raw socket: enough to tell that a broker is up and how many
 * brokers the cluster reports. Used by the broker tooling's readiness wait, so the tooling needs nothing but
 * Node (and never kafkajs, which only the library's transport folder imports).
 */
const net = require('node:net');

/**
 * @param {string} host
 * @param {number} port
 * @param {number} timeoutMs
 * @returns {Promise<{ brokers: { nodeId: number, host: string, port: number }[], controllerId: number }>}
 */
function probeMetadata(host, port, timeoutMs = 2000) {
  return new Promise((resolve, reject) => {
    const clientId = Buffer.from('rx-kafka-cluster-probe');
    const body = Buffer.alloc(4);
    body.writeInt32BE(-1, 0); // topics: null -> none described in v1+ means "all"; we only read brokers
    const header = Buffer.alloc(2 + 2 + 4 + 2);
    header.writeInt16BE(3, 0); // api key Metadata
    header.writeInt16BE(1, 2); // version 1 (supported by Kafka 3.x and 4.x)
    header.writeInt32BE(1, 4); // correlation id
    header.writeInt16BE(clientId.length, 8);
    const payload = Buffer.concat([header, clientId, body]);
    const size = Buffer.alloc(4);
    size.writeInt32BE(payload.length, 0);

    const socket = net.connect({ host, port });
    /** @type {Buffer[]} */
    const chunks = [];
    const timer = setTimeout(() => fail(new Error(`metadata probe to ${host}:${port} timed out after ${timeoutMs} ms`)), timeoutMs);
    /** @param {Error} e */
    const fail = (e) => {
      clearTimeout(timer);
      socket.destroy();
      reject(e);
    };
    socket.on('error', fail);
    socket.on('connect', () => socket.write(Buffer.concat([size, payload])));
    socket.on('data', (chunk) => {
      chunks.push(chunk);
      const buf = Buffer.concat(chunks);
      if (buf.length < 4 || buf.length < 4 + buf.readInt32BE(0)) return;
      clearTimeout(timer);
      socket.destroy();
      try {
        resolve(parseMetadataV1(buf.subarray(8, 4 + buf.readInt32BE(0))));
      } catch (e) {
        reject(e);
      }
    });
  });
}

/** @param {Buffer} b response body after the correlation id */
function parseMetadataV1(b) {
  let o = 0;
  const count = b.readInt32BE(o);
  o += 4;
  const brokers = [];
  for (let i = 0; i < count; i++) {
    const nodeId = b.readInt32BE(o);
    o += 4;
    const hostLen = b.readInt16BE(o);
    o += 2;
    const host = b.toString('utf8', o, o + hostLen);
    o += hostLen;
    const port = b.readInt32BE(o);
    o += 4;
    const rackLen = b.readInt16BE(o);
    o += 2 + Math.max(rackLen, 0);
    brokers.push({ nodeId, host, port });
  }
  const controllerId = b.readInt32BE(o);
  return { brokers, controllerId };
}

module.exports = { probeMetadata };
