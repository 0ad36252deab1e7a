#!/usr/bin/env node
/**
 * Regenerates spec/unit/strategies/java-sticky-table.json: assignment cases computed by the Java client's own
 * StickyAssignor and CooperativeStickyAssignor (kafka-clients, the version broker/kafka-broker.js fetches), which
 * the TypeScript ports in src/strategies/ are checked against.
 *
 *   node scripts/assignor-table.js
 *
 * Fetches the Kafka jars if they are not cached yet (broker/kafka-broker.js fetchKafka, via Maven), compiles
 * spec/support/java/AssignorTable.java into a temporary directory, runs it and writes its stdout (the JSON, nothing
 * else) to the table. The Java program is deterministic (fixed seed), so an unchanged source regenerates a
 * byte-identical file. Java's own log lines (e.g. the assignors' "Found multiple consumers ..." errors) go to
 * stderr and are only counted here; set ASSIGNOR_TABLE_VERBOSE=1 to see them.
 */
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.join(__dirname, '..');
const { fetchKafka } = require(path.join(root, 'broker', 'kafka-broker.js'));
const SOURCE = path.join(root, 'spec', 'support', 'java', 'AssignorTable.java');
const OUT = path.join(root, 'spec', 'unit', 'strategies', 'java-sticky-table.json');
const bin = (tool) => (process.env.JAVA_HOME ? path.join(process.env.JAVA_HOME, 'bin', tool) : tool);
const LOG4J2 = ['rootLogger.level=WARN', 'rootLogger.appenderRef.e.ref=E', 'appender.e.type=Console', 'appender.e.name=E',
  'appender.e.target=SYSTEM_ERR', 'appender.e.layout.type=PatternLayout', 'appender.e.layout.pattern=%p %m (%c)%n'].join('\n') + '\n';

/** Runs a tool, failing with its output when it exits non-zero. */
const run = (tool, args) => {
  const r = spawnSync(bin(tool), args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (r.error) throw new Error(`${tool} could not start: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${tool} exited ${r.status}\n${r.stderr}${r.stdout.slice(0, 2000)}`);
  return r;
};

const main = () => {
  const { libs } = fetchKafka();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rx-kafka-assignor-table-'));
  try {
    run('javac', ['--release', '17', '-Xlint:-removal', '-cp', `${libs}/*`, '-d', tmp, SOURCE]);
    const log4j = path.join(tmp, 'log4j2.properties');
    fs.writeFileSync(log4j, LOG4J2);
    const r = run('java', ['-Xmx512m', '-XX:+UseSerialGC', `-Dlog4j2.configurationFile=${log4j}`,
      '-cp', `${tmp}${path.delimiter}${libs}/*`, 'AssignorTable']);
    const table = JSON.parse(r.stdout); // throws on anything but clean JSON
    fs.writeFileSync(OUT, r.stdout);
    const cases = table.cases;
    const count = (f) => cases.filter(f).length;
    const logLines = r.stderr.split('\n').filter((l) => l.trim() !== '');
    if (process.env.ASSIGNOR_TABLE_VERBOSE) process.stderr.write(r.stderr);
    console.log(`wrote ${path.relative(root, OUT)} (${Buffer.byteLength(r.stdout)} bytes, kafka-clients ${table.kafkaClients})`);
    console.log(`${cases.length} cases: ${count((c) => c.assignor === 'sticky')} sticky, ` +
      `${count((c) => c.assignor === 'cooperative-sticky')} cooperative-sticky; ` +
      `${count((c) => !c.subscriptionsEqual)} with unequal subscriptions (general path); ` +
      `${count((c) => c.error !== undefined)} where Java threw; ${table.userData.length} userData encodings` +
      (logLines.length ? `; ${logLines.length} Java log lines on stderr` : ''));
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
};

try {
  main();
} catch (e) {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
}
