// @ts-check
/**
 * Members for scenario 7, rebalance under load (bench/lib/rebalance-under-load.js starts them). They consume until
 * SIGTERM (then close cleanly) and report compactly on stdout, `EVENT {json}` lines, all times Date.now():
 *   {"type":"subscribed"}                        just before subscribing
 *   {"type":"owned","partitions":[...],"protocol":p}  whenever what it owns changes (revoked, lost or assigned)
 *   {"type":"first","partition":p}               first delivery of p after each `owned` and after each `mark`
 *   {"type":"gap","partition":p,"from":a,"to":b} a delivery gap above GAP_EVENT_MS (diagnostics only)
 *   {"type":"tick","n":k,"maxGap":g}             every second: deliveries and the largest gap that ended in it
 *   {"type":"window","id":w,"gaps":[[p,gap,from,to|null],...]}  answer to `end` (below)
 * and take two commands on stdin (the measurement windows):
 *   mark ID        open window ID now (emits {"type":"mark","id":ID}; resets `first`)
 *   end ID SINCE UNTIL  close it: per partition, the longest gap between consecutive deliveries that ends at or
 *                  after SINCE (an epoch ms, not before the mark) and starts at or before UNTIL, or the gap still
 *                  open (to null: no delivery since)
 * Per delivery the cost is one Date.now(), one array read and a compare: the same bookkeeping in every client
 * (bench/java/BenchS7Member.java does the same in Java).
 * Job (argv[2]): { brokers, topic, groupId, protocol: 'eager' | 'cooperative' | 'consumer', sessionTimeoutMs,
 * heartbeatIntervalMs, timeoutMs, peers }.
 */

/** Gaps above this many ms are also printed one by one, for diagnostics. */
const GAP_EVENT_MS = 25;

/** @typedef {{ brokers: string[], topic: string, groupId: string, protocol: 'eager' | 'cooperative' | 'consumer', sessionTimeoutMs: number, heartbeatIntervalMs: number, timeoutMs: number, peers: Record<string, string> }} S7Job */

const { runMember, event } = require('./member-common');

function tracker() {
  /** @type {number[]} last delivery per partition */
  const last = [];
  /** @type {Set<number>} */
  let seen = new Set();
  /** @type {Set<number>} */
  let owned = new Set();
  /** @type {{ id: string, at: number, gaps: Map<number, [number, number][]> } | undefined} */
  let win;
  let n = 0;
  let maxGap = 0;
  setInterval(() => {
    event({ type: 'tick', n, maxGap });
    n = 0;
    maxGap = 0;
  }, 1000).unref();
  /** @param {string} line */
  const command = (line) => {
    const [cmd, id, since, until] = line.trim().split(/\s+/);
    if (cmd === 'mark' && id) {
      win = { id, at: Date.now(), gaps: new Map() };
      seen = new Set();
      event({ type: 'mark', id });
    } else if (cmd === 'end' && win && win.id === id) {
      const u = Number(until);
      const s = Number(since);
      const now = Date.now();
      /** @type {(number | null)[][]} */
      const out = [];
      const parts = new Set([...win.gaps.keys(), ...last.keys()].filter((p) => last[p] !== undefined));
      for (const p of [...parts].sort((a, b) => a - b)) {
        /** @type {(number | null)[] | undefined} */
        let best;
        for (const [from, to] of win.gaps.get(p) ?? []) if (from <= u && to >= s && (!best || to - from > /** @type {number} */ (best[1]))) best = [p, to - from, from, to];
        const l = /** @type {number} */ (last[p]);
        if (l <= u && l >= win.at - 60_000 && owned.has(p) && (!best || now - l > /** @type {number} */ (best[1]))) best = [p, now - l, l, null];
        if (best) out.push(best);
      }
      event({ type: 'window', id, gaps: out });
      win = undefined;
    }
  };
  let buf = '';
  process.stdin.on('data', (d) => {
    buf += d;
    const lines = buf.split('\n');
    buf = lines.pop() || '';
    for (const l of lines) command(l);
  });
  process.stdin.on('error', () => undefined);
  return {
    subscribed: () => event({ type: 'subscribed' }),
    /** @param {readonly number[]} partitions @param {string} [protocol] */
    owned: (partitions, protocol) => {
      const next = new Set(partitions);
      if (next.size === owned.size && [...next].every((p) => owned.has(p))) return;
      owned = next;
      seen = new Set();
      event({ type: 'owned', partitions: [...next].sort((a, b) => a - b), protocol });
    },
    /** The current set, for revocations expressed as a difference. */
    current: () => owned,
    /** One delivered record of `partition` (call once per record). @param {number} partition */
    delivered: (partition) => {
      const now = Date.now();
      const l = last[partition];
      last[partition] = now;
      n++;
      if (l !== undefined) {
        const g = now - l;
        if (g > maxGap) maxGap = g;
        if (g > GAP_EVENT_MS) event({ type: 'gap', partition, from: l, to: now });
        if (win && g >= 1 && now >= win.at) {
          const list = win.gaps.get(partition);
          if (list) list.push([l, now]);
          else win.gaps.set(partition, [[l, now]]);
        }
      }
      if (!seen.has(partition)) {
        seen.add(partition);
        event({ type: 'first', partition });
      }
    },
  };
}

/**
 * Runs a scenario-7 member: `start(job, tracker)` returns its `close()`, called on SIGTERM (or after job.timeoutMs).
 * @param {(j: S7Job, t: ReturnType<typeof tracker>) => Promise<() => Promise<void>>} start
 */
const member = (start) => runMember(start, tracker);

module.exports = { member };
