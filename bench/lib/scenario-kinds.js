// @ts-check
/**
 * How the two kinds of scenario run:
 *   throughput: one pre-produced topic; each round runs every client once (rotating who goes first), each from the
 *               earliest offset with a fresh group, until it has seen every record;
 *   memory:     as throughput, but the clients have slow handlers and stop after a fixed time; peak RSS is the point;
 *   latency:    per client and round a fresh topic; the client starts, the Java producer paces records into it.
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

module.exports = { runThroughput, runLatency };
