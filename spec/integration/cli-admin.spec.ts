import { execFile, spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { combineLatest, filter, firstValueFrom, type Subscription } from 'rxjs';
import { fetchKafka, startCluster, stopCluster, type KafkaCluster } from '../../broker/kafka-broker';
import { consumerGroup, type ConsumerGroup, type ConsumerGroupConfigInput } from '../../src';
import { createAdminKit, type AdminKit } from '../../src/transport/kafkajs/admin-kit';
import { startJavaConsumer, type JavaConsumer } from '../support/java-consumer';
import { SENTINEL_PASSWORD, startSecuredBroker, type SecuredBroker } from '../support/secured-broker';
import { brokers, uniqueName } from '../support/names';

/**
 * The group admin CLI (built: dist/cli/main.js) against the real broker, each figure compared with what Kafka's
 * own kafka-consumer-groups.sh (ConsumerGroupCommand) prints for the same group.
 */

const cli = path.join(__dirname, '..', '..', 'dist', 'cli', 'main.js');
const PARTITIONS = 3;

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the built CLI; `onLine` sees each stdout line (with a kill switch) as it comes. */
const run = (args: readonly string[], onLine?: (line: string, kill: (s: NodeJS.Signals) => void) => void, env: Record<string, string> = {}): Promise<Run> =>
  new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], { env: { ...process.env, KAFKA_BROKERS: brokers().join(','), ...env } });
    let stdout = '';
    let stderr = '';
    let partial = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      partial += d.toString();
      const lines = partial.split('\n');
      partial = lines.pop() ?? '';
      for (const l of lines) onLine?.(l, (s) => child.kill(s));
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });

