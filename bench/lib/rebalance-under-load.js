// @ts-check
/**
 * Scenario 7, rebalance under load (definitions in bench/scenarios/s7-rebalance-under-load.js and bench/README.md).
 * Per client and round: a fresh topic the Java producer feeds at a steady rate, a fresh group, and member processes
 * (bench/clients/ours-s7-member.js, bench/java/BenchS7Member.java) that report ownership changes, the first delivery
 * per partition after each change, and, per measurement window the runner opens and closes on their stdin, the
 * longest delivery gap of each partition (bench/clients/s7-member-common.js).
 *   steady: A consumes every partition; B joins; once A and B hold 6 + 6 and consume, a baseline window.
 *   join:   C subscribes; window from C's subscribe to settled (3 members, 4 + 4 + 4, all consuming).
 *   restart: A gets SIGTERM (closes, leaves the group); when it has exited, a new A process starts; window from the
 *            SIGTERM to settled (B, C and the new A, 4 + 4 + 4, all consuming).
 */
const crypto = require('node:crypto');
const path = require('node:path');
const { prepareTopic, javaProducer } = require('./produce');
const { startMember, endRound } = require('./member-process');
const { median } = require('./report');

const log = (/** @param {string} s */ (s) => process.stderr.write(`[bench] ${s}\n`));
const rand = () => crypto.randomBytes(3).toString('hex');
const sleep = (/** @type {number} */ ms) => new Promise((r) => setTimeout(r, ms));
const CLIENTS_DIR = path.join(__dirname, '..', 'clients');

/** The clients of this scenario: which member program, which rebalance protocol. */
const MEMBERS = {
  'ours-eager': { program: 'ours', protocol: 'eager' },
  'ours-cooperative': { program: 'ours', protocol: 'cooperative' },
  'ours-consumer': { program: 'ours', protocol: 'consumer' },
  'java-eager': { program: 'java', protocol: 'eager' },
  'java-cooperative': { program: 'java', protocol: 'cooperative' },
  'java-consumer': { program: 'java', protocol: 'consumer' },
};

/** @param {{ program: string, protocol: string }} m @param {any} job @param {Record<string, any>} built @returns {[string, string[]]} */
const commandOf = (m, job, built) =>
  m.program === 'ours'
    ? [process.execPath, [path.join(CLIENTS_DIR, 'ours-s7-member.js'), JSON.stringify(job)]]
    : [
        'java',
        ['-Xmx512m', `-Dlog4j2.configurationFile=${path.join(__dirname, '..', 'java', 'log4j2.properties')}`, '-cp', built.java.classpath, 'BenchS7Member', job.brokers.join(','), job.topic, job.groupId, job.protocol, String(job.sessionTimeoutMs), String(job.heartbeatIntervalMs)],
      ];

/** @typedef {import('./member-process').MemberEvent} MemberEvent @typedef {import('./member-process').Member} Member */

/** What `m` owned at time `t` (its last `owned` event at or before t). @param {Member} m @param {number} t */
const ownedAt = (m, t) => {
  let cur = /** @type {number[]} */ ([]);
  for (const e of m.events) if (e.type === 'owned' && e.t <= t) cur = e.partitions ?? [];
  return cur;
};

/**
 * Settled: the live members hold disjoint, equal shares covering every partition (range, cooperative-sticky and
 * uniform all split evenly here), and every partition has delivered to its owner at or after both the event start
 * and the owner's last ownership change (its new assignment); for an owner whose ownership did not change during
 * the event, the first delivery after the window's mark counts (from the event start). Returns the settled time
 * (the last of those deliveries) or undefined.
 * @param {Member[]} live @param {number} partitions @param {number} since @param {number} markedAt
 */
function settledAt(live, partitions, since, markedAt) {
  const share = partitions / live.length;
  /** @type {Set<number>} */
  const all = new Set();
  let last = since;
  for (const m of live) {
    const owned = m.events.filter((e) => e.type === 'owned');
    const cur = owned[owned.length - 1];
    if (!cur || (cur.partitions ?? []).length !== share) return undefined;
    for (const p of cur.partitions ?? []) all.add(p);
    const changed = cur.t >= since;
    const from = changed ? cur.t : markedAt;
    for (const p of cur.partitions ?? []) {
      const first = m.events.find((e) => e.type === 'first' && e.partition === p && e.t >= from);
      if (!first) return undefined;
      last = Math.max(last, changed ? first.t : Math.max(since, first.t));
    }
  }
  return all.size === partitions ? last : undefined;
}

