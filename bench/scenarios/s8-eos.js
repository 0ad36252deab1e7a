// @ts-check
/**
 * Scenario 8: consume-transform-produce, exactly once. One 12-partition input topic pre-produced once (500k x
 * 100 B; quick: 50k) by the harness's producer. Per client and round: a fresh 12-partition output topic, a fresh
 * group and transactional id; one member reads the input with read_committed from the oldest offset, uppercases
 * each value and writes it (same partition, key = input offset) to the output in transactions of exactly
 * `txnRecords` (1,000) consumed records that also commit the consumed offsets (KIP-447, with the group's
 * metadata). records/s from the first consumed input to the commit of the transaction holding the last input.
 *
 * After every run the harness verifies with its own Java reader (bench/java/BenchEos.java `verify`, not the client
 * under test): the output read with read_committed holds every input offset exactly once and nothing else, and
 * the group's committed offsets equal the input's end offsets. A round that fails this is recorded as failed.
 *
 * The kind ('eos') runs through `run` below; run.js registers `clients` and uses `withRatios` and `table`.
 */
const crypto = require('node:crypto');
const os = require('node:os');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { measure } = require('../lib/measure');
const { prepareTopic, adminKit } = require('../lib/produce');
const { runStats } = require('../lib/report');

const log = (/** @type {string} */ s) => process.stderr.write(`[bench] ${s}\n`);
const rand = () => crypto.randomBytes(3).toString('hex');
const JAVA_OPTS = ['-Xms256m', '-Xmx512m', '-XX:+UseG1GC', `-Dlog4j2.configurationFile=${path.join(__dirname, '..', 'java', 'log4j2.properties')}`];

/** @typedef {import('../lib/clients').RunJob & { outputTopic: string, transactionalId: string, txnRecords: number }} EosJob */

/** @type {{ name: string, label: string, build: string, kinds: string[], command: (j: EosJob, b: Record<string, any>) => [string, string[]] }[]} */
const clients = [
  {
    name: 'ours-eos',
    label: 'rx-kafka-cluster consumerGroup batches$ (read_committed) cut into 1,000-record transactions + transactional()',
    build: 'ours',
    kinds: ['eos'],
    command: (j, b) => {
      // --profile, as bench/lib/clients.js does for the other Node clients.
      const dir = process.env.BENCH_PROFILE_DIR;
      const prof = dir ? ['--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-name', `ours-eos-${j.outputTopic}-${Date.now()}.cpuprofile`] : [];
      return [process.execPath, [...prof, path.join(__dirname, '..', 'clients', 'ours-eos.js'), JSON.stringify({ ...j, peers: { ours: b.ours?.dir } })]];
    },
  },
  {
    // Diagnostic, not a recorded row: the same client with transactional's retryBackoffMs at 20 ms, the backoff the
    // Java client uses (hard-coded, ADD_PARTITIONS_RETRY_BACKOFF_MS) when a transaction's first AddPartitionsToTxn
    // gets CONCURRENT_TRANSACTIONS because the previous transaction's markers are still being written.
    name: 'ours-eos-backoff20',
    label: 'ours-eos with transactional({ retryBackoffMs: 20 }) (diagnostic)',
    build: 'ours',
    kinds: ['eos'],
    command: (j, b) => {
      const dir = process.env.BENCH_PROFILE_DIR;
      const prof = dir ? ['--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-name', `ours-eos-backoff20-${j.outputTopic}-${Date.now()}.cpuprofile`] : [];
      return [process.execPath, [...prof, path.join(__dirname, '..', 'clients', 'ours-eos.js'), JSON.stringify({ ...j, retryBackoffMs: 20, peers: { ours: b.ours?.dir } })]];
    },
  },
  {
    name: 'java-eos',
    label: 'Java KafkaConsumer (read_committed, classic) + transactional KafkaProducer, 1,000 records per transaction',
    build: 'java',
    kinds: ['eos'],
    command: (j, b) => ['java', [...JAVA_OPTS, '-cp', b.java.classpath, 'BenchEos', 'run', j.brokers.join(','), j.topic, j.outputTopic, String(j.records), j.groupId, j.transactionalId, String(j.txnRecords), String(j.timeoutMs)]],
  },
];

