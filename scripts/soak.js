#!/usr/bin/env node
/**
 * Soak: consumer-group members join and leave every few seconds under a steady producer load for N minutes.
 * Prints one line per minute (RSS, heap used after GC, active handles, messages consumed, generations seen)
 * and ends with a trend verdict; exits 1 when RSS, heap or handle count clearly trend upward.
 *
 *   npm run soak -- --minutes 30 [--rate 500] [--partitions 6] [--churn-seconds 5] [--max-members 3]
 *
 * Uses the built library (dist/; `npm run soak` builds first) and starts its own 1-node broker
 * (broker/kafka-broker.js), stopped on exit, SIGINT and SIGTERM. A JSON summary goes to .soak/.
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const v8 = require('node:v8');
const vm = require('node:vm');

const root = path.join(__dirname, '..');
const { startCluster, stopCluster } = require(path.join(root, 'broker', 'kafka-broker.js'));
const dist = path.join(root, 'dist');
if (!fs.existsSync(path.join(dist, 'index.js'))) {
  console.error('dist/ is missing: run `npm run build` (or use `npm run soak`).');
  process.exit(2);
}
const { consumerGroup, markOffsets } = require(dist);
const { tap } = require('rxjs');
const { createAdminKit } = require(path.join(dist, 'transport', 'kafkajs', 'admin-kit.js'));

/** Parses `--name value` pairs into numbers, with defaults. */
const parseArgs = (argv) => {
  const opts = { minutes: 5, rate: 500, partitions: 6, churnSeconds: 5, maxMembers: 3 };
  const names = { '--minutes': 'minutes', '--rate': 'rate', '--partitions': 'partitions', '--churn-seconds': 'churnSeconds', '--max-members': 'maxMembers' };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=');
    const key = names[flag];
    if (!key) throw new Error(`unknown option ${argv[i]} (known: ${Object.keys(names).join(', ')})`);
    const raw = inline ?? argv[++i];
    const n = Number(raw);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`${flag} needs a positive number, got ${raw}`);
    opts[key] = n;
  }
  if (opts.maxMembers < 2) throw new Error('--max-members must be at least 2');
  return opts;
};

/** A GC function without needing `node --expose-gc` (measurements after a full GC are far less noisy). */
const gc = (() => {
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc');
})();

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** Least-squares slope of ys against 0..n-1 (units per minute). */
const slope = (ys) => {
  const n = ys.length;
  if (n < 2) return 0;
  const mx = (n - 1) / 2;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  ys.forEach((y, x) => {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  });
  return num / den;
};

/**
 * Trend of one series (minute 1 is warm-up and left out): the last third's median against the first third's,
 * and the slope. "up" only when both the rise exceeds the tolerance and the slope is positive.
 */
const trend = (name, ys, tolerance) => {
  const xs = ys.slice(1);
  if (xs.length < 3) return { name, verdict: 'inconclusive', reason: 'fewer than 3 minutes after warm-up', samples: xs.length };
  const third = Math.max(1, Math.floor(xs.length / 3));
  const first = median(xs.slice(0, third));
  const last = median(xs.slice(-third));
  const rise = last - first;
  const s = slope(xs);
  const limit = tolerance(first);
  const verdict = rise > limit && s > 0 ? 'up' : 'flat';
  return { name, verdict, firstThirdMedian: round(first), lastThirdMedian: round(last), rise: round(rise), tolerance: round(limit), slopePerMinute: round(s, 3), samples: xs.length };
};

