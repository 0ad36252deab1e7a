// @ts-check
/** Stops the broker that global-setup started (none when KAFKA_BROKERS pointed at an existing one). */
const { stopCluster } = require('../../broker/kafka-broker');

module.exports = async () => {
  const g = /** @type {Record<string, unknown>} */ (globalThis);
  const cluster = /** @type {import('../../broker/kafka-broker').KafkaCluster | undefined} */ (g.__RX_KAFKA_CLUSTER__);
  if (cluster) {
    await stopCluster(cluster);
    delete g.__RX_KAFKA_CLUSTER__;
  }
};
