// @ts-check
/**
 * Group-member processes for the rebalance scenarios (4 and 7): each prints `EVENT {json}` lines on stdout
 * (bench/clients/member-common.js), collected here with the time the member stamped; stdin takes commands.
 */
const { spawn } = require('node:child_process');
const { adminKit } = require('./produce');

/**
 * @typedef {{ t: number, type: string, partitions?: number[], partition?: number, protocol?: string, id?: string, gaps?: (number | null)[][], from?: number, to?: number, n?: number, maxGap?: number, message?: string }} MemberEvent
 */

/** A member process and the events it printed. @param {string} name @param {[string, string[]]} command */
function startMember(name, [cmd, args]) {
  /** @type {MemberEvent[]} */
  const events = [];
  const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  child.stdin.on('error', () => undefined);
  let buf = '';
  let err = '';
  child.stdout.on('data', (d) => {
    buf += d;
    const lines = buf.split('\n');
    buf = lines.pop() || '';
    for (const l of lines) if (l.startsWith('EVENT ')) events.push(JSON.parse(l.slice(6)));
  });
  child.stderr.on('data', (d) => (err = (err + d).slice(-4000)));
  const exited = new Promise((resolve) => child.on('close', resolve));
  const gone = () => child.exitCode !== null || child.signalCode !== null;
  const send = (/** @type {string} */ line) => {
    if (!gone()) child.stdin.write(`${line}\n`);
  };
  return { name, child, events, exited, send, stderr: () => err, gone };
}

/** @typedef {ReturnType<typeof startMember>} Member */

/** SIGTERM (a clean close), SIGKILL after 20 s. @param {Member} m */
async function stopMember(m) {
  if (m.gone()) return;
  m.child.kill('SIGTERM');
  const t = setTimeout(() => m.child.kill('SIGKILL'), 20_000);
  await m.exited;
  clearTimeout(t);
}

/**
 * The end of a round, whatever happened: members stopped, the producer killed, the topic deleted.
 * @param {Member[]} members @param {{ kill(): unknown }} producer @param {Record<string, any>} built @param {string} bootstrap @param {string} topic
 */
async function endRound(members, producer, built, bootstrap, topic) {
  await Promise.all(members.map(stopMember));
  producer.kill();
  const kit = adminKit(built, bootstrap.split(','));
  await kit.deleteTopic(topic).catch(() => undefined);
  await kit.close();
}

module.exports = { startMember, stopMember, endRound };
