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
/** The first line: the group protocol and the rebalance protocol its assignor gives (ConsumerCoordinator's pick). */
export interface JavaStarted {
  readonly event: 'started';
  readonly groupProtocol: 'classic' | 'consumer';
  readonly strategy: JavaStrategy;
  /** EAGER or COOPERATIVE (classic), CONSUMER (group.protocol=consumer). */
  readonly rebalanceProtocol: 'EAGER' | 'COOPERATIVE' | 'CONSUMER';
}
/** onPartitionsAssigned: `partitions` is the whole assignment after it, `added` what the callback was given. */
export interface JavaAssigned {
  readonly event: 'assigned';
  readonly memberId: string;
  readonly generation: number;
  readonly partitions: readonly JavaPartition[];
  readonly added: readonly JavaPartition[];
}
export interface JavaRevoked { readonly event: 'revoked' | 'lost'; readonly memberId: string; readonly generation: number; readonly partitions: readonly JavaPartition[] }
/** Cumulative count of records polled so far. */
export interface JavaRecords { readonly event: 'records'; readonly count: number }
/** One run of consecutive offsets one poll returned: [topic, partition, from, to], both ends included. */
export type JavaOffsetRange = readonly [topic: string, partition: number, from: number, to: number];
/** What one poll returned (reportRecords). */
export interface JavaPolled { readonly event: 'polled'; readonly records: readonly JavaOffsetRange[] }
/** A commitSync that succeeded (commitSync mode): [topic, partition, next offset]; `where`: the poll loop or onPartitionsRevoked. */
export interface JavaCommitted { readonly event: 'committed'; readonly where: 'poll' | 'revoked'; readonly offsets: readonly (readonly [topic: string, partition: number, offset: number])[] }
/** A commitSync that failed (e.g. RebalanceInProgressException); what it held stays pending and is retried. */
export interface JavaCommitFailed { readonly event: 'commitFailed'; readonly where: 'poll' | 'revoked'; readonly error: string }
export type JavaEvent = JavaStarted | JavaAssigned | JavaRevoked | JavaRecords | JavaPolled | JavaCommitted | JavaCommitFailed;

/**
 * A classic-protocol assignor (Java's RangeAssignor, RoundRobinAssignor, StickyAssignor, CooperativeStickyAssignor),
 * or `group.protocol=consumer` (KIP-848), with `group.remote.assignor` after the colon (e.g. 'consumer:uniform').
 */
export type JavaStrategy = 'range' | 'roundrobin' | 'sticky' | 'cooperative-sticky' | 'consumer' | `consumer:${string}`;

