#!/usr/bin/env node
// @ts-check
/**
 * The benchmark runner (`npm run bench`): builds or installs every client into bench/.peers/, starts its own
 * broker, then per scenario pre-produces the data once and runs each client in turn as its own process, several
 * rounds interleaved, and reports medians with ratios to kafkajs eachBatch and to the Java KafkaConsumer.
 *
 *   npm run bench                                   # every scenario, 3 rounds
 *   npm run bench -- --quick                        # small volumes, 1 round: a sanity check
 *   npm run bench -- --scenarios s1 --rounds 5 --clients ours-messages,kafkajs-eachBatch,java
 *   npm run bench -- --scenarios s8 --rounds 3 --clients ours-eos,java-eos   # consume-transform-produce, exactly once
 *   npm run bench -- --records 500000               # override the record count of throughput scenarios
 *   npm run bench -- --bootstrap 127.0.0.1:9092     # use a running broker instead of starting one
 *   npm run bench -- --worktree                     # measure the working tree's src/ instead of HEAD's
 *   npm run bench -- --profile                      # also write V8 CPU profiles of the Node clients and their top
 *                                                   # functions (bench/results/profiles/; profiling slows them down)
 *
 * Writes bench/results/latest.{json,md} and dated copies (bench/results/ is gitignored).
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { startCluster, stopCluster, DEFAULT_KAFKA_VERSION } = require('../broker/kafka-broker');
const { preparePeers } = require('./lib/peers');
const { CLIENTS, runsIn } = require('./lib/clients');
const { runThroughput, runLatency, runProduce, withProduceRatios, produceTable } = require('./lib/scenario-kinds');
const { runRebalance } = require('./lib/rebalance');
const { runRebalanceUnderLoad, summarizeUnderLoad, underLoadTable } = require('./lib/rebalance-under-load');
const { summarize, scenarioTable } = require('./lib/report');
const { hasGnuTime } = require('./lib/measure');
const { summarizeProfiles } = require('./lib/profile-summary');
const { throughputChart } = require('./lib/chart');

const SCENARIOS = [
  require('./scenarios/s1-small-records'),
  require('./scenarios/s2-large-records'),
  require('./scenarios/s3-many-partitions'),
  require('./scenarios/s4-rebalance'),
  require('./scenarios/s5-memory'),
  require('./scenarios/s6-latency'),
  require('./scenarios/s7-rebalance-under-load'),
  require('./scenarios/p1-produce'),
  require('./scenarios/s8-eos'),
];
// Scenarios that bring their own runner (`run`, `table`, `withRatios`) also bring their clients (s8: ours-eos, java-eos).
for (const sc of SCENARIOS) for (const c of /** @type {any} */ (sc).clients ?? []) if (!CLIENTS.some((x) => x.name === c.name)) CLIENTS.push(c);

const log = (/** @type {string} */ s) => process.stderr.write(`[bench] ${s}\n`);

/** Summary rows: scenario 7 has its own figures (bench/lib/rebalance-under-load.js). @param {any[]} runs */
const summarizeAll = (runs) => {
  const underLoad = (/** @type {any} */ r) => SCENARIOS.find((s) => s.id === r.scenario)?.kind === 'rebalance-under-load';
  const rows = withProduceRatios([...summarize(runs.filter((r) => !underLoad(r))), ...summarizeUnderLoad(runs.filter(underLoad))], SCENARIOS);
  for (const sc of SCENARIOS) /** @type {any} */ (sc).withRatios?.(rows, sc.id);
  return rows;
};

function parseArgs(argv) {
  /** @type {{ quick: boolean, rounds?: number, scenarios?: string[], clients?: string[], records?: number, bootstrap?: string, worktree: boolean, profile: boolean, out: string }} */
  const o = { quick: false, worktree: false, profile: false, out: path.join(__dirname, 'results') };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--quick') o.quick = true;
    else if (a === '--rounds') o.rounds = Number(next());
    else if (a === '--scenarios') o.scenarios = next().split(',').map((s) => (/^\d+$/.test(s) ? `s${s}` : s)); // 1 -> s1; s1, p1 as given
    else if (a === '--clients') o.clients = next().split(',');
    else if (a === '--records') o.records = Number(next());
    else if (a === '--bootstrap') o.bootstrap = next();
    else if (a === '--worktree') o.worktree = true;
    else if (a === '--profile') o.profile = true;
    else if (a === '--out') o.out = path.resolve(next());
    else if (a === '--help' || a === '-h') {
      process.stdout.write(fs.readFileSync(path.join(__dirname, 'run.js'), 'utf8').split('*/')[0] + '*/\n');
      process.exit(0);
    } else throw new Error(`unknown argument ${a} (try --help)`);
  }
  return o;
}

