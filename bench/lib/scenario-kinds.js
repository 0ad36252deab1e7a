// @ts-check
/**
 * How the two kinds of scenario run:
 *   throughput: one pre-produced topic; each round runs every client once (rotating who goes first), each from the
 *               earliest offset with a fresh group, until it has seen every record;
 *   memory:     as throughput, but the clients have slow handlers and stop after a fixed time; peak RSS is the point;
 *   latency:    per client and round a fresh topic; the client starts, the Java producer paces records into it;
 *   produce:    per client and round a fresh topic; the client produces the records itself (first send to last
 *               acknowledgement), then the topic must hold exactly that many records (none lost, none duplicated).
 */
const crypto = require('node:crypto');
const os = require('node:os');
const { measure } = require('./measure');
const { prepareTopic, javaProducer, adminKit } = require('./produce');
const { runStats } = require('./report');

const log = (/** @type {string} */ s) => process.stderr.write(`[bench] ${s}\n`);
const rand = () => crypto.randomBytes(3).toString('hex');

/** @param {any[]} xs @param {number} k */
const rotate = (xs, k) => xs.map((_, i) => xs[(i + k) % xs.length]);

/**
 * @param {Record<string, any>} sc the scenario
 * @param {{ bootstrap: string, quick: boolean, rounds: number, records?: number, clients: import('./clients').ClientDef[], built: Record<string, any> }} ctx
 */
async function runThroughput(sc, ctx) {
  const records = ctx.records ?? (ctx.quick ? sc.quickRecords : sc.records);
  const topic = `bench-${sc.id}-${records}-${rand()}`;
  log(`${sc.id}: creating ${topic} (${sc.partitions} partitions) and producing ${records.toLocaleString()} x ${sc.valueBytes} B ...`);
  const produced = await prepareTopic(ctx.built, { bootstrap: ctx.bootstrap, topic, records, valueBytes: sc.valueBytes, partitions: sc.partitions });
  log(`${sc.id}: produced in ${(produced.ms / 1000).toFixed(1)} s (${produced.producer} producer)`);
  const runs = [];
  // Generous: 20k records/s is well below the slowest client measured here.
  const memory = sc.kind === 'memory';
  const durationMs = memory ? (ctx.quick ? sc.quickSeconds : sc.seconds) * 1000 : undefined;
  const timeoutMs = memory ? /** @type {number} */ (durationMs) + 60_000 : Math.max(60_000, Math.ceil(records / 20_000) * 1000 + 30_000);
  for (let round = 1; round <= ctx.rounds; round++) {
    for (const client of rotate(ctx.clients, round - 1)) {
      const job = { brokers: ctx.bootstrap.split(','), topic, records, groupId: `bench-${sc.id}-${client.name}-${round}-${rand()}`, mode: memory ? /** @type {const} */ ('memory') : /** @type {const} */ ('throughput'), timeoutMs, valueBytes: sc.valueBytes, partitions: sc.partitions, durationMs, handlerMs: sc.handlerMs };
      const [cmd, args] = client.command(job, ctx.built);
      const loadBefore = os.loadavg()[0];
      const m = await measure(cmd, args, { timeoutMs });
      const stats = { ...runStats(m), loadBefore };
      runs.push({ scenario: sc.id, client: client.name, label: client.label, round, stats });
      log(
        `${sc.id} round ${round} ${client.name.padEnd(20)} ` +
          (stats.error
            ? `FAILED: ${stats.error.slice(0, 300)}`
            : `${Math.round(stats.recordsPerSec ?? 0).toLocaleString().padStart(10)} rec/s  ${(stats.mbPerSec ?? 0).toFixed(1).padStart(7)} MiB/s  cpu ${(stats.cpuSeconds ?? 0).toFixed(1)} s  rss ${Math.round(stats.peakRssMb ?? 0)} MiB  (load ${loadBefore.toFixed(1)})`),
      );
    }
  }
  await deleteTopic(ctx, topic);
  return { runs, topic, records, produced };
}

/**
 * @param {Record<string, any>} sc
 * @param {{ bootstrap: string, quick: boolean, rounds: number, clients: import('./clients').ClientDef[], built: Record<string, any> }} ctx
 */
