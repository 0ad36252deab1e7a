// @ts-check
/**
 * Starts and stops real Apache Kafka brokers (KRaft, combined broker+controller) from jars that Maven
 * materialises into a cache outside the repository. One node, or a 3-node quorum for fault tests.
 *
 *   const cluster = await startCluster({ nodes: 1 });   // cluster.bootstrap === '127.0.0.1:PORT'
 *   await stopCluster(cluster);
 */
const { spawn, spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { probeCoordinator, probeMetadata } = require('./metadata-probe');

/** The default Kafka version: the newest 4.x that resolves from Maven Central here. */
const DEFAULT_KAFKA_VERSION = '4.4.0';
const kafkaVersion = () => process.env.KAFKA_VERSION || DEFAULT_KAFKA_VERSION;
const cacheRoot = () =>
  process.env.RX_KAFKA_CACHE || path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'rx-kafka-cluster');

/** @param {string} version */
const libsDir = (version) => path.join(cacheRoot(), `kafka-${version}`, 'libs');

/**
 * Materialises kafka_2.13 (+ kafka-clients, log4j-core, an slf4j binding) into the cache; a no-op when cached.
 * @param {{ version?: string, log?: (line: string) => void }} [opts]
 * @returns {{ libs: string, fetched: boolean, ms: number }}
 */
