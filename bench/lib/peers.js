// @ts-check
/**
 * Builds everything the clients need into bench/.peers/ (gitignored), never into the library's dependencies:
 *   - ours:    a snapshot build of src/ at HEAD (tsc -> .peers/ours/dist), so concurrent edits cannot change a run;
 *   - npm:     kafkajs, @platformatic/kafka, node-rdkafka, @confluentinc/kafka-javascript, each `npm install --prefix .peers/npm-<name>` on its own,
 *              so one failing build does not take the others down;
 *   - java:    javac of bench/java/*.java against the broker's kafka-clients jar (the Maven cache, libsDir());
 *   - go:      `go build` of bench/sarama (IBM/sarama) and bench/franz-go (twmb/franz-go), from the Go module proxy;
 *   - otel-agent: the OpenTelemetry Java agent jar (Maven Central), for the Java-with-tracing baseline.
 * Each step reports { ok, reason }: a client that cannot be built is shown in the results with why.
 */
const { spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
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
  // @confluentinc/kafka-javascript: its install (node-pre-gyp --fallback-to-build) tries a prebuilt binary from
  // GitHub first, which is unreachable here, then builds the bundled librdkafka from source. Its default static
  // build configures librdkafka with --install-deps --source-deps-only, which downloads zlib, OpenSSL, zstd ...
  // from their own sites (unreachable too); CKJS_LINKING=dynamic (its documented switch, util/configure.js) builds
  // the same bundled librdkafka against the system's libraries instead, as node-rdkafka's build does.
  confluent: { spec: '@confluentinc/kafka-javascript@1.10.1', env: { CKJS_LINKING: 'dynamic' } },
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
 * Builds into a fresh temporary directory, then renames it to `final`: several harness runs (ours, a colleague's)
 * may share bench/.peers/, and a client must never see a half-built or removed snapshot. An existing complete
 * `final` is reused.
 * @param {string} final @param {(dir: string) => { ok: boolean, reason?: string }} build
 */
function buildAtomically(final, build) {
  if (fs.existsSync(path.join(final, '.complete'))) return { ok: true };
  const tmp = `${final}.tmp-${process.pid}-${crypto.randomBytes(3).toString('hex')}`;
  fs.mkdirSync(tmp, { recursive: true });
  const r = build(tmp);
  if (!r.ok) {
    fs.rmSync(tmp, { recursive: true, force: true });
    return r;
  }
  fs.writeFileSync(path.join(tmp, '.complete'), new Date().toISOString());
  try {
    fs.renameSync(tmp, final);
  } catch {
    fs.rmSync(tmp, { recursive: true, force: true }); // someone else finished the same build first
    if (!fs.existsSync(path.join(final, '.complete'))) return { ok: false, reason: `could not move the build into ${final}` };
  }
  return { ok: true };
}

/**
 * Snapshot build of the library: by default of the committed HEAD (`git archive`, so other people's uncommitted
 * edits never leak into a measurement; one directory per commit, reused), or of the working tree with `worktree`
 * (one directory per run, removed at exit). Compiled with the repository's tsc and tsconfig.build.json;
 * rxjs and kafkajs resolve from the repository's node_modules.
 * @param {boolean} worktree
 */
function buildOurs(worktree) {
  const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const compile = (/** @type {string} */ project, /** @type {string} */ outDir) => {
    const r = run(process.execPath, [tsc, '-p', project, '--outDir', outDir, '--declaration', 'false', '--declarationMap', 'false', '--sourceMap', 'true']);
    return r.ok ? { ok: true } : { ok: false, reason: `tsc failed: ${why(r.out)}` };
  };
  if (worktree) {
    const version = run('git', ['-C', ROOT, 'describe', '--always', '--dirty']).out.trim() || 'unknown';
    const final = path.join(PEERS, 'ours', `worktree-${process.pid}`);
    process.on('exit', () => fs.rmSync(final, { recursive: true, force: true }));
    const r = buildAtomically(final, (dir) => compile(path.join(ROOT, 'tsconfig.build.json'), path.join(dir, 'dist')));
    return r.ok ? { ok: true, dir: path.join(final, 'dist'), version: `${version} (working tree)` } : r;
  }
  const sha = run('git', ['-C', ROOT, 'rev-parse', '--short=12', 'HEAD']).out.trim();
  if (!sha) return { ok: false, reason: 'not a git checkout (use --worktree)' };
  const final = path.join(PEERS, 'ours', sha);
  const r = buildAtomically(final, (dir) => {
    const archive = run('bash', ['-c', `git -C "${ROOT}" archive ${sha} src tsconfig.json tsconfig.build.json | tar -x -C "${dir}"`]);
    if (!archive.ok) return { ok: false, reason: `git archive failed: ${why(archive.out)}` };
    return compile(path.join(dir, 'tsconfig.build.json'), path.join(dir, 'dist'));
  });
  return r.ok ? { ok: true, dir: path.join(final, 'dist'), version: sha } : r;
}

/** @param {keyof typeof NPM_PEERS} name */
function installNpm(name) {
  const { spec } = NPM_PEERS[name];
  const extra = /** @type {{ extra?: string[] }} */ (NPM_PEERS[name]).extra ?? [];
  const env = /** @type {{ env?: Record<string, string> }} */ (NPM_PEERS[name]).env;
  const prefix = path.join(PEERS, `npm-${name}`);
  const pkgName = spec.slice(0, spec.lastIndexOf('@'));
  const want = spec.slice(spec.lastIndexOf('@') + 1);
  const pj = path.join(prefix, 'node_modules', pkgName, 'package.json');
  if (fs.existsSync(pj) && JSON.parse(fs.readFileSync(pj, 'utf8')).version === want) return { ok: true, prefix, version: want };
  fs.mkdirSync(prefix, { recursive: true });
  if (!fs.existsSync(path.join(prefix, 'package.json'))) fs.writeFileSync(path.join(prefix, 'package.json'), JSON.stringify({ name: `bench-peer-${name}`, private: true }, null, 2));
  log(`npm install ${spec} (into ${path.relative(ROOT, prefix)}) ...`);
  const t0 = Date.now();
  const r = run('npm', ['install', '--prefix', prefix, '--no-audit', '--no-fund', '--loglevel=error', spec, ...extra], { cwd: prefix, ...(env ? { env: { ...process.env, ...env } } : {}) });
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
  const srcs = fs.readdirSync(path.join(BENCH, 'java')).filter((f) => f.endsWith('.java')).sort().map((f) => path.join(BENCH, 'java', f));
  const clientsJar = fs.readdirSync(libs).find((f) => /^kafka-clients-.*\.jar$/.test(f)) || '';
  const classpath = `${libs}/*`;
  // One directory per version of the sources and jars: concurrent runs never recompile under each other.
  const hash = crypto.createHash('sha256').update(libs);
  for (const f of srcs) hash.update(fs.readFileSync(f));
  const out = path.join(PEERS, 'java', hash.digest('hex').slice(0, 12));
  const r = buildAtomically(out, (dir) => {
    const c = run('javac', ['-nowarn', '-d', dir, '-cp', classpath, ...srcs]);
    return c.ok ? { ok: true } : { ok: false, reason: `javac failed: ${why(c.out)}` };
  });
  if (!r.ok) return r;
  return { ok: true, classpath: `${out}:${classpath}`, version: clientsJar.replace(/\.jar$/, '') };
}

/** The OpenTelemetry Java agent, for the Java-with-tracing baseline (Maven Central, into the local Maven cache). */
const OTEL_AGENT = { group: 'io.opentelemetry.javaagent', artifact: 'opentelemetry-javaagent', version: '2.33.1' };
function fetchOtelAgent() {
  const { group, artifact, version } = OTEL_AGENT;
  const jar = path.join(require('node:os').homedir(), '.m2', 'repository', ...group.split('.'), artifact, version, `${artifact}-${version}.jar`);
  if (!fs.existsSync(jar)) {
    const r = run('mvn', ['-q', 'dependency:get', `-Dartifact=${group}:${artifact}:${version}`, '-Dtransitive=false']);
    if (!r.ok || !fs.existsSync(jar)) return { ok: false, reason: `mvn dependency:get ${artifact}:${version} failed: ${why(r.out)}` };
  }
  return { ok: true, jar, version: `${artifact} ${version}` };
}

/**
 * go build of a Go client in bench/<dir> (modules from the Go module proxy) into bench/.peers/<bin>; `mod` is the
 * module whose version names the build.
 * @param {string} dir @param {string} bin @param {string} mod @param {string} label
 */
function buildGo(dir, bin, mod, label) {
  const src = path.join(BENCH, dir);
  const out = path.join(PEERS, bin);
  const goVersion = run('go', ['version']);
  if (!goVersion.ok) return { ok: false, reason: 'go is not installed' };
  const tmp = `${out}.tmp-${process.pid}`;
  const r = run('go', ['build', '-o', tmp, '.'], { cwd: src, env: { ...process.env, GOFLAGS: '-mod=mod' } });
  if (!r.ok) return { ok: false, reason: `go build failed: ${why(r.out)}` };
  fs.renameSync(tmp, out); // atomic: a running client keeps the file it started from
  const text = fs.readFileSync(path.join(src, 'go.mod'), 'utf8');
  const m = new RegExp(`${mod.replace(/[.]/g, '\\.')} (v[\\w.-]+)`).exec(text);
  return { ok: true, bin: out, version: m ? `${label} ${m[1]}` : label };
}

/** go build the sarama client (IBM/sarama). */
const buildSarama = () => buildGo('sarama', 'sarama-bench', 'github.com/IBM/sarama', 'sarama');

/** go build the franz-go client (twmb/franz-go pkg/kgo). */
const buildFranzGo = () => buildGo('franz-go', 'franz-go-bench', 'github.com/twmb/franz-go', 'franz-go');

/**
 * Builds what `wanted` (a set of build names: ours, kafkajs, platformatic, rdkafka, confluent, java, sarama, franz-go,
 * otel-agent) needs.
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
  if (wanted.has('otel-agent')) {
    log('fetching the OpenTelemetry Java agent ...');
    built['otel-agent'] = fetchOtelAgent();
  }
  if (wanted.has('sarama')) {
    log('building the sarama client ...');
    built.sarama = buildSarama();
  }
  if (wanted.has('franz-go')) {
    log('building the franz-go client ...');
    built['franz-go'] = buildFranzGo();
  }
  for (const [k, v] of Object.entries(built)) if (!v.ok) log(`  ${k}: NOT BUILT: ${v.reason}`);
  return built;
}

module.exports = { preparePeers, PEERS, BENCH, ROOT, NPM_PEERS };
