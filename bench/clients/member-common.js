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
 * @param {(j: MemberJob, t: ReturnType<typeof tracker>) => Promise<() => Promise<void>>} start
 */
function member(start) {
  /** @type {MemberJob} */
  const job = JSON.parse(process.argv[2] || '{}');
  const t = tracker();
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
      event({ type: 'error', message: String(e) });
      process.exit(1);
    });
}

module.exports = { member };
