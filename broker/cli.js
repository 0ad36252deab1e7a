#!/usr/bin/env node
// @ts-check
/**
 * The broker by hand:
 *   node broker/cli.js fetch              materialise the jars (Maven Central -> cache)
 *   node broker/cli.js start [--nodes 3]  start in the background; prints the bootstrap address
 *   node broker/cli.js start --secured    one secured node (broker/secured-broker.js): prints its listeners, the CA
 *                                         and the users; every user's password is in .kafka/secured-password
 *   node broker/cli.js stop               stop what `start` started
 *   node broker/cli.js status             print the bootstrap address of the running broker, if any
 * KAFKA_VERSION picks the version (default: the newest 4.x that resolves).
 */
const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');
const { fetchKafka, startCluster, stopCluster, rssMb } = require('./kafka-broker');
const { startSecuredBroker } = require('./secured-broker');

const stateFile = path.join(__dirname, '..', '.kafka', 'state.json');

/** @returns {import('./kafka-broker').KafkaCluster | undefined} */
function readState() {
  try {
    return JSON.parse(fs.readFileSync(stateFile, 'utf8'));
  } catch {
    return undefined;
  }
}

/** @param {number | undefined} pid */
const alive = (pid) => {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function main() {
  const [cmd = 'start', ...rest] = process.argv.slice(2);
  const nodesArg = rest.indexOf('--nodes');
  const nodes = nodesArg >= 0 ? Number(rest[nodesArg + 1]) : 1;
  switch (cmd) {
    case 'fetch': {
      const r = fetchKafka();
      console.error(r.fetched ? `fetched into ${r.libs} in ${r.ms} ms` : `cached: ${r.libs}`);
      return;
    }
    case 'start': {
      const running = readState();
      if (running && running.nodes.some((n) => alive(n.pid))) {
        console.log(running.bootstrap);
        console.error('(already running; `npm run kafka:stop` stops it)');
        return;
      }
      const t0 = Date.now();
      fs.mkdirSync(path.dirname(stateFile), { recursive: true });
      /** @type {Record<string, unknown>} */
      let extra = {};
      let cluster;
      if (rest.includes('--secured')) {
        const password = crypto.randomBytes(12).toString('base64url');
        const secured = await startSecuredBroker({ password, detached: true });
        cluster = secured.cluster;
        const passwordFile = path.join(path.dirname(stateFile), 'secured-password');
        fs.writeFileSync(passwordFile, password + '\n', { mode: 0o600 });
        extra = { secured: { listeners: secured.listeners, certs: secured.certs, users: secured.users, certDir: path.dirname(path.dirname(secured.certs.ca)), passwordFile } };
        console.error(`secured: ${JSON.stringify(secured.listeners)}; CA ${secured.certs.ca}; users ${secured.users.join(', ')} (admin is a super user); password in ${passwordFile}`);
      } else {
        cluster = await startCluster({ nodes, detached: true });
      }
      const ms = Date.now() - t0;
      const { nodes: ns, ...rest2 } = cluster;
      fs.writeFileSync(stateFile, JSON.stringify({ ...rest2, ...extra, nodes: ns.map(({ process: _p, ...n }) => n) }, null, 2));
      console.error(`Kafka ${cluster.version}, ${nodes} node(s), ready in ${ms} ms; RSS ${ns.map((n) => `${rssMb(n.pid || 0)} MiB`).join(', ')}; logs in ${cluster.dir}`);
      console.log(cluster.bootstrap);
      return;
    }
    case 'stop': {
      const cluster = readState();
      if (!cluster) {
        console.error('no broker started by `kafka:start` is running');
        return;
      }
      await stopCluster(cluster);
      const secured = /** @type {{ secured?: { certDir: string, passwordFile: string } }} */ (/** @type {unknown} */ (cluster)).secured;
      if (secured) {
        fs.rmSync(secured.certDir, { recursive: true, force: true });
        fs.rmSync(secured.passwordFile, { force: true });
      }
      fs.rmSync(stateFile, { force: true });
      console.error('stopped');
      return;
    }
    case 'status': {
      const cluster = readState();
      if (cluster && cluster.nodes.some((n) => alive(n.pid))) console.log(cluster.bootstrap);
      else process.exitCode = 1;
      return;
    }
    default:
      console.error('usage: node broker/cli.js fetch|start [--nodes 3 | --secured]|stop|status');
      process.exitCode = 64;
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
