// @ts-check
/**
 * What every Node client shares: its job (argv[2], JSON from the runner), a counter for the hot path, and the one
 * `RESULT {json}` line it prints at the end. Non-Node clients (Java, Go) print the same line.
 *
 * Job: { brokers: string[], topic, records, groupId, mode: 'throughput' | 'latency' | 'memory', timeoutMs, valueBytes,
 *        durationMs? (memory mode: stop this long after the first message), handlerMs? (memory mode: the slow
 *        handler's delay per message), peers: { [name]: dir } (where the runner built or installed things) }
 * Result: { count, bytes, startMs, assignedMs, firstMs, lastMs, windowCpuMs, closeMs?, p50Ms?, p99Ms?, maxMs?, error? }
 *   startMs: process start; assignedMs: the client had its partitions (group joined, offsets about to be fetched);
 *   firstMs/lastMs: first and last message seen (all wall clock, ms since the epoch);
 *   windowCpuMs: this process's CPU from assignment (else the first message) to the last message.
 * The rate is measured from assignment, not from the first message: one fetch can bring tens of MiB at once, and a
 * window opening at its first record would leave that fetch out.
 */
const { performance } = require('node:perf_hooks');

/** @typedef {{ brokers: string[], topic: string, records: number, groupId: string, mode: 'throughput' | 'latency' | 'memory', timeoutMs: number, valueBytes: number, partitions: number, durationMs?: number, handlerMs?: number, peers: Record<string, string> }} Job */

/** @returns {Job} */
function job() {
  const raw = process.argv[2];
  if (!raw) throw new Error('usage: node <client>.js <job-json>');
  return JSON.parse(raw);
}

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/**
 * The counter a client calls per message (`onMessage(valueLength, timestamp)`); `done` resolves once `records`
 * messages were seen. In latency mode it keeps produce-to-handler latencies of messages produced after the first
 * message arrived (so a backlog produced before the consumer joined is not counted).
 * @param {Job} j
 */
function counter(j) {
  const target = j.records;
  const lat = j.mode === 'latency' ? new Float64Array(target) : undefined;
  // BENCH_LATENCY_TRACE=<file>: also write each latency sample with its arrival time (ms since the first record), to see when slow ones came.
  const trace = lat !== undefined && process.env.BENCH_LATENCY_TRACE ? new Float64Array(target) : undefined;
  let nLat = 0;
  let count = 0;
  let bytes = 0;
  let assignedMs = 0;
  let firstMs = 0;
  let lastMs = 0;
  let cpuAtFirst = 0;
  let cpuAtLast = 0;
  /** @type {() => void} */
  let resolve = () => undefined;
  /** @type {Promise<void>} */
  const done = new Promise((r) => (resolve = r));

  const finish = () => {
    if (lastMs) return;
    lastMs = Date.now();
    cpuAtLast = cpuMs();
    resolve();
  };

  /** @param {number} valueLength @param {number} timestamp */
  const onMessage = (valueLength, timestamp) => {
    if (count === 0) {
      firstMs = Date.now();
      if (!assignedMs) cpuAtFirst = cpuMs();
      if (j.durationMs) setTimeout(finish, j.durationMs);
    }
    count++;
    bytes += valueLength;
    if (lat !== undefined) {
      const now = Date.now();
      if (timestamp >= firstMs) {
        if (trace !== undefined) trace[nLat] = now - firstMs;
        lat[nLat++] = now - timestamp;
      }
    }
    if (count === target) finish();
  };

  /** The client has its partitions (call on the first assignment; later calls are ignored). */
  const assigned = () => {
    if (assignedMs || count > 0) return;
    assignedMs = Date.now();
    cpuAtFirst = cpuMs();
  };

  const result = () => {
    /** @type {Record<string, number>} */
    const r = { count, bytes, startMs: Math.round(performance.timeOrigin), assignedMs, firstMs, lastMs: lastMs || Date.now(), windowCpuMs: Math.round((cpuAtLast || cpuMs()) - cpuAtFirst) };
    if (trace !== undefined && lat !== undefined) {
      const lines = Array.from({ length: nLat }, (_, i) => `${trace[i]} ${lat[i]}`);
      require('node:fs').writeFileSync(`${process.env.BENCH_LATENCY_TRACE}.${process.pid}`, `${lines.join('\n')}\n`);
    }
    if (lat !== undefined && nLat > 0) {
      const s = lat.subarray(0, nLat).sort();
      r.latencySamples = nLat;
      r.p50Ms = s[Math.min(nLat - 1, Math.floor(nLat * 0.5))] ?? 0;
      r.p99Ms = s[Math.min(nLat - 1, Math.floor(nLat * 0.99))] ?? 0;
      r.maxMs = s[nLat - 1] ?? 0;
    }
    return r;
  };

  return { onMessage, assigned, done, result, get count() { return count; } };
}

/** The slow handler of the memory scenario: waits `ms` (a timer), as an I/O-bound handler would. @param {number} ms */
const slowHandler = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** @param {Record<string, unknown>} result */
function emit(result) {
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
}

/**
 * Runs a client: `consume(job, counter)` starts consuming and returns a `close()`; once the counter is done (or
 * the job times out) the client is closed, the result printed and the process exits.
 * @param {(j: Job, c: ReturnType<typeof counter>) => Promise<() => Promise<void>>} consume
 */
function main(consume) {
  const j = job();
  const c = counter(j);
  let finished = false;
  const watchdog = setTimeout(() => {
    if (finished) return;
    finished = true;
    emit({ ...c.result(), error: `timeout after ${j.timeoutMs} ms with ${c.count} of ${j.records} records` });
    process.exit(2);
  }, j.timeoutMs);
  (async () => {
    const close = await consume(j, c);
    await c.done;
    const t0 = Date.now();
    await close();
    if (finished) return;
    finished = true;
    clearTimeout(watchdog);
    emit({ ...c.result(), closeMs: Date.now() - t0, heapUsedMb: Math.round(process.memoryUsage().heapUsed / 1048576) });
    // A clean close leaves nothing behind; exit anyway so a lingering timer in a peer library cannot hold us.
    setTimeout(() => process.exit(0), 200).unref();
  })().catch((e) => {
    if (finished) return;
    finished = true;
    emit({ ...c.result(), error: String((e && e.stack) || e).slice(0, 500) });
    process.exit(1);
  });
}

module.exports = { main, job, counter, emit, slowHandler };
