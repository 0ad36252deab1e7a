// @ts-check
/**
 * The clients the harness knows: what each needs built (bench/lib/peers.js) and how to start it. Every client is
 * a separate process that prints `RESULT {json}` (bench/clients/common.js).
 */
const path = require('node:path');

const CLIENTS_DIR = path.join(__dirname, '..', 'clients');

/**
 * @typedef {{ brokers: string[], topic: string, records: number, groupId: string, mode: 'throughput' | 'latency' | 'memory', timeoutMs: number, valueBytes: number, partitions: number, durationMs?: number, handlerMs?: number, keyBytes?: number }} RunJob
 *   keyBytes: the produce scenario's key length
 * @typedef {{ name: string, label: string, build: string, kinds?: string[], command: (job: RunJob, built: Record<string, any>) => [string, string[]] }} ClientDef
 *   kinds: the scenario kinds it runs in (default: throughput and latency)
 */

/** @param {string} file @param {RunJob} job @param {Record<string, any>} built */
const nodeClient = (file, job, built) => {
  const peers = {
    ours: built.ours?.dir,
    kafkajs: built.kafkajs?.prefix,
    platformatic: built.platformatic?.prefix,
    rdkafka: built.rdkafka?.prefix,
    confluent: built.confluent?.prefix,
  };
  // --profile: V8 CPU profiles of the Node clients (bench/results/profiles/<client>-<scenario>-*.cpuprofile).
  const dir = process.env.BENCH_PROFILE_DIR;
  const prof = dir ? ['--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-name', `${path.basename(file, '.js')}-${job.topic}-${Date.now()}.cpuprofile`] : [];
  return /** @type {[string, string[]]} */ ([process.execPath, [...prof, path.join(CLIENTS_DIR, file), JSON.stringify({ ...job, peers })]]);
};