const runJson = async <T,>(args: readonly string[]): Promise<T> => {
  const r = await run([...args, '--json']);
  if (r.code !== 0) throw new Error(`rx-kafka-cluster ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
};

/**
 * The classpath of Kafka's tools: the broker's jars plus kafka-tools (ConsumerGroupCommand), which broker/pom.xml
 * does not fetch; fetched here once with Maven into the same cache unless a libs dir already has it.
 */
let toolsClasspath: Promise<string> | undefined;
const javaToolsClasspath = (): Promise<string> =>
  (toolsClasspath ??= (async () => {
    const { libs } = fetchKafka();
    const jars = readdirSync(libs);
    if (jars.some((f) => /^kafka-tools-\d.*\.jar$/.test(f))) return `${libs}/*`;
    const version = /^kafka-clients-(.+)\.jar$/.exec(jars.find((f) => f.startsWith('kafka-clients-')) ?? '')?.[1] ?? '';
    const tools = path.join(path.dirname(libs), 'tools');
    if (!existsSync(path.join(tools, `kafka-tools-${version}.jar`))) {
      await promisify(execFile)('mvn', ['-q', '-B', 'dependency:copy', `-Dartifact=org.apache.kafka:kafka-tools:${version}`, `-DoutputDirectory=${tools}`]);
    }
    return `${libs}/*${path.delimiter}${tools}/*`;
  })());

/** kafka-consumer-groups.sh: its stdout (and stderr, where it reports some errors). */
const javaTool = async (...args: string[]): Promise<{ stdout: string; stderr: string }> => {
  const cp = await javaToolsClasspath();
  const java = process.env.JAVA_HOME ? path.join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
  const r = await promisify(execFile)(java, ['-Xmx256m', '-XX:TieredStopAtLevel=1', '-cp', cp, 'org.apache.kafka.tools.consumer.group.ConsumerGroupCommand', '--bootstrap-server', brokers().join(','), ...args]);
  return { stdout: r.stdout, stderr: r.stderr };
};

/** The rows of the Java tool's table (whitespace-separated; no cell holds a space), keyed by its header. */
const javaTable = (out: string): Record<string, string>[] => {
  const lines = out.split('\n').map((l) => l.trim()).filter(Boolean);
  const at = lines.findIndex((l) => l.startsWith('GROUP '));
  if (at < 0) return [];
  const header = (lines[at] ?? '').split(/\s+/); // 'COORDINATOR (ID)' is two words, as is its value 'host:port  (id)'
  return lines
    .slice(at + 1)
    .filter((l) => !/^(Error|Warn|Consumer group)/.test(l))
    .map((l) => Object.fromEntries(l.split(/\s+/).map((v, i) => [header[i] ?? `col${i}`, v])));
};

interface DescribeJson {
  group: string;
  type: 'classic' | 'consumer';
  state: string;
  protocolType: string;
  assignor: string;
  groupEpoch: number | null;
  assignmentEpoch: number | null;
  coordinator: { id: number; host: string; port: number };
  members: { memberId: string; instanceId: string | null; clientId: string; host: string; memberEpoch: number | null; assignment: { topic: string; partitions: number[] }[]; targetAssignment?: { topic: string; partitions: number[] }[] }[];
}
interface LagJson {
  group: string;
  state: string;
  partitions: { topic: string; partition: number; committed: number | null; end: number | null; lag: number | null; owner: { memberId: string; clientId: string; host: string } | null }[];
  totalLag: number;
}
interface ResetJson {
  group: string;
  state: string;
  topic: string;
  executed: boolean;
  partitions: { topic: string; partition: number; current: number | null; new: number }[];
}

const assignmentString = (a: readonly { topic: string; partitions: readonly number[] }[]) => (a.length ? a.map((t) => `${t.topic}:${t.partitions.join(',')}`).join(';') : '-');

/** One of our members, consuming (never marking) until closed; resolves once it holds partitions. */
const ourMember = (config: Omit<ConsumerGroupConfigInput, 'brokers'>): { group: ConsumerGroup; sub: Subscription; close(): Promise<void> } => {
  const group = consumerGroup({ brokers: brokers(), clientId: 'rx-admin-spec', ...config });
  const sub = group.messages$.subscribe({ error: () => undefined });
  return {
    group,
    sub,
    close: () =>
      new Promise<void>((resolve) => {
        sub.unsubscribe();
        group.close().subscribe({ complete: resolve, error: () => resolve() });
      }),
  };
};

/** Our member's latest generation, once `test` holds for it. */
const ourGeneration = (g: ConsumerGroup, test: (held: number[]) => boolean) => firstValueFrom(g.generations$.pipe(filter((gen) => test(Object.values(gen.current).flat()))));

const committed = async (kit: AdminKit, group: string, topic: string): Promise<Record<number, number>> =>
  Object.fromEntries([...(await kit.committedOffsets(group, topic))].map(([p, o]) => [p, Number(o)]));

describe('the group admin CLI (built) against the real broker and kafka-consumer-groups.sh', () => {
  let kit: AdminKit;
  beforeAll(async () => {
    kit = createAdminKit(brokers());
    await javaToolsClasspath();
  });
  afterAll(async () => {
    await kit.close();
  });

  describe('--help', () => {
    it.each([['--help'], ['-h']])('rx-kafka-cluster %s prints the tool usage, naming every command, to stdout and exits 0', async (flag) => {
      const r = await run([flag]);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^usage: rx-kafka-cluster <command>/);
      for (const c of ['consume', 'describe', 'lag', 'reset-offsets']) expect(r.stdout).toContain(c);
      expect(r.stderr).toBe('');
    });

    it.each(['consume', 'describe', 'lag', 'reset-offsets'])('rx-kafka-cluster %s --help prints that command usage to stdout and exits 0', async (command) => {
      const r = await run([command, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^usage: rx-kafka-cluster ${command} `));
      expect(r.stderr).toBe('');
    });

    it('a bad admin command line exits 64 with that command usage on stderr; no broker exits 69', async () => {
      const bad = await run(['reset-offsets', '--group', 'g', '--topic', 't']);
      expect(bad.code).toBe(64);
      expect(bad.stderr).toContain('exactly one of --to-earliest');
      expect(bad.stderr).toContain('usage: rx-kafka-cluster reset-offsets');
      const none = await run(['describe', '--brokers', '127.0.0.1:1', '--group', 'g']);
      expect(none.code).toBe(69);
    });
  });

  it('describe: a classic group (ours and a Java member, range) shows what the Java tool shows: state, assignor, members, hosts, client ids, assignments', async () => {
    const topic = uniqueName('adm-classic');
    const groupId = uniqueName('adm-classic-g');
    await kit.createTopic(topic, PARTITIONS);
    const java = startJavaConsumer({ brokers: brokers(), groupId, topics: [topic], strategy: 'range' });
    const ours = ourMember({ groupId, topics: [topic], group: { partitionStrategy: ['range'] } });
    try {
      // Settled: both hold partitions in one generation, covering the topic.
      await firstValueFrom(
        combineLatest([java.assignments, ours.group.generations$]).pipe(
          filter(([a, g]) => a.partitions.length > 0 && g.generationId === a.generation && a.partitions.length + Object.values(g.current).flat().length === PARTITIONS),
        ),
      );
      const d = await runJson<DescribeJson>(['describe', '--group', groupId]);
      const members = javaTable((await javaTool('--describe', '--group', groupId, '--members', '--verbose')).stdout);
      const state = javaTable((await javaTool('--describe', '--group', groupId, '--state')).stdout)[0];
      expect(d).toMatchObject({ group: groupId, type: 'classic', state: 'Stable', protocolType: 'consumer', assignor: 'range', groupEpoch: null });
      expect([d.state, d.assignor, String(d.members.length), `${d.coordinator.host}:${d.coordinator.port}`]).toEqual([state?.STATE, state?.['ASSIGNMENT-STRATEGY'], state?.['#MEMBERS'], state?.COORDINATOR]);
      const mine = d.members.map((m) => [m.memberId, m.host, m.clientId, String(m.assignment.reduce((n, t) => n + t.partitions.length, 0)), assignmentString(m.assignment)]).sort();
      const theirs = members.map((m) => [m['CONSUMER-ID'], m.HOST, m['CLIENT-ID'], m['#PARTITIONS'], m['CURRENT-ASSIGNMENT']]).sort();
      expect(mine).toEqual(theirs);
      expect(d.members.map((m) => m.memberId).sort()).toEqual([java.memberId, (await firstValueFrom(ours.group.generations$)).memberId].sort());
    } finally {
      await Promise.all([java.stop(), ours.close()]);
    }
  });

  it('describe: a classic group of Java cooperative-sticky members names cooperative-sticky as its assignor, as the Java tool does', async () => {
    const topic = uniqueName('adm-coop');
    const groupId = uniqueName('adm-coop-g');
    await kit.createTopic(topic, PARTITIONS);
    const java = startJavaConsumer({ brokers: brokers(), groupId, topics: [topic], strategy: 'cooperative-sticky' });
    try {
      await java.nextAssignment((a) => a.partitions.length === PARTITIONS);
      const d = await runJson<DescribeJson>(['describe', '--group', groupId]);
      const state = javaTable((await javaTool('--describe', '--group', groupId, '--state')).stdout)[0];
      const members = javaTable((await javaTool('--describe', '--group', groupId, '--members', '--verbose')).stdout);
      expect([d.type, d.assignor, d.state]).toEqual(['classic', 'cooperative-sticky', 'Stable']);
      expect([d.assignor, d.state]).toEqual([state?.['ASSIGNMENT-STRATEGY'], state?.STATE]);
      expect(d.members.map((m) => [m.memberId, m.clientId, assignmentString(m.assignment)])).toEqual(members.map((m) => [m['CONSUMER-ID'], m['CLIENT-ID'], m['CURRENT-ASSIGNMENT']]));
    } finally {
      await java.stop();
    }
  });

  it('describe: a consumer-protocol group (ours and a Java member) shows its uniform assignor, group and assignment epochs, member epochs and assignments as the Java tool does', async () => {
    const topic = uniqueName('adm-kip848');
    const groupId = uniqueName('adm-kip848-g');
    await kit.createTopic(topic, PARTITIONS);
    const java = startJavaConsumer({ brokers: brokers(), groupId, topics: [topic], strategy: 'consumer' });
    const ours = ourMember({ groupId, topics: [topic], groupProtocol: 'consumer' });
    try {
      // Settled: the two hold every partition between them, each once.
      await firstValueFrom(
        combineLatest([java.assignments, ours.group.generations$]).pipe(
          filter(([a, g]) => {
            const held = [...a.partitions.map((p) => p.partition), ...Object.values(g.current).flat()];
            return a.partitions.length > 0 && held.length === PARTITIONS && new Set(held).size === PARTITIONS;
          }),
        ),
      );
      const d = await runJson<DescribeJson>(['describe', '--group', groupId]);
      const members = javaTable((await javaTool('--describe', '--group', groupId, '--members', '--verbose')).stdout);
      const state = javaTable((await javaTool('--describe', '--group', groupId, '--state', '--verbose')).stdout)[0];
      expect(d).toMatchObject({ group: groupId, type: 'consumer', state: 'Stable', protocolType: 'consumer', assignor: 'uniform' });
      expect([d.state, d.assignor, String(d.groupEpoch), String(d.assignmentEpoch), String(d.members.length)]).toEqual([
        state?.STATE,
        state?.['ASSIGNMENT-STRATEGY'],
        state?.['GROUP-EPOCH'],
        state?.['TARGET-ASSIGNMENT-EPOCH'],
        state?.['#MEMBERS'],
      ]);
      const mine = d.members.map((m) => [m.memberId, m.host, m.clientId, String(m.memberEpoch), assignmentString(m.assignment), assignmentString(m.targetAssignment ?? [])]).sort();
      const theirs = members.map((m) => [m['CONSUMER-ID'], m.HOST, m['CLIENT-ID'], m['CURRENT-EPOCH'], m['CURRENT-ASSIGNMENT'], m['TARGET-ASSIGNMENT']]).sort();
      expect(mine).toEqual(theirs);
    } finally {
      await Promise.all([java.stop(), ours.close()]);
    }
  });

  it.each([
    ['classic (range)', { group: { partitionStrategy: ['range' as const] } }],
    ['consumer protocol', { groupProtocol: 'consumer' as const }],
  ])('lag, %s member: committed, log end, lag and owner per partition, and the total, equal the Java tool --describe figures', async (_name, protocol) => {
    const topic = uniqueName('adm-lag');
    const groupId = uniqueName('adm-lag-g');
    await kit.createTopic(topic, PARTITIONS);
    await kit.produce(topic, Array.from({ length: 30 }, (_, i) => ({ value: `v${i}`, partition: i % PARTITIONS })));
    // Committed offsets first (the group does not exist yet: Dead, so allowed), then a member that never commits.
    expect((await run(['reset-offsets', '--group', groupId, '--topic', topic, '--to-offset', '3', '--execute'])).code).toBe(0);
    const ours = ourMember({ groupId, topics: [topic], ...protocol });
    try {
      await ourGeneration(ours.group, (held) => held.length === PARTITIONS);
      await kit.produce(topic, Array.from({ length: 6 }, (_, i) => ({ value: `w${i}`, partition: 1 + (i % 2) })));
      const lag = await runJson<LagJson>(['lag', '--group', groupId]);
      const java = javaTable((await javaTool('--describe', '--group', groupId)).stdout);
      expect(lag.partitions.map((p) => [p.partition, p.committed, p.end, p.lag])).toEqual([[0, 3, 10, 7], [1, 3, 13, 10], [2, 3, 13, 10]]);
      expect(lag.totalLag).toBe(27);
      const str = (v: number | null | undefined) => (v === null || v === undefined ? '-' : String(v));
      expect(lag.partitions.map((p) => [p.topic, String(p.partition), str(p.committed), str(p.end), str(p.lag), p.owner?.memberId ?? '-', p.owner?.host ?? '-', p.owner?.clientId ?? '-'])).toEqual(
        java.map((r) => [r.TOPIC, r.PARTITION, r['CURRENT-OFFSET'], r['LOG-END-OFFSET'], r.LAG, r['CONSUMER-ID'], r.HOST, r['CLIENT-ID']]).sort((a, b) => Number(a[1]) - Number(b[1])),
      );
      const text = await run(['lag', '--group', groupId]);
      expect(text.code).toBe(0);
      expect(text.stdout).toContain('TOTAL  partitions 3  lag 27');
    } finally {
      await ours.close();
    }
  });

  it('lag --watch reprints every --interval until SIGINT, following new records, then exits 0', async () => {
    const topic = uniqueName('adm-watch');
    const groupId = uniqueName('adm-watch-g');
    await kit.createTopic(topic, 2);
    await kit.produce(topic, Array.from({ length: 4 }, (_, i) => ({ value: `v${i}`, partition: i % 2 })));
    expect((await run(['reset-offsets', '--group', groupId, '--topic', topic, '--to-earliest', '--execute'])).code).toBe(0);
    const seen: LagJson[] = [];
    let produced: Promise<void> | undefined;
    const r = await run(['lag', '--group', groupId, '--watch', '--interval', '300', '--json'], (line, kill) => {
      const l = JSON.parse(line) as LagJson;
      seen.push(l);
      if (seen.length === 2) produced = kit.produce(topic, Array.from({ length: 6 }, (_, i) => ({ value: `w${i}`, partition: 0 })));
      if (l.totalLag === 10) kill('SIGINT');
    });
    await produced;
    expect(r.code).toBe(0);
    expect(seen.length).toBeGreaterThanOrEqual(3);
    expect(seen[0]?.partitions.map((p) => p.lag)).toEqual([2, 2]);
    expect(seen[seen.length - 1]?.partitions.map((p) => [p.partition, p.committed, p.end, p.lag])).toEqual([[0, 0, 8, 8], [1, 0, 2, 2]]);
  });

  describe('reset-offsets on an inactive group: each mode commits what the Java tool plans', () => {
    const topic = uniqueName('adm-reset');
    const groupId = uniqueName('adm-reset-g');
    let between = '';
    beforeAll(async () => {
      await kit.createTopic(topic, PARTITIONS);
      await kit.produce(topic, Array.from({ length: 15 }, (_, i) => ({ value: `a${i}`, partition: i % PARTITIONS })));
      // A moment strictly between the two batches' timestamps (producer CreateTime, ms).
      const t = Date.now() + 1;
      while (Date.now() <= t) await new Promise((resolve) => setImmediate(resolve));
      between = new Date(t).toISOString();
      await kit.produce(topic, Array.from({ length: 15 }, (_, i) => ({ value: `b${i}`, partition: i % PARTITIONS })));
      expect((await run(['reset-offsets', '--group', groupId, '--topic', topic, '--to-offset', '7', '--execute'])).code).toBe(0);
    });

    const javaPlan = async (...mode: string[]): Promise<Record<number, number>> =>
      Object.fromEntries(javaTable((await javaTool('--reset-offsets', '--group', groupId, '--topic', topic, ...mode, '--dry-run')).stdout).map((r) => [Number(r.PARTITION), Number(r['NEW-OFFSET'])]));
    const plan = (r: ResetJson): Record<number, number> => Object.fromEntries(r.partitions.map((p) => [p.partition, p.new]));

    it.each([
      ['--to-earliest', [], { 0: 0, 1: 0, 2: 0 }],
      ['--to-latest', [], { 0: 10, 1: 10, 2: 10 }],
      ['--to-datetime', ['BETWEEN'], { 0: 5, 1: 5, 2: 5 }],
      ['--shift-by', ['-9'], { 0: 0, 1: 0, 2: 0 }], // 7 - 9, clamped to the log start
      ['--shift-by', ['2'], { 0: 9, 1: 9, 2: 9 }],
      ['--to-offset', ['25'], { 0: 10, 1: 10, 2: 10 }], // clamped to the log end
      ['--to-offset', ['4'], { 0: 4, 1: 4, 2: 4 }],
    ] as const)('%s %j: the dry run changes nothing, --execute commits what Java --dry-run plans', async (flag, values, expected) => {
      const mode = [flag, ...values.map((v) => (v === 'BETWEEN' ? between : v))];
      // Start each mode from committed 7 everywhere (an earlier mode moved them).
      expect((await run(['reset-offsets', '--group', groupId, '--topic', topic, '--to-offset', '7', '--execute'])).code).toBe(0);
      const java = await javaPlan(...mode);
      const dry = await runJson<ResetJson>(['reset-offsets', '--group', groupId, '--topic', topic, ...mode]);
      expect(dry).toMatchObject({ group: groupId, topic, executed: false });
      expect(dry.partitions.map((p) => p.current)).toEqual([7, 7, 7]);
      expect(await committed(kit, groupId, topic)).toEqual({ 0: 7, 1: 7, 2: 7 });
      expect(plan(dry)).toEqual(java);
      expect(plan(dry)).toEqual(expected);
      const done = await runJson<ResetJson>(['reset-offsets', '--group', groupId, '--topic', topic, ...mode, '--execute']);
      expect(done.executed).toBe(true);
      expect(await committed(kit, groupId, topic)).toEqual(java);
    });

    it('text output: the plan as a table, and on stderr whether it was committed', async () => {
      const dry = await run(['reset-offsets', '--group', groupId, '--topic', topic, '--to-earliest']);
      expect(dry.code).toBe(0);
      expect(dry.stdout.split('\n')[0]).toMatch(/^GROUP\s+TOPIC\s+PARTITION\s+CURRENT-OFFSET\s+NEW-OFFSET$/);
      expect(dry.stdout.split('\n').filter((l) => l.startsWith(groupId))).toHaveLength(PARTITIONS);
      expect(dry.stderr).toContain('Dry run: nothing committed');
    });
  });

  it.each(['range', 'consumer'] as const)('reset-offsets is refused while the group has members (Java %s member): non-zero exit, stderr names the group and its state, nothing committed; the Java tool refuses too', async (strategy) => {
    const topic = uniqueName('adm-refuse');
    const groupId = uniqueName('adm-refuse-g');
    await kit.createTopic(topic, PARTITIONS);
    await kit.produce(topic, Array.from({ length: 9 }, (_, i) => ({ value: `v${i}`, partition: i % PARTITIONS })));
    expect((await run(['reset-offsets', '--group', groupId, '--topic', topic, '--to-offset', '2', '--execute'])).code).toBe(0);
    const java: JavaConsumer = startJavaConsumer({ brokers: brokers(), groupId, topics: [topic], strategy });
    try {
      await java.nextAssignment((a) => a.partitions.length === PARTITIONS);
      const r = await run(['reset-offsets', '--group', groupId, '--topic', topic, '--to-earliest', '--execute']);
      expect(r.code).toBe(75);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain(`'${groupId}'`);
      expect(r.stderr).toContain('current state is Stable');
      const theirs = await javaTool('--reset-offsets', '--group', groupId, '--topic', topic, '--to-earliest', '--execute');
      expect(theirs.stdout).toContain(`Assignments can only be reset if the group '${groupId}' is inactive, but the current state is Stable.`);
      expect(await committed(kit, groupId, topic)).toEqual({ 0: 2, 1: 2, 2: 2 });
    } finally {
      await java.stop();
    }
  });

  describe('on a secured broker (TLS + SCRAM, ACLs): the same secret handling and exit codes as consume', () => {
    let b: SecuredBroker;
    let secured: AdminKit;
    let topic: string;
    let groupId: string;
    const scram = (user: string) => ['--brokers', b.listeners.saslSsl, '--ca', b.certs.ca, '--sasl-mechanism', 'scram-sha-512', '--sasl-username', user];
    beforeAll(async () => {
      b = await startSecuredBroker();
      secured = createAdminKit([b.listeners.plaintext]);
      topic = uniqueName(`${b.topicPrefix}adm`);
      groupId = uniqueName(`${b.groupPrefix}adm`);
      await secured.createTopic(topic, 2);
      await secured.produce(topic, Array.from({ length: 6 }, (_, i) => ({ value: `v${i}`, partition: i % 2 })));
    }, 180_000);
    afterAll(async () => {
      await secured?.close();
      await b?.stop();
    });

    it('alice (password from $KAFKA_SASL_PASSWORD) resets, describes and reads the lag of an allowed group; the password appears in no output', async () => {
      const env = { KAFKA_SASL_PASSWORD: SENTINEL_PASSWORD };
      const reset = await run(['reset-offsets', ...scram('alice'), '--group', groupId, '--topic', topic, '--to-offset', '1', '--execute', '--json'], undefined, env);
      const describe = await run(['describe', ...scram('alice'), '--group', groupId], undefined, env);
      const lag = await run(['lag', ...scram('alice'), '--group', groupId, '--json'], undefined, env);
      expect([reset.code, describe.code, lag.code]).toEqual([0, 0, 0]);
      expect((JSON.parse(lag.stdout) as LagJson).partitions.map((p) => [p.partition, p.committed, p.end, p.lag])).toEqual([[0, 1, 3, 2], [1, 1, 3, 2]]);
      expect(describe.stdout).toContain('STATE             Empty');
      for (const r of [reset, describe, lag]) expect(r.stdout + r.stderr).not.toContain(SENTINEL_PASSWORD);
    });

    it('a wrong password exits 77 naming the mechanism; neither password is printed', async () => {
      const wrong = `${SENTINEL_PASSWORD}-wrong`;
      const r = await run(['describe', ...scram('alice'), '--group', groupId], undefined, { KAFKA_SASL_PASSWORD: wrong });
      expect(r.code).toBe(77);
      expect(r.stderr).toContain('SASL SCRAM-SHA-512 authentication failed');
      expect(r.stdout + r.stderr).not.toContain(SENTINEL_PASSWORD);
    });

    it('bob, who may use no group, exits 77 with GROUP_AUTHORIZATION_FAILED for describe, lag and reset-offsets', async () => {
      const env = { KAFKA_SASL_PASSWORD: SENTINEL_PASSWORD };
      for (const args of [['describe'], ['lag'], ['reset-offsets', '--topic', topic, '--to-earliest']]) {
        const [command, ...rest] = args;
        const r = await run([command ?? '', ...scram('bob'), '--group', groupId, ...rest], undefined, env);
        expect([command, r.code]).toEqual([command, 77]);
        expect(r.stderr).toContain('GROUP_AUTHORIZATION_FAILED');
        expect(r.stdout + r.stderr).not.toContain(SENTINEL_PASSWORD);
      }
    });

    it('a password on the command line is refused (64) and not echoed', async () => {
      const r = await run(['lag', ...scram('alice'), '--group', groupId, '--sasl-password', SENTINEL_PASSWORD]);
      expect(r.code).toBe(64);
      expect(r.stderr).toContain('--sasl-password is not accepted');
      expect(r.stdout + r.stderr).not.toContain(SENTINEL_PASSWORD);
    });
  });

  describe('on Kafka 3.9 (no ConsumerGroupDescribe)', () => {
    let cluster: KafkaCluster;
    let old: AdminKit;
    beforeAll(async () => {
      cluster = await startCluster({ nodes: 1, version: '3.9.1' });
      old = createAdminKit([cluster.bootstrap]);
    }, 180_000);
    afterAll(async () => {
      await old?.close();
      if (cluster) await stopCluster(cluster);
    });

    it('describe falls back to DescribeGroups (UNSUPPORTED_VERSION), and lag and reset-offsets work as on 4.4', async () => {
      const topic = uniqueName('adm-39');
      const groupId = uniqueName('adm-39-g');
      await old.createTopic(topic, 2);
      await old.produce(topic, Array.from({ length: 8 }, (_, i) => ({ value: `v${i}`, partition: i % 2 })));
      const on39 = ['--brokers', cluster.bootstrap, '--group', groupId];
      const reset = await run(['reset-offsets', ...on39, '--topic', topic, '--shift-by', '0', '--execute']);
      expect(reset.code).toBe(1); // no committed offset yet: a shift is refused, as Java refuses it
      expect(reset.stderr).toContain(`Cannot shift offset for partition ${topic}-0 since there is no current committed offset`);
      expect((await run(['reset-offsets', ...on39, '--topic', topic, '--to-offset', '1', '--execute'])).code).toBe(0);
      const d = await runJson<DescribeJson>(['describe', ...on39]);
      expect(d).toMatchObject({ group: groupId, type: 'classic', state: 'Empty', groupEpoch: null, members: [] }); // only DescribeGroups answers on 3.9
      const lag = await runJson<LagJson>(['lag', ...on39]);
      expect(lag.partitions.map((p) => [p.partition, p.committed, p.end, p.lag])).toEqual([[0, 1, 4, 3], [1, 1, 4, 3]]);
      expect(await committed(old, groupId, topic)).toEqual({ 0: 1, 1: 1 });
    });
  });
});
