// @ts-check
/**
 * @platformatic/kafka 1.35.0 (the last 1.x line that runs on Node 20): the `consumer.consume()` stream read with
 * 'data' events (its README and its own benchmarks/consumer.ts), committed offsets else earliest, autocommit off,
 * read_uncommitted like the others (its default is read_committed). Fetch options from its consumer docs, set
 * explicitly: `minBytes: 1`, `maxBytes: 10 MiB` (its default), `maxBytesPerPartition: 1 MiB` (its default is
 * maxBytes; 1 MiB is the kafkajs baseline's and Kafka's max.partition.fetch.bytes), `maxWaitTime: 5000`,
 * `highWaterMark: 1024` (the README's "Performance" value, its default); no deserializers (values stay Buffers).
 * See bench/README.md "Peers and how each is configured" for the other fetch sizes tried.
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
  const consumer = new Consumer({
    groupId: job.groupId,
    clientId: 'bench-platformatic',
    bootstrapBrokers: job.brokers,
    minBytes: 1,
    maxBytes: 10 * 1_048_576,
    maxBytesPerPartition: 1_048_576,
    maxWaitTime: 5_000,
    highWaterMark: 1024,
  });
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
