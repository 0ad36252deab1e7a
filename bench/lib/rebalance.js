// @ts-check
/**
 * The rebalance scenario: per client and round, a fresh 6-partition topic that the Java producer keeps feeding, and
 * two members of one fresh group (bench/clients/*-member.js, bench/java/BenchMember.java), all with the same
 * session timeout and heartbeat interval.
 *   join: member A consumes; member B subscribes; settled when A and B hold disjoint assignments covering every
 *         partition and each has a record from every partition it holds. joinMs = settled - B's subscribe.
 *   kill: B gets SIGKILL; settled when A holds every partition again and has a record from each of B's.
 *         killMs = settled - kill (bounded below by the session timeout: B never says goodbye).
 */
const crypto = require('node:crypto');
const path = require('node:path');
const { prepareTopic, javaProducer } = require('./produce');
const { startMember, endRound } = require('./member-process');

const log = (/** @param {string} s */ (s) => process.stderr.write(`[bench] ${s}\n`));
const rand = () => crypto.randomBytes(3).toString('hex');
const CLIENTS_DIR = path.join(__dirname, '..', 'clients');

/** The member program of each client that runs in this scenario. */
const MEMBERS = {
  'ours-member': (/** @type {any} */ job) => [process.execPath, [path.join(CLIENTS_DIR, 'ours-member.js'), JSON.stringify(job)]],
  'kafkajs-member': (/** @type {any} */ job) => [process.execPath, [path.join(CLIENTS_DIR, 'kafkajs-member.js'), JSON.stringify(job)]],
  'java-member': (/** @type {any} */ job, /** @type {Record<string, any>} */ built) => [
    'java',
    ['-Xmx512m', `-Dlog4j2.configurationFile=${path.join(__dirname, '..', 'java', 'log4j2.properties')}`, '-cp', built.java.classpath, 'BenchMember', job.brokers.join(','), job.topic, job.groupId, String(job.sessionTimeoutMs), String(job.heartbeatIntervalMs)],
  ],
};

/** @typedef {import('./member-process').Member} Member */

/** The member's newest assignment at or after `since`, and whether it has a record from each partition of it. */
function current(/** @type {Member} */ m, /** @type {number} */ since) {
  const i = m.events.map((e) => e.type === 'assigned' && e.t >= since).lastIndexOf(true);
  if (i < 0) return undefined;
  const assigned = m.events[i];
  const firsts = new Map(m.events.slice(i + 1).filter((e) => e.type === 'first').map((e) => [e.partition, e.t]));
  const partitions = assigned?.partitions ?? [];
  const consuming = partitions.every((p) => firsts.has(p));
  return { partitions, consuming, firsts };
}

/** @param {() => any} check @param {number} timeoutMs @param {string} what */
async function waitFor(check, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = check();
    if (r) return r;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((res) => setTimeout(res, 10));
  }
}

/**
 * @param {Record<string, any>} sc
 * @param {{ bootstrap: string, quick: boolean, rounds: number, clients: import('./clients').ClientDef[], built: Record<string, any> }} ctx
 */
async function runRebalance(sc, ctx) {
  if (!ctx.built.java?.ok) throw new Error('the rebalance scenario needs the Java producer, which was not built');
  const runs = [];
  for (let round = 1; round <= ctx.rounds; round++) {
    for (const client of ctx.clients) {
      const command = /** @type {Record<string, any>} */ (MEMBERS)[client.name];
      if (!command) continue;
      const topic = `bench-${sc.id}-${client.name}-${round}-${rand()}`;
      await prepareTopic(ctx.built, { bootstrap: ctx.bootstrap, topic, records: 0, valueBytes: sc.valueBytes, partitions: sc.partitions });
      const producer = javaProducer(ctx.built, { bootstrap: ctx.bootstrap, topic, records: sc.ratePerSec * 300, valueBytes: sc.valueBytes, partitions: sc.partitions, ratePerSec: sc.ratePerSec });
      producer.done.catch(() => undefined);
      const job = { brokers: ctx.bootstrap.split(','), topic, groupId: `bench-${sc.id}-${client.name}-${round}-${rand()}`, sessionTimeoutMs: sc.sessionTimeoutMs, heartbeatIntervalMs: sc.heartbeatIntervalMs, timeoutMs: 240_000, peers: { ours: ctx.built.ours?.dir, kafkajs: ctx.built.kafkajs?.prefix } };
      const [cmd, args] = command(job, ctx.built);
      /** @type {Member[]} */
      const members = [];
      /** @type {Record<string, any>} */
      const stats = {};
      try {
        const a = startMember('A', [cmd, args]);
        members.push(a);
        await waitFor(() => current(a, 0)?.consuming && current(a, 0)?.partitions.length === sc.partitions, 60_000, 'member A to consume every partition');
        const b = startMember('B', [cmd, args]);
        members.push(b);
        const bSubscribed = await waitFor(() => b.events.find((e) => e.type === 'subscribed')?.t, 60_000, 'member B to subscribe');
        const joined = await waitFor(
          () => {
            const ca = current(a, bSubscribed);
            const cb = current(b, bSubscribed);
            if (!ca?.consuming || !cb?.consuming || cb.partitions.length === 0) return undefined;
            const all = new Set([...ca.partitions, ...cb.partitions]);
            if (all.size !== sc.partitions || ca.partitions.length + cb.partitions.length !== sc.partitions) return undefined;
            return { at: Math.max(...ca.firsts.values(), ...cb.firsts.values()), bPartitions: cb.partitions };
          },
          120_000,
          'both members to consume after the join',
        );
        stats.joinMs = joined.at - bSubscribed;
        const killedAt = Date.now();
        b.child.kill('SIGKILL');
        const survived = await waitFor(
          () => {
            const ca = current(a, killedAt);
            if (!ca || ca.partitions.length !== sc.partitions) return undefined;
            const times = joined.bPartitions.map((/** @type {number} */ p) => ca.firsts.get(p));
            return times.every((x) => x !== undefined) ? { at: Math.max(.../** @type {number[]} */ (times)) } : undefined;
          },
          120_000,
          "the survivor to consume the killed member's partitions",
        );
        stats.killMs = survived.at - killedAt;
        log(`${sc.id} round ${round} ${client.name.padEnd(20)} join settled in ${stats.joinMs} ms, after SIGKILL in ${stats.killMs} ms`);
      } catch (e) {
        stats.error = `${String(e)}; member stderr: ${members.map((m) => m.stderr().slice(-300)).join(' / ')}`;
        log(`${sc.id} round ${round} ${client.name.padEnd(20)} FAILED: ${stats.error.slice(0, 400)}`);
      } finally {
        await endRound(members, producer, ctx.built, ctx.bootstrap, topic);
      }
      runs.push({ scenario: sc.id, client: client.name, label: client.label, round, stats });
    }
  }
  return { runs, records: 0 };
}

module.exports = { runRebalance };
