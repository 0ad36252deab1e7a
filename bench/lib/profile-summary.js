// @ts-check
/**
 * Reads V8 .cpuprofile files and lists where the time went: self time per function (name, file:line), top N, and
 * the share of the profile spent in the library (files under the snapshot build `.peers/ours/dist`).
 *   node bench/lib/profile-summary.js bench/results/profiles [top=25]
 */
const fs = require('node:fs');
const path = require('node:path');

/** @param {string} file @param {number} top */
function summarizeProfile(file, top = 25) {
  /** @type {{ nodes: { id: number, callFrame: { functionName: string, url: string, lineNumber: number }, hitCount?: number }[], samples: number[], timeDeltas: number[] }} */
  const prof = JSON.parse(fs.readFileSync(file, 'utf8'));
  /** @type {Map<number, number>} */
  const selfUs = new Map();
  for (let i = 0; i < prof.samples.length; i++) {
    const id = prof.samples[i] ?? 0;
    selfUs.set(id, (selfUs.get(id) || 0) + (prof.timeDeltas[i] || 0));
  }
  /** @type {Map<string, number>} */
  const byFn = new Map();
  let total = 0;
  let ours = 0;
  let idle = 0;
  for (const n of prof.nodes) {
    const us = selfUs.get(n.id) || 0;
    if (!us) continue;
    total += us;
    const cf = n.callFrame;
    if (cf.functionName === '(idle)') idle += us;
    if (cf.url.includes('/.peers/ours/dist/')) ours += us;
    const where = cf.url ? `${cf.url.replace(/^file:\/\//, '').replace(/^.*\/(node_modules|\.peers)\//, '$1/')}:${cf.lineNumber + 1}` : '';
    const k = `${cf.functionName || '(anonymous)'} ${where}`.trim();
    byFn.set(k, (byFn.get(k) || 0) + us);
  }
  const busy = total - idle;
  const rows = [...byFn.entries()].filter(([k]) => !k.startsWith('(idle)')).sort((a, b) => b[1] - a[1]).slice(0, top);
  const pct = (/** @type {number} */ us) => `${((100 * us) / Math.max(1, busy)).toFixed(1)}%`;
  return [
    `#### ${path.basename(file)}`,
    '',
    `busy ${(busy / 1e6).toFixed(2)} s of ${(total / 1e6).toFixed(2)} s sampled; in rx-kafka-cluster's own code: ${pct(ours)} of busy`,
    '',
    '| self % of busy | self ms | function |',
    '|--:|--:|---|',
    ...rows.map(([k, us]) => `| ${pct(us)} | ${(us / 1000).toFixed(0)} | \`${k}\` |`),
    '',
  ].join('\n');
}

/** @param {string} dir @param {number} [top] */
function summarizeProfiles(dir, top = 25) {
  const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).sort() : [];
  return ['### CPU profiles (self time)', '', ...files.map((f) => summarizeProfile(path.join(dir, f), top))].join('\n');
}

module.exports = { summarizeProfiles, summarizeProfile };

if (require.main === module) process.stdout.write(summarizeProfiles(process.argv[2] || path.join(__dirname, '..', 'results', 'profiles'), Number(process.argv[3] || 25)));
