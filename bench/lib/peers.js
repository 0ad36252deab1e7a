// @ts-check
/**
 * Builds everything the clients need into bench/.peers/ (gitignored), never into the library's dependencies:
 *   - ours:    a snapshot build of src/ at HEAD (tsc -> .peers/ours/dist), so concurrent edits cannot change a run;
 *   - npm:     kafkajs, @platformatic/kafka, node-rdkafka, each `npm install --prefix .peers/npm-<name>` on its own,
 *              so one failing build does not take the others down;
 *   - java:    javac of bench/java/*.java against the broker's kafka-clients jar (the Maven cache, libsDir());
 *   - go:      `go build` of bench/sarama (IBM/sarama from the Go module proxy).
 * Each step reports { ok, reason }: a client that cannot be built is shown in the results with why.
 */
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { fetchKafka } = require('../../broker/kafka-broker');

const ROOT = path.resolve(__dirname, '..', '..');
const BENCH = path.join(ROOT, 'bench');
const PEERS = path.join(BENCH, '.peers');

/** npm peers: one prefix each. `env` adds build-time variables. */
const NPM_PEERS = {
  kafkajs: { spec: 'kafkajs@2.2.4' },
  platformatic: { spec: '@platformatic/kafka@1.35.0' },
  rdkafka: { spec: 'node-rdkafka@3.6.1' },
  // Not a client: draws the results chart (SVG, headless).
  chart: { spec: 'vega-lite@6.5.0', extra: ['vega@6.4.0'] },
};

/** @param {string} cmd @param {string[]} args @param {import('node:child_process').SpawnSyncOptions} [opts] */
function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...opts });
  const out = `${r.stdout || ''}${r.stderr || ''}`;
  return { ok: r.status === 0, out, status: r.status, error: r.error };
}

/** Last meaningful lines of a failed build, for the report. @param {string} out */
const why = (out) =>
  out
    .split('\n')
    .filter((l) => /err|fail|cannot|not found|ENOTFOUND/i.test(l))
    .slice(-4)
    .join(' | ')
    .slice(0, 400) || out.trim().split('\n').slice(-3).join(' | ').slice(0, 400);

const log = (/** @type {string} */ s) => process.stderr.write(`[bench] ${s}\n`);

/**
 * Snapshot build of the library: by default of the committed HEAD (`git archive`, so other people's uncommitted
 * edits never leak into a measurement), or of the working tree with `worktree`. Compiled with the repository's
 * tsc and tsconfig.build.json into .peers/ours/dist; rxjs and kafkajs resolve from the repository's node_modules.
 * @param {boolean} worktree
 */
function buildOurs(worktree) {
  const out = path.join(PEERS, 'ours');
  fs.rmSync(out, { recursive: true, force: true });
  fs.mkdirSync(out, { recursive: true });
  let project = path.join(ROOT, 'tsconfig.build.json');
  let version = run('git', ['-C', ROOT, 'describe', '--always', '--dirty']).out.trim() || 'unknown';
  if (!worktree) {
    const archive = run('bash', ['-c', `git -C "${ROOT}" archive HEAD src tsconfig.json tsconfig.build.json | tar -x -C "${out}"`]);
    if (!archive.ok) return { ok: false, reason: `git archive failed: ${why(archive.out)}` };
    project = path.join(out, 'tsconfig.build.json');
    version = run('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD']).out.trim();
  }
  const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const r = run(process.execPath, [tsc, '-p', project, '--outDir', path.join(out, 'dist'), '--declaration', 'false', '--declarationMap', 'false', '--sourceMap', 'true']);
  if (!r.ok) return { ok: false, reason: `tsc failed: ${why(r.out)}` };
  return { ok: true, dir: path.join(out, 'dist'), version: worktree ? `${version} (working tree)` : version };
}

