// @ts-check
/**
 * The raw fetch layer under rx-kafka-cluster: the `Fetcher` over the kafkajs transport, every partition of the
 * topic added from its earliest offset, a sink that counts each delivered batch. No group, no RxJS per message:
 * the gap to `ours-messages` is what the group and the RxJS surface cost.
 */
const path = require('node:path');
const { firstValueFrom } = require('rxjs');
const { main } = require('./common');

main(async (job, counter) => {
  const dist = job.peers.ours;
  const { Fetcher } = require(path.join(dist, 'sources', 'fetcher.js'));
  const { createKafkajsTransport } = require(path.join(dist, 'transport', 'kafkajs', 'index.js'));
  const { EARLIEST_TIMESTAMP } = require(path.join(dist, 'transport', 'index.js'));
  const { CONFIG_DEFAULTS } = require(path.join(dist, 'config', 'index.js'));
  const d = CONFIG_DEFAULTS;
  const transport = createKafkajsTransport({
    brokers: job.brokers,
    clientId: 'bench-raw-fetcher',
    connectionTimeout: d.retry.connectionTimeout,
    requestTimeout: d.retry.requestTimeout,
    retry: { max: d.retry.max, initialBackoff: d.retry.initialBackoff, maxBackoff: d.retry.maxBackoff },
  });
  const md = await firstValueFrom(transport.metadata({ topics: [job.topic] }));
  const parts = md.topics[0].partitions.map((/** @type {any} */ p) => p.partition);
  const earliest = await firstValueFrom(
    transport.listOffsets({ partitions: parts.map((/** @type {number} */ partition) => ({ topic: job.topic, partition, timestamp: EARLIEST_TIMESTAMP })), isolationLevel: 'read_uncommitted' }),
  );
  const fetcher = new Fetcher({
    transport,
    maxWaitMs: d.consumer.fetch.maxWait,
    minBytes: d.consumer.fetch.min,
    maxBytes: d.consumer.fetch.max,
    partitionMaxBytes: d.consumer.fetch.partitionMax,
    isolationLevel: 'read_uncommitted',
    checkCrcs: false,
    outOfRange: 'oldest',
    retry: { initialBackoffMs: d.retry.initialBackoff, maxBackoffMs: d.retry.maxBackoff },
    report: (/** @type {unknown} */ e) => console.error('fetcher report', String(e)),
    failPartition: (/** @type {string} */ t, /** @type {number} */ p, /** @type {unknown} */ e) => console.error('partition failed', t, p, String(e)),
  });
  const sink = {
    deliver: (/** @type {any[]} */ messages) => {
      for (const m of messages) counter.onMessage(m.value ? m.value.length : 0, m.timestamp);
    },
    hasCredit: () => true,
    fetchBytes: () => d.consumer.fetch.partitionMax,
    room: () => Number.MAX_SAFE_INTEGER,
  };
  counter.assigned();
  for (const o of earliest) fetcher.add(job.topic, o.partition, o.offset, sink);
  return async () => {
    fetcher.stop();
    await firstValueFrom(transport.close(), { defaultValue: undefined });
  };
});