async function runLatency(sc, ctx) {
  const seconds = ctx.quick ? sc.quickSeconds : sc.seconds;
  const records = sc.ratePerSec * seconds;
  const runs = [];
  if (!ctx.built.java?.ok) throw new Error('the latency scenario needs the Java producer, which was not built');
  for (let round = 1; round <= ctx.rounds; round++) {
    for (const client of rotate(ctx.clients, round - 1)) {
      const topic = `bench-${sc.id}-${client.name}-${round}-${rand()}`;
      await prepareTopic(ctx.built, { bootstrap: ctx.bootstrap, topic, records: 0, valueBytes: sc.valueBytes, partitions: sc.partitions });
      const timeoutMs = seconds * 1000 + 60_000;
      const job = { brokers: ctx.bootstrap.split(','), topic, records, groupId: `bench-${sc.id}-${client.name}-${round}-${rand()}`, mode: /** @type {const} */ ('latency'), timeoutMs, valueBytes: sc.valueBytes, partitions: sc.partitions };
      const [cmd, args] = client.command(job, ctx.built);
      const loadBefore = os.loadavg()[0];
      const consuming = measure(cmd, args, { timeoutMs });
      const producer = javaProducer(ctx.built, { bootstrap: ctx.bootstrap, topic, records, valueBytes: sc.valueBytes, partitions: sc.partitions, ratePerSec: sc.ratePerSec });
      const [m, p] = await Promise.all([consuming, producer.done.catch((/** @type {Error} */ e) => e)]);
      if (p instanceof Error) m.error = m.error || `producer: ${p.message}`;
      const stats = { ...runStats(m), loadBefore };
      runs.push({ scenario: sc.id, client: client.name, label: client.label, round, stats });
      log(`${sc.id} round ${round} ${client.name.padEnd(20)} ` + (stats.error ? `FAILED: ${stats.error.slice(0, 300)}` : `p50 ${stats.p50Ms} ms  p99 ${stats.p99Ms} ms  max ${stats.maxMs} ms  cpu ${(stats.cpuSeconds ?? 0).toFixed(1)} s`));
      await deleteTopic(ctx, topic);
    }
  }
  return { runs, records };
}

/**
 * Producing: per client and round a fresh topic of `sc.partitions`; the client produces `records` records itself.
 * After the run the topic's end offsets must add up to `records`: an idempotent producer neither loses nor
 * duplicates, and a client that did either is recorded as failed.
 * @param {Record<string, any>} sc
 * @param {{ bootstrap: string, quick: boolean, rounds: number, records?: number, clients: import('./clients').ClientDef[], built: Record<string, any> }} ctx
 */
async function runProduce(sc, ctx) {
  const records = ctx.records ?? (ctx.quick ? sc.quickRecords : sc.records);
  const runs = [];
  // Generous: 20k records/s is well below the slowest producer measured here.
  const timeoutMs = Math.max(60_000, Math.ceil(records / 20_000) * 1000 + 30_000);
  for (let round = 1; round <= ctx.rounds; round++) {
    for (const client of rotate(ctx.clients, round - 1)) {
      const topic = `bench-${sc.id}-${client.name}-${round}-${rand()}`;
      await prepareTopic(ctx.built, { bootstrap: ctx.bootstrap, topic, records: 0, valueBytes: sc.valueBytes, partitions: sc.partitions });
      const job = { brokers: ctx.bootstrap.split(','), topic, records, groupId: `bench-${sc.id}-${client.name}-${round}-${rand()}`, mode: /** @type {const} */ ('throughput'), timeoutMs, valueBytes: sc.valueBytes, partitions: sc.partitions, keyBytes: sc.keyBytes };
      const [cmd, args] = client.command(job, ctx.built);
      const loadBefore = os.loadavg()[0];
      const m = await measure(cmd, args, { timeoutMs });
      const held = await topicRecords(ctx, topic).catch((/** @type {unknown} */ e) => e);
      if (!m.error && held !== records) m.error = held instanceof Error || typeof held !== 'number' ? `could not count the topic's records: ${String(held)}` : `the topic holds ${held} records after the run, expected ${records}`;
      const stats = { ...runStats(m), loadBefore };
      runs.push({ scenario: sc.id, client: client.name, label: client.label, round, stats });
      log(
        `${sc.id} round ${round} ${client.name.padEnd(22)} ` +
          (stats.error
            ? `FAILED: ${stats.error.slice(0, 300)}`
            : `${Math.round(stats.recordsPerSec ?? 0).toLocaleString().padStart(10)} rec/s  cpu ${(stats.windowCpuSeconds ?? 0).toFixed(2)} s window, ${(stats.cpuSeconds ?? 0).toFixed(1)} s process  rss ${Math.round(stats.peakRssMb ?? 0)} MiB  (load ${(loadBefore ?? 0).toFixed(1)})`),
      );
      await deleteTopic(ctx, topic);
    }
  }
  return { runs, records };
}