/** @param {keyof typeof NPM_PEERS} name */
function installNpm(name) {
  const { spec } = NPM_PEERS[name];
  const extra = /** @type {{ extra?: string[] }} */ (NPM_PEERS[name]).extra ?? [];
  const prefix = path.join(PEERS, `npm-${name}`);
  const pkgName = spec.slice(0, spec.lastIndexOf('@'));
  const want = spec.slice(spec.lastIndexOf('@') + 1);
  const pj = path.join(prefix, 'node_modules', pkgName, 'package.json');
  if (fs.existsSync(pj) && JSON.parse(fs.readFileSync(pj, 'utf8')).version === want) return { ok: true, prefix, version: want };
  fs.mkdirSync(prefix, { recursive: true });
  if (!fs.existsSync(path.join(prefix, 'package.json'))) fs.writeFileSync(path.join(prefix, 'package.json'), JSON.stringify({ name: `bench-peer-${name}`, private: true }, null, 2));
  log(`npm install ${spec} (into ${path.relative(ROOT, prefix)}) ...`);
  const t0 = Date.now();
  const r = run('npm', ['install', '--prefix', prefix, '--no-audit', '--no-fund', '--loglevel=error', spec, ...extra], { cwd: prefix });
  if (!r.ok || !fs.existsSync(pj)) return { ok: false, reason: `npm install ${spec} failed: ${why(r.out)}` };
  log(`  ${spec} installed in ${Math.round((Date.now() - t0) / 1000)} s`);
  return { ok: true, prefix, version: want };
}

/** javac the Java producer and consumer against kafka-clients from the broker's Maven cache. */
function buildJava() {
  let libs;
  try {
    libs = fetchKafka().libs;
  } catch (e) {
    return { ok: false, reason: `Kafka jars unavailable: ${String(e)}` };
  }
  const out = path.join(PEERS, 'java');
  const srcs = fs.readdirSync(path.join(BENCH, 'java')).filter((f) => f.endsWith('.java')).map((f) => path.join(BENCH, 'java', f));
  const stamp = path.join(out, '.stamp');
  const newest = Math.max(...srcs.map((f) => fs.statSync(f).mtimeMs));
  const clientsJar = fs.readdirSync(libs).find((f) => /^kafka-clients-.*\.jar$/.test(f)) || '';
  const classpath = `${libs}/*`;
  if (!(fs.existsSync(stamp) && fs.statSync(stamp).mtimeMs >= newest)) {
    fs.mkdirSync(out, { recursive: true });
    const r = run('javac', ['-nowarn', '-d', out, '-cp', classpath, ...srcs]);
    if (!r.ok) return { ok: false, reason: `javac failed: ${why(r.out)}` };
    fs.writeFileSync(stamp, new Date().toISOString());
  }
  return { ok: true, classpath: `${out}:${classpath}`, version: clientsJar.replace(/\.jar$/, '') };
}

/** go build the sarama client (modules from the Go module proxy). */
function buildSarama() {
  const dir = path.join(BENCH, 'sarama');
  const bin = path.join(PEERS, 'sarama-bench');
  const goVersion = run('go', ['version']);
  if (!goVersion.ok) return { ok: false, reason: 'go is not installed' };
  const r = run('go', ['build', '-o', bin, '.'], { cwd: dir, env: { ...process.env, GOFLAGS: '-mod=mod' } });
  if (!r.ok) return { ok: false, reason: `go build failed: ${why(r.out)}` };
  const mod = fs.readFileSync(path.join(dir, 'go.mod'), 'utf8');
  const m = /github\.com\/IBM\/sarama (v[\w.-]+)/.exec(mod);
  return { ok: true, bin, version: m ? `sarama ${m[1]}` : 'sarama' };
}

/**
 * Builds what `wanted` (a set of build names: ours, kafkajs, platformatic, rdkafka, java, sarama) needs.
 * @param {Set<string>} wanted
 * @param {{ worktree?: boolean }} [opts]
 * @returns {Record<string, { ok: boolean, reason?: string, [k: string]: unknown }>}
 */
function preparePeers(wanted, opts = {}) {
  fs.mkdirSync(PEERS, { recursive: true });
  /** @type {Record<string, any>} */
  const built = {};
  if (wanted.has('ours')) {
    log(`building rx-kafka-cluster (${opts.worktree ? 'working tree' : 'HEAD'}) ...`);
    built.ours = buildOurs(!!opts.worktree);
  }
  for (const name of /** @type {(keyof typeof NPM_PEERS)[]} */ (Object.keys(NPM_PEERS))) if (wanted.has(name)) built[name] = installNpm(name);
  if (wanted.has('java')) {
    log('compiling the Java clients ...');
    built.java = buildJava();
  }
  if (wanted.has('sarama')) {
    log('building the sarama client ...');
    built.sarama = buildSarama();
  }
  for (const [k, v] of Object.entries(built)) if (!v.ok) log(`  ${k}: NOT BUILT: ${v.reason}`);
  return built;
}

module.exports = { preparePeers, PEERS, BENCH, ROOT, NPM_PEERS };
