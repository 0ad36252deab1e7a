import { fork, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { lastValueFrom } from 'rxjs';
import type { KafkaCluster } from '../../broker/kafka-broker';
import { createKafkajsTransport } from '../../src/transport/kafkajs';
import { createAdminKit, type AdminKit } from '../../src/transport/kafkajs/admin-kit';
import type { Transport } from '../../src/transport';
import { uniqueName } from '../support/names';
import { startFaultProducer, type FaultProducer } from './java-fault-producer';

/** One line of a member's record file (see member.js). */
export interface MemberLine {
  readonly k: string;
  readonly t: number;
  readonly topic?: string;
  readonly p?: number;
  readonly o?: string;
  readonly id?: string | null;
  readonly member?: string;
  readonly tag?: string;
  readonly code?: string;
  readonly type?: string;
  /** A notification's rebalance protocol. */
  readonly rp?: string;
  readonly result?: string;
  readonly msg?: string;
}

/** A member process: SIGKILL-able, its exit observed. */
export interface MemberProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  killed: boolean;
}

/** A fault window: committed offsets just before the fault hit, when it hit, and when the group had recovered. */
interface FaultWindow {
  readonly label: string;
  readonly committedAtHit: ReadonlyMap<number, bigint>;
  readonly hitAt: number;
  recoveredAt: number;
}

/**
 * How the members rebalance: eager (range), cooperative (cooperative-sticky, KIP-429), or the consumer group
 * protocol (KIP-848: the coordinator assigns; session and heartbeat are the broker's).
 */
export type FaultProtocol = 'eager' | 'cooperative' | 'consumer';
export const STRATEGY_OF: Readonly<Record<FaultProtocol, string | undefined>> = { eager: 'range', cooperative: 'cooperative-sticky', consumer: undefined };

export interface ScenarioResult {
  readonly scenario: string;
  readonly protocol: FaultProtocol;
  /** The rebalance protocols the members' notifications reported (one: the scenario's). */
  readonly rebalanceProtocols: readonly string[];
  readonly produced: number;
  readonly processedUnique: number;
  readonly lost: number;
  readonly duplicates: number;
  /** Upper bound on duplicates: see FaultRig.duplicateBound. */
  readonly bound: number;
  /** The strict part of it: processed and not committed at the instant each fault hit. */
  readonly boundAtHit: number;
  readonly faults: number;
  readonly commitRegressions: number;
  readonly regressions: readonly { partition: number; from: string; to: string; t: number }[];
  readonly failoverRegressions: readonly { partition: number; from: string; to: string; t: number }[];
  /** errors$ per tag (and code), with one example message each. */
  readonly errorTags: Record<string, number>;
  readonly errorSamples: Record<string, string>;
  /** Marks a member made that the group dropped (MarkFenced errors, non-ok mark results): stale work not committed. */
  readonly staleMarks: number;
  readonly durationMs: number;
}

const MEMBER_JS = path.join(__dirname, 'member.js');

/** Where the member record files of this run go (kept when a scenario fails, for the post-mortem). */
export const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rx-kafka-faults-'));

