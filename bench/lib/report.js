// @ts-check
/** Medians per client and scenario, ratios to kafkajs eachBatch and to Java, and the Markdown tables. */

/** @param {number[]} xs */
const median = (xs) => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return undefined;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
};

/**
 * One run's numbers from its client's RESULT and the outside measurement.
 * @param {{ result?: Record<string, any>, cpuSeconds?: number, peakRssMb?: number, wallSeconds: number, error?: string }} m
 */
function runStats(m) {
  const r = m.result || {};
  const from = r.assignedMs || r.firstMs;
  const seconds = r.lastMs && from ? Math.max(0.001, (r.lastMs - from) / 1000) : undefined;
  return {
    records: r.count ?? 0,
    bytes: r.bytes ?? 0,
    seconds,
    recordsPerSec: seconds ? r.count / seconds : undefined,
    mbPerSec: seconds ? r.bytes / 1048576 / seconds : undefined,
    cpuSeconds: m.cpuSeconds,
    windowCpuSeconds: r.windowCpuMs !== undefined ? r.windowCpuMs / 1000 : undefined,
    peakRssMb: m.peakRssMb,
    firstMessageSeconds: r.firstMs && r.startMs ? (r.firstMs - r.startMs) / 1000 : undefined,
    assignedSeconds: r.assignedMs && r.startMs ? (r.assignedMs - r.startMs) / 1000 : undefined,
    closeMs: r.closeMs,
    heapUsedMb: r.heapUsedMb,
    wallSeconds: m.wallSeconds,
    p50Ms: r.p50Ms,
    p99Ms: r.p99Ms,
    maxMs: r.maxMs,
    latencySamples: r.latencySamples,
    error: m.error,
    stderrTail: m.error ? m.stderrTail : undefined,
  };
}

const METRICS = ['records', 'bytes', 'seconds', 'recordsPerSec', 'mbPerSec', 'cpuSeconds', 'windowCpuSeconds', 'peakRssMb', 'firstMessageSeconds', 'assignedSeconds', 'closeMs', 'heapUsedMb', 'wallSeconds', 'loadBefore', 'p50Ms', 'p99Ms', 'maxMs', 'latencySamples', 'joinMs', 'killMs'];

/**
 * Medians over the successful rounds of each client in a scenario.
 * @param {{ scenario: string, client: string, label: string, round: number, stats: ReturnType<typeof runStats> }[]} runs
 */
function summarize(runs) {
  /** @type {Map<string, typeof runs>} */
  const groups = new Map();
  for (const r of runs) {
    const k = `${r.scenario}\u0000${r.client}`;
    groups.set(k, [...(groups.get(k) || []), r]);
  }
  /** @type {Record<string, any>[]} */
  const rows = [];
  for (const rs of groups.values()) {
    const first = rs[0];
    if (!first) continue;
    const ok = rs.filter((r) => !r.stats.error);
    /** @type {Record<string, any>} */
    const row = { scenario: first.scenario, client: first.client, label: first.label, rounds: rs.length, okRounds: ok.length };
    for (const k of METRICS) row[k] = median(ok.map((r) => /** @type {any} */ (r.stats)[k]));
    const errors = rs.filter((r) => r.stats.error).map((r) => `round ${r.round}: ${r.stats.error}`);
    if (errors.length) row.errors = errors;
    rows.push(row);
  }
  // Ratios to the two baselines, within each scenario.
  for (const row of rows) {
    const base = (/** @type {string} */ name) => rows.find((r) => r.scenario === row.scenario && r.client === name);
    const kjs = base('kafkajs-eachBatch');
    const java = base('java');
    if (row.recordsPerSec !== undefined) {
      if (kjs?.recordsPerSec) row.vsKafkajsEachBatch = row.recordsPerSec / kjs.recordsPerSec;
      if (java?.recordsPerSec) row.vsJava = row.recordsPerSec / java.recordsPerSec;
    }
  }
  return rows;
}

/** @param {number | undefined} x @param {number} [digits] */
const fmt = (x, digits = 0) => (x === undefined || !Number.isFinite(x) ? '–' : x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }));
/** @param {number | undefined} x */
const ratio = (x) => (x === undefined ? '–' : `${x.toFixed(2)}×`);

/**
 * @param {{ id: string, title: string, kind: string }} scenario
 * @param {Record<string, any>[]} rows
 * @param {Record<string, { ok: boolean, reason?: string }>} unavailable clients not built, with the reason
 */
function scenarioTable(scenario, rows, unavailable) {
  const mine = rows.filter((r) => r.scenario === scenario.id);
  const lines = [`### ${scenario.title}`, ''];
  if (scenario.kind === 'latency') {
    lines.push('| client | p50 ms | p99 ms | max ms | samples | CPU s | peak RSS MiB | rounds ok |', '|---|--:|--:|--:|--:|--:|--:|--:|');
    for (const r of mine)
      lines.push(`| ${r.label} | ${fmt(r.p50Ms, 1)} | ${fmt(r.p99Ms, 1)} | ${fmt(r.maxMs, 0)} | ${fmt(r.latencySamples)} | ${fmt(r.cpuSeconds, 1)} | ${fmt(r.peakRssMb)} | ${r.okRounds}/${r.rounds} |`);
  } else if (scenario.kind === 'rebalance') {
    lines.push('| client | join: subscribe to both consuming, ms | SIGKILL to survivor consuming, ms | rounds ok |', '|---|--:|--:|--:|');
    for (const r of mine) lines.push(`| ${r.label} | ${fmt(r.joinMs)} | ${fmt(r.killMs)} | ${r.okRounds}/${r.rounds} |`);
  } else if (scenario.kind === 'memory') {
    lines.push('| client | peak RSS MiB | handled | handled/s | CPU s | rounds ok |', '|---|--:|--:|--:|--:|--:|');
    for (const r of mine) lines.push(`| ${r.label} | ${fmt(r.peakRssMb)} | ${fmt(r.records)} | ${fmt(r.recordsPerSec)} | ${fmt(r.cpuSeconds, 1)} | ${r.okRounds}/${r.rounds} |`);
  } else {
    lines.push(
      '| client | records/s | MiB/s | vs kafkajs eachBatch | vs Java | CPU s (process) | CPU s (consuming) | peak RSS MiB | to 1st msg s | rounds ok |',
      '|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|',
    );
    const sorted = [...mine].sort((a, b) => (b.recordsPerSec ?? -1) - (a.recordsPerSec ?? -1));
    for (const r of sorted)
      lines.push(
        `| ${r.label} | ${fmt(r.recordsPerSec)} | ${fmt(r.mbPerSec, 1)} | ${ratio(r.vsKafkajsEachBatch)} | ${ratio(r.vsJava)} | ${fmt(r.cpuSeconds, 1)} | ${fmt(r.windowCpuSeconds, 1)} | ${fmt(r.peakRssMb)} | ${fmt(r.firstMessageSeconds, 1)} | ${r.okRounds}/${r.rounds} |`,
      );
  }
  const failed = mine.filter((r) => r.errors);
  const notBuilt = Object.entries(unavailable);
  if (failed.length || notBuilt.length) lines.push('');
  const oneLine = (/** @type {string} */ e) => (e.split('\n')[0] ?? '').slice(0, 240);
  for (const r of failed) lines.push(`- ${r.label} failed in ${r.errors.length} of ${r.rounds} round(s): ${r.errors.map(oneLine).join('; ')}`);
  for (const [name, b] of notBuilt) lines.push(`- ${name}: not built: ${b.reason}`);
  return lines.join('\n');
}

module.exports = { runStats, summarize, scenarioTable, median };
