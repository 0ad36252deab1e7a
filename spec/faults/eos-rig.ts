import * as path from 'node:path';
import { firstValueFrom, lastValueFrom } from 'rxjs';
import type { KafkaCluster } from '../../broker/kafka-broker';
import { decodePartitionRecords } from '../../src/protocol/record-batch';
import type { IsolationLevel } from '../../src/transport';
import { uniqueName } from '../support/names';
import { FaultRig, until, type FaultProtocol, type MemberProcess } from './fault-rig';

const EOS_MEMBER_JS = path.join(__dirname, 'eos-member.js');

/** How long a member-kill scenario's transactions may last before their coordinator aborts them (the SIGKILLed member's). */
export const KILLED_TRANSACTION_TIMEOUT_MS = 10_000;

/** One eos row of faults-report.json: inputs counted in the output topic, read with read_committed. */
export interface EosResult {
  readonly scenario: string;
  readonly protocol: FaultProtocol;
  readonly eos: true;
  readonly rebalanceProtocols: readonly string[];
  /** Inputs the cluster acknowledged. */
  readonly produced: number;
  /** Records a read_committed reader finds in the output topic. */
  readonly outputs: number;
  /** Inputs with no output. */
  readonly lost: number;
  /** The first lost inputs (payload ids), for the post-mortem. */
  readonly lostSample: readonly string[];
  /** Lost inputs that are in the output read_uncommitted (written in a transaction that was aborted, or misread). */
  readonly lostButWritten: number;
  /** Output records beyond one per input. */
  readonly duplicatesInOutput: number;
  /** Inputs that entered a transaction more than once (aborted and consumed again): work redone, never output twice. */
  readonly inputsRedone: number;
  readonly transactions: number;
  /** Inputs in the open transactions of the members SIGKILLed (aborted by the coordinator after the timeout). */
  readonly openAtKill: number;
  readonly faults: number;
  readonly errorTags: Record<string, number>;
  readonly durationMs: number;
}

/**
 * A FaultRig whose members run exactly once (eos-member.js): input topic → transactional copy → output topic, one
 * transaction per fetched batch, slot `s` with transactional id `${groupId}-${s}`. Counts every input in the output
 * (read_committed): none missing, none twice.
 */
export class EosRig extends FaultRig {
  readonly output: string;
  private openAtKill = 0;
  private readonly began = Date.now();

  constructor(cluster: KafkaCluster, scenario: string, protocol: FaultProtocol) {
    super(cluster, scenario, protocol);
    this.output = uniqueName(`faults-${scenario}-${protocol}-out`);
  }

  async createTopics(): Promise<void> {
    await this.createTopic();
    await this.createTopic(90_000, this.output);
  }

  /**
   * Forks an eos member in `slot` (default: its name); a new member in an old slot fences the old one. Its
   * transactions time out after `transactionTimeoutMs` (default Java's 60 s: longer than a coordinator failover,
   * which a transaction must outlive or be aborted and its producer fenced).
   */
  startEosMember(name: string, slot = name, transactionTimeoutMs = 60_000): MemberProcess {
    return this.startMember(name, { script: EOS_MEMBER_JS, extra: { output: this.output, slot, transactionTimeoutMs } });
  }

  /** The transactional id of a slot. */
  transactionalId(slot: string): string {
    return `${this.groupId}-${slot}`;
  }

  /** SIGKILLs a member, counting the inputs of its open transaction (entered after its last commit). */
  async killEos(name: string): Promise<void> {
    await this.kill(name);
    const lines = this.memberLines(name);
    const lastCommit = lines.reduce((t, l) => (l.k === 'txn' ? l.t : t), 0);
    this.openAtKill += lines.filter((l) => l.k === 'm' && l.t >= lastCommit).length;
  }

  /** The broker that coordinates a slot's transactions now. */
  async transactionCoordinatorNode(slot: string): Promise<number> {
    const find = this.probe.findTransactionCoordinator?.bind(this.probe);
    if (!find) throw new Error('the probe cannot find transaction coordinators');
    return (await firstValueFrom(find({ transactionalId: this.transactionalId(slot) }))).nodeId;
  }

  /** Transactions a member committed after time `t`. */
  commitsAfter(name: string, t: number): number {
    return this.memberLines(name).filter((l) => l.k === 'txn' && l.t > t).length;
  }

