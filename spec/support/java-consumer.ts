import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { ReplaySubject, filter, firstValueFrom, type Observable } from 'rxjs';
import { fetchKafka } from '../../broker/kafka-broker';

/**
 * Drives spec/support/java/InteropConsumer.java: a real Java KafkaConsumer (classic protocol) as a child
 * process, so integration tests can put our members and Java members in one group.
 */

export interface JavaPartition { readonly topic: string; readonly partition: number }
export interface JavaAssigned { readonly event: 'assigned'; readonly memberId: string; readonly generation: number; readonly partitions: readonly JavaPartition[] }
export interface JavaRevoked { readonly event: 'revoked' | 'lost'; readonly memberId: string; readonly generation: number; readonly partitions: readonly JavaPartition[] }
/** Cumulative count of records polled so far. */
export interface JavaRecords { readonly event: 'records'; readonly count: number }
export type JavaEvent = JavaAssigned | JavaRevoked | JavaRecords;

export interface JavaConsumerOptions {
  readonly brokers: string | readonly string[];
  readonly groupId: string;
  readonly topics: readonly string[];
  readonly strategy: 'range' | 'roundrobin';
  readonly sessionTimeoutMs?: number;
  readonly heartbeatIntervalMs?: number;
  /** Exit (leaving the group) after polling this many records. */
  readonly maxMessages?: number;
}

export interface JavaConsumer {
  /** Every event since start (replayed to late subscribers); errors if the process dies other than by stop(). */
  readonly events: Observable<JavaEvent>;
  /** The latest 'assigned' event, then each later one. */
  readonly assignments: Observable<JavaAssigned>;
  /** The first 'assigned' event matching, counting from the latest already received. */
  nextAssignment(predicate?: (a: JavaAssigned) => boolean): Promise<JavaAssigned>;
  /** Member id of the latest assignment ('' before the first). */
  readonly memberId: string;
  /** Asks the consumer to close (leaving the group) and resolves with its exit code; SIGKILL after 20 s. */
  stop(): Promise<number>;
}

const SOURCE = join(__dirname, 'java', 'InteropConsumer.java');
const bin = (tool: string): string => (process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', tool) : tool);
const LOG4J2 = ['rootLogger.level=WARN', 'rootLogger.appenderRef.e.ref=E', 'appender.e.type=Console', 'appender.e.name=E',
  'appender.e.target=SYSTEM_ERR', 'appender.e.layout.type=PatternLayout', 'appender.e.layout.pattern=[%d] %p %m (%c)%n'].join('\n') + '\n';

let compiled: Promise<string> | undefined;

/** Compiles InteropConsumer (plus a WARN-to-stderr log4j2.properties) once per source hash; resolves with the classes dir. */
export const compileInterop = (): Promise<string> =>
  (compiled ??= (async () => {
    const { libs } = fetchKafka();
    const source = readFileSync(SOURCE);
    const dir = join(tmpdir(), `rx-kafka-interop-${createHash('sha256').update(source).update(libs).digest('hex').slice(0, 16)}`);
    if (existsSync(join(dir, 'InteropConsumer.class'))) return dir;
    const tmp = `${dir}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
    mkdirSync(tmp, { recursive: true });
    try {
      await promisify(execFile)(bin('javac'), ['--release', '17', '-cp', `${libs}/*`, '-d', tmp, SOURCE]);
      writeFileSync(join(tmp, 'log4j2.properties'), LOG4J2);
      renameSync(tmp, dir);
    } catch (e) {
      rmSync(tmp, { recursive: true, force: true });
      if (!existsSync(join(dir, 'InteropConsumer.class'))) throw e; // else a concurrent compile won the rename
    }
    return dir;
  })().catch((e: unknown) => {
    compiled = undefined;
    throw e;
  }));

/** Starts a Java consumer (compiling first if needed); failures surface through `events` and the promises. */
export const startJavaConsumer = (opts: JavaConsumerOptions): JavaConsumer => {
  const events = new ReplaySubject<JavaEvent>();
  const assignments = new ReplaySubject<JavaAssigned>(1);
  let memberId = '';
  let stderr = '';
  let stopRequested = false;
  const fail = (why: string): void => {
    const err = new Error(`Java consumer (group ${opts.groupId}) ${why}\n--- stderr (tail) ---\n${stderr.slice(-8000)}`);
    events.error(err);
    assignments.error(err);
  };

  const started: Promise<ChildProcess | undefined> = compileInterop().then(
    (classes) => {
      const { libs } = fetchKafka();
      const brokers = typeof opts.brokers === 'string' ? opts.brokers : opts.brokers.join(',');
      const args = [brokers, opts.groupId, opts.topics.join(','), opts.strategy, String(opts.sessionTimeoutMs ?? 10_000),
        String(opts.heartbeatIntervalMs ?? 1_000), ...(opts.maxMessages === undefined ? [] : [String(opts.maxMessages)])];
      const child = spawn(bin('java'), ['-Xmx256m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1',
        `-Dlog4j2.configurationFile=${join(classes, 'log4j2.properties')}`, '-cp', `${classes}${delimiter}${libs}/*`,
        'InteropConsumer', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
      child.stderr?.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-64_000); });
      child.stdin?.on('error', () => undefined); // EPIPE if it already exited
      let buf = '';
      child.stdout?.on('data', (d: Buffer) => {
        buf += d.toString();
        const lines = buf.split('\n');
        buf = lines.pop() ?? '';
        for (const line of lines.filter((l) => l.trim() !== '')) {
          let ev: JavaEvent;
          try { ev = JSON.parse(line) as JavaEvent; } catch { stderr += `[non-JSON stdout] ${line}\n`; continue; }
          if (ev.event === 'assigned') { memberId = ev.memberId; assignments.next(ev); }
          events.next(ev);
        }
      });
      child.on('error', (e) => fail(`could not start: ${e.message}`));
      child.on('close', (code, signal) => {
        if (code === 0 && (stopRequested || opts.maxMessages !== undefined)) { events.complete(); assignments.complete(); }
        else fail(`exited unexpectedly (code ${code}, signal ${signal})`);
      });
      return child;
    },
    (e: unknown) => { fail(`could not compile: ${e instanceof Error ? e.message : String(e)}`); return undefined; },
  );

  return {
    events: events.asObservable(),
    assignments: assignments.asObservable(),
    nextAssignment: (predicate = () => true) => firstValueFrom(assignments.pipe(filter(predicate))),
    get memberId() { return memberId; },
    async stop() {
      const child = await started;
      if (!child) return -1;
      stopRequested = true;
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<void>((r) => child.once('close', () => r()));
        child.stdin?.end('stop\n');
        const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
        await exited;
        clearTimeout(killer);
      }
      return child.exitCode ?? -1;
    },
  };
};