/**
 * The harness's check (BenchEos verify). @param {Record<string, any>} built
 * @param {{ bootstrap: string, input: string, output: string, groupId: string, valueBytes: number }} o
 * @returns {Promise<Record<string, any>>}
 */
function verify(built, o) {
  return new Promise((resolve) => {
    const child = spawn('java', [...JAVA_OPTS, '-cp', built.java.classpath, 'BenchEos', 'verify', o.bootstrap, o.input, o.output, o.groupId, String(o.valueBytes)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('VERIFY '));
      if (line) resolve(JSON.parse(line.slice('VERIFY '.length)));
      else resolve({ ok: false, problems: `verifier exited ${code}: ${err.slice(-400)}` });
    });
  });
}

/** @param {Record<string, any>} built @param {string} bootstrap @param {string} topic */
async function deleteTopic(built, bootstrap, topic) {
  const kit = adminKit(built, bootstrap.split(','));
  try {
    await kit.deleteTopic(topic);
  } catch (e) {
    log(`could not delete ${topic}: ${String(e)}`);
  } finally {
    await kit.close();
  }
}

/**
 * @param {Record<string, any>} sc
 * @param {{ bootstrap: string, quick: boolean, rounds: number, records?: number, clients: any[], built: Record<string, any> }} ctx
 */
async function run(sc, ctx) {
  if (!ctx.built.java?.ok) throw new Error('s8 needs the Java build (its verifier), which failed');
  const records = ctx.records ?? (ctx.quick ? sc.quickRecords : sc.records);
  const input = `bench-${sc.id}-in-${records}-${rand()}`;
  log(`${sc.id}: creating ${input} (${sc.partitions} partitions) and producing ${records.toLocaleString()} x ${sc.valueBytes} B ...`);
  const produced = await prepareTopic(ctx.built, { bootstrap: ctx.bootstrap, topic: input, records, valueBytes: sc.valueBytes, partitions: sc.partitions });
  log(`${sc.id}: produced in ${(produced.ms / 1000).toFixed(1)} s (${produced.producer} producer)`);
  // Generous: 2,000 records/s is far below either client.
  const timeoutMs = Math.max(120_000, Math.ceil(records / 2_000) * 1000 + 60_000);
  const runs = [];
  for (let round = 1; round <= ctx.rounds; round++) {
    for (let k = 0; k < ctx.clients.length; k++) {
      const client = ctx.clients[(k + round - 1) % ctx.clients.length];
      const tag = `${sc.id}-${client.name}-${round}-${rand()}`;
      const output = `bench-${tag}-out`;
      await prepareTopic(ctx.built, { bootstrap: ctx.bootstrap, topic: output, records: 0, valueBytes: sc.valueBytes, partitions: sc.partitions });
      /** @type {EosJob} */
      const job = { brokers: ctx.bootstrap.split(','), topic: input, records, groupId: `bench-${tag}`, mode: 'throughput', timeoutMs, valueBytes: sc.valueBytes, partitions: sc.partitions, outputTopic: output, transactionalId: `bench-${tag}-txn`, txnRecords: sc.txnRecords };
      const [cmd, args] = client.command(job, ctx.built);
      const loadBefore = os.loadavg()[0];
      const m = await measure(cmd, args, { timeoutMs });
      const checked = await verify(ctx.built, { bootstrap: ctx.bootstrap, input, output, groupId: job.groupId, valueBytes: sc.valueBytes });
      if (!m.error && !checked.ok) m.error = `verification failed: ${checked.problems} (output ${checked.outputRecords} of ${checked.inputRecords}, duplicates ${checked.duplicates}, missing ${checked.missing}, offsets match ${checked.offsetsMatch})`;
      const stats = { ...runStats(m), loadBefore, transactions: m.result?.transactions ?? Math.ceil((m.result?.count ?? 0) / sc.txnRecords) };
      runs.push({ scenario: sc.id, client: client.name, label: client.label, round, stats, verify: checked });
      log(
        `${sc.id} round ${round} ${client.name.padEnd(10)} ` +
          (stats.error
            ? `FAILED: ${stats.error.slice(0, 300)}`
            : `${Math.round(stats.recordsPerSec ?? 0).toLocaleString().padStart(10)} rec/s  cpu ${(stats.windowCpuSeconds ?? 0).toFixed(2)} s window, ${(stats.cpuSeconds ?? 0).toFixed(1)} s process  rss ${Math.round(stats.peakRssMb ?? 0)} MiB  verified: ${checked.outputRecords} outputs, offsets ${checked.offsetsMatch ? 'match' : 'DIFFER'}  (load ${(loadBefore ?? 0).toFixed(1)})`),
      );
      await deleteTopic(ctx.built, ctx.bootstrap, output);
    }
  }
  await deleteTopic(ctx.built, ctx.bootstrap, input);
  return { runs, records, produced };
}

