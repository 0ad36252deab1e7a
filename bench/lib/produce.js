// @ts-check
/**
 * Topic set-up and pre-production: the Java producer (bench/java/BenchProducer.java, large batches, linger 20 ms)
 * when it was built, else kafkajs through the library's admin kit (batches of 10,000). Produced once per scenario.
 */
const { spawn } = require('node:child_process');
const path = require('node:path');

/** @param {Record<string, any>} built */
const adminKit = (built, /** @type {string[]} */ brokers) => require(path.join(built.ours.dir, 'transport', 'kafkajs', 'admin-kit.js')).createAdminKit(brokers, 'bench-admin');

/**
 * Runs the Java producer; resolves with its JSON line.
 * @param {Record<string, any>} built
 * @param {{ bootstrap: string, topic: string, records: number, valueBytes: number, partitions: number, ratePerSec?: number }} o
 * @returns {{ done: Promise<{ records: number, ms: number }>, kill: () => void }}
 */
function javaProducer(built, o) {
  const args = ['-Xmx1g', `-Dlog4j2.configurationFile=${path.join(__dirname, '..', 'java', 'log4j2.properties')}`, '-cp', built.java.classpath, 'BenchProducer', o.bootstrap, o.topic, String(o.records), String(o.valueBytes), String(o.partitions)];
  if (o.ratePerSec) args.push(String(o.ratePerSec));
  const child = spawn('java', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const done = new Promise((resolve, reject) =>
    child.on('close', (code) => {
      const line = out.trim().split('\n').pop() || '';
      if (code === 0 && line.startsWith('{')) resolve(JSON.parse(line));
      else reject(new Error(`BenchProducer exited ${code}: ${err.slice(-500)}`));
    }),
  );
  return { done, kill: () => child.kill('SIGKILL') };
}

/**
 * Creates `topic` and fills it with `records` values of `valueBytes`, round-robin over its partitions.
 * @param {Record<string, any>} built
 * @param {{ bootstrap: string, topic: string, records: number, valueBytes: number, partitions: number }} o
 */
async function prepareTopic(built, o) {
  const brokers = o.bootstrap.split(',');
  const kit = adminKit(built, brokers);
  try {
    // Right after a topic was created or deleted, KRaft metadata can lag ("This server does not host this
    // topic-partition"): retry; creating an existing topic is a no-op.
    for (let attempt = 1; ; attempt++) {
      try {
        await kit.createTopic(o.topic, o.partitions, { config: { 'segment.bytes': String(256 * 1024 * 1024) } });
        break;
      } catch (e) {
        if (attempt >= 10) throw e;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
    const t0 = Date.now();
    if (o.records > 0) {
      if (built.java?.ok) {
        await javaProducer(built, o).done;
      } else {
        const value = Buffer.alloc(o.valueBytes, 'x');
        const chunk = 100_000;
        for (let i = 0; i < o.records; i += chunk) {
          const n = Math.min(chunk, o.records - i);
          await kit.produce(o.topic, Array.from({ length: n }, (_, k) => ({ value, partition: (i + k) % o.partitions })));
        }
      }
    }
    // The same lag: retry the check briefly.
    let total = -1;
    for (let attempt = 1; ; attempt++) {
      try {
        const ends = await kit.endOffsets(o.topic);
        total = [...ends.values()].reduce((a, b) => a + Number(b), 0);
        break;
      } catch (e) {
        if (attempt >= 10) throw e;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
    if (total !== o.records) throw new Error(`topic ${o.topic} holds ${total} records, expected ${o.records}`);
    return { ms: Date.now() - t0, producer: built.java?.ok ? 'java' : 'kafkajs' };
  } finally {
    await kit.close();
  }
}

module.exports = { prepareTopic, javaProducer, adminKit };
