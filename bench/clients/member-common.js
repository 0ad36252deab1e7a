// @ts-check
/**
 * Group members for the rebalance scenario: they consume until SIGTERM (then close cleanly) or SIGKILL, and print
 * `EVENT {json}` lines the runner times: {"type":"subscribed"}, {"type":"assigned","partitions":[...]} on every
 * assignment, and {"type":"first","partition":p} for the first message of each partition after an assignment.
 * Job (argv[2]): { brokers, topic, groupId, sessionTimeoutMs, heartbeatIntervalMs, timeoutMs, peers }.
 */

/** @typedef {{ brokers: string[], topic: string, groupId: string, sessionTimeoutMs: number, heartbeatIntervalMs: number, timeoutMs: number, peers: Record<string, string> }} MemberJob */

/** @param {Record<string, unknown>} e */
const event = (e) => process.stdout.write(`EVENT ${JSON.stringify({ t: Date.now(), ...e })}\n`);

/** Per-assignment bookkeeping: `first` fires once per partition per assignment. */
function tracker() {
  /** @type {Set<number>} */
  let seen = new Set();
  return {
    subscribed: () => event({ type: 'subscribed' }),
    /** @param {readonly number[]} partitions */
    assigned: (partitions) => {
      seen = new Set();
      event({ type: 'assigned', partitions: [...partitions].sort((a, b) => a - b) });
    },
    /** @param {number} partition */
    message: (partition) => {
      if (seen.has(partition)) return;
      seen.add(partition);
      event({ type: 'first', partition });
    },
  };
}

/**
 * Runs a member: `start(job, tracker)` returns its `close()`, called on SIGTERM (or after job.timeoutMs).
 * `makeTracker` is the bookkeeping the scenario reports with (scenario 7 brings its own).
 * @template J, T
 * @param {(j: J & { timeoutMs: number }, t: T) => Promise<() => Promise<void>>} start
 * @param {() => T} makeTracker
 */
function runMember(start, makeTracker) {
  /** @type {J & { timeoutMs: number }} */
  const job = JSON.parse(process.argv[2] || '{}');
  const t = makeTracker();
  let closing = false;
  start(job, t)
    .then((close) => {
      const stop = async () => {
        if (closing) return;
        closing = true;
        await close();
        event({ type: 'closed' });
        process.exit(0);
      };
      process.on('SIGTERM', stop);
      setTimeout(stop, job.timeoutMs).unref();
    })
    .catch((e) => {
      event({ type: 'error', message: String(e && /** @type {any} */ (e).message ? /** @type {any} */ (e).message : e) });
      process.exit(1);
    });
}

/**
 * Runs a rebalance-scenario member with the tracker above.
 * @param {(j: MemberJob, t: ReturnType<typeof tracker>) => Promise<() => Promise<void>>} start
 */
const member = (start) => runMember(start, tracker);

module.exports = { member, runMember, event };