function fetchKafka(opts = {}) {
  const version = opts.version || kafkaVersion();
  const libs = libsDir(version);
  const marker = path.join(libs, '.complete');
  if (fs.existsSync(marker)) return { libs, fetched: false, ms: 0 };
  const log = opts.log || ((l) => process.stderr.write(l + '\n'));
  log(`fetching Apache Kafka ${version} from Maven Central into ${libs} ...`);
  const started = Date.now();
  const pom = path.join(__dirname, 'pom.xml');
  const r = spawnSync('mvn', ['-q', '-B', '-f', pom, 'package', `-Dkafka.version=${version}`, `-Dlibs.dir=${libs}`], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (r.status !== 0) throw new Error(`mvn could not fetch Kafka ${version} (exit ${r.status}); see the output above`);
  fs.writeFileSync(marker, new Date().toISOString());
  return { libs, fetched: true, ms: Date.now() - started };
}

/**
 * A free loopback port below the kernel's ephemeral range (32768-60999 on Linux). A port from `listen(0)` is
 * ephemeral: in the seconds before Kafka binds it, an outgoing connection of another test process can take it as
 * its local port ("Address already in use" at start-up). Ports from 20000-32767 are never handed out that way;
 * a random one is probed with a listen and another is tried when it is taken.
 * @returns {Promise<number>}
 */
async function freePort() {
  for (let attempt = 0; ; attempt++) {
    const port = 20000 + Math.floor(Math.random() * 12768);
    if (await canListen(port)) return port;
    if (attempt >= 200) throw new Error('no free loopback port in 20000-32767');
  }
}

/** @param {number} port @returns {Promise<boolean>} */
function canListen(port) {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/** Kafka cluster ids are 16 random bytes, URL-safe base64 without padding, not starting with '-'. */
function clusterId() {
  for (;;) {
    const id = crypto.randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

const LOG4J2 = [
  'rootLogger.level=WARN',
  'rootLogger.appenderRef.o.ref=O',
  'appender.o.type=Console',
  'appender.o.name=O',
  'appender.o.layout.type=PatternLayout',
  'appender.o.layout.pattern=[%d] %p %m (%c)%n',
  'logger.k.name=kafka.server.KafkaRaftServer',
  'logger.k.level=INFO',
  'logger.s.name=kafka.server.BrokerServer',
  'logger.s.level=INFO',
].join('\n');

/**
 * @typedef {{ nodeId: number, port: number, controllerPort: number, dir: string, log: string, props: string, pid?: number, process?: import('node:child_process').ChildProcess, listenerPorts?: Record<string, number>, listenerProtocols?: Record<string, string> }} BrokerNode
 * @typedef {{ version: string, bootstrap: string, nodes: BrokerNode[], dir: string, libs: string, clusterId: string, heapMb: number, jvmProps?: Record<string, string> }} KafkaCluster
 * An extra listener beside PLAINTEXT (which stays the inter-broker and readiness listener): its name, its
 * security protocol; each node gets a free port for it (`node.listenerPorts[name]`).
 * @typedef {{ name: string, protocol: 'PLAINTEXT' | 'SSL' | 'SASL_PLAINTEXT' | 'SASL_SSL' }} ExtraListener
 */

/**
 * @param {BrokerNode} node
 * @param {BrokerNode[]} all
 * @param {Record<string, string | number | boolean>} overrides
 */
function serverProperties(node, all, overrides) {
  const n = all.length;
  const extra = Object.entries(node.listenerPorts || {});
  /** @type {Record<string, string | number | boolean>} */
  const props = {
    'process.roles': 'broker,controller',
    'node.id': node.nodeId,
    'controller.quorum.voters': all.map((x) => `${x.nodeId}@127.0.0.1:${x.controllerPort}`).join(','),
    listeners: [`PLAINTEXT://127.0.0.1:${node.port}`, `CONTROLLER://127.0.0.1:${node.controllerPort}`, ...extra.map(([name, port]) => `${name}://127.0.0.1:${port}`)].join(','),
    'advertised.listeners': [`PLAINTEXT://127.0.0.1:${node.port}`, ...extra.map(([name, port]) => `${name}://127.0.0.1:${port}`)].join(','),
    'inter.broker.listener.name': 'PLAINTEXT',
    'controller.listener.names': 'CONTROLLER',
    'listener.security.protocol.map': ['CONTROLLER:PLAINTEXT', 'PLAINTEXT:PLAINTEXT', ...extra.map(([name]) => `${name}:${(node.listenerProtocols || {})[name] || name}`)].join(','),
    'log.dirs': path.join(node.dir, 'data'),
    'num.partitions': 1,
    'default.replication.factor': n,
    'auto.create.topics.enable': false,
    'offsets.topic.replication.factor': n,
    'offsets.topic.num.partitions': 3,
    'transaction.state.log.replication.factor': n,
    'transaction.state.log.min.isr': Math.min(n, 2),
    'share.coordinator.state.topic.replication.factor': n,
    'share.coordinator.state.topic.min.isr': Math.min(n, 2),
    'group.initial.rebalance.delay.ms': 0,
    'group.min.session.timeout.ms': 500,
    'group.consumer.min.session.timeout.ms': 500,
    'group.consumer.min.heartbeat.interval.ms': 100,
    // Consumer-protocol groups (KIP-848) take session and heartbeat from the broker: the same pace as the classic
    // groups of the tests and benchmarks (the broker defaults are 45 s and 5 s), for ours and Java's alike.
    'group.consumer.heartbeat.interval.ms': 500,
    'group.consumer.session.timeout.ms': 10000,
    'log.segment.bytes': 64 * 1024 * 1024,
    'delete.topic.enable': true,
    ...overrides,
  };
  return Object.entries(props).map(([k, v]) => `${k}=${v}`).join('\n') + '\n';
}

/**
 * @param {KafkaCluster} cluster
 * @param {string[]} args
 */
function javaArgs(cluster, args) {
  return [
    `-Xms${cluster.heapMb}m`,
    `-Xmx${cluster.heapMb}m`,
    '-XX:+UseG1GC',
    '-XX:MaxGCPauseMillis=20',
    '-XX:+ExplicitGCInvokesConcurrent',
    '-Djava.awt.headless=true',
    ...Object.entries(cluster.jvmProps || {}).map(([k, v]) => `-D${k}=${v}`),
    `-Dlog4j2.configurationFile=${path.join(cluster.dir, 'log4j2.properties')}`,
    `-Dkafka.logs.dir=${cluster.dir}`,
    '-cp',
    `${cluster.libs}/*`,
    ...args,
  ];
}

const javaBin = () => (process.env.JAVA_HOME ? path.join(process.env.JAVA_HOME, 'bin', 'java') : 'java');

/** @param {string} file @param {number} lines */
function tail(file, lines = 60) {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/**
 * Starts one broker process (storage must be formatted).
 * @param {KafkaCluster} cluster @param {BrokerNode} node @param {{ detached?: boolean }} opts
 */
function spawnNode(cluster, node, opts = {}) {
  const out = fs.openSync(node.log, 'a');
  const child = spawn(javaBin(), javaArgs(cluster, ['kafka.Kafka', node.props]), {
    stdio: ['ignore', out, out],
    detached: !!opts.detached,
  });
  fs.closeSync(out);
  if (opts.detached) child.unref();
  node.process = child;
  node.pid = child.pid;
  return child;
}

/**
 * Waits until a Metadata request to every node succeeds and reports `expected` brokers.
 * @param {KafkaCluster} cluster @param {number} timeoutMs
 */
async function waitReady(cluster, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  /** @type {unknown} */
  let last;
  for (const node of cluster.nodes) {
    for (;;) {
      if (node.process && node.process.exitCode !== null) {
        throw new Error(`Kafka node ${node.nodeId} exited with code ${node.process.exitCode} during start-up.\n--- ${node.log} (tail) ---\n${tail(node.log)}`);
      }
      try {
        const md = await probeMetadata('127.0.0.1', node.port, 2000);
        if (md.brokers.length >= cluster.nodes.length) break;
        last = new Error(`Metadata lists ${md.brokers.length} of ${cluster.nodes.length} brokers`);
      } catch (e) {
        last = e;
      }
      if (Date.now() > deadline) {
        throw new Error(`Kafka node ${node.nodeId} not ready after ${timeoutMs} ms (${String(last)}).\n--- ${node.log} (tail) ---\n${tail(node.log)}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/**
 * Waits until a group coordinator is available (FindCoordinator answers without error): the first one creates
 * the offsets topic, so consumer groups work from the first test on.
 * @param {KafkaCluster} cluster @param {number} timeoutMs
 */
async function waitCoordinator(cluster, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  const node = cluster.nodes[0];
  if (!node) return;
  let code = -1;
  while (Date.now() < deadline) {
    try {
      code = await probeCoordinator('127.0.0.1', node.port);
      if (code === 0) return;
    } catch {
      code = -1;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`No group coordinator after ${timeoutMs} ms (last FindCoordinator error code ${code}).\n--- ${node.log} (tail) ---\n${tail(node.log)}`);
}

/**
 * Formats storage for and starts a cluster of `nodes` combined broker+controller nodes on free loopback ports.
 * Optional, for secured set-ups: `listeners` (extra listeners, each on its own free port per node), `formatArgs`
 * (more StorageTool format arguments, e.g. `--add-scram`), `jvmProps` (extra -D system properties).
 * @param {{ nodes?: number, version?: string, detached?: boolean, heapMb?: number, readyTimeoutMs?: number, overrides?: Record<string, string | number | boolean>, listeners?: ExtraListener[], formatArgs?: string[], jvmProps?: Record<string, string> }} [opts]
 * @returns {Promise<KafkaCluster>}
 */
async function startCluster(opts = {}) {
  const version = opts.version || kafkaVersion();
  const { libs } = fetchKafka({ version });
  const n = opts.nodes || 1;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rx-kafka-cluster-'));
  fs.writeFileSync(path.join(dir, 'log4j2.properties'), LOG4J2);
  /** @type {BrokerNode[]} */
  const nodes = [];
  for (let i = 1; i <= n; i++) {
    const nodeDir = path.join(dir, `node-${i}`);
    fs.mkdirSync(nodeDir, { recursive: true });
    /** @type {BrokerNode} */
    const node = { nodeId: i, port: await freePort(), controllerPort: await freePort(), dir: nodeDir, log: path.join(nodeDir, 'server.log'), props: path.join(nodeDir, 'server.properties') };
    if (opts.listeners && opts.listeners.length) {
      node.listenerPorts = {};
      node.listenerProtocols = {};
      for (const l of opts.listeners) {
        node.listenerPorts[l.name] = await freePort();
        node.listenerProtocols[l.name] = l.protocol;
      }
    }
    nodes.push(node);
  }
  /** @type {KafkaCluster} */
  const cluster = { version, bootstrap: nodes.map((x) => `127.0.0.1:${x.port}`).join(','), nodes, dir, libs, clusterId: clusterId(), heapMb: opts.heapMb || (n === 1 ? 512 : 384), ...(opts.jvmProps ? { jvmProps: opts.jvmProps } : {}) };
  for (const node of nodes) {
    fs.writeFileSync(node.props, serverProperties(node, nodes, opts.overrides || {}));
    const r = spawnSync(javaBin(), javaArgs(cluster, ['kafka.tools.StorageTool', 'format', '-t', cluster.clusterId, '-c', node.props, ...(opts.formatArgs || [])]), { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`StorageTool format failed for node ${node.nodeId} (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  }
  for (const node of nodes) spawnNode(cluster, node, { detached: opts.detached });
  try {
    await waitReady(cluster, opts.readyTimeoutMs || 90000);
    await waitCoordinator(cluster, opts.readyTimeoutMs || 90000);
  } catch (e) {
    await stopCluster(cluster);
    throw e;
  }
  return cluster;
}

/** @param {number} pid */
const alive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * Stops one node: SIGTERM, then SIGKILL after `timeoutMs`.
 * @param {BrokerNode} node @param {{ timeoutMs?: number, signal?: NodeJS.Signals }} [opts]
 */
async function stopNode(node, opts = {}) {
  const pid = node.pid;
  if (!pid || !alive(pid)) return;
  const deadline = Date.now() + (opts.timeoutMs ?? 20000);
  try {
    process.kill(pid, opts.signal || 'SIGTERM');
  } catch {
    return;
  }
  while (alive(pid) && Date.now() < deadline) {
    if (node.process && node.process.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  if (alive(pid) && !(node.process && node.process.exitCode !== null)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  if (node.process && node.process.exitCode === null && node.process.signalCode === null) {
    await new Promise((r) => node.process && node.process.once('exit', r));
  }
}

/** Restarts a stopped node of a running cluster and waits until it serves Metadata again. */
/** @param {KafkaCluster} cluster @param {BrokerNode} node */
async function restartNode(cluster, node) {
  spawnNode(cluster, node);
  await waitReady({ ...cluster, nodes: [node] }, 90000);
}

/**
 * Stops every node and removes the cluster's data directory.
 * @param {KafkaCluster} cluster @param {{ keepData?: boolean }} [opts]
 */
async function stopCluster(cluster, opts = {}) {
  await Promise.all(cluster.nodes.map((node) => stopNode(node)));
  if (!opts.keepData) fs.rmSync(cluster.dir, { recursive: true, force: true });
}

/** Resident set size of a process in MiB (Linux /proc). @param {number} pid */
function rssMb(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : undefined;
  } catch {
    return undefined;
  }
}

module.exports = { DEFAULT_KAFKA_VERSION, fetchKafka, startCluster, stopCluster, stopNode, restartNode, rssMb, tail, libsDir };