/** @type {ClientDef[]} */
const CLIENTS = [
  { name: 'ours-messages', label: 'rx-kafka-cluster messages$', build: 'ours', command: (j, b) => nodeClient('ours-messages.js', j, b) },
  { name: 'ours-messages-metrics', label: 'rx-kafka-cluster messages$ + metrics$ (1 s)', build: 'ours', kinds: ['throughput'], command: (j, b) => nodeClient('ours-messages-metrics.js', j, b) },
  { name: 'ours-messages-otel', label: 'rx-kafka-cluster messages$ + traced() + markOffsets', build: 'ours', kinds: ['throughput'], command: (j, b) => nodeClient('ours-messages-otel.js', j, b) },
  { name: 'ours-messages-sdk-spans', label: 'rx-kafka-cluster messages$ + markOffsets + one SDK span per message by hand (the SDK floor)', build: 'ours', kinds: ['throughput'], command: (j, b) => nodeClient('ours-messages-sdk-spans.js', j, b) },
  { name: 'ours-batches', label: 'rx-kafka-cluster batches$', build: 'ours', command: (j, b) => nodeClient('ours-batches.js', j, b) },
  { name: 'ours-partitions', label: 'rx-kafka-cluster partitions$', build: 'ours', command: (j, b) => nodeClient('ours-partitions.js', j, b) },
  { name: 'ours-marked', label: 'rx-kafka-cluster messages$ + markOffsets', build: 'ours', command: (j, b) => nodeClient('ours-marked.js', j, b) },
  { name: 'ours-raw-fetcher', label: 'rx-kafka-cluster raw Fetcher', build: 'ours', command: (j, b) => nodeClient('ours-raw-fetcher.js', j, b) },
  { name: 'kafkajs-eachBatch', label: 'kafkajs 2.2.4 eachBatch', build: 'kafkajs', command: (j, b) => nodeClient('kafkajs-each-batch.js', j, b) },
  { name: 'kafkajs-eachMessage', label: 'kafkajs 2.2.4 eachMessage', build: 'kafkajs', command: (j, b) => nodeClient('kafkajs-each-message.js', j, b) },
  { name: 'platformatic', label: '@platformatic/kafka 1.35.0', build: 'platformatic', command: (j, b) => nodeClient('platformatic.js', j, b) },
  { name: 'node-rdkafka', label: 'node-rdkafka 3.6.1 (librdkafka)', build: 'rdkafka', command: (j, b) => nodeClient('node-rdkafka.js', j, b) },
  { name: 'confluent-eachBatch', label: '@confluentinc/kafka-javascript 1.10.1 KafkaJS eachBatch (librdkafka)', build: 'confluent', command: (j, b) => nodeClient('confluent.js', j, b) },
  {
    name: 'java',
    label: 'Java KafkaConsumer',
    build: 'java',
    command: (j, b) => [
      'java',
      ['-Xms256m', '-Xmx512m', '-XX:+UseG1GC', `-Dlog4j2.configurationFile=${path.join(__dirname, '..', 'java', 'log4j2.properties')}`, '-cp', b.java.classpath, 'BenchConsumer', j.brokers.join(','), j.topic, String(j.records), j.groupId, j.mode],
    ],
  },
  {
    // The same poll loop under the OpenTelemetry Java agent (a CONSUMER span per record as the loop iterates; no
    // exporter, so the agent's own cost only): the baseline for what tracing every message may cost.
    name: 'java-otel',
    label: 'Java KafkaConsumer + OpenTelemetry Java agent',
    build: 'otel-agent',
    kinds: ['throughput'],
    command: (j, b) => [
      'java',
      [
        `-javaagent:${b['otel-agent'].jar}`,
        '-Dotel.service.name=bench-java',
        '-Dotel.traces.exporter=none',
        '-Dotel.metrics.exporter=none',
        '-Dotel.logs.exporter=none',
        '-Xms256m', '-Xmx512m', '-XX:+UseG1GC', `-Dlog4j2.configurationFile=${path.join(__dirname, '..', 'java', 'log4j2.properties')}`, '-cp', b.java.classpath, 'BenchConsumer', j.brokers.join(','), j.topic, String(j.records), j.groupId, j.mode,
      ],
    ],
  },
  // Slow handlers, for the memory scenario only.
  { name: 'ours-slow', label: 'rx-kafka-cluster messages$ + concatMap(handler) + markOffsets', build: 'ours', kinds: ['memory'], command: (j, b) => nodeClient('ours-slow.js', j, b) },
  { name: 'ours-slow-partitions', label: 'rx-kafka-cluster partitions$ + concatMap(handler) + markOffsets', build: 'ours', kinds: ['memory'], command: (j, b) => nodeClient('ours-slow-partitions.js', j, b) },
  { name: 'kafkajs-slow', label: 'kafkajs 2.2.4 eachMessage(handler)', build: 'kafkajs', kinds: ['memory'], command: (j, b) => nodeClient('kafkajs-slow.js', j, b) },
  // Group members, for the rebalance scenario only (bench/lib/rebalance.js starts them).
  { name: 'ours-member', label: 'rx-kafka-cluster partitions$ + markOffsets', build: 'ours', kinds: ['rebalance'], command: () => ['', []] },
  { name: 'kafkajs-member', label: 'kafkajs 2.2.4 eachBatch', build: 'kafkajs', kinds: ['rebalance'], command: () => ['', []] },
  { name: 'java-member', label: 'Java KafkaConsumer', build: 'java', kinds: ['rebalance'], command: () => ['', []] },
  // Group members for the rebalance-under-load scenario only (bench/lib/rebalance-under-load.js starts them).
  { name: 'ours-eager', label: 'rx-kafka-cluster partitions$ + markOffsets, range (eager)', build: 'ours', kinds: ['rebalance-under-load'], command: () => ['', []] },
  { name: 'ours-cooperative', label: 'rx-kafka-cluster partitions$ + markOffsets, cooperative-sticky', build: 'ours', kinds: ['rebalance-under-load'], command: () => ['', []] },
  { name: 'ours-consumer', label: "rx-kafka-cluster partitions$ + markOffsets, groupProtocol 'consumer' (uniform)", build: 'ours', kinds: ['rebalance-under-load'], command: () => ['', []] },
  { name: 'java-eager', label: 'Java KafkaConsumer, RangeAssignor (classic, eager)', build: 'java', kinds: ['rebalance-under-load'], command: () => ['', []] },
  { name: 'java-cooperative', label: 'Java KafkaConsumer, CooperativeStickyAssignor (classic)', build: 'java', kinds: ['rebalance-under-load'], command: () => ['', []] },
  { name: 'java-consumer', label: 'Java KafkaConsumer, group.protocol=consumer (uniform)', build: 'java', kinds: ['rebalance-under-load'], command: () => ['', []] },
  // Producers, for the produce scenario only (bench/lib/scenario-kinds.js runProduce; bench/README.md "Producing").
  { name: 'ours-produce', label: 'rx-kafka-cluster produce(), bounded source (chunks of 10,000, next after the previous is acknowledged)', build: 'ours', kinds: ['produce'], command: (j, b) => nodeClient('ours-produce.js', j, b) },
  { name: 'ours-produce-unbounded', label: 'rx-kafka-cluster produce(), whole input pushed at once', build: 'ours', kinds: ['produce'], command: (j, b) => nodeClient('ours-produce-unbounded.js', j, b) },
  { name: 'kafkajs-producer', label: 'kafkajs 2.2.4 producer.send (10,000 per call, idempotent)', build: 'kafkajs', kinds: ['produce'], command: (j, b) => nodeClient('kafkajs-producer.js', j, b) },
  {
    name: 'java-producer',
    label: 'Java KafkaProducer (idempotent, linger.ms 5, batch.size 1 MiB)',
    build: 'java',
    kinds: ['produce'],
    command: (j, b) => [
      'java',
      ['-Xms256m', '-Xmx512m', '-XX:+UseG1GC', `-Dlog4j2.configurationFile=${path.join(__dirname, '..', 'java', 'log4j2.properties')}`, '-cp', b.java.classpath, 'BenchThroughputProducer', j.brokers.join(','), j.topic, String(j.records), String(j.valueBytes), String(j.keyBytes ?? 16)],
    ],
  },
  { name: 'sarama', label: 'sarama ConsumerGroup (Go)', build: 'sarama', command: (j, b) => [b.sarama.bin, [j.brokers.join(','), j.topic, String(j.records), j.groupId, j.mode]] },
  { name: 'franz-go', label: 'franz-go (Go)', build: 'franz-go', command: (j, b) => [b['franz-go'].bin, [j.brokers.join(','), j.topic, String(j.records), j.groupId, j.mode]] },
];

const byName = new Map(CLIENTS.map((c) => [c.name, c]));

/** Whether a client runs in a scenario of `kind`. @param {ClientDef} c @param {string} kind */
const runsIn = (c, kind) => (c.kinds ?? ['throughput', 'latency']).includes(kind);

module.exports = { CLIENTS, byName, runsIn };