/** @param {() => any} check @param {number} timeoutMs @param {string} what @param {Member[]} watch */
async function waitFor(check, timeoutMs, what, watch) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = check();
    if (r !== undefined && r !== false) return r;
    const dead = watch.find((m) => m.gone());
    if (dead) {
      const e = dead.events.find((x) => x.type === 'error');
      throw new Error(`member ${dead.name} exited while waiting for ${what}${e ? `: ${e.message}` : ''}`);
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
}

/**
 * Opens window `id` on `members` (sends `mark`); returns the time it was sent.
 * @param {Member[]} members @param {string} id
 */
const mark = (members, id) => {
  const at = Date.now();
  for (const m of members) m.send(`mark ${id}`);
  return at;
};

/**
 * Closes window `id`: each member's per-partition longest gap ending at or after `since` and starting at or before
 * `until`. @param {Member[]} members @param {string} id @param {number} since @param {number} until
 * @returns {Promise<Map<Member, { p: number, gap: number, from: number, to: number | null }[]>>}
 */
async function closeWindow(members, id, since, until) {
  const before = new Map(members.map((m) => [m, m.events.length]));
  for (const m of members) m.send(`end ${id} ${since} ${until}`);
  const found = await waitFor(
    () => {
      const r = members.map((m) => m.events.slice(before.get(m)).find((e) => e.type === 'window' && e.id === id));
      return r.every(Boolean) ? r : undefined;
    },
    10_000,
    `the members' window ${id}`,
    members,
  );
  return new Map(members.map((m, i) => [m, (found[i].gaps ?? []).map((/** @type {any[]} */ [p, gap, from, to]) => ({ p, gap, from, to }))]));
}

/**
 * The event's figures: per member, the longest gap on partitions it owned both at the event start and once settled.
 * @param {Member[]} members the members present across the event @param {Map<Member, any[]>} gaps @param {number} start
 * @param {number} settled
 */
function keptPause(members, gaps, start, settled) {
  /** @type {Record<string, any>} */
  const perMember = {};
  let max;
  let where;
  for (const m of members) {
    const before = new Set(ownedAt(m, start));
    const after = new Set(ownedAt(m, settled));
    const kept = [...before].filter((p) => after.has(p));
    const mine = (gaps.get(m) ?? []).filter((g) => kept.includes(g.p));
    const worst = mine.reduce((a, g) => (!a || g.gap > a.gap ? g : a), /** @type {any} */ (undefined));
    perMember[m.name] = { kept, keptPauseMs: worst?.gap, partition: worst?.p, fromMs: worst ? worst.from - start : undefined, toMs: worst?.to ? worst.to - start : undefined };
    if (worst && (max === undefined || worst.gap > max)) {
      max = worst.gap;
      where = `${m.name} p${worst.p} ${worst.from - start}..${worst.to ? worst.to - start : 'open'} ms`;
    }
  }
  return { keptPauseMs: max, where, perMember };
}

/** Ownership changes and long gaps (> 25 ms) of `members` between `from` and `to`, relative to `from`: for reading. */
function timeline(/** @type {Member[]} */ members, /** @type {number} */ from, /** @type {number} */ to) {
  return members.flatMap((m) =>
    m.events
      .filter((e) => e.t >= from - 50 && e.t <= to + 50 && (e.type === 'owned' || e.type === 'gap' || e.type === 'subscribed' || e.type === 'closed'))
      .map((e) => `${m.name}@${e.t - from} ${e.type}${e.type === 'owned' ? ` [${e.partitions}]` : e.type === 'gap' ? ` p${e.partition} ${/** @type {number} */ (e.to) - /** @type {number} */ (e.from)}ms from ${/** @type {number} */ (e.from) - from}` : ''}`),
  );
}

/**
 * @param {Record<string, any>} sc
 * @param {{ bootstrap: string, quick: boolean, rounds: number, clients: import('./clients').ClientDef[], built: Record<string, any> }} ctx
 */