/** Polls `test` every 100 ms until it holds; fails with `what` after `timeoutMs`. */
export const until = async (what: string, test: () => boolean | Promise<boolean>, timeoutMs = 90_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await test()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

/**
 * Everything one fault scenario needs around a 3-node cluster: a fresh topic (replication 3) and group, a producer
 * writing numbered payloads with acks=all (the Java client's, see
 * java-fault-producer.ts; an id counts as produced when the cluster acknowledged it), member processes that record what they process, a poller watching the
 * group's committed offsets (they must never move backwards), and the accounting of lost and duplicate messages.
 */
export class FaultRig {
  readonly topic: string;
  readonly groupId: string;
  readonly dir: string;
  readonly brokers: string[];
  kit: AdminKit;
  readonly probe: Transport;
  readonly members = new Map<string, MemberProcess>();
  readonly produced: string[] = [];
  private producer: FaultProducer | undefined;
  private incarnation = 1;
  private readonly faults: FaultWindow[] = [];
  private committed = new Map<number, bigint>();
  commitRegressions = 0;
  /** Each backwards move seen under one coordinator: partition, from, to, when. */
  readonly regressions: { partition: number; from: string; to: string; t: number }[] = [];
  /** Backwards moves seen across a coordinator change (see pollCommitted). */
  readonly failoverRegressions: { partition: number; from: string; to: string; t: number }[] = [];
  private polling = true;
  private epoch = 0;
  private readonly poller: Promise<void>;
  private readonly startedAt = Date.now();
  /** Ids produced to an earlier incarnation of the topic (deleted since): not expected back. */
  readonly forgotten = new Set<string>();

  constructor(
    readonly cluster: KafkaCluster,
    readonly scenario: string,
    readonly protocol: FaultProtocol = 'eager',
    readonly partitions = 6,
  ) {
    this.topic = uniqueName(`faults-${scenario}-${protocol}`);
    this.groupId = uniqueName(`faults-${scenario}-${protocol}-group`);
    this.dir = fs.mkdtempSync(path.join(runDir, `${scenario}-${protocol}-`));
    this.brokers = cluster.bootstrap.split(',');
    this.kit = createAdminKit(this.brokers, `faults-${scenario}-kit`);
    this.probe = createKafkajsTransport({ brokers: this.brokers, clientId: `faults-${scenario}-probe`, requestTimeout: 5000, connectionTimeout: 2000, retry: { max: 5, initialBackoff: 100, maxBackoff: 1000 } });
    this.poller = this.pollCommitted();
  }

  /**
   * Creates the topic (replication 3, min.insync.replicas 2) and waits until every partition has a leader. Its own
   * admin client: kafkajs's admin refreshes metadata for every topic it has been asked about before it sends
   * CreateTopics, so a client that already polled the (deleted, not yet recreated) topic can never create it.
   * Retried: kafkajs's waitForLeaders may ask a broker that has not seen the new topic yet.
   */
  async createTopic(timeoutMs = 90_000, topic = this.topic): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const seen = new Set<string>();
    const creator = createAdminKit(this.brokers, `faults-${this.scenario}-creator`);
    try {
      await this.createWith(creator, deadline, seen, topic);
    } finally {
      await creator.close().catch(() => undefined);
    }
  }

  private async createWith(creator: AdminKit, deadline: number, seen: Set<string>, topic: string): Promise<void> {
    for (;;) {
      try {
        await creator.createTopic(topic, this.partitions, { replicationFactor: 3, config: { 'min.insync.replicas': '2' } });
        return;
      } catch (e) {
        seen.add(String(e));
      }
      try {
        if ((await creator.endOffsets(topic)).size === this.partitions) return;
      } catch {
        // not there (yet)
      }
      if (Date.now() > deadline) {
        const md = await this.leaders().then((l) => JSON.stringify([...l]), (e: unknown) => String(e));
        throw new Error(`could not create ${topic}: ${[...seen].join('; ')}; metadata now: ${md}`);
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  /**
   * Starts the Java producer: `perTick` numbered payloads every `everyMs` (partition n % partitions), acks=all.
   * An id counts as produced when the cluster acknowledged it.
   */
  async startProducer(perTick = 10, everyMs = 50): Promise<void> {
    this.producer = await startFaultProducer({
      brokers: this.cluster.bootstrap,
      topic: this.topic,
      partitions: this.partitions,
      prefix: `${this.scenario}-i${this.incarnation}`,
      perTick,
      everyMs,
      onAcked: (id) => this.produced.push(id),
    });
  }

  /** Stops producing; resolves when every outstanding record is acknowledged (or failed for good). */
  async stopProducer(): Promise<void> {
    const p = this.producer;
    this.producer = undefined;
    await p?.stop();
  }

  /**
   * Forks a member process (optionally with its sockets routed through proxies: broker port -> proxy port). `script`
   * (default member.js) and `extra` settings are for other kinds of member (eos-member.js).
   */
  startMember(
    name: string,
    options: { proxyPorts?: Record<string, number>; sessionTimeoutMs?: number; workMs?: number; metadataRefreshMs?: number; script?: string; extra?: Record<string, unknown> } = {},
  ): MemberProcess {
    const out = path.join(this.dir, `${name}.jsonl`);
    const settings = { brokers: this.brokers, groupId: this.groupId, topic: this.topic, out, member: name, strategy: STRATEGY_OF[this.protocol], groupProtocol: this.protocol === 'consumer' ? 'consumer' : 'classic', sessionTimeoutMs: options.sessionTimeoutMs ?? 6000, workMs: options.workMs ?? 1, metadataRefreshMs: options.metadataRefreshMs, proxyPorts: options.proxyPorts, ...options.extra };
    const log = fs.openSync(path.join(this.dir, `${name}.log`), 'a');
    const child = fork(options.script ?? MEMBER_JS, [], { env: { ...process.env, RXK_MEMBER: JSON.stringify(settings) }, stdio: ['ignore', log, log, 'ipc'] });
    fs.closeSync(log);
    const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    const member: MemberProcess = { name, child, exit, killed: false };
    this.members.set(name, member);
    return member;
  }

  /** SIGKILLs a member (its record file keeps everything it recorded). */
  async kill(name: string): Promise<void> {
    const m = this.members.get(name);
    if (!m) throw new Error(`no member ${name}`);
    m.killed = true;
    m.child.kill('SIGKILL');
    await m.exit;
  }

  /** How many faults were injected. */
  faultCount(): number {
    return this.faults.length;
  }

  /** SIGTERMs one member (a clean close) and resolves with how it exited. */
  async stopMember(name: string): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    const m = this.members.get(name);
    if (!m) throw new Error(`no member ${name}`);
    m.killed = true; // not closed again by closeMembers
    m.child.kill('SIGTERM');
    return m.exit;
  }

  /** SIGTERMs every member still running; resolves with the names of those that did not exit 0. */
  async closeMembers(): Promise<string[]> {
    const running = [...this.members.values()].filter((m) => !m.killed);
    running.forEach((m) => m.child.kill('SIGTERM'));
    const exits = await Promise.all(running.map(async (m) => ({ m, e: await m.exit })));
    return exits.filter(({ e }) => e.code !== 0).map(({ m, e }) => `${m.name} (code ${e.code}, signal ${e.signal})`);
  }

  /** Every line every member recorded so far. */
  lines(): MemberLine[] {
    return [...this.members.keys()].flatMap((name) => this.memberLines(name));
  }

  /** The lines one member recorded so far (a line cut short by a SIGKILL is skipped). */
  memberLines(name: string): MemberLine[] {
    const file = path.join(this.dir, `${name}.jsonl`);
    if (!fs.existsSync(file)) return [];
    const out: MemberLine[] = [];
    for (const l of fs.readFileSync(file, 'utf8').split('\n')) {
      if (!l) continue;
      try {
        out.push(JSON.parse(l) as MemberLine);
      } catch {
        // a torn last line: writeSync of one line is not atomic against SIGKILL in theory
      }
    }
    return out;
  }

  /** The ids processed so far (of the current topic incarnation). */
  processedIds(): Set<string> {
    return new Set(this.lines().flatMap((l) => (l.k === 'm' && l.topic === this.topic && l.id && !this.forgotten.has(l.id) ? [l.id] : [])));
  }

  /** Waits until every id produced so far (of the current topic) was processed by some member. */
  async untilAllProcessed(timeoutMs = 120_000): Promise<void> {
    const expected = this.produced.filter((id) => !this.forgotten.has(id));
    try {
      await until(`all ${expected.length} produced ids processed (${this.scenario})`, () => {
        const seen = this.processedIds();
        return expected.every((id) => seen.has(id));
      }, timeoutMs);
    } catch (e) {
      throw new Error(`${String(e)}\n${await this.diagnosis(expected)}`);
    }
  }

  /** What is missing where: for a failure message (the record files stay in this.dir). */
  async diagnosis(expected: readonly string[]): Promise<string> {
    const seen = this.processedIds();
    const missing = expected.filter((id) => !seen.has(id));
    const byPartition = new Map<number, string[]>();
    for (const id of missing) {
      const n = Number(id.split('-').pop()); // `${scenario}-i{incarnation}-{n}` goes to partition n % partitions
      const p = n % this.partitions;
      byPartition.set(p, [...(byPartition.get(p) ?? []), id]);
    }
    const last = new Map<number, { o: string; member?: string; t: number }>();
    for (const l of this.lines()) if (l.k === 'm' && l.p !== undefined && l.o !== undefined && (!last.has(l.p) || BigInt(l.o) > BigInt(last.get(l.p)?.o ?? '0'))) last.set(l.p, { o: l.o, member: l.member, t: l.t });
    const committed = await this.committedNow().catch(() => new Map());
    const ends = await this.endOffsets().catch(() => new Map());
    const parts = [...Array(this.partitions).keys()].map(
      (p) => `p${p}: missing ${byPartition.get(p)?.length ?? 0} (first ${byPartition.get(p)?.[0] ?? '-'}), last processed ${JSON.stringify(last.get(p))}, committed ${committed.get(p)}, end ${ends.get(p)}`,
    );
    return [`records in ${this.dir}`, ...parts].join('\n');
  }

  /**
   * Each member's state, for a failure message: running or how it exited, messages processed, its last
   * notifications and errors, and the tail of its stdout/stderr (the record files stay in this.dir).
   */
  memberStates(): string {
    return [...this.members.values()]
      .map((m) => {
        const lines = this.memberLines(m.name);
        const exited = m.child.exitCode !== null || m.child.signalCode !== null ? `exited (code ${m.child.exitCode}, signal ${m.child.signalCode})` : 'running';
        const events = lines.filter((l) => l.k !== 'm' && l.k !== 'mark').slice(-8).map((l) => JSON.stringify(l));
        const logFile = path.join(this.dir, `${m.name}.log`);
        const log = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8').slice(-1500) : '';
        return [`member ${m.name}: ${exited}, processed ${lines.filter((l) => l.k === 'm').length}`, ...events.map((e) => `  ${e}`), ...(log ? [`  log: ${log}`] : [])].join('\n');
      })
      .join('\n');
  }

  /** Waits until `n` distinct messages have been processed (the group is consuming). */
  async untilProcessed(n: number, timeoutMs = 90_000): Promise<void> {
    await until(`${n} messages processed (${this.scenario})`, () => this.processedIds().size >= n, timeoutMs);
  }

  /** The group's committed offsets now (a fresh OffsetFetch; -1 for none). */
  async committedNow(): Promise<Map<number, bigint>> {
    for (let attempt = 0; ; attempt++) {
      try {
        return new Map(await this.kit.committedOffsets(this.groupId, this.topic));
      } catch (e) {
        if (attempt >= 20) throw e;
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  }

  /**
   * Injects a fault: reads the committed offsets just before (they bound what can be delivered twice), runs
   * `inject`, and marks the moment it has hit (e.g. the killed process is gone). Commits between the read and the
   * hit only make the bound looser, never tighter than the truth.
   */
  async faultHits(label: string, inject: () => Promise<void>): Promise<FaultWindow> {
    const committedAtHit = await this.committedNow();
    await inject();
    const w: FaultWindow = { label, committedAtHit, hitAt: Date.now(), recoveredAt: Number.POSITIVE_INFINITY };
    this.faults.push(w);
    return w;
  }

  /**
   * The fault is healed (broker back, member restarted, traffic flowing): waits until the group has committed past
   * everything produced up to now, and closes the fault's window there. From then on nothing processed before the
   * heal can be delivered again, so later duplicates would exceed the bound.
   */
  async recovered(w: FaultWindow, timeoutMs = 150_000): Promise<void> {
    const ends = await this.endOffsets();
    await until(`committed offsets reach the end offsets after "${w.label}"`, async () => {
      const c = await this.committedNow();
      return [...ends].every(([p, end]) => (c.get(p) ?? -1n) >= end);
    }, timeoutMs);
    w.recoveredAt = Date.now();
  }

  async endOffsets(): Promise<ReadonlyMap<number, bigint>> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.kit.endOffsets(this.topic);
      } catch (e) {
        if (attempt >= 20) throw e;
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  }

  /** Waits until every partition of the topic and of __consumer_offsets has all 3 replicas in sync. */
  async untilFullIsr(timeoutMs = 120_000): Promise<void> {
    await until('every replica back in sync', async () => {
      try {
        const md = await lastValueFrom(this.probe.metadata({ topics: [this.topic, '__consumer_offsets'] }));
        return md.topics.length === 2 && md.topics.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.isr.length === 3 && p.leader >= 0));
      } catch {
        return false;
      }
    }, timeoutMs);
  }

  /** The broker that coordinates the group now. */
  async coordinatorNode(): Promise<number> {
    return (await lastValueFrom(this.probe.findCoordinator({ groupId: this.groupId }))).nodeId;
  }

  /** Partition -> leader node of the topic now. */
  async leaders(): Promise<Map<number, { leader: number; replicas: readonly number[] }>> {
    const md = await lastValueFrom(this.probe.metadata({ topics: [this.topic] }));
    const t = md.topics.find((x) => x.topic === this.topic);
    return new Map((t?.partitions ?? []).map((p) => [p.partition, { leader: p.leader, replicas: p.replicas }]));
  }

  /**
   * Committed offsets must never move backwards: polled every 250 ms (a failed poll, e.g. while the coordinator
   * is down, is skipped). Each poll asks which broker coordinates the group before and after reading; a poll that
   * straddles a coordinator change is skipped. Readings under the same coordinator as the previous reading are
   * compared: a backwards move there can only come from an OffsetCommit a member sent (counted in
   * commitRegressions, asserted zero). Across a coordinator move, the new coordinator's first reading is compared
   * too but counted apart (failoverRegressions, reported): Kafka 4.4 was seen serving a lower offset right after a
   * controlled shutdown of the coordinator than the old one had served, with no member sending a lower one (a lower
   * committed offset means more redelivery, never loss). The baseline then restarts from the new coordinator's view.
   * A regression is counted, not thrown, so the scenario reports it.
   */
  private async pollCommitted(): Promise<void> {
    let lastCoordinator: number | undefined;
    while (this.polling) {
      try {
        const epoch = this.epoch;
        const before = await this.coordinatorNode().catch(() => undefined);
        const now = await this.kit.committedOffsets(this.groupId, this.topic);
        const after = await this.coordinatorNode().catch(() => undefined);
        if (epoch === this.epoch && before !== undefined && before === after) {
          const moved = lastCoordinator !== undefined && lastCoordinator !== before;
          lastCoordinator = before;
          for (const [p, o] of now) {
            const seen = this.committed.get(p);
            if (seen !== undefined && o < seen && o >= 0n) {
              const r = { partition: p, from: seen.toString(), to: o.toString(), t: Date.now() };
              if (moved) this.failoverRegressions.push(r);
              else {
                this.commitRegressions++;
                this.regressions.push(r);
              }
            }
            if (seen === undefined || o > seen || moved) this.committed.set(p, o);
          }
        }
      } catch {
        // the coordinator may be moving: try again next round
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  /**
   * The topic was deleted: forget the committed history and what was produced to it (it is gone with the topic),
   * and use a fresh admin client (kafkajs's metadata cache keeps asking about the deleted incarnation).
   */
  topicRecreated(): void {
    const old = this.kit;
    this.kit = createAdminKit(this.brokers, `faults-${this.scenario}-kit2`);
    void old.close().catch(() => undefined);
    this.committed = new Map();
    this.epoch++;
    this.incarnation++;
    this.produced.forEach((id) => this.forgotten.add(id));
  }

  /**
   * Duplicates are bounded by what was processed but not committed when a fault hit. For each fault window, per
   * partition: the distinct offsets at or above the offset committed just before the fault that some member had
   * processed by the time the group recovered (committed past everything produced up to the heal). The strict
   * `boundAtHit` counts only those processed before the fault hit; the window adds what was processed while the
   * fault lasted (commits may fail while a coordinator is down, so that work is uncommitted too). The bound is the
   * sum over windows; duplicates are `processed records - distinct (partition, offset)`.
   */
  private duplicateBound(records: readonly MemberLine[]): { bound: number; boundAtHit: number } {
    let bound = 0;
    let boundAtHit = 0;
    for (const w of this.faults) {
      const window = new Set<string>();
      const atHit = new Set<string>();
      for (const r of records) {
        if (r.p === undefined || r.o === undefined) continue;
        const committed = w.committedAtHit.get(r.p) ?? -1n;
        if (BigInt(r.o) < committed) continue;
        const key = `${r.p}/${r.o}`;
        if (r.t <= w.recoveredAt) window.add(key);
        if (r.t <= w.hitAt) atHit.add(key);
      }
      bound += window.size;
      boundAtHit += atHit.size;
    }
    return { bound, boundAtHit };
  }

  /** Counts for the report (call after the members are closed). */
  result(): ScenarioResult {
    const lines = this.lines();
    const records = lines.filter((l) => l.k === 'm' && l.topic === this.topic && l.id !== undefined && !this.forgotten.has(l.id ?? ''));
    const seen = new Set(records.map((r) => r.id ?? ''));
    const expected = this.produced.filter((id) => !this.forgotten.has(id));
    const distinct = new Set(records.map((r) => `${r.p}/${r.o}`));
    const errorTags: Record<string, number> = {};
    const errorSamples: Record<string, string> = {};
    for (const l of lines) {
      if (l.k !== 'e') continue;
      const key = `${l.tag}${l.code ? `:${l.code}` : ''}`;
      errorTags[key] = (errorTags[key] ?? 0) + 1;
      errorSamples[key] ??= l.msg ?? '';
    }
    return {
      scenario: this.scenario,
      protocol: this.protocol,
      rebalanceProtocols: [...new Set(lines.flatMap((l) => (l.k === 'n' && l.rp ? [l.rp] : [])))].sort(),
      produced: expected.length,
      processedUnique: expected.filter((id) => seen.has(id)).length,
      lost: expected.filter((id) => !seen.has(id)).length,
      duplicates: records.length - distinct.size,
      ...this.duplicateBound(records),
      faults: this.faults.length,
      commitRegressions: this.commitRegressions,
      regressions: this.regressions,
      failoverRegressions: this.failoverRegressions,
      errorTags,
      errorSamples,
      staleMarks: lines.filter((l) => (l.k === 'e' && l.tag === 'MarkFenced') || l.k === 'mark').length,
      durationMs: Date.now() - this.startedAt,
    };
  }

  /** Stops the producer, poller and probes and kills any member still running (also on failure). */
  async dispose(): Promise<void> {
    this.producer?.kill();
    this.polling = false;
    for (const m of this.members.values()) if (m.child.exitCode === null && m.child.signalCode === null) m.child.kill('SIGKILL');
    await Promise.allSettled([this.poller, ...[...this.members.values()].map((m) => m.exit)]);
    await Promise.allSettled([this.kit.close(), lastValueFrom(this.probe.close(), { defaultValue: undefined })]);
  }
}