/** The sum of a topic's end offsets (its records, on a fresh topic), retried while KRaft metadata lags. @param {{ bootstrap: string, built: Record<string, any> }} ctx @param {string} topic */
async function topicRecords(ctx, topic) {
  const kit = adminKit(ctx.built, ctx.bootstrap.split(','));
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        const ends = await kit.endOffsets(topic);
        return [...ends.values()].reduce((a, b) => a + Number(b), 0);
      } catch (e) {
        if (attempt >= 10) throw e;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  } finally {
    await kit.close();
  }
}

/** The produce scenario's baselines: ratios of records/s to these clients' medians in the same run. */
const PRODUCE_BASELINES = /** @type {const} */ ([
  ['java-producer', 'vsJavaProducer'],
  ['kafkajs-producer', 'vsKafkajsProducer'],
]);

/**
 * Adds to the produce scenarios' rows their ratios to the Java and kafkajs producers, and CPU per record (µs of the
 * first-send-to-last-ack window's CPU over the records). @param {Record<string, any>[]} rows @param {Record<string, any>[]} scenarios
 */
function withProduceRatios(rows, scenarios) {
  const produce = new Set(scenarios.filter((s) => s.kind === 'produce').map((s) => s.id));
  for (const row of rows) {
    if (!produce.has(row.scenario)) continue;
    for (const [name, field] of PRODUCE_BASELINES) {
      const base = rows.find((r) => r.scenario === row.scenario && r.client === name);
      if (row.recordsPerSec !== undefined && base?.recordsPerSec) row[field] = row.recordsPerSec / base.recordsPerSec;
    }
    if (row.windowCpuSeconds !== undefined && row.records) row.windowCpuUsPerRecord = (row.windowCpuSeconds * 1e6) / row.records;
  }
  return rows;
}

/**
 * The produce scenario's table. @param {{ id: string, title: string }} scenario @param {Record<string, any>[]} rows
 * @param {Record<string, { ok: boolean, reason?: string }>} unavailable
 */
function produceTable(scenario, rows, unavailable) {
  const fmt = (/** @type {number | undefined} */ x, digits = 0) => (x === undefined || !Number.isFinite(x) ? '–' : x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }));
  const ratio = (/** @type {number | undefined} */ x) => (x === undefined ? '–' : `${x.toFixed(2)}×`);
  const mine = [...rows.filter((r) => r.scenario === scenario.id)].sort((a, b) => (b.recordsPerSec ?? -1) - (a.recordsPerSec ?? -1));
  const lines = [
    `### ${scenario.title}`,
    '',
    'records/s from the first send to the last acknowledgement; CPU per record over that window; "CPU s (process)" is the whole client process. Medians of the rounds.',
    '',
    '| client | records/s | MiB/s (values) | vs java-producer | vs kafkajs-producer | CPU µs/record | CPU s (window) | CPU s (process) | peak RSS MiB | load before | rounds ok |',
    '|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|',
  ];
  for (const r of mine)
    lines.push(
      `| ${r.client} (${r.label}) | ${fmt(r.recordsPerSec)} | ${fmt(r.mbPerSec, 1)} | ${ratio(r.vsJavaProducer)} | ${ratio(r.vsKafkajsProducer)} | ${fmt(r.windowCpuUsPerRecord, 2)} | ${fmt(r.windowCpuSeconds, 2)} | ${fmt(r.cpuSeconds, 1)} | ${fmt(r.peakRssMb)} | ${fmt(r.loadBefore, 1)} | ${r.okRounds}/${r.rounds} |`,
    );
  const failed = mine.filter((r) => r.errors);
  const notBuilt = Object.entries(unavailable);
  if (failed.length || notBuilt.length) lines.push('');
  for (const r of failed) lines.push(`- ${r.label} failed in ${r.errors.length} of ${r.rounds} round(s): ${r.errors.map((/** @type {string} */ e) => (e.split('\n')[0] ?? '').slice(0, 240)).join('; ')}`);
  for (const [name, b] of notBuilt) lines.push(`- ${name}: not built: ${b.reason}`);
  return lines.join('\n');
}

/** @param {{ bootstrap: string, built: Record<string, any> }} ctx @param {string} topic */
async function deleteTopic(ctx, topic) {
  const kit = adminKit(ctx.built, ctx.bootstrap.split(','));
  try {
    await kit.deleteTopic(topic);
  } catch (e) {
    log(`could not delete ${topic}: ${String(e)}`);
  } finally {
    await kit.close();
  }
}

module.exports = { runThroughput, runLatency, runProduce, withProduceRatios, produceTable };
