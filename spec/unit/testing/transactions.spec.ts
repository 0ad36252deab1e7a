import { firstValueFrom, VirtualTimeScheduler, type Observable } from 'rxjs';
import { isKafkaClientError, type KafkaClientError } from '../../../src/errors';
import { encodeSubscription } from '../../../src/protocol/consumer-protocol';
import { encodeRecordBatch } from '../../../src/protocol/record-batch';
import { InMemoryCluster } from '../../../src/testing';
import type { ProducerIdentity, Transport } from '../../../src/transport';

/** The in-memory broker on a VirtualTimeScheduler: `run` executes what is due now and returns the answer. */
const setup = () => {
  const scheduler = new VirtualTimeScheduler();
  const cluster = new InMemoryCluster({ scheduler, brokers: 3, topics: { t: 2, out: 1 } });
  const t = cluster.transport({ clientId: 'txn' });
  const run = async <T>(work: Observable<T>): Promise<T> => {
    const result = firstValueFrom(work);
    scheduler.maxFrames = scheduler.now();
    scheduler.flush();
    return result;
  };
  const failure = async (work: Observable<unknown>): Promise<KafkaClientError> => {
    try {
      await run(work);
    } catch (e) {
      if (isKafkaClientError(e)) return e;
      throw e;
    }
    throw new Error('expected a failure');
  };
  return { cluster, t, run, failure };
};

type Setup = ReturnType<typeof setup>;

const need = <K extends keyof Transport>(t: Transport, k: K): NonNullable<Transport[K]> => {
  const m = t[k];
  if (!m) throw new Error(`no ${String(k)}`);
  return (m as (...a: never[]) => unknown).bind(t) as NonNullable<Transport[K]>;
};

/** A transactional producer: its coordinator and identity. */
const begin = async ({ t, run }: Setup, transactionalId: string) => {
  const coordinator = (await run(need(t, 'findTransactionCoordinator')({ transactionalId }))).nodeId;
  const identity = await run(need(t, 'initProducerId')({ transactionalId, nodeId: coordinator, transactionTimeoutMs: 60000 }));
  return { coordinator, transactionalId, ...identity };
};

const write = async ({ t, run, cluster }: Setup, who: ProducerIdentity & { transactionalId: string }, values: readonly string[], partition = 0, baseSequence = 0) => {
  const records = encodeRecordBatch(values.map((value) => ({ value })), { baseOffset: 0n, producerId: who.producerId, producerEpoch: who.producerEpoch, baseSequence, transactional: true });
  const [r] = await run(need(t, 'produce')({ nodeId: cluster.leaderOf('t', partition), transactionalId: who.transactionalId, acks: -1, timeoutMs: 1000, partitions: [{ topic: 't', partition, records }] }));
  return r;
};

const committedValues = (cluster: InMemoryCluster, partition = 0) => cluster.records('t', partition, 'read_committed').map((m) => m.value?.toString());

