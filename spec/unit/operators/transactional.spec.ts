import { bufferTime, filter, map, mergeMap, timer } from 'rxjs';
import { ConfigValidationError, createClient, KafkaClientError, transactional, type MessageBatch, type TransactionReport } from '../../../src';
import { overriding } from '../../../src/transport';
import { InMemoryCluster } from '../../../src/testing';
import { inMemoryGroup, values, virtualTime } from '../../support/in-memory-group';

/** Each batch of `in` becomes one transaction: its values upper-cased to `out`, its messages' offsets committed. */
const asTransaction = (batch: MessageBatch) => ({
  records: batch.messages.map((m) => ({ topic: 'out', key: m.key, value: (m.value?.toString() ?? '').toUpperCase() })),
  consumed: batch.messages,
});

const committedOutputs = (cluster: InMemoryCluster) =>
  [0, 1].flatMap((p) => cluster.records('out', p, 'read_committed').map((m) => m.value?.toString() ?? '')).sort();

interface Outcome {
  reports: TransactionReport[];
  error?: KafkaClientError;
  cluster: InMemoryCluster;
}

/** `in` (2 partitions, 3 + 2 records) consumed by group g through `transactional` for 3 s, in virtual time. */
const run = (setup: (cluster: InMemoryCluster) => void = () => undefined, transactionalId = 'tx', membership: Record<string, unknown> = {}, durationMs = 3000): Outcome => {
  const ts = virtualTime();
  const out: Omit<Outcome, 'cluster'> = { reports: [] };
  let cluster = new InMemoryCluster();
  ts.run(() => {
    cluster = new InMemoryCluster({ brokers: 3, topics: { in: 2, out: 2 } });
    cluster.produce('in', 0, values(3, 'a'));
    cluster.produce('in', 1, values(2, 'b'));
    setup(cluster);
    const { group } = inMemoryGroup(cluster, ts, { groupId: 'g', topics: ['in'], consumer: { isolationLevel: 'read_committed' }, ...membership });
    const client = createClient({ brokers: ['in-memory:9092'] }, { createTransport: () => cluster.transport({ clientId: 'producer' }) });
    const sub = group.batches$.pipe(map(asTransaction), transactional(client, group, { transactionalId })).subscribe({
      next: (r) => out.reports.push(r),
      error: (e: KafkaClientError) => (out.error = e),
    });
    timer(durationMs).subscribe(() => {
      sub.unsubscribe();
      group.close().subscribe();
    });
    ts.flush();
  });
  return { ...out, cluster };
};