/** Ratios to java-eos's median in the same run, CPU per record, transactions. @param {Record<string, any>[]} rows @param {string} id */
function withRatios(rows, id) {
  const base = rows.find((r) => r.scenario === id && r.client === 'java-eos');
  for (const row of rows) {
    if (row.scenario !== id) continue;
    if (row.recordsPerSec !== undefined && base?.recordsPerSec) row.vsJavaEos = row.recordsPerSec / base.recordsPerSec;
    if (row.windowCpuSeconds !== undefined && row.records) row.windowCpuUsPerRecord = (row.windowCpuSeconds * 1e6) / row.records;
  }
  return rows;
}

/** @param {{ id: string, title: string }} scenario @param {Record<string, any>[]} rows @param {Record<string, { ok: boolean, reason?: string }>} unavailable */
function table(scenario, rows, unavailable) {
  const fmt = (/** @type {number | undefined} */ x, digits = 0) => (x === undefined || !Number.isFinite(x) ? '–' : x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }));
  const mine = [...rows.filter((r) => r.scenario === scenario.id)].sort((a, b) => (b.recordsPerSec ?? -1) - (a.recordsPerSec ?? -1));
  const lines = [
    `### ${scenario.title}`,
    '',
    'records/s from the first consumed input to the commit of the transaction holding the last input; every round verified (output read_committed: each input once; committed offsets = input end offsets). Medians of the verified rounds.',
    '',
    '| client | records/s | vs java-eos | CPU µs/record (window) | CPU s (process) | peak RSS MiB | load before | rounds ok |',
    '|---|--:|--:|--:|--:|--:|--:|--:|',
  ];
  for (const r of mine)
    lines.push(`| ${r.client} (${r.label}) | ${fmt(r.recordsPerSec)} | ${r.vsJavaEos === undefined ? '–' : `${r.vsJavaEos.toFixed(2)}×`} | ${fmt(r.windowCpuUsPerRecord, 2)} | ${fmt(r.cpuSeconds, 1)} | ${fmt(r.peakRssMb)} | ${fmt(r.loadBefore, 1)} | ${r.okRounds}/${r.rounds} |`);
  const failed = mine.filter((r) => r.errors);
  const notBuilt = Object.entries(unavailable);
  if (failed.length || notBuilt.length) lines.push('');
  for (const r of failed) lines.push(`- ${r.client} failed in ${r.errors.length} of ${r.rounds} round(s): ${r.errors.map((/** @type {string} */ e) => (e.split('\n')[0] ?? '').slice(0, 300)).join('; ')}`);
  for (const [name, b] of notBuilt) lines.push(`- ${name}: not built: ${b.reason}`);
  return lines.join('\n');
}

module.exports = {
  id: 's8',
  title: 'Consume-transform-produce, exactly once (s8): 100 B values, 12 partitions, 1,000 records per transaction, read_committed',
  kind: 'eos',
  partitions: 12,
  valueBytes: 100,
  records: 500_000,
  quickRecords: 50_000,
  txnRecords: 1_000,
  clients,
  run,
  withRatios,
  table,
};
