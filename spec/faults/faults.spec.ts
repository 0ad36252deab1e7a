import * as fs from 'node:fs';
import * as path from 'node:path';
import { restartNode, startCluster, stopCluster, stopNode, type BrokerNode, type KafkaCluster } from '../../broker/kafka-broker';
import { TcpProxy } from '../support/tcp-proxy';
import { EosRig, KILLED_TRANSACTION_TIMEOUT_MS, type EosResult } from './eos-rig';
import { FaultRig, runDir, until, type FaultProtocol, type MemberLine, type ScenarioResult } from './fault-rig';

/**
 * At-least-once through faults, with counts: a 3-node KRaft cluster (replication 3, min.insync.replicas=2), a
 * producer writing numbered payloads with acks=all throughout, three members of one group in child processes.
 * Each scenario asserts: zero lost payloads, duplicates within the bound (processed but uncommitted when the fault
 * hit, see FaultRig.duplicateBound), committed offsets never backwards, every member not killed exits 0 on SIGTERM.
 * The run writes faults-report.json at the repo root and prints one summary line.
 *
 * FAULTS_SCENARIOS (comma-separated scenario names) runs a subset; the others are reported as not run.
 *
 * The eos-* scenarios run exactly-once members (eos-member.js: consume, copy to an output topic, commit offsets in
 * the same transaction) through a member SIGKILLed mid-transaction, the transaction coordinator's broker killed, the
 * group coordinator's broker killed and a rolling restart of every member, and count every input in the output
 * topic read with read_committed: lost and duplicatesInOutput must be 0. Each runs under one rebalance protocol
 * (the four cover all three); FAULTS_EOS_PROTOCOLS=eager,cooperative,consumer runs each under every one.
 */
const only = process.env.FAULTS_SCENARIOS?.split(',').map((s) => s.trim()).filter(Boolean);
const PROTOCOLS: readonly FaultProtocol[] = ['eager', 'cooperative', 'consumer'];
const protocols = process.env.FAULTS_PROTOCOLS?.split(',').map((s) => s.trim()).filter((p): p is FaultProtocol => (PROTOCOLS as readonly string[]).includes(p)) ?? PROTOCOLS;
const eosProtocols = process.env.FAULTS_EOS_PROTOCOLS?.split(',').map((s) => s.trim()).filter((p): p is FaultProtocol => (PROTOCOLS as readonly string[]).includes(p));
let failed = false;
/** Every scenario runs once per rebalance protocol. */
const scenario = (name: string, body: (protocol: FaultProtocol) => Promise<void>): void => {
  if (only && !only.includes(name)) return;
  for (const protocol of protocols) it(`${name} [${protocol}]`, () => body(protocol).catch((e: unknown) => ((failed = true), Promise.reject(e))), 600_000);
};

/** An eos scenario runs under its own protocol, or under each of FAULTS_EOS_PROTOCOLS. */
const eosScenario = (name: string, protocol: FaultProtocol, body: (protocol: FaultProtocol) => Promise<void>): void => {
  if (only && !only.includes(name)) return;
  for (const p of eosProtocols ?? [protocol]) it(`${name} [${p}]`, () => body(p).catch((e: unknown) => ((failed = true), Promise.reject(e))), 600_000);
};

const KNOWN_TAGS = ['KafkaProtocolError', 'ConnectionError', 'BrokerUnavailable', 'RequestTimeout', 'OffsetReset', 'MarkFenced', 'Closed'];

