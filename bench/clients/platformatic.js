// @ts-check
/**
 * @platformatic/kafka 1.35.0 (the last 1.x line that runs on Node 20): `consumer.consume()` stream, 'data' events,
 * committed offsets else earliest, autocommit off, read_uncommitted like the others; defaults otherwise.
 */
const path = require('node:path');
const { pathToFileURL } = require('node:url');
const { main } = require('./common');

// Node 20 has no Promise.withResolvers; @platformatic/kafka 1.35 falls back on its own, older 1.x releases need it.
if (typeof (/** @type {any} */ (Promise).withResolvers) !== 'function') {
  /** @type {any} */ (Promise).withResolvers = () => {
    /** @type {any} */
    let resolve, reject;
    const promise = new Promise((res, rej) => ((resolve = res), (reject = rej)));
    return { promise, resolve, reject };
  };
}

main(async (job, counter) => {
  const entry = path.join(job.peers.platformatic, 'node_modules', '@platformatic', 'kafka', 'dist', 'index.js');
  const { Consumer, FetchIsolationLevels } = await import(pathToFileURL(entry).href);
  const consumer = new Consumer({ groupId: job.groupId, clientId: 'bench-platformatic', bootstrapBrokers: job.brokers });
  consumer.on('consumer:group:join', () => counter.assigned());
  const stream = await consumer.consume({
    topics: [job.topic],
    mode: 'committed',
    fallbackMode: 'earliest',
    autocommit: false,
    isolationLevel: FetchIsolationLevels.READ_UNCOMMITTED,
  });
  stream.on('data', (/** @type {any} */ m) => counter.onMessage(m.value ? m.value.length : 0, Number(m.timestamp)));
  stream.on('error', (/** @type {unknown} */ e) => console.error('stream error', e));
  return async () => {
    await stream.close();
    await consumer.close();
  };
});