describe('the in-memory broker’s transactions', () => {
  it('a committed transaction’s records are visible to read_committed only after EndTxn(commit), behind its marker', async () => {
    const s = setup();
    const who = await begin(s, 'tx-a');
    expect((await s.run(need(s.t, 'addPartitionsToTxn')({ ...who, partitions: [{ topic: 't', partition: 0 }] })))[0]?.error).toBeUndefined();
    expect((await write(s, who, ['a', 'b']))?.error).toBeUndefined();
    expect(committedValues(s.cluster)).toEqual([]);
    expect(s.cluster.records('t', 0).map((m) => m.value?.toString())).toEqual(['a', 'b']);
    await s.run(need(s.t, 'endTxn')({ ...who, commit: true }));
    expect(committedValues(s.cluster)).toEqual(['a', 'b']);
    expect(s.cluster.highWatermark('t', 0)).toBe(3n);
  });

  it('an aborted transaction’s records never reach read_committed; read_uncommitted still sees them', async () => {
    const s = setup();
    const who = await begin(s, 'tx-b');
    await s.run(need(s.t, 'addPartitionsToTxn')({ ...who, partitions: [{ topic: 't', partition: 0 }] }));
    await write(s, who, ['x']);
    await s.run(need(s.t, 'endTxn')({ ...who, commit: false }));
    s.cluster.produce('t', 0, [{ value: 'plain' }]);
    expect(committedValues(s.cluster)).toEqual(['plain']);
    expect(s.cluster.records('t', 0).map((m) => m.value?.toString())).toEqual(['x', 'plain']);
  });

  it('refuses a transactional batch to a partition not added to the transaction (INVALID_TXN_STATE)', async () => {
    const s = setup();
    const who = await begin(s, 'tx-c');
    expect((await write(s, who, ['x'], 1))?.error?.code).toBe('INVALID_TXN_STATE');
  });

  it('commits the transaction’s group offsets with it, and only on commit', async () => {
    const s = setup();
    const groupId = 'g';
    const coordinator = (await s.run(s.t.findCoordinator({ groupId }))).nodeId;
    const join = { groupId, coordinator, sessionTimeoutMs: 10000, rebalanceTimeoutMs: 10000, protocolType: 'consumer', protocols: [{ name: 'range', metadata: encodeSubscription({ topics: ['t'] }) }] };
    const memberId = (await s.failure(s.t.joinGroup({ ...join, memberId: '' }))).memberId ?? '';
    const joined = await s.run(s.t.joinGroup({ ...join, memberId }));
    await s.run(s.t.syncGroup({ groupId, coordinator, memberId, generationId: joined.generationId, assignments: [] }));
    const who = await begin(s, 'tx-d');
    const commitOffsets = async (offset: bigint, commit: boolean, generationId = joined.generationId) => {
      await s.run(need(s.t, 'addOffsetsToTxn')({ ...who, groupId }));
      const results = await s.run(need(s.t, 'txnOffsetCommit')({ ...who, coordinator, groupId, memberId, generationId, offsets: [{ topic: 't', partition: 0, offset }] }));
      if (!results[0]?.error) await s.run(need(s.t, 'endTxn')({ ...who, commit }));
      return results;
    };
    await commitOffsets(5n, false);
    expect(s.cluster.committed(groupId)).toEqual({});
    await commitOffsets(7n, true);
    expect(s.cluster.committed(groupId)).toEqual({ 't/0': 7n });
    // A zombie of an older generation is fenced by the group coordinator (KIP-447).
    expect((await commitOffsets(9n, true, joined.generationId - 1))[0]?.error?.code).toBe('ILLEGAL_GENERATION');
    expect(s.cluster.committed(groupId)).toEqual({ 't/0': 7n });
  });

  it('answers a stable OffsetFetch UNSTABLE_OFFSET_COMMIT while an open transaction holds the partition’s offsets, and the committed offset once it ends', async () => {
    const s = setup();
    const groupId = 'g-stable';
    const coordinator = (await s.run(s.t.findCoordinator({ groupId }))).nodeId;
    const fetchOffsets = (requireStable: boolean) => s.run(s.t.offsetFetch({ groupId, coordinator, requireStable, partitions: [{ topic: 't', partition: 0 }, { topic: 't', partition: 1 }] }));
    const who = await begin(s, 'tx-stable');
    await s.run(need(s.t, 'addOffsetsToTxn')({ ...who, groupId }));
    await s.run(need(s.t, 'txnOffsetCommit')({ ...who, coordinator, groupId, memberId: '', generationId: -1, offsets: [{ topic: 't', partition: 0, offset: 4n }] }));
    const pending = await fetchOffsets(true);
    expect(pending.map((p) => [p.partition, p.error?.code, p.error?.context.partition])).toEqual([[0, 'UNSTABLE_OFFSET_COMMIT', 0], [1, undefined, undefined]]);
    // Without requireStable, the last committed offset (none yet): what a pre-KIP-447 client reads.
    expect((await fetchOffsets(false)).map((p) => [p.offset, p.error])).toEqual([[-1n, undefined], [-1n, undefined]]);
    await s.run(need(s.t, 'endTxn')({ ...who, commit: true }));
    expect((await fetchOffsets(true)).map((p) => [p.offset, p.error])).toEqual([[4n, undefined], [-1n, undefined]]);
    // An aborted transaction's offsets go with it.
    await s.run(need(s.t, 'addOffsetsToTxn')({ ...who, groupId }));
    await s.run(need(s.t, 'txnOffsetCommit')({ ...who, coordinator, groupId, memberId: '', generationId: -1, offsets: [{ topic: 't', partition: 0, offset: 9n }] }));
    expect((await fetchOffsets(true))[0]?.error?.code).toBe('UNSTABLE_OFFSET_COMMIT');
    await s.run(need(s.t, 'endTxn')({ ...who, commit: false }));
    expect((await fetchOffsets(true)).map((p) => [p.offset, p.error])).toEqual([[4n, undefined], [-1n, undefined]]);
  });

  it('a new InitProducerId for the same transactional id aborts the open transaction and fences the old producer', async () => {
    const s = setup();
    const old = await begin(s, 'tx-e');
    await s.run(need(s.t, 'addPartitionsToTxn')({ ...old, partitions: [{ topic: 't', partition: 0 }] }));
    await write(s, old, ['zombie']);
    const next = await begin(s, 'tx-e');
    expect(next.producerId).toBe(old.producerId);
    expect(next.producerEpoch).toBe(old.producerEpoch + 1);
    expect(committedValues(s.cluster)).toEqual([]);
    expect(s.cluster.records('t', 0).map((m) => m.value?.toString())).toEqual(['zombie']);
    expect((await s.failure(need(s.t, 'endTxn')({ ...old, commit: true }))).code).toBe('PRODUCER_FENCED');
    expect((await s.run(need(s.t, 'addPartitionsToTxn')({ ...old, partitions: [{ topic: 't', partition: 0 }] })))[0]?.error?.code).toBe('PRODUCER_FENCED');
  });

  it('answers NOT_COORDINATOR from a node that does not coordinate the transactional id', async () => {
    const s = setup();
    const who = await begin(s, 'tx-f');
    const other = (who.coordinator + 1) % 3;
    expect((await s.failure(need(s.t, 'endTxn')({ ...who, coordinator: other, commit: true }))).code).toBe('NOT_COORDINATOR');
  });
});
