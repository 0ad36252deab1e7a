import { concatMap, defer, lastValueFrom, map, retry, Subscription, tap, throwError, timer, type Observable } from 'rxjs';
import { consumerGroup, transactional, type KafkaClientError, type MessageBatch, type TransactionReport } from '../../src';
import { overriding, LATEST_TIMESTAMP, type Transport } from '../../src/transport';
import { createKafkajsTransport } from '../../src/transport/kafkajs';
import { createAdminKit } from '../../src/transport/kafkajs/admin-kit';
import { brokers, uniqueName } from '../support/names';
import { OffsetTally } from '../support/offset-tally';

const kit = createAdminKit(brokers());
afterAll(() => kit.close());

const transportFor = (clientId: string): Transport =>
  createKafkajsTransport({ brokers: brokers(), clientId, connectionTimeout: 3000, requestTimeout: 10000, retry: { max: 5, initialBackoff: 100, maxBackoff: 1000 } });

/** Each batch becomes one transaction: its values prefixed to the output topic, its messages' offsets committed. */
const toOutput = (output: string) => (batch: MessageBatch) => ({
  records: batch.messages.map((m) => ({ topic: output, key: m.key, value: `out-${m.value?.toString() ?? ''}` })),
  consumed: batch.messages,
});

/** Every value of `topic` a read_committed (or read_uncommitted) consumer sees, once `count` have been seen. */
const readAll = async (topic: string, count: number, isolationLevel: 'read_committed' | 'read_uncommitted'): Promise<string[]> => {
  const group = consumerGroup({ brokers: brokers(), groupId: uniqueName('read'), topics: [topic], consumer: { isolationLevel, offsets: { initial: 'oldest' } } });
  const values: string[] = [];
  const tally = new OffsetTally();
  const sub = group.messages$.subscribe((m) => (tally.add(m), values.push(m.value?.toString() ?? '')));
  await tally.until((t) => t.unique >= count);
  sub.unsubscribe();
  await lastValueFrom(group.close(), { defaultValue: undefined });
  return values;
};

interface Pipeline {
  reports: TransactionReport[];
  error?: KafkaClientError;
  stop(): Promise<void>;
}

/** group.batches$ → transactional → reports, until every input offset of `ends` is committed in a report. */
const runPipeline = async (input: string, output: string, groupId: string, ends: ReadonlyMap<number, bigint>, wrap: (t: Transport) => Transport = (t) => t, transactionalId = uniqueName('txn')): Promise<Pipeline> => {
  const group = consumerGroup({ brokers: brokers(), groupId, topics: [input], consumer: { offsets: { initial: 'oldest' }, isolationLevel: 'read_committed' } });
  const connections = { openTransport: () => wrap(transportFor('txn-producer')) };
  const committed = new Map<number, bigint>();
  const out: Pipeline = {
    reports: [],
    stop: async () => {
      sub.unsubscribe();
      await lastValueFrom(group.close(), { defaultValue: undefined });
    },
  };
  let done: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const sub: Subscription = group.batches$.pipe(map(toOutput(output)), transactional(connections, group, { transactionalId })).subscribe({
    next: (r) => {
      out.reports.push(r);
      for (const o of r.offsets) committed.set(o.partition, o.offset);
      if ([...ends].every(([p, end]) => end === 0n || (committed.get(p) ?? 0n) >= end)) done();
    },
    error: (e: KafkaClientError) => {
      out.error = e;
      done();
    },
  });
  await finished;
  return out;
};