async function runRebalanceUnderLoad(sc, ctx) {
  if (!ctx.built.java?.ok) throw new Error('scenario 7 needs the Java producer, which was not built');
  const steadyMs = ctx.quick ? sc.quickSteadyMs : sc.steadyMs;
  const runs = [];
  for (let round = 1; round <= ctx.rounds; round++) {
    for (const client of ctx.clients) {
      const def = /** @type {Record<string, { program: string, protocol: string }>} */ (MEMBERS)[client.name];
      if (!def) continue;
      const topic = `bench-${sc.id}-${client.name}-${round}-${rand()}`;
      await prepareTopic(ctx.built, { bootstrap: ctx.bootstrap, topic, records: 0, valueBytes: sc.valueBytes, partitions: sc.partitions });
      const producer = javaProducer(ctx.built, { bootstrap: ctx.bootstrap, topic, records: sc.ratePerSec * 900, valueBytes: sc.valueBytes, partitions: sc.partitions, ratePerSec: sc.ratePerSec });
      producer.done.catch(() => undefined);
      const job = { brokers: ctx.bootstrap.split(','), topic, groupId: `bench-${sc.id}-${client.name}-${round}-${rand()}`, protocol: def.protocol, sessionTimeoutMs: sc.sessionTimeoutMs, heartbeatIntervalMs: sc.heartbeatIntervalMs, timeoutMs: 600_000, peers: { ours: ctx.built.ours?.dir } };
      const command = () => commandOf(def, job, ctx.built);
      /** @type {Member[]} */
      const members = [];
      /** @type {Record<string, any>} */
      const stats = {};
      try {
        const a = startMember('A', command());
        members.push(a);
        const all = sc.partitions;
        await waitFor(() => settledAt([a], all, 0, 0), 90_000, 'member A to consume every partition', [a]);
        const protocol = a.events.find((e) => e.type === 'owned')?.protocol;
        if (def.protocol !== protocol) throw new Error(`unsupported: asked for the ${def.protocol} rebalance protocol, the member rebalanced as ${protocol}`);
        const b = startMember('B', command());
        members.push(b);
        const bSub = await waitFor(() => b.events.find((e) => e.type === 'subscribed')?.t, 60_000, 'B to subscribe', [a, b]);
        stats.steadyJoinMs = (await waitFor(() => settledAt([a, b], all, bSub, bSub), 60_000, 'A and B to share the partitions', [a, b])) - bSub;
        await sleep(1000);

        // Baseline: the steady stream's gaps, two members.
        const baseStart = mark([a, b], 'base');
        await sleep(steadyMs);
        const baseEnd = Date.now();
        const base = await closeWindow([a, b], 'base', baseStart, baseEnd);
        const baseGaps = [...base.values()].flat().map((g) => g.gap);
        stats.baselineGapMs = Math.max(0, ...baseGaps);
        stats.baselineMedianPartitionMaxMs = median(baseGaps);

        // Join: C subscribes.
        const joinMark = mark([a, b], 'join');
        const c = startMember('C', command());
        members.push(c);
        const joinStart = await waitFor(() => c.events.find((e) => e.type === 'subscribed')?.t, 60_000, 'C to subscribe', [a, b, c]);
        const joined = await waitFor(() => settledAt([a, b, c], all, joinStart, joinMark), 90_000, 'A, B and C to share the partitions after the join', [a, b, c]);
        await sleep(300);
        const joinGaps = await closeWindow([a, b], 'join', joinStart, joined);
        const join = keptPause([a, b], joinGaps, joinStart, joined);
        stats.joinSettleMs = joined - joinStart;
        stats.joinKeptPauseMs = join.keptPauseMs;
        stats.joinWhere = join.where;
        stats.joinPerMember = join.perMember;
        stats.joinTimeline = timeline([a, b, c], joinStart, joined);
        await sleep(steadyMs);

        // Restart: A stops cleanly and a new A process starts.
        const restartMark = mark([b, c], 'restart');
        const restartStart = Date.now();
        a.child.kill('SIGTERM');
        await waitFor(() => a.gone() || undefined, 30_000, 'A to exit', [b, c]);
        stats.restartStopMs = Date.now() - restartStart;
        const a2 = startMember('A2', command());
        members.push(a2);
        const restarted = await waitFor(() => settledAt([b, c, a2], all, restartStart, restartMark), 90_000, 'B, C and the new A to share the partitions after the restart', [b, c, a2]);
        await sleep(300);
        const restartGaps = await closeWindow([b, c], 'restart', restartStart, restarted);
        const restart = keptPause([b, c], restartGaps, restartStart, restarted);
        stats.restartSettleMs = restarted - restartStart;
        stats.restartKeptPauseMs = restart.keptPauseMs;
        stats.restartWhere = restart.where;
        stats.restartPerMember = restart.perMember;
        stats.restartTimeline = timeline([a, b, c, a2], restartStart, restarted);

        const kept = [stats.joinKeptPauseMs, stats.restartKeptPauseMs].filter((x) => x !== undefined);
        stats.keptPauseMs = kept.length ? Math.max(...kept) : undefined;
        stats.settleMs = stats.joinSettleMs;
        stats.protocol = protocol;
        log(
          `${sc.id} round ${round} ${client.name.padEnd(17)} baseline gap ${stats.baselineGapMs} ms; join: kept pause ${stats.joinKeptPauseMs} ms (${join.where}), settled ${stats.joinSettleMs} ms; restart: kept pause ${stats.restartKeptPauseMs} ms (${restart.where}), settled ${stats.restartSettleMs} ms`,
        );
      } catch (e) {
        const msg = String(e instanceof Error ? e.message : e);
        // A config the library refuses (groupProtocol 'consumer' before it lands) or a broker without the API: unsupported.
        const said = members.flatMap((m) => m.events.filter((x) => x.type === 'error').map((x) => x.message ?? '')).join(' ');
        const unsupported = /unsupported|not supported|groupProtocol|ConfigValidation/i.test(`${msg} ${said} ${members.map((m) => m.stderr()).join(' ')}`);
        stats.error = `${unsupported && !msg.startsWith('unsupported') ? 'unsupported: ' : ''}${msg}; member stderr: ${members.map((m) => `${m.name}: ${m.stderr().slice(-300)}`).join(' / ')}`;
        log(`${sc.id} round ${round} ${client.name.padEnd(17)} FAILED: ${stats.error.slice(0, 400)}`);
      } finally {
        await endRound(members, producer, ctx.built, ctx.bootstrap, topic);
      }
      runs.push({ scenario: sc.id, client: client.name, label: client.label, round, stats });
    }
  }
  return { runs, records: 0 };
}