const round = (x, d = 1) => Math.round(x * 10 ** d) / 10 ** d;
const mib = (bytes) => bytes / 1024 / 1024;

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const started = Date.now();
  const endAt = started + opts.minutes * 60_000;
  console.log(`soak: ${opts.minutes} min, ${opts.rate} msg/s over ${opts.partitions} partitions, a member joins or leaves every ${opts.churnSeconds} s (1..${opts.maxMembers} members)`);

  const cluster = await startCluster({ nodes: 1 });
  let stopping;
  process.once('exit', () => {
    // Last resort (an unexpected failure): never leave the broker running.
    for (const n of cluster.nodes) try { process.kill(n.pid, 'SIGKILL'); } catch { /* gone */ }
  });
  const stopBroker = () => (stopping ??= stopCluster(cluster));
  const onSignal = (sig) => {
    console.error(`soak: ${sig}, stopping the broker`);
    stopBroker().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  console.log(`soak: broker at ${cluster.bootstrap} (pid ${cluster.nodes[0].pid})`);

  const kit = createAdminKit([cluster.bootstrap], 'soak-admin');
  const topic = `soak-${Date.now()}`;
  const groupId = `${topic}-group`;
  await kit.createTopic(topic, opts.partitions);

  const counters = { produced: 0, consumed: 0, generations: 0, joins: 0, leaves: 0, errors: 0, closeMsMax: 0 };
  const errorSamples = [];
  let running = true;

  // Steady producer: one batch every 100 ms.
  const perTick = Math.max(1, Math.round(opts.rate / 10));
  const producing = (async () => {
    let seq = 0;
    let next = Date.now();
    while (running) {
      const records = Array.from({ length: perTick }, () => ({ key: String(seq % 997), value: `m-${seq++}` }));
      try {
        await kit.produce(topic, records);
        counters.produced += records.length;
      } catch (e) {
        counters.errors++;
        if (errorSamples.length < 10) errorSamples.push(`produce: ${e && e.message}`);
      }
      next += 100;
      const wait = next - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      else next = Date.now();
    }
  })();

  /** @type {{ id: number, group: import('../dist').ConsumerGroup, subs: import('rxjs').Subscription[] }[]} */
  const members = [];
  let memberSeq = 0;
  const join = () => {
    const id = ++memberSeq;
    const group = consumerGroup({
      brokers: [cluster.bootstrap],
      clientId: `soak-member-${id}`,
      groupId,
      topics: [topic],
      group: { session: { timeout: 10_000 }, heartbeat: { interval: 1_000 }, rebalance: { timeout: 20_000, drainTimeout: 3_000 } },
      consumer: { offsets: { initial: 'oldest', commitInterval: 1_000 } },
    });
    const onError = (where) => (e) => {
      counters.errors++;
      if (errorSamples.length < 10) errorSamples.push(`member ${id} ${where}: ${e && (e._tag || '')} ${e && e.message}`);
    };
    const subs = [
      group.generations$.subscribe({ next: () => counters.generations++, error: onError('generations$') }),
      group.messages$.pipe(tap(() => counters.consumed++), markOffsets(group)).subscribe({ error: onError('messages$') }),
    ];
    members.push({ id, group, subs });
    counters.joins++;
  };
  const leave = async () => {
    const m = members.shift();
    if (!m) return;
    const t0 = Date.now();
    await new Promise((resolve) => m.group.close().subscribe({ complete: resolve, error: (e) => { counters.errors++; if (errorSamples.length < 10) errorSamples.push(`close ${m.id}: ${e && e.message}`); resolve(); } }));
    m.subs.forEach((s) => s.unsubscribe());
    counters.closeMsMax = Math.max(counters.closeMsMax, Date.now() - t0);
    counters.leaves++;
  };

  join();
  join();
  // Churn: alternate between joining (up to maxMembers) and letting the oldest member leave (down to 1).
  let growing = true;
  let churnBusy = false;
  const churn = setInterval(() => {
    if (churnBusy) return;
    churnBusy = true;
    if (growing && members.length >= opts.maxMembers) growing = false;
    if (!growing && members.length <= 1) growing = true;
    const step = growing ? Promise.resolve(join()) : leave();
    step.finally(() => (churnBusy = false));
    growing = !growing;
  }, opts.churnSeconds * 1000);

  const rows = [];
  let lastConsumed = 0;
  let lastGenerations = 0;
  const space = (name) => v8.getHeapSpaceStatistics().find((x) => x.space_name === name)?.space_used_size ?? 0;
  const sample = (minute) => {
    gc();
    const mem = process.memoryUsage();
    const row = {
      minute,
      rssMiB: round(mib(mem.rss)),
      heapUsedMiB: round(mib(mem.heapUsed)),
      oldSpaceMiB: round(mib(space('old_space'))),
      codeSpaceMiB: round(mib(space('code_space'))),
      handles: process.getActiveResourcesInfo().length,
      consumed: counters.consumed - lastConsumed,
      consumedTotal: counters.consumed,
      generations: counters.generations - lastGenerations,
      members: members.length,
      errors: counters.errors,
    };
    lastConsumed = counters.consumed;
    lastGenerations = counters.generations;
    rows.push(row);
    console.log(
      `minute ${String(minute).padStart(3)}  rss ${row.rssMiB.toFixed(1).padStart(6)} MiB  heap ${row.heapUsedMiB.toFixed(1).padStart(6)} MiB (old ${row.oldSpaceMiB.toFixed(1)}, code ${row.codeSpaceMiB.toFixed(1)})  handles ${String(row.handles).padStart(4)}  consumed ${String(row.consumed).padStart(7)}  generations ${String(row.generations).padStart(3)}  members ${row.members}  errors ${row.errors}`,
    );
  };

  for (let minute = 1; Date.now() < endAt; minute++) {
    const at = started + minute * 60_000;
    await new Promise((r) => setTimeout(r, Math.max(0, at - Date.now())));
    sample(minute);
  }

  clearInterval(churn);
  running = false;
  await producing;
  while (members.length) await leave();
  await kit.close();
  await stopBroker();

  const trends = [
    trend('rssMiB', rows.map((r) => r.rssMiB), (first) => Math.max(20, first * 0.1)),
    trend('heapUsedMiB', rows.map((r) => r.heapUsedMiB), (first) => Math.max(10, first * 0.15)),
    trend('handles', rows.map((r) => r.handles), (first) => Math.max(8, first * 0.25)),
  ];
  const up = trends.filter((t) => t.verdict === 'up');
  for (const t of trends) console.log(`trend ${t.name}: ${t.verdict}${t.samples >= 3 ? ` (first third median ${t.firstThirdMedian}, last third ${t.lastThirdMedian}, slope ${t.slopePerMinute}/min, tolerance ${t.tolerance})` : ` (${t.reason})`}`);
  console.log(`soak: produced ${counters.produced}, consumed ${counters.consumed} (redeliveries after rebalances included), ${counters.generations} generations, ${counters.joins} joins, ${counters.leaves} leaves, slowest close ${counters.closeMsMax} ms, ${counters.errors} errors`);
  if (errorSamples.length) console.log(`soak: first errors:\n  ${errorSamples.join('\n  ')}`);

  const summary = { startedAt: new Date(started).toISOString(), options: opts, rows, trends, counters, errorSamples, verdict: up.length ? 'upward trend' : 'no upward trend' };
  const outDir = path.join(root, '.soak');
  fs.mkdirSync(outDir, { recursive: true });
  const file = path.join(outDir, `soak-${new Date(started).toISOString().replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(file, JSON.stringify(summary, null, 2));
  console.log(`soak: ${summary.verdict}; summary in ${path.relative(root, file)}`);
  process.exitCode = up.length ? 1 : 0;
}

main().catch((e) => {
  console.error('soak failed:', e);
  process.exit(2);
});