export interface JavaConsumerOptions {
  readonly brokers: string | readonly string[];
  readonly groupId: string;
  readonly topics: readonly string[];
  readonly strategy: JavaStrategy;
  /** Classic protocol only (the broker owns them under 'consumer'). */
  readonly sessionTimeoutMs?: number;
  readonly heartbeatIntervalMs?: number;
  /** Exit (leaving the group) after polling this many records. */
  readonly maxMessages?: number;
  /** Report every polled record's offset ('polled' events, collected by `polled()`). */
  readonly reportRecords?: boolean;
  /**
   * commitSync what each poll returned at the end of the poll-loop iteration, and the revoked partitions' polled
   * positions in onPartitionsRevoked ('committed' events): at-least-once across members.
   */
  readonly commitSync?: boolean;
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
  /** The 'started' event (group protocol, rebalance protocol). */
  readonly started: Promise<JavaStarted>;
  /** Every offset range polled so far, in poll order (reportRecords). */
  polled(): readonly JavaOffsetRange[];
  /** The number of records polled so far (reportRecords). */
  polledCount(): number;
  /** Resolves once `test` holds for the polled count (checked now and after each 'polled' event); rejects if the process fails. */
  untilPolled(test: (count: number) => boolean): Promise<number>;
  /** The last committed next-offset per "topic/partition" (commitSync), as reported before now. */
  committed(): ReadonlyMap<string, number>;
  /** Asks the consumer to close (leaving the group) and resolves with its exit code; SIGKILL after 20 s. */
  stop(): Promise<number>;
  /** SIGKILLs the JVM (no leave, no commit, no more output) and resolves once it is gone; `events` then completes. */
  kill(): Promise<void>;
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
  let killRequested = false;
  const polledRanges: JavaOffsetRange[] = [];
  let polledTotal = 0;
  const polledWaiters: { test: (n: number) => boolean; resolve: (n: number) => void; reject: (e: Error) => void }[] = [];
  const committedOffsets = new Map<string, number>();
  let resolveStarted: (s: JavaStarted) => void = () => undefined;
  let rejectStarted: (e: Error) => void = () => undefined;
  const startedEvent = new Promise<JavaStarted>((resolve, reject) => { resolveStarted = resolve; rejectStarted = reject; });
  startedEvent.catch(() => undefined); // surfaced through `events` too
  const onEvent = (ev: JavaEvent): void => {
    if (ev.event === 'started') resolveStarted(ev);
    else if (ev.event === 'polled') {
      for (const r of ev.records) { polledRanges.push(r); polledTotal += r[3] - r[2] + 1; }
      for (let i = polledWaiters.length - 1; i >= 0; i--) {
        const w = polledWaiters[i];
        if (w && w.test(polledTotal)) { polledWaiters.splice(i, 1); w.resolve(polledTotal); }
      }
    } else if (ev.event === 'committed') for (const [t, p, o] of ev.offsets) committedOffsets.set(`${t}/${p}`, o);
  };
  const fail = (why: string): void => {
    const err = new Error(`Java consumer (group ${opts.groupId}) ${why}\n--- stderr (tail) ---\n${stderr.slice(-8000)}`);
    events.error(err);
    assignments.error(err);
    rejectStarted(err);
    polledWaiters.splice(0).forEach((w) => w.reject(err));
  };

  const started: Promise<{ child: ChildProcess; closed: Promise<void> } | undefined> = compileInterop().then(
    (classes) => {
      const { libs } = fetchKafka();
      const brokers = typeof opts.brokers === 'string' ? opts.brokers : opts.brokers.join(',');
      const args = [brokers, opts.groupId, opts.topics.join(','), opts.strategy, String(opts.sessionTimeoutMs ?? 10_000),
        String(opts.heartbeatIntervalMs ?? 1_000), ...(opts.maxMessages === undefined ? [] : [String(opts.maxMessages)]),
        ...(opts.reportRecords ? ['report=records'] : []), ...(opts.commitSync ? ['commit=sync'] : [])];
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
          onEvent(ev);
          if (ev.event === 'assigned') { memberId = ev.memberId; assignments.next(ev); }
          events.next(ev);
        }
      });
      child.on('error', (e) => fail(`could not start: ${e.message}`));
      child.on('close', (code, signal) => {
        if (killRequested || (code === 0 && (stopRequested || opts.maxMessages !== undefined))) { events.complete(); assignments.complete(); }
        else fail(`exited unexpectedly (code ${code}, signal ${signal})`);
      });
      return { child, closed: new Promise<void>((r) => child.once('close', () => r())) };
    },
    (e: unknown) => { fail(`could not compile: ${e instanceof Error ? e.message : String(e)}`); return undefined; },
  );

  return {
    events: events.asObservable(),
    assignments: assignments.asObservable(),
    nextAssignment: (predicate = () => true) => firstValueFrom(assignments.pipe(filter(predicate))),
    get memberId() { return memberId; },
    started: startedEvent,
    polled: () => polledRanges,
    polledCount: () => polledTotal,
    untilPolled: (test) => new Promise<number>((resolve, reject) => (test(polledTotal) ? resolve(polledTotal) : polledWaiters.push({ test, resolve, reject }))),
    committed: () => committedOffsets,
    async kill() {
      const proc = await started;
      if (!proc) return;
      killRequested = true;
      if (proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill('SIGKILL');
      await proc.closed; // stdout drained: every line it wrote before dying was parsed
    },
    async stop() {
      const proc = await started;
      if (!proc) return -1;
      const { child, closed } = proc;
      stopRequested = true;
      if (child.exitCode === null && child.signalCode === null) {
        child.stdin?.end('stop\n');
        const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
        await closed;
        clearTimeout(killer);
      } else await closed;
      return child.exitCode ?? -1;
    },
  };
};
