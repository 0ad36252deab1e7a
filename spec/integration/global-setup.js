// @ts-check
/**
 * Starts one real Kafka broker for the whole integration run (or uses KAFKA_BROKERS when set) and exposes
 * its bootstrap address to the tests as process.env.KAFKA_BROKERS.
 */
const { startCluster } = require('../../broker/kafka-broker');

module.exports = async () => {
  if (process.env.KAFKA_BROKERS) return;
  const t0 = Date.now();
  const cluster = await startCluster({ nodes: 1 });
  process.stderr.write(`\n[integration] Kafka ${cluster.version} ready at ${cluster.bootstrap} in ${Date.now() - t0} ms\n`);
  process.env.KAFKA_BROKERS = cluster.bootstrap;
  /** @type {Record<string, unknown>} */ (globalThis).__RX_KAFKA_CLUSTER__ = cluster;
};
