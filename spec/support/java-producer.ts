import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { fetchKafka } from '../../broker/kafka-broker';

/**
 * Drives spec/support/java/InteropProducer.java: a real Java KafkaProducer as a child process, so tests can
 * decode batches written by the Java client (every codec; transactions with commit and abort markers).
 */

export type JavaCodec = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';

interface Common {
  readonly brokers: string | readonly string[];
  readonly topic: string;
  /** Record i goes to partition i % partitions. */
  readonly partitions: number;
  readonly codec: JavaCodec;
}
/** N records `javaRecord('', i)`. */
export interface JavaRecordsRun extends Common { readonly mode: 'records'; readonly count: number }
/** One committed transaction of K records (prefix 'c1-'), one aborted of M ('a-'), another committed of K ('c2-'). */
export interface JavaTxnRun extends Common { readonly mode: 'txn'; readonly committed: number; readonly aborted: number; readonly transactionalId: string }

export interface JavaProduced {
  readonly event: 'produced';
  readonly topic: string;
  readonly codec: JavaCodec;
  readonly count?: number;
  readonly committed?: number;
  readonly aborted?: number;
  /** Offset of the last record written per partition (control records excluded). */
  readonly lastOffsets: Readonly<Record<string, number>>;
  readonly recordsPerRequestAvg: number;
  /** Compressed / uncompressed size (1 for 'none'). */
  readonly compressionRateAvg: number;
}

export interface ExpectedRecord {
  readonly key: string;
  readonly value: string | null;
  readonly timestamp: number;
  readonly headers: readonly { readonly key: string; readonly value: string | null }[];
}

/** What InteropProducer writes as record i with the given prefix (its `record` method, mirrored). */
export const javaRecord = (prefix: string, i: number): ExpectedRecord => ({
  key: `${prefix}k-${i}`,
  value: i % 101 === 0 ? null : `${prefix}value-${i}-${'x'.repeat(i % 50)}`,
  timestamp: 1_700_000_000_000 + i,
  headers: [
    { key: 'idx', value: String(i) },
    { key: 'src', value: 'java' },
    ...(i % 7 === 0 ? [{ key: 'empty', value: null }] : []),
    ...(i % 5 === 0 ? [{ key: 'dup', value: 'a' }, { key: 'dup', value: 'b' }] : []),
  ],
});

const SOURCE = join(__dirname, 'java', 'InteropProducer.java');
const bin = (tool: string): string => (process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', tool) : tool);
const LOG4J2 = 'rootLogger.level=WARN\nrootLogger.appenderRef.e.ref=E\nappender.e.type=Console\nappender.e.name=E\nappender.e.target=SYSTEM_ERR\nappender.e.layout.type=PatternLayout\nappender.e.layout.pattern=%p %m (%c)%n\n';
const run = promisify(execFile);

let compiled: Promise<string> | undefined;

/** Compiles InteropProducer once per source hash; resolves with the classes dir. */
export const compileProducer = (): Promise<string> =>
  (compiled ??= (async () => {
    const { libs } = fetchKafka();
    const dir = join(tmpdir(), `rx-kafka-producer-${createHash('sha256').update(readFileSync(SOURCE)).update(libs).digest('hex').slice(0, 16)}`);
    if (existsSync(join(dir, 'InteropProducer.class'))) return dir;
    const tmp = `${dir}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
    mkdirSync(tmp, { recursive: true });
    try {
      await run(bin('javac'), ['--release', '17', '-cp', `${libs}/*`, '-d', tmp, SOURCE]);
      writeFileSync(join(tmp, 'log4j2.properties'), LOG4J2);
      renameSync(tmp, dir);
    } catch (e) {
      rmSync(tmp, { recursive: true, force: true });
      if (!existsSync(join(dir, 'InteropProducer.class'))) throw e; // else a concurrent compile won the rename
    }
    return dir;
  })().catch((e: unknown) => {
    compiled = undefined;
    throw e;
  }));

/** Runs the Java producer to completion; resolves with its summary, rejects (with stderr) on a non-zero exit. */
export const runJavaProducer = async (opts: JavaRecordsRun | JavaTxnRun): Promise<JavaProduced> => {
  const classes = await compileProducer();
  const { libs } = fetchKafka();
  const brokers = typeof opts.brokers === 'string' ? opts.brokers : opts.brokers.join(',');
  const mode = opts.mode === 'records' ? ['records', String(opts.count)] : ['txn', String(opts.committed), String(opts.aborted), opts.transactionalId];
  const { stdout } = await run(
    bin('java'),
    ['-Xmx256m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', `-Dlog4j2.configurationFile=${join(classes, 'log4j2.properties')}`,
      '-cp', `${classes}${delimiter}${libs}/*`, 'InteropProducer', brokers, opts.topic, String(opts.partitions), opts.codec, ...mode],
    { timeout: 90_000, maxBuffer: 16 * 1024 * 1024 },
  ).catch((e: unknown) => {
    const err = e as { code?: unknown; stderr?: string };
    throw new Error(`Java producer (${opts.topic}) failed (code ${String(err.code)})\n--- stderr (tail) ---\n${(err.stderr ?? '').slice(-8000)}`);
  });
  const line = stdout.split('\n').find((l) => l.startsWith('{"event":"produced"'));
  if (!line) throw new Error(`Java producer (${opts.topic}) printed no summary: ${stdout.slice(-2000)}`);
  return JSON.parse(line) as JavaProduced;
};