const versionOf = (/** @type {string} */ cmd, /** @type {string[]} */ args) => {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return r.status === 0 ? `${r.stdout}${r.stderr}`.trim().split('\n')[0] : undefined;
};

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const rounds = opts.rounds ?? (opts.quick ? 1 : 3);
  const scenarios = SCENARIOS.filter((s) => !opts.scenarios || opts.scenarios.includes(s.id));
  if (opts.clients) for (const c of opts.clients) if (!CLIENTS.some((x) => x.name === c)) throw new Error(`unknown client ${c}; known: ${CLIENTS.map((x) => x.name).join(', ')}`);
  const wantedClients = CLIENTS.filter((c) => !opts.clients || opts.clients.includes(c.name));
  if (!opts.clients) wantedClients.splice(0, wantedClients.length, ...wantedClients.filter((c) => scenarios.some((s) => runsIn(c, s.kind))));
  // ours is always built (the admin kit produces and deletes topics), java too when available (the producer).
  const built = preparePeers(new Set(['ours', 'java', 'chart', ...wantedClients.map((c) => c.build)]), { worktree: opts.worktree });
  if (!built.ours?.ok) throw new Error(`rx-kafka-cluster does not build: ${built.ours?.reason}`);
  const clients = wantedClients.filter((c) => built[c.build]?.ok);
  /** @type {Record<string, { ok: boolean, reason?: string }>} */
  const unavailable = Object.fromEntries(wantedClients.filter((c) => !built[c.build]?.ok).map((c) => [c.label, { ok: false, reason: built[c.build]?.reason }]));

  const profileDir = path.join(opts.out, 'profiles');
  if (opts.profile) {
    fs.mkdirSync(profileDir, { recursive: true });
    process.env.BENCH_PROFILE_DIR = profileDir;
  }
  const startedAt = new Date();
  const loadavgAtStart = os.loadavg();
  const cluster = opts.bootstrap ? undefined : await startCluster({ nodes: 1, heapMb: 1024 });
  const bootstrap = opts.bootstrap ?? /** @type {NonNullable<typeof cluster>} */ (cluster).bootstrap;
  log(`broker ${bootstrap} (Kafka ${cluster?.version ?? 'external'}); ${rounds} round(s); clients: ${clients.map((c) => c.name).join(', ')}`);
  /** @type {any[]} */
  const runs = [];
  /** @type {Record<string, any>} */
  const scenarioInfo = {};
  const sections = [];
  try {
    for (const sc of scenarios) {
      const ctx = { bootstrap, quick: opts.quick, rounds, records: sc.kind === 'throughput' || sc.kind === 'produce' || sc.kind === 'eos' ? opts.records : undefined, clients: clients.filter((c) => runsIn(c, sc.kind)), built };
      try {
        const own = /** @type {any} */ (sc).run;
        const r = own ? await own(sc, ctx) : sc.kind === 'produce' ? await runProduce(sc, ctx) : sc.kind === 'latency' ? await runLatency(sc, ctx) : sc.kind === 'rebalance' ? await runRebalance(sc, ctx) : sc.kind === 'rebalance-under-load' ? await runRebalanceUnderLoad(sc, ctx) : await runThroughput(sc, ctx);
        runs.push(...r.runs);
        scenarioInfo[sc.id] = { ...sc, records: r.records, produced: /** @type {any} */ (r).produced };
      } catch (e) {
        log(`${sc.id} FAILED: ${String(e)}`);
        scenarioInfo[sc.id] = { ...sc, error: String(e) };
      }
      const rows = summarizeAll(runs);
      const notBuilt = Object.fromEntries(wantedClients.filter((c) => !built[c.build]?.ok && runsIn(c, sc.kind)).map((c) => [c.label, { ok: false, reason: built[c.build]?.reason }]));
      const ownTable = /** @type {any} */ (sc).table;
      const table = ownTable ? ownTable(sc, rows, notBuilt) : sc.kind === 'rebalance-under-load' ? underLoadTable(sc, rows, notBuilt) : sc.kind === 'produce' ? produceTable(sc, rows, notBuilt) : scenarioTable(sc, rows, notBuilt);
      sections.push(`${table}${scenarioInfo[sc.id].error ? `\n\nScenario failed: ${scenarioInfo[sc.id].error}` : ''}`);
      process.stdout.write(`\n${sections[sections.length - 1]}\n\n`);
    }
  } finally {
    if (cluster) await stopCluster(cluster);
  }

  const rows = summarizeAll(runs);
  const machine = { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memoryGiB: Math.round(os.totalmem() / 2 ** 30), loadavgAtStart, loadavgAtEnd: os.loadavg(), platform: `${os.type()} ${os.release()}` };
  const versions = {
    node: process.version,
    java: versionOf('java', ['-version']),
    go: versionOf('go', ['version']),
    kafkaBroker: cluster?.version ?? DEFAULT_KAFKA_VERSION,
    nodeOptions: process.env.NODE_OPTIONS || '',
    rxKafkaCluster: built.ours?.version,
    ...Object.fromEntries(Object.entries(built).filter(([k]) => k !== 'ours').map(([k, v]) => [`peer:${k}`, v.ok ? v.version : `not built: ${v.reason}`])),
  };
  const cmdline = `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
  const report = {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    command: cmdline,
    rounds,
    quick: opts.quick,
    measurement: hasGnuTime ? 'GNU time (user+sys CPU, max RSS of the client process)' : '/proc sampling every 100 ms',
    machine,
    versions,
    scenarios: scenarioInfo,
    unavailable,
    results: rows,
    runs,
  };
  // The chart: drawn with Vega-Lite when it installed; its absence is reported, never fatal.
  let chart = '';
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
  fs.mkdirSync(opts.out, { recursive: true });
  if (built.chart?.ok && rows.some((r) => scenarioInfo[r.scenario]?.kind === 'throughput')) {
    try {
      const svg = await throughputChart(report, built.chart.prefix);
      for (const name of ['latest', stamp]) fs.writeFileSync(path.join(opts.out, `${name}.svg`), svg);
      chart = `![throughput per client and scenario](latest.svg)`;
    } catch (e) {
      chart = `(chart not drawn: ${String(e).slice(0, 200)})`;
    }
  } else if (!built.chart?.ok) chart = `(chart not drawn: ${built.chart?.reason})`;
  const md = [
    `# Benchmark results`,
    '',
    `\`${cmdline}\` — ${startedAt.toISOString()}, ${rounds} round(s) per client, medians. ${machine.cpus} cores (${machine.cpuModel}), ${machine.memoryGiB} GiB, ${versions.node}, Kafka ${versions.kafkaBroker} (1 node, same machine). Load average ${machine.loadavgAtStart.map((x) => x.toFixed(1)).join('/')} at start, ${machine.loadavgAtEnd.map((x) => x.toFixed(1)).join('/')} at the end (other work on the machine shares its ${machine.cpus} cores).`,
    '',
    'records/s and MiB/s (values only) are over the consuming window, first to last record; "CPU s (process)" is the whole client process (start-up, join, close included), "CPU s (consuming)" the same window as the rate. Peak RSS is the process high-water mark. "to 1st msg" is process start to first record (start-up plus group join).',
    '',
    ...(chart ? [chart, ''] : []),
    ...sections.flatMap((s) => [s, '']),
    `Versions: ${Object.entries(versions).map(([k, v]) => `${k} ${v}`).join('; ')}`,
    '',
  ].join('\n');
  for (const name of ['latest', stamp]) {
    fs.writeFileSync(path.join(opts.out, `${name}.json`), JSON.stringify(report, null, 2));
    fs.writeFileSync(path.join(opts.out, `${name}.md`), md);
  }
  if (opts.profile) {
    const summary = summarizeProfiles(profileDir);
    fs.writeFileSync(path.join(profileDir, 'summary.md'), summary);
    process.stdout.write(`\n${summary}\n`);
  }
  log(`results: ${path.relative(process.cwd(), path.join(opts.out, 'latest.md'))} (and .json)`);
}

main().catch((e) => {
  process.stderr.write(`[bench] ${e && e.stack ? e.stack : e}\n`);
  process.exit(1);
});