  /**
   * Every value in the output topic as a read_committed consumer sees it: each partition fetched from offset 0 to
   * its high watermark, once no transaction is open on it any more (last stable offset = high watermark).
   */
  async readCommittedOutput(timeoutMs = 90_000, isolationLevel: IsolationLevel = 'read_committed'): Promise<string[]> {
    const values: string[] = [];
    const decompress = this.probe.decompress?.bind(this.probe) ?? (() => Promise.reject(new Error('no codecs')));
    const leaders = await this.leadersOf(this.output);
    for (let partition = 0; partition < this.partitions; partition++) {
      let offset = 0n;
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const nodeId = leaders.get(partition) ?? -1;
        const [p] = await firstValueFrom(
          this.probe.fetch({ nodeId, maxWaitMs: 100, minBytes: 1, maxBytes: 8 << 20, isolationLevel, partitions: [{ topic: this.output, partition, fetchOffset: offset, maxBytes: 8 << 20 }] }),
        );
        if (!p || p.error) throw new Error(`fetch of ${this.output}/${partition} failed: ${p?.error?.message ?? 'no answer'}`);
        const decoded = await decodePartitionRecords({ topic: this.output, partition, records: p.records, fetchOffset: offset, isolationLevel, abortedTransactions: p.abortedTransactions, checkCrc: true, decompress });
        for (const m of decoded.messages) values.push(m.value?.toString() ?? '');
        offset = decoded.nextOffset > offset ? decoded.nextOffset : offset;
        if (offset >= p.highWatermark && (isolationLevel === 'read_uncommitted' || p.lastStableOffset >= p.highWatermark)) break;
        if (Date.now() > deadline) throw new Error(`${this.output}/${partition}: read_committed stuck at ${offset} (high watermark ${p.highWatermark}, last stable ${p.lastStableOffset})`);
        if (decoded.messages.length === 0) await new Promise((r) => setTimeout(r, 200));
      }
    }
    return values;
  }

  private async leadersOf(topic: string): Promise<Map<number, number>> {
    const md = await lastValueFrom(this.probe.metadata({ topics: [topic] }));
    return new Map((md.topics.find((t) => t.topic === topic)?.partitions ?? []).map((p) => [p.partition, p.leader]));
  }

  /** Waits until the group committed (in transactions) every input produced so far. */
  async untilAllCommitted(timeoutMs = 150_000): Promise<void> {
    const ends = await this.endOffsets();
    await until(`transactions commit every input (${this.scenario})`, async () => {
      const c = await this.committedNow();
      return [...ends].every(([p, end]) => (c.get(p) ?? -1n) >= end);
    }, timeoutMs);
  }

  /** Counts for the report (after the members are closed). */
  async eosResult(): Promise<EosResult> {
    const outputs = await this.readCommittedOutput();
    const lines = this.lines();
    const inputs = lines.filter((l) => l.k === 'm' && l.topic === this.topic);
    const entered = new Map<string, number>();
    for (const l of inputs) entered.set(`${l.p}/${l.o}`, (entered.get(`${l.p}/${l.o}`) ?? 0) + 1);
    const inOutput = new Set(outputs);
    const lost = this.produced.filter((id) => !inOutput.has(id));
    const errorTags: Record<string, number> = {};
    for (const l of lines) if (l.k === 'e') errorTags[`${l.tag}${l.code ? `:${l.code}` : ''}`] = (errorTags[`${l.tag}${l.code ? `:${l.code}` : ''}`] ?? 0) + 1;
    return {
      scenario: this.scenario,
      protocol: this.protocol,
      eos: true,
      rebalanceProtocols: [...new Set(lines.flatMap((l) => (l.k === 'n' && l.rp ? [l.rp] : [])))].sort(),
      produced: this.produced.length,
      outputs: outputs.length,
      lost: lost.length,
      lostSample: lost.slice(0, 20),
      lostButWritten: lost.length === 0 ? 0 : await this.readCommittedOutput(30_000, 'read_uncommitted').then((all) => lost.filter((id) => all.includes(id)).length),
      duplicatesInOutput: outputs.length - inOutput.size,
      inputsRedone: [...entered.values()].filter((n) => n > 1).length,
      transactions: lines.filter((l) => l.k === 'txn').length,
      openAtKill: this.openAtKill,
      faults: this.faultCount(),
      errorTags,
      durationMs: Date.now() - this.began,
    };
  }
}
