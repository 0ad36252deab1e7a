// @ts-check
/**
 * A minimal Kafka Metadata (v1) request over a raw socket: enough to tell that a broker is up and how many
 * brokers the cluster reports. Used by the broker tooling's readiness wait, so the tooling needs nothing but
 * Node (and never kafkajs, which only the library's transport folder imports).
 */
const net = require('node:net');

/**
 * One request/response on a fresh socket; resolves with the response body after the correlation id.
 * @param {string} host @param {number} port @param {number} apiKey @param {number} version @param {Buffer} body @param {number} timeoutMs
 * @returns {Promise<Buffer>}
 */
function roundTrip(host, port, apiKey, version, body, timeoutMs) {
  return new Promise((resolve, reject) => {
    const clientId = Buffer.from('rx-kafka-cluster-probe');
    const header = Buffer.alloc(2 + 2 + 4 + 2);
    header.writeInt16BE(apiKey, 0);
    header.writeInt16BE(version, 2);
    header.writeInt32BE(1, 4); // correlation id
    header.writeInt16BE(clientId.length, 8);
    const payload = Buffer.concat([header, clientId, body]);
    const size = Buffer.alloc(4);
    size.writeInt32BE(payload.length, 0);

    const socket = net.connect({ host, port });
    /** @type {Buffer[]} */
    const chunks = [];
    const timer = setTimeout(() => fail(new Error(`probe (api ${apiKey}) to ${host}:${port} timed out after ${timeoutMs} ms`)), timeoutMs);
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
      resolve(buf.subarray(8, 4 + buf.readInt32BE(0)));
    });
  });
}

/**
 * Metadata v1 (supported by Kafka 3.x and 4.x): the brokers the cluster reports.
 * @param {string} host @param {number} port @param {number} timeoutMs
 * @returns {Promise<{ brokers: { nodeId: number, host: string, port: number }[], controllerId: number }>}
 */
async function probeMetadata(host, port, timeoutMs = 2000) {
  const body = Buffer.alloc(4);
  body.writeInt32BE(-1, 0); // topics: null -> all; we only read brokers
  return parseMetadataV1(await roundTrip(host, port, 3, 1, body, timeoutMs));
}

/**
 * FindCoordinator v0 for a group: the Kafka error code (0 once a group coordinator is available, i.e. the
 * offsets topic exists and has leaders).
 * @param {string} host @param {number} port @param {string} groupId @param {number} timeoutMs
 * @returns {Promise<number>}
 */
async function probeCoordinator(host, port, groupId = 'rx-kafka-cluster-probe', timeoutMs = 2000) {
  const id = Buffer.from(groupId);
  const body = Buffer.alloc(2);
  body.writeInt16BE(id.length, 0);
  const res = await roundTrip(host, port, 10, 0, Buffer.concat([body, id]), timeoutMs);
  return res.readInt16BE(0);
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

module.exports = { probeMetadata, probeCoordinator };