describe('transactional on the real broker (read_committed)', () => {
  it('every input’s output is seen once by read_committed, and the group’s offsets commit with the transactions', async () => {
    const input = uniqueName('eos-in');
    const output = uniqueName('eos-out');
    const groupId = uniqueName('eos');
    await kit.createTopic(input, 3);
    await kit.createTopic(output, 3);
    await kit.produce(input, Array.from({ length: 3_000 }, (_, i) => ({ key: `k${i}`, value: `v${i}` })));
    const ends = await kit.endOffsets(input);
    const p = await runPipeline(input, output, groupId, ends);
    await p.stop();
    expect(p.error).toBeUndefined();
    expect(await kit.committedOffsets(groupId, input)).toEqual(ends);
    const seen = await readAll(output, 3_000, 'read_committed');
    expect(seen.length).toBe(3_000);
    expect(new Set(seen).size).toBe(3_000);
  });

  it('a transaction’s outputs are invisible to read_committed until EndTxn(commit): the last stable offset stops before them', async () => {
    const input = uniqueName('eos-lso-in');
    const output = uniqueName('eos-lso-out');
    await kit.createTopic(input, 1);
    await kit.createTopic(output, 1);
    await kit.produce(input, Array.from({ length: 50 }, (_, i) => ({ value: `v${i}` })));
    const observed: { before: bigint; end: bigint }[] = [];
    const probe = transportFor('lso-probe');
    const stableAndEnd = async (): Promise<{ lso: bigint; end: bigint }> => {
      const [committed] = await lastValueFrom(probe.listOffsets({ isolationLevel: 'read_committed', partitions: [{ topic: output, partition: 0, timestamp: LATEST_TIMESTAMP }] }));
      const [uncommitted] = await lastValueFrom(probe.listOffsets({ isolationLevel: 'read_uncommitted', partitions: [{ topic: output, partition: 0, timestamp: LATEST_TIMESTAMP }] }));
      return { lso: committed?.offset ?? -1n, end: uncommitted?.offset ?? -1n };
    };
    const wrap = (t: Transport): Transport => {
      const endTxn = t.endTxn?.bind(t);
      if (!endTxn) return t;
      return overriding(t, {
        endTxn: (r) =>
          defer(async () => stableAndEnd()).pipe(
            concatMap((before) => endTxn(r).pipe(tap({ complete: () => observed.push({ before: before.lso, end: before.end }) }))),
          ) as Observable<void>,
      });
    };
    const p = await runPipeline(input, output, uniqueName('eos-lso'), await kit.endOffsets(input), wrap);
    await p.stop();
    const after = await stableAndEnd();
    await lastValueFrom(probe.close());
    expect(p.error).toBeUndefined();
    expect(observed.length).toBeGreaterThan(0);
    // Before each commit, the open transaction's records were written but not stable.
    for (const o of observed) expect(o.before).toBeLessThan(o.end);
    expect(after.lso).toBe(after.end);
  });

  it('an aborted transaction’s outputs stay invisible to read_committed; its inputs are consumed again and commit once', async () => {
    const input = uniqueName('eos-abort-in');
    const output = uniqueName('eos-abort-out');
    const groupId = uniqueName('eos-abort');
    await kit.createTopic(input, 2);
    await kit.createTopic(output, 2);
    await kit.produce(input, Array.from({ length: 400 }, (_, i) => ({ key: `k${i}`, value: `v${i}` })));
    const ends = await kit.endOffsets(input);
    let failures = 1;
    // The first offset commit answers as if the member had left its generation (a rebalance): the transaction aborts.
    const wrap = (t: Transport): Transport => {
      const commit = t.txnOffsetCommit?.bind(t);
      if (!commit) return t;
      return overriding(t, {
        txnOffsetCommit: (r) => (failures-- > 0 ? commit({ ...r, generationId: r.generationId + 100 }) : commit(r)),
      });
    };
    const p = await runPipeline(input, output, groupId, ends, wrap);
    await p.stop();
    expect(p.error).toBeUndefined();
    expect(failures).toBeLessThan(0);
    expect(await kit.committedOffsets(groupId, input)).toEqual(ends);
    const committed = await readAll(output, 400, 'read_committed');
    expect(new Set(committed).size).toBe(400);
    expect(committed.length).toBe(400);
    const outEnds = await kit.endOffsets(output);
    const everything = [...outEnds.values()].reduce((a, b) => a + Number(b), 0);
    expect(everything).toBeGreaterThan(400); // the aborted records and the markers are in the log
  });

  it('a zombie is fenced: after another producer takes its transactional id, its next transaction fails with a typed error', async () => {
    const input = uniqueName('eos-zombie-in');
    const output = uniqueName('eos-zombie-out');
    const groupId = uniqueName('eos-zombie');
    const transactionalId = uniqueName('zombie');
    await kit.createTopic(input, 1);
    await kit.createTopic(output, 1);
    await kit.produce(input, [{ value: 'first' }]);
    const group = consumerGroup({ brokers: brokers(), groupId, topics: [input], consumer: { offsets: { initial: 'oldest' }, isolationLevel: 'read_committed' } });
    const reports: TransactionReport[] = [];
    let fail: (e: KafkaClientError) => void = () => undefined;
    const failed = new Promise<KafkaClientError>((resolve) => (fail = resolve));
    let firstCommitted: () => void = () => undefined;
    const first = new Promise<void>((resolve) => (firstCommitted = resolve));
    const sub = group.batches$
      .pipe(map(toOutput(output)), transactional({ openTransport: () => transportFor('zombie') }, group, { transactionalId }))
      .subscribe({ next: (r) => (reports.push(r), firstCommitted()), error: fail });
    await first;
    // The successor: InitProducerId for the same transactional id bumps the epoch.
    const successor = transportFor('successor');
    const find = successor.findTransactionCoordinator?.bind(successor);
    const init = successor.initProducerId?.bind(successor);
    if (!find || !init) throw new Error('no transactions in the transport');
    const coordinator = await lastValueFrom(find({ transactionalId }));
    // CONCURRENT_TRANSACTIONS (retriable) while the broker still completes the zombie's last commit.
    await lastValueFrom(
      init({ transactionalId, nodeId: coordinator.nodeId, transactionTimeoutMs: 60000 }).pipe(
        retry({ count: 100, delay: (e: KafkaClientError) => (e.retriable ? timer(50) : throwError(() => e)) }),
      ),
    );
    await kit.produce(input, [{ value: 'second' }]);
    const error = await failed;
    sub.unsubscribe();
    await lastValueFrom(group.close(), { defaultValue: undefined });
    await lastValueFrom(successor.close());
    expect(reports).toHaveLength(1);
    expect(error.code).toBe('PRODUCER_FENCED');
    expect(error.context).toMatchObject({ api: 'AddPartitionsToTxn', topic: output, partition: 0 });
    expect(await kit.committedOffsets(groupId, input)).toEqual(new Map([[0, 1n]]));
  });
});