describe('transactional (in-memory cluster, virtual time)', () => {
  it('commits each input batch’s outputs and offsets together: read_committed sees every output once, the group the input’s end', () => {
    const { reports, cluster, error } = run();
    expect(error).toBeUndefined();
    expect(committedOutputs(cluster)).toEqual(['A0', 'A1', 'A2', 'B0', 'B1']);
    expect(cluster.committed('g')).toEqual({ 'in/0': 3n, 'in/1': 2n });
    expect(reports.flatMap((r) => r.offsets.map((o) => `${o.topic}/${o.partition}@${o.offset}`)).sort()).toEqual(['in/0@3', 'in/1@2']);
    expect(reports.flatMap((r) => r.deliveries.map((d) => d.record.value)).sort()).toEqual(['A0', 'A1', 'A2', 'B0', 'B1']);
  });

  it.each([
    ['cooperative-sticky (classic protocol)', { group: { session: { timeout: 10000 }, heartbeat: { interval: 1000 }, rebalance: { timeout: 30000, drainTimeout: 5000 }, partitionStrategy: ['cooperative-sticky'] } }],
    ['the consumer group protocol (KIP-848, member epoch as generation)', { groupProtocol: 'consumer', group: { rebalance: { timeout: 30000, drainTimeout: 5000 } } }],
  ])('commits outputs and offsets together under %s', (_name, membership) => {
    const { cluster, error } = run(undefined, 'tx', membership);
    expect(error).toBeUndefined();
    expect(committedOutputs(cluster)).toEqual(['A0', 'A1', 'A2', 'B0', 'B1']);
    expect(cluster.committed('g')).toEqual({ 'in/0': 3n, 'in/1': 2n });
  });

  it('works in partition mode: each partition’s batches become transactions of their own', () => {
    const ts = virtualTime();
    let cluster = new InMemoryCluster();
    ts.run(() => {
      cluster = new InMemoryCluster({ brokers: 3, topics: { in: 2, out: 2 } });
      cluster.produce('in', 0, values(3, 'a'));
      cluster.produce('in', 1, values(2, 'b'));
      const { group } = inMemoryGroup(cluster, ts, { groupId: 'g', topics: ['in'] });
      const client = createClient({ brokers: ['in-memory:9092'] }, { createTransport: () => cluster.transport({ clientId: 'producer' }) });
      const sub = group.partitions$
        .pipe(
          mergeMap((pc) =>
            pc.pipe(
              map((m) => ({ topic: m.topic, partition: m.partition, messages: [m] })),
              map(asTransaction),
              transactional(client, group, { transactionalId: `tx-${pc.partition}` }),
            ),
          ),
        )
        .subscribe();
      timer(3000).subscribe(() => {
        sub.unsubscribe();
        group.close().subscribe();
      });
      ts.flush();
    });
    expect(committedOutputs(cluster)).toEqual(['A0', 'A1', 'A2', 'B0', 'B1']);
    expect(cluster.committed('g')).toEqual({ 'in/0': 3n, 'in/1': 2n });
  });

  it('aborts a transaction whose offset commit finds the member out of its generation, rewinds, and commits its inputs once on the retry', () => {
    const { cluster, error } = run((c) => c.failNext('txnOffsetCommit', 1, 'ILLEGAL_GENERATION'));
    expect(error).toBeUndefined();
    expect(committedOutputs(cluster)).toEqual(['A0', 'A1', 'A2', 'B0', 'B1']);
    expect(cluster.committed('g')).toEqual({ 'in/0': 3n, 'in/1': 2n });
    const all = [0, 1].flatMap((p) => cluster.records('out', p).map((m) => m.value?.toString()));
    expect(all.length).toBeGreaterThan(5); // the aborted attempt's records are in the log, invisible to read_committed
  });

  it('retries retriable failures inside a transaction (a produce answered NOT_ENOUGH_REPLICAS) without duplicating outputs', () => {
    const { cluster, error } = run((c) => c.failNext('produce', 2, 'NOT_ENOUGH_REPLICAS'));
    expect(error).toBeUndefined();
    expect(committedOutputs(cluster)).toEqual(['A0', 'A1', 'A2', 'B0', 'B1']);
  });

  it('fails with the broker’s error on a non-retriable produce failure: the transaction is aborted and nothing of it is visible or committed', () => {
    const { cluster, error, reports } = run((c) => c.failNext('produce', 1, 'INVALID_RECORD'));
    expect(error).toBeInstanceOf(KafkaClientError);
    expect(error?.code).toBe('INVALID_RECORD');
    expect(reports).toEqual([]);
    expect(committedOutputs(cluster)).toEqual([]);
    expect(cluster.committed('g')).toEqual({});
  });

  it('a zombie is fenced: once another producer initialised the same transactional id, the old one’s next transaction fails PRODUCER_FENCED', () => {
    const { error, cluster } = run((c) => {
      timer(1500).subscribe(() => {
        const t = c.transport({ clientId: 'successor' });
        t.findTransactionCoordinator({ transactionalId: 'tx' }).subscribe((b) => t.initProducerId({ transactionalId: 'tx', nodeId: b.nodeId, transactionTimeoutMs: 60000 }).subscribe());
      });
      timer(2000).subscribe(() => c.produce('in', 0, values(1, 'late')));
    });
    expect(error?.code).toBe('PRODUCER_FENCED');
    expect(committedOutputs(cluster)).toEqual(['A0', 'A1', 'A2', 'B0', 'B1']);
    expect(cluster.committed('g')).toEqual({ 'in/0': 3n, 'in/1': 2n });
  });

  it('asks InitProducerId for the configured transactionTimeoutMs (default Java’s 60000) and refuses an invalid one with a ConfigValidationError', () => {
    const asked: number[] = [];
    const ts = virtualTime();
    ts.run(() => {
      const cluster = new InMemoryCluster({ brokers: 1, topics: { in: 1, out: 1 } });
      cluster.produce('in', 0, values(1, 'a'));
      const recording = () => overriding(cluster.transport({ clientId: 'p' }), { initProducerId: (r) => (asked.push(r.transactionTimeoutMs), cluster.transport({ clientId: 'p2' }).initProducerId(r)) });
      const client = createClient({ brokers: ['in-memory:9092'] }, { createTransport: recording });
      for (const [id, options] of [['tx-default', {}], ['tx-10s', { transactionTimeoutMs: 10_000 }]] as const) {
        const { group } = inMemoryGroup(cluster, ts, { groupId: id, topics: ['in'], consumer: { isolationLevel: 'read_committed' } });
        const sub = group.batches$.pipe(map(asTransaction), transactional(client, group, { transactionalId: id, ...options })).subscribe();
        timer(2000).subscribe(() => (sub.unsubscribe(), group.close().subscribe()));
      }
    });
    expect(asked.sort()).toEqual([10_000, 60_000]);
    const group = inMemoryGroup(new InMemoryCluster({ topics: { in: 1 } }), ts, { groupId: 'g', topics: ['in'] }).group;
    expect(() => transactional(createClient({ brokers: ['in-memory:9092'] }), group, { transactionalId: 'x', transactionTimeoutMs: 0 })).toThrow(ConfigValidationError);
  });

  it('finds the transaction coordinator again when it moves (NOT_COORDINATOR), keeping its producer id, and commits every input once', () => {
    const { error, cluster } = run((c) => {
      timer(1000).subscribe(() => c.moveTransactionCoordinator('tx', (c.transactionCoordinatorOf('tx') % 3) + 1));
      timer(1500).subscribe(() => c.produce('in', 0, values(2, 'late')));
    });
    expect(error).toBeUndefined();
    expect(committedOutputs(cluster)).toEqual(['A0', 'A1', 'A2', 'B0', 'B1', 'LATE0', 'LATE1']);
    expect(cluster.committed('g')).toEqual({ 'in/0': 5n, 'in/1': 2n });
  });

  it('produces to the new leader when an output partition’s leader moves mid-stream (NOT_LEADER_OR_FOLLOWER), writing each output once', () => {
    const { error, cluster } = run((c) => {
      timer(1000).subscribe(() => [0, 1].forEach((p) => c.moveLeader('out', p, (c.leaderOf('out', p) % 3) + 1)));
      timer(1500).subscribe(() => (c.produce('in', 0, values(2, 'late')), c.produce('in', 1, values(2, 'later'))));
    });
    expect(error).toBeUndefined();
    expect(committedOutputs(cluster)).toEqual(['A0', 'A1', 'A2', 'B0', 'B1', 'LATE0', 'LATE1', 'LATER0', 'LATER1']);
    expect(cluster.committed('g')).toEqual({ 'in/0': 5n, 'in/1': 4n });
  });

  it('asks again 20 ms after CONCURRENT_TRANSACTIONS (as Java), not after the full retryBackoffMs, and commits once', () => {
    const calls: number[] = [];
    const ts = virtualTime();
    let cluster = new InMemoryCluster();
    ts.run(() => {
      cluster = new InMemoryCluster({ brokers: 1, topics: { in: 1, out: 1 } });
      cluster.produce('in', 0, values(2, 'a'));
      cluster.failNext('addPartitionsToTxn', 3, 'CONCURRENT_TRANSACTIONS');
      const t = cluster.transport({ clientId: 'p' });
      const recording = () => overriding(t, { addPartitionsToTxn: (r) => (calls.push(ts.now()), t.addPartitionsToTxn(r)) });
      const client = createClient({ brokers: ['in-memory:9092'] }, { createTransport: recording });
      const { group } = inMemoryGroup(cluster, ts, { groupId: 'g', topics: ['in'], consumer: { isolationLevel: 'read_committed' } });
      const sub = group.batches$.pipe(map(asTransaction), transactional(client, group, { transactionalId: 'tx', retryBackoffMs: 500 })).subscribe();
      timer(3000).subscribe(() => (sub.unsubscribe(), group.close().subscribe()));
    });
    expect(calls.slice(1, 4).map((at, i) => at - (calls[i] ?? 0))).toEqual([20, 20, 20]);
    expect(cluster.records('out', 0, 'read_committed').map((m) => m.value?.toString())).toEqual(['A0', 'A1']);
  });

  it('aborts a transaction whose consumed partition the member no longer holds (released by a rebalance): nothing emitted, visible or committed', () => {
    const reports: TransactionReport[] = [];
    const errors: KafkaClientError[] = [];
    const ts = virtualTime();
    let cluster = new InMemoryCluster();
    ts.run(() => {
      cluster = new InMemoryCluster({ brokers: 1, topics: { in: 1, out: 1 } });
      cluster.produce('in', 0, values(2, 'a'));
      const client = createClient({ brokers: ['in-memory:9092'] }, { createTransport: () => cluster.transport({ clientId: 'p' }) });
      const { group } = inMemoryGroup(cluster, ts, { groupId: 'g', topics: ['in'], consumer: { isolationLevel: 'read_committed' } });
      const released = { ...group, owns: () => false };
      const sub = group.batches$.pipe(map(asTransaction), transactional(client, released, { transactionalId: 'tx' })).subscribe({ next: (r) => reports.push(r), error: (e: KafkaClientError) => errors.push(e) });
      timer(3000).subscribe(() => (sub.unsubscribe(), group.close().subscribe()));
    });
    expect(errors).toEqual([]);
    expect(reports).toEqual([]);
    expect(cluster.records('out', 0, 'read_committed')).toEqual([]);
    expect(cluster.committed('g')).toEqual({});
  });

  it('sends no OffsetCommit of the group’s own for transactionally committed offsets (a plain commit landing after a later transaction’s would move the offsets back)', () => {
    const ts = virtualTime();
    let cluster = new InMemoryCluster();
    let commits: unknown[] = [];
    ts.run(() => {
      cluster = new InMemoryCluster({ brokers: 1, topics: { in: 1, out: 1 } });
      cluster.produce('in', 0, values(3, 'a'));
      timer(1000).subscribe(() => cluster.produce('in', 0, values(2, 'b')));
      const client = createClient({ brokers: ['in-memory:9092'] }, { createTransport: () => cluster.transport({ clientId: 'p' }) });
      const { group, recorded } = inMemoryGroup(cluster, ts, { groupId: 'g', topics: ['in'], consumer: { isolationLevel: 'read_committed' } });
      commits = recorded.commits;
      const sub = group.batches$.pipe(map(asTransaction), transactional(client, group, { transactionalId: 'tx' })).subscribe();
      timer(3000).subscribe(() => (sub.unsubscribe(), group.close().subscribe()));
    });
    expect(cluster.committed('g')).toEqual({ 'in/0': 5n });
    expect(commits).toEqual([]);
  });

  it('after an abort, inputs delivered before the rewind (queued behind it) are skipped, not committed: each output once', () => {
    const { cluster, error } = run((c) => {
      c.failNext('txnOffsetCommit', 1, 'ILLEGAL_GENERATION').delayNext('txnOffsetCommit', 400);
      [100, 200, 300].forEach((at, i) => timer(at).subscribe(() => c.produce('in', 0, values(2, `q${i}-`))));
    });
    expect(error).toBeUndefined();
    expect(committedOutputs(cluster)).toEqual(['A0', 'A1', 'A2', 'B0', 'B1', 'Q0-0', 'Q0-1', 'Q1-0', 'Q1-1', 'Q2-0', 'Q2-1']);
    expect(cluster.committed('g')).toEqual({ 'in/0': 9n, 'in/1': 2n });
  });

  it('a transaction still running when its partitions were revoked (past the drain timeout) and assigned back aborts; the re-delivered inputs commit once', () => {
    const { cluster, error, reports } = run(
      (c) => {
        c.delayNext('txnOffsetCommit', 8000);
        timer(500).subscribe(() => c.failNext('heartbeat', 1, 'REBALANCE_IN_PROGRESS'));
      },
      'tx',
      {},
      20_000,
    );
    expect(error).toBeUndefined();
    expect(committedOutputs(cluster)).toEqual(['A0', 'A1', 'A2', 'B0', 'B1']);
    expect(cluster.committed('g')).toEqual({ 'in/0': 3n, 'in/1': 2n });
    expect(reports.length).toBeGreaterThan(0);
  });

  it('an input holding both stale and re-delivered messages of one partition (a buffer spanning a rewind) is consumed again from its first re-delivered one: nothing lost, nothing twice', () => {
    const ts = virtualTime();
    let cluster = new InMemoryCluster();
    let error: KafkaClientError | undefined;
    ts.run(() => {
      cluster = new InMemoryCluster({ brokers: 1, topics: { in: 1, out: 2 } });
      cluster.produce('in', 0, values(3, 'a'));
      cluster.failNext('txnOffsetCommit', 1, 'ILLEGAL_GENERATION').delayNext('txnOffsetCommit', 250);
      [100, 200, 300, 450, 600].forEach((at, i) => timer(at).subscribe(() => cluster.produce('in', 0, values(2, `q${i}-`))));
      const client = createClient({ brokers: ['in-memory:9092'] }, { createTransport: () => cluster.transport({ clientId: 'p' }) });
      const { group } = inMemoryGroup(cluster, ts, { groupId: 'g', topics: ['in'], consumer: { isolationLevel: 'read_committed' } });
      const sub = group.batches$
        .pipe(
          bufferTime(200),
          filter((batches) => batches.length > 0),
          map((batches) => asTransaction({ ...batches[0]!, messages: batches.flatMap((b) => b.messages) })),
          transactional(client, group, { transactionalId: 'tx' }),
        )
        .subscribe({ error: (e: KafkaClientError) => (error = e) });
      timer(5000).subscribe(() => (sub.unsubscribe(), group.close().subscribe()));
    });
    expect(error).toBeUndefined();
    expect(committedOutputs(cluster)).toEqual(['A0', 'A1', 'A2', 'Q0-0', 'Q0-1', 'Q1-0', 'Q1-1', 'Q2-0', 'Q2-1', 'Q3-0', 'Q3-1', 'Q4-0', 'Q4-1']);
    expect(cluster.committed('g')).toEqual({ 'in/0': 13n });
  });
});

