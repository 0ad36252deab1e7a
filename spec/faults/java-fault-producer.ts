import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { fetchKafka } from '../../broker/kafka-broker';

/**
 * Drives spec/faults/java/FaultProducer.java: the Java client's idempotent acks=all producer, writing numbered
 * payloads throughout a fault scenario. The Java producer, not kafkajs's: kafkajs 2.2.4's producer can report a
 * send as acknowledged while some of its records never reach the log when a broker goes away (seen here in the
 * rolling restart; tulios/kafkajs#1303), which would make the suite blame the consumer for the producer's loss.
 */

const SOURCE = join(__dirname, 'java', 'FaultProducer.java');
const bin = (tool: string): string => (process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', tool) : tool);
const LOG4J2 = 'rootLogger.level=ERROR\nrootLogger.appenderRef.e.ref=E\nappender.e.type=Console\nappender.e.name=E\nappender.e.target=SYSTEM_ERR\nappender.e.layout.type=PatternLayout\nappender.e.layout.pattern=%p %m (%c)%n\n';

let compiled: Promise<string> | undefined;

/** Compiles FaultProducer once per source hash; resolves with the classes dir. */
const compile = (): Promise<string> =>
  (compiled ??= (async () => {
    const { libs } = fetchKafka();
    const dir = join(tmpdir(), `rx-kafka-fault-producer-${createHash('sha256').update(readFileSync(SOURCE)).update(libs).digest('hex').slice(0, 16)}`);
    if (existsSync(join(dir, 'FaultProducer.class'))) return dir;
    const tmp = `${dir}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
    mkdirSync(tmp, { recursive: true });
    try {
      await promisify(execFile)(bin('javac'), ['--release', '17', '-cp', `${libs}/*`, '-d', tmp, SOURCE]);
      writeFileSync(join(tmp, 'log4j2.properties'), LOG4J2);
      renameSync(tmp, dir);
    } catch (e) {
      rmSync(tmp, { recursive: true, force: true });
      if (!existsSync(join(dir, 'FaultProducer.class'))) throw e;
    }
    return dir;
  })().catch((e: unknown) => {
    compiled = undefined;
    throw e;
  }));

/** A running producer: ids are reported through `onAcked` as the cluster acknowledges them. */
export interface FaultProducer {
  /** Ids that failed for good (not counted as produced). */
  readonly failed: string[];
  /** Stops producing, waits for every outstanding acknowledgement, and for the process to exit. */
  stop(): Promise<void>;
  /** Kills the process (cleanup on failure). */
  kill(): void;
}

export const startFaultProducer = async (opts: {
  readonly brokers: string;
  readonly topic: string;
  readonly partitions: number;
  readonly prefix: string;
  readonly perTick: number;
  readonly everyMs: number;
  readonly onAcked: (id: string) => void;
}): Promise<FaultProducer> => {
  const classes = await compile();
  const { libs } = fetchKafka();
  const child: ChildProcess = spawn(
    bin('java'),
    ['-Xmx128m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', `-Dlog4j2.configurationFile=${join(classes, 'log4j2.properties')}`,
      '-cp', `${classes}${delimiter}${libs}/*`, 'FaultProducer', opts.brokers, opts.topic, String(opts.partitions), opts.prefix, String(opts.perTick), String(opts.everyMs)],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  const failed: string[] = [];
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-8000)));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let done = false;
  const lines = createInterface({ input: child.stdout ?? process.stdin });
  const closed = new Promise((resolve) => lines.once('close', resolve));
  lines.on('line', (l) => {
    const [kind, n] = l.split(' ');
    if (kind === 'a') opts.onAcked(`${opts.prefix}-${n}`);
    else if (kind === 'f') failed.push(`${opts.prefix}-${n}`);
    else if (kind === 'done') done = true;
  });
  return {
    failed,
    async stop() {
      child.stdin?.end('stop\n');
      const code = await exit;
      await closed;
      if (code !== 0 || !done) throw new Error(`fault producer exited with ${code} (done: ${done})\n--- stderr ---\n${stderr}`);
    },
    kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
};