const FIELDS = ['keptPauseMs', 'settleMs', 'joinKeptPauseMs', 'joinSettleMs', 'restartKeptPauseMs', 'restartSettleMs', 'restartStopMs', 'baselineGapMs', 'baselineMedianPartitionMaxMs', 'steadyJoinMs'];

/** Medians over the successful rounds, per client. @param {any[]} runs */
function summarizeUnderLoad(runs) {
  /** @type {Map<string, any[]>} */
  const by = new Map();
  for (const r of runs) by.set(r.client, [...(by.get(r.client) ?? []), r]);
  return [...by.values()].map((rs) => {
    const ok = rs.filter((r) => !r.stats.error);
    /** @type {Record<string, any>} */
    const row = { scenario: rs[0].scenario, client: rs[0].client, label: rs[0].label, rounds: rs.length, okRounds: ok.length };
    for (const k of FIELDS) row[k] = median(ok.map((r) => r.stats[k]).filter((x) => x !== undefined));
    const errors = rs.filter((r) => r.stats.error).map((r) => `round ${r.round}: ${r.stats.error}`);
    if (errors.length) {
      row.errors = errors;
      if (ok.length === 0) row.error = errors[0].split(';')[0];
    }
    return row;
  });
}

/** @param {number | undefined} x */
const fmt = (x) => (x === undefined || !Number.isFinite(x) ? '–' : Math.round(x).toLocaleString('en-US'));

/** @param {{ id: string, title: string }} sc @param {Record<string, any>[]} rows @param {Record<string, { ok: boolean, reason?: string }>} unavailable */
function underLoadTable(sc, rows, unavailable) {
  const mine = rows.filter((r) => r.scenario === sc.id);
  const lines = [
    `### ${sc.title}`,
    '',
    '| client | keptPauseMs (max of join, restart) | settleMs (join) | join: kept pause / settle ms | restart: kept pause / settle ms | baseline max gap ms | rounds ok |',
    '|---|--:|--:|--:|--:|--:|--:|',
  ];
  for (const r of mine)
    lines.push(`| ${r.client} | ${fmt(r.keptPauseMs)} | ${fmt(r.settleMs)} | ${fmt(r.joinKeptPauseMs)} / ${fmt(r.joinSettleMs)} | ${fmt(r.restartKeptPauseMs)} / ${fmt(r.restartSettleMs)} | ${fmt(r.baselineGapMs)} | ${r.okRounds}/${r.rounds} |`);
  const failed = mine.filter((r) => r.errors);
  const notBuilt = Object.entries(unavailable);
  if (failed.length || notBuilt.length) lines.push('');
  for (const r of failed) lines.push(`- ${r.client} failed in ${r.errors.length} of ${r.rounds} round(s): ${r.errors.map((/** @type {string} */ e) => e.split('; member stderr')[0].slice(0, 240)).join('; ')}`);
  for (const [name, b] of notBuilt) lines.push(`- ${name}: not built: ${b.reason}`);
  return lines.join('\n');
}

module.exports = { runRebalanceUnderLoad, summarizeUnderLoad, underLoadTable, settledAt };