describe('faults: nothing lost when brokers, coordinators and members die (3-node cluster)', () => {
  let cluster: KafkaCluster;
  const results: ScenarioResult[] = [];
  const eosResults: EosResult[] = [];
  const startedAt = Date.now();

  beforeAll(async () => {
    // Members run the built library: `npm run build` (npm test and npm run test:faults do) before this project.
    if (!fs.existsSync(path.join(__dirname, '..', '..', 'dist', 'index.js'))) throw new Error('dist/ is missing: run `npm run build` first');
    // Consumer-protocol groups get the classic members' 6 s session.
    // A SIGKILLed eos member's open transaction is aborted within a second or two of its timeout.
    cluster = await startCluster({
      nodes: 3,
      overrides: { 'min.insync.replicas': 2, 'leader.imbalance.check.interval.seconds': 5, 'group.consumer.session.timeout.ms': 6000, 'transaction.abort.timed.out.transaction.cleanup.interval.ms': 1000 },
    });
  }, 240_000);

  afterAll(async () => {
    if (cluster) await stopCluster(cluster);
    if (!failed) fs.rmSync(runDir, { recursive: true, force: true });
    else process.stderr.write(`[faults] member records kept in ${runDir}\n`);
    if (results.length === 0 && eosResults.length === 0) return;
    const total = (k: 'produced' | 'processedUnique' | 'lost' | 'duplicates' | 'bound') => results.reduce((n, r) => n + r[k], 0);
    const summary = `faults: ${results.length} scenarios, produced ${total('produced')}, processed-unique ${total('processedUnique')}, lost ${total('lost')}, duplicates ${total('duplicates')} (bound ${total('bound')})`;
    const eosTotal = (k: 'produced' | 'lost' | 'duplicatesInOutput') => eosResults.reduce((n, r) => n + r[k], 0);
    const eosSummary = `eos: ${eosResults.length} scenarios, produced ${eosTotal('produced')}, lost ${eosTotal('lost')}, duplicates in output ${eosTotal('duplicatesInOutput')}`;
    process.stderr.write(`\n${summary}\n${eosSummary}\n`);
    const report = {
      summary,
      kafka: cluster?.version,
      nodes: 3,
      minInsyncReplicas: 2,
      scenarios: results.length,
      produced: total('produced'),
      processedUnique: total('processedUnique'),
      lost: total('lost'),
      duplicates: total('duplicates'),
      bound: total('bound'),
      commitRegressions: results.reduce((n, r) => n + r.commitRegressions, 0),
      failoverRegressions: results.reduce((n, r) => n + r.failoverRegressions.length, 0),
      durationMs: Date.now() - startedAt,
      byProtocol: Object.fromEntries(
        protocols.map((protocol) => {
          const rows = results.filter((r) => r.protocol === protocol);
          return [protocol, { scenarios: rows.length, produced: rows.reduce((n, r) => n + r.produced, 0), lost: rows.reduce((n, r) => n + r.lost, 0), duplicates: rows.reduce((n, r) => n + r.duplicates, 0) }];
        }),
      ),
      results,
      eos: { summary: eosSummary, scenarios: eosResults.length, produced: eosTotal('produced'), lost: eosTotal('lost'), duplicatesInOutput: eosTotal('duplicatesInOutput'), results: eosResults },
    };
    fs.writeFileSync(path.join(__dirname, '..', '..', 'faults-report.json'), JSON.stringify(report, null, 2) + '\n');
  }, 120_000);

  const node = (id: number): BrokerNode => {
    const n = cluster.nodes.find((x) => x.nodeId === id);
    if (!n) throw new Error(`no node ${id}`);
    return n;
  };

  /** Creates the topic, starts the producer and members a, b, c; resolves when each member is processing. */
  const running = async (rig: FaultRig, options: { proxyPorts?: Record<string, number>; metadataRefreshMs?: number } = {}): Promise<void> => {
    await rig.createTopic();
    await rig.startProducer();
    const { metadataRefreshMs } = options;
    rig.startMember('a', { proxyPorts: options.proxyPorts, metadataRefreshMs });
    rig.startMember('b', { metadataRefreshMs });
    rig.startMember('c', { metadataRefreshMs });
    await until('each member processing', () => {
      const by = new Set(rig.lines().flatMap((l) => (l.k === 'm' ? [l.member] : [])));
      return ['a', 'b', 'c'].every((m) => by.has(m));
    }).catch(async (e: unknown) => {
      const coordinator = await rig.coordinatorNode().then(String, (x: unknown) => String(x));
      throw new Error(`${String(e)}\ncoordinator ${coordinator}\n${rig.memberStates()}`);
    });
  };

  /**
   * Stops producing, waits for every payload, closes the members, and asserts the scenario's invariants. Duplicates
   * stay within the strict bound (processed and uncommitted when the fault hit) unless `windowBound`: then within
   * what was processed and not committed until the group recovered (a stalled member works through what it had
   * already fetched while it is being evicted, and none of that can be committed).
   */
  const settle = async (rig: FaultRig, windowBound = false): Promise<ScenarioResult> => {
    await rig.stopProducer();
    await rig.untilAllProcessed();
    const notClean = await rig.closeMembers();
    const r = rig.result();
    results.push(r);
    process.stderr.write(`[faults] ${JSON.stringify(r)}\n`);
    expect(notClean).toEqual([]);
    expect(r.produced).toBeGreaterThan(0);
    expect(r.lost).toBe(0);
    expect(r.processedUnique).toBe(r.produced);
    expect(r.duplicates).toBeLessThanOrEqual(windowBound ? r.bound : r.boundAtHit);
    expect(r.commitRegressions).toBe(0);
    expect(r.rebalanceProtocols).toEqual([r.protocol]);
    expect(Object.keys(r.errorTags).filter((t) => !KNOWN_TAGS.includes(t.split(':')[0] ?? ''))).toEqual([]);
    return r;
  };

  const after = (lines: readonly MemberLine[], t: number, test: (l: MemberLine) => boolean): boolean => lines.some((l) => l.t > t && test(l));

  scenario('rolling-restart', async (protocol) => {
    const rig = new FaultRig(cluster, 'rolling-restart', protocol);
    try {
      await running(rig);
      for (const n of cluster.nodes) {
        await rig.untilFullIsr();
        // SIGTERM: controlled shutdown, leadership and coordination move away
        const w = await rig.faultHits(`restart node ${n.nodeId}`, () => stopNode(n));
        await restartNode(cluster, n);
        await rig.recovered(w);
      }
      await settle(rig);
    } finally {
      await rig.dispose();
    }
  });

  scenario('coordinator-kill', async (protocol) => {
    const rig = new FaultRig(cluster, 'coordinator-kill', protocol);
    try {
      await running(rig);
      await rig.untilFullIsr();
      const coordinator = await rig.coordinatorNode();
      const w = await rig.faultHits(`SIGKILL coordinator node ${coordinator}`, () => stopNode(node(coordinator), { signal: 'SIGKILL' }));
      await until('another broker coordinates the group', async () => (await rig.coordinatorNode().catch(() => coordinator)) !== coordinator, 120_000);
      await until('members commit through the new coordinator', async () => {
        const c = await rig.committedNow();
        return [...c].some(([p, o]) => o > (w.committedAtHit.get(p) ?? -1n));
      }, 120_000);
      await restartNode(cluster, node(coordinator));
      await rig.untilFullIsr();
      await rig.recovered(w);
      await settle(rig);
    } finally {
      await rig.dispose();
    }
  });

  scenario('member-kill', async (protocol) => {
    const rig = new FaultRig(cluster, 'member-kill', protocol);
    try {
      await running(rig);
      const mine = () => rig.lines().filter((l) => l.k === 'm' && l.member === 'b').length;
      const before = mine();
      await until('member b well into its partitions', () => mine() >= before + 200);
      const w = await rig.faultHits('SIGKILL member b', () => rig.kill('b'));
      const t = Date.now();
      rig.startMember('d');
      await until('the new member d processes', () => after(rig.lines(), t, (l) => l.k === 'm' && l.member === 'd'), 120_000);
      await rig.recovered(w);
      await settle(rig); // only b's uncommitted work comes back
    } finally {
      await rig.dispose();
    }
  });

  scenario('all-members-kill', async (protocol) => {
    const rig = new FaultRig(cluster, 'all-members-kill', protocol);
    try {
      await running(rig);
      await rig.untilProcessed(rig.processedIds().size + 300);
      const w = await rig.faultHits('SIGKILL members a, b, c', async () => {
        await Promise.all(['a', 'b', 'c'].map((m) => rig.kill(m)));
      });
      const t = Date.now();
      ['a2', 'b2', 'c2'].forEach((m) => rig.startMember(m));
      await until('the restarted members process', () => after(rig.lines(), t, (l) => l.k === 'm'), 120_000);
      await rig.recovered(w);
      await settle(rig); // only the killed members' uncommitted work comes back
    } finally {
      await rig.dispose();
    }
  });

  scenario('network-stall', async (protocol) => {
    const proxies = await Promise.all(cluster.nodes.map((n) => TcpProxy.start(n.port)));
    const proxyPorts = Object.fromEntries(cluster.nodes.map((n, i) => [String(n.port), proxies[i]?.port ?? 0]));
    const rig = new FaultRig(cluster, 'network-stall', protocol);
    try {
      await running(rig, { proxyPorts });
      expect(proxies.reduce((n, p) => n + p.accepted, 0)).toBeGreaterThan(0); // member a really goes through them
      await until('member a consuming', () => rig.lines().filter((l) => l.k === 'm' && l.member === 'a').length >= 100);
      const w = await rig.faultHits('member a stalled past its session timeout', async () => proxies.forEach((p) => p.pause()));
      // Evicted: the others rebalance without a (its session of 6 s expires while every byte of it is held).
      await until('b and c rebalance without a', () => ['b', 'c'].every((m) => after(rig.memberLines(m), w.hitAt, (l) => l.k === 'n' && l.type === 'RebalanceOK')), 120_000);
      const resumedAt = Date.now();
      proxies.forEach((p) => p.resume());
      // a notices (its heartbeat or commit is refused as an unknown member / old generation), rejoins, consumes.
      await until('a rejoins (a new generation) and consumes again', () => {
        const rejoined = rig.memberLines('a').find((l) => l.t > resumedAt && l.k === 'n' && l.type === 'RebalanceOK');
        return rejoined !== undefined && after(rig.memberLines('a'), rejoined.t, (l) => l.k === 'm');
      }, 120_000);
      await rig.recovered(w);
      const aLines = rig.memberLines('a');
      const noticed = aLines.filter((l) => l.t > resumedAt && ((l.k === 'e' && /UNKNOWN_MEMBER_ID|ILLEGAL_GENERATION|REBALANCE_IN_PROGRESS/.test(l.code ?? '')) || (l.k === 'n' && l.type === 'RebalanceStart')));
      expect(noticed.length).toBeGreaterThan(0);
      await settle(rig, true);
    } finally {
      await rig.dispose();
      await Promise.all(proxies.map((p) => p.close()));
    }
  });

  scenario('leader-change', async (protocol) => {
    const rig = new FaultRig(cluster, 'leader-change', protocol);
    try {
      await running(rig);
      await rig.untilFullIsr();
      const before = await rig.leaders();
      const p0 = before.get(0);
      if (!p0) throw new Error('no partition 0');
      const leader = p0.leader;
      // Its partitions' leadership moves while the members are fetching.
      const w = await rig.faultHits(`leader ${leader} of partition 0 stopped`, () => stopNode(node(leader)));
      await until('partition 0 led by another broker', async () => ((await rig.leaders().catch(() => before)).get(0)?.leader ?? leader) !== leader, 120_000);
      await restartNode(cluster, node(leader));
      await rig.untilFullIsr();
      // The preferred leader takes partition 0 back (leader.imbalance.check.interval.seconds=5): a second change.
      await until('partition 0 led by its preferred replica again', async () => (await rig.leaders().catch(() => new Map())).get(0)?.leader === p0.replicas[0], 120_000);
      await rig.recovered(w);
      await settle(rig);
    } finally {
      await rig.dispose();
    }
  });

  scenario('topic-recreate', async (protocol) => {
    const rig = new FaultRig(cluster, 'topic-recreate', protocol);
    try {
      // Partition counts re-read every 10 s: the fetchers, not the metadata refresh, meet the deletion first (they hand
      // the partitions back and the member rejoins); the refresh then finds the recreated topic.
      await running(rig, { metadataRefreshMs: 10_000 });
      await rig.stopProducer();
      await rig.untilAllProcessed();
      const deletedAt = Date.now();
      await rig.kit.deleteTopic(rig.topic);
      rig.topicRecreated();
      await until('the topic is gone', async () => {
        const leaders = await rig.leaders().catch(() => undefined);
        const listed = await rig.kit.endOffsets(rig.topic).then(() => true, () => false);
        return leaders !== undefined && leaders.size === 0 && !listed;
      }, 60_000);
      await rig.createTopic();
      await rig.startProducer();
      await rig.untilProcessed(100); // consuming the new topic: the produced ids of the old one are forgotten
      await rig.stopProducer();
      await rig.untilAllProcessed();
      // Still the same processes: nothing crashed; the errors they saw are typed and bounded (no error loop).
      expect([...rig.members.values()].every((m) => m.child.exitCode === null)).toBe(true);
      const errors = rig.lines().filter((l) => l.k === 'e' && l.t >= deletedAt);
      const fatal = rig.lines().filter((l) => l.k === 'fatal');
      process.stderr.write(`[faults] topic-recreate errors: ${JSON.stringify(errors.map((e) => `${e.tag}:${e.code ?? ''}`))} fatal: ${JSON.stringify(fatal)}\n`);
      expect(errors.length).toBeGreaterThan(0);
      expect(errors.length).toBeLessThan(300);
      // Typed, with context: the topic is unknown while it is gone (KafkaProtocolError UNKNOWN_TOPIC_OR_PARTITION),
      // and the recreated partitions end below the old positions (OffsetReset to oldest); each error names the topic.
      expect(errors.filter((e) => !(e.tag === 'OffsetReset' || (e.tag === 'KafkaProtocolError' && /UNKNOWN_TOPIC|LEADER_NOT_AVAILABLE|NOT_LEADER/.test(e.code ?? ''))))).toEqual([]);
      expect(errors.filter((e) => !(e.msg ?? '').includes(rig.topic))).toEqual([]);
      expect(fatal).toEqual([]);
      await settle(rig);
    } finally {
      await rig.dispose();
    }
  });

  /** Creates the input and output topics, starts the producer and eos members a, b, c; resolves when each has committed a transaction. */
  const eosRunning = async (rig: EosRig, transactionTimeoutMs?: number): Promise<void> => {
    await rig.createTopics();
    await rig.startProducer(5, 50);
    ['a', 'b', 'c'].forEach((m) => rig.startEosMember(m, m, transactionTimeoutMs));
    // The first transactions also wait for __transaction_state (50 partitions, replication 3) to be created.
    await until('each eos member committing', () => ['a', 'b', 'c'].every((m) => rig.commitsAfter(m, 0) > 0), 150_000).catch(async (e: unknown) => {
      throw new Error(`${String(e)}\n${rig.memberStates()}`);
    });
  };

  /** Stops producing, waits until transactions committed every input, closes the members, counts the output. */
  const eosSettle = async (rig: EosRig): Promise<EosResult> => {
    await rig.stopProducer();
    await rig.untilAllCommitted().catch(async (e: unknown) => {
      throw new Error(`${String(e)}\n${await rig.diagnosis(rig.produced)}\n${rig.memberStates()}`);
    });
    const notClean = await rig.closeMembers();
    const r = await rig.eosResult();
    eosResults.push(r);
    process.stderr.write(`[faults] ${JSON.stringify(r)}\n`);
    expect(notClean).toEqual([]);
    expect(rig.lines().filter((l) => l.k === 'fatal')).toEqual([]);
    expect(r.produced).toBeGreaterThan(0);
    expect(r.lost).toBe(0);
    expect(r.duplicatesInOutput).toBe(0);
    expect(r.outputs).toBe(r.produced);
    expect(r.rebalanceProtocols).toEqual([r.protocol]);
    expect(Object.keys(r.errorTags).filter((t) => !KNOWN_TAGS.includes(t.split(':')[0] ?? ''))).toEqual([]);
    return r;
  };

  eosScenario('eos-member-kill', 'consumer', async (protocol) => {
    const rig = new EosRig(cluster, 'eos-member-kill', protocol);
    try {
      // b's open transaction holds back its partitions' next owner until its coordinator aborts it at the timeout.
      await eosRunning(rig, KILLED_TRANSACTION_TIMEOUT_MS);
      // Mid-transaction: b's last record is an input that entered a transaction not yet committed.
      await until('member b inside a transaction', () => rig.commitsAfter('b', 0) >= 3 && rig.memberLines('b').at(-1)?.k === 'm', 120_000);
      const w = await rig.faultHits('SIGKILL member b mid-transaction', () => rig.killEos('b'));
      rig.startEosMember('d');
      // d (or the others) take b's partitions once b's session ends, and its open transaction is aborted at its timeout.
      await until('the new member d commits', () => rig.commitsAfter('d', w.hitAt) > 0, 150_000);
      await rig.recovered(w);
      const r = await eosSettle(rig);
      expect(r.openAtKill).toBeGreaterThan(0);
    } finally {
      await rig.dispose();
    }
  });

  eosScenario('eos-transaction-coordinator-kill', 'eager', async (protocol) => {
    const rig = new EosRig(cluster, 'eos-transaction-coordinator-kill', protocol);
    try {
      await eosRunning(rig);
      await rig.untilFullIsr();
      const coordinator = await rig.transactionCoordinatorNode('a');
      const w = await rig.faultHits(`SIGKILL transaction coordinator node ${coordinator} of a`, () => stopNode(node(coordinator), { signal: 'SIGKILL' }));
      await until('another broker coordinates a’s transactions', async () => (await rig.transactionCoordinatorNode('a').catch(() => coordinator)) !== coordinator, 120_000);
      await until('a commits through its new transaction coordinator', () => rig.commitsAfter('a', w.hitAt) > 0, 120_000);
      await restartNode(cluster, node(coordinator));
      await rig.untilFullIsr();
      await rig.recovered(w);
      await eosSettle(rig);
    } finally {
      await rig.dispose();
    }
  });

  eosScenario('eos-group-coordinator-kill', 'cooperative', async (protocol) => {
    const rig = new EosRig(cluster, 'eos-group-coordinator-kill', protocol);
    try {
      await eosRunning(rig);
      await rig.untilFullIsr();
      const coordinator = await rig.coordinatorNode();
      const w = await rig.faultHits(`SIGKILL group coordinator node ${coordinator}`, () => stopNode(node(coordinator), { signal: 'SIGKILL' }));
      await until('another broker coordinates the group', async () => (await rig.coordinatorNode().catch(() => coordinator)) !== coordinator, 120_000);
      await until('transactions commit offsets through the new group coordinator', async () => {
        const c = await rig.committedNow();
        return [...c].some(([p, o]) => o > (w.committedAtHit.get(p) ?? -1n));
      }, 120_000);
      await restartNode(cluster, node(coordinator));
      await rig.untilFullIsr();
      await rig.recovered(w);
      await eosSettle(rig);
    } finally {
      await rig.dispose();
    }
  });

  eosScenario('eos-rolling-member-restart', 'cooperative', async (protocol) => {
    const rig = new EosRig(cluster, 'eos-rolling-member-restart', protocol);
    try {
      await eosRunning(rig);
      for (const slot of ['a', 'b', 'c']) {
        // SIGTERM: the open transaction finishes, the member leaves; its successor in the slot takes the same transactional id.
        const w = await rig.faultHits(`restart member ${slot}`, async () => {
          const exit = await rig.stopMember(slot);
          expect(exit).toEqual({ code: 0, signal: null });
        });
        rig.startEosMember(`${slot}2`, slot);
        await until(`${slot}2 commits in slot ${slot}`, () => rig.commitsAfter(`${slot}2`, w.hitAt) > 0, 120_000);
        await rig.recovered(w);
      }
      await eosSettle(rig);
    } finally {
      await rig.dispose();
    }
  });
});

