import { defer, firstValueFrom, lastValueFrom, type Observable } from 'rxjs';
import { KafkaClientError } from '../../../src/errors';
import { encodeAssignment, encodeSubscription } from '../../../src/protocol/consumer-protocol';
import { decodePartitionRecords, encodeRecordBatch } from '../../../src/protocol/record-batch';
import type { RecordToEncode } from '../../../src/protocol/message';
import { createKafkajsTransport } from '../../../src/transport/kafkajs';
import { createAdminKit } from '../../../src/transport/kafkajs/admin-kit';
import type { AbortedTransaction, IsolationLevel, JoinGroupRequest, ProducerIdentity, Transport, TransactionalRequestBase } from '../../../src/transport/port';
import { brokers, uniqueName } from '../../support/names';

/*
 * The transaction requests through the kafkajs adapter, against the real broker: FindCoordinator v4 (transaction
 * key), InitProducerId v4 at the coordinator, AddPartitionsToTxn v3, transactional Produce v8, AddOffsetsToTxn v3,
 * TxnOffsetCommit v3 and EndTxn v3, read back with read_committed and read_uncommitted fetches.
 */

const kit = createAdminKit(brokers());
const transport: Transport = createKafkajsTransport({
  brokers: brokers(),
  clientId: 'transactions-wire-spec',
  connectionTimeout: 3000,
  requestTimeout: 10000,
  retry: { max: 2, initialBackoff: 100, maxBackoff: 400 },
});

/** Retriable answers seen while waiting, for the log (TXN_WIRE_LOG=1 prints them). */
const retried: string[] = [];

afterAll(async () => {
  if (process.env.TXN_WIRE_LOG) process.stderr.write(`\n[transactions-wire] retriable answers:\n${retried.join('\n') || '(none)'}\n`);
  await lastValueFrom(transport.close());
  await kit.close();
});

const need = <T>(v: T | undefined, what: string): T => {
  if (v === undefined) throw new Error(`transport has no ${what}`);
  return v;
};
const findTransactionCoordinator = need(transport.findTransactionCoordinator?.bind(transport), 'findTransactionCoordinator');
const initProducerId = need(transport.initProducerId?.bind(transport), 'initProducerId');
const produceRequest = need(transport.produce?.bind(transport), 'produce');
const addPartitionsToTxn = need(transport.addPartitionsToTxn?.bind(transport), 'addPartitionsToTxn');
const addOffsetsToTxn = need(transport.addOffsetsToTxn?.bind(transport), 'addOffsetsToTxn');
const txnOffsetCommit = need(transport.txnOffsetCommit?.bind(transport), 'txnOffsetCommit');
const endTxn = need(transport.endTxn?.bind(transport), 'endTxn');
const decompress = need(transport.decompress?.bind(transport), 'decompress');

const backoff = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * `work` until it succeeds, retrying (bounded, 100 ms apart) while it fails with a retriable error, e.g. a fresh
 * broker's COORDINATOR_NOT_AVAILABLE while __transaction_state is created, or CONCURRENT_TRANSACTIONS while the
 * previous transaction's markers are written. Retries are logged with their code and how long they lasted.
 */
const whileRetriable = async <T>(step: string, work: () => Observable<T>, attempts = 150): Promise<T> => {
  const t0 = Date.now();
  const codes: string[] = [];
  for (let attempt = 1; ; attempt++) {
    try {
      const value = await firstValueFrom(work());
      if (codes.length > 0) retried.push(`${step}: ${[...new Set(codes)].join(', ')} x${codes.length} for ${Date.now() - t0} ms`);
      return value;
    } catch (e) {
      if (!(e instanceof KafkaClientError) || !e.retriable || attempt >= attempts) throw e;
      codes.push(e.code ?? e._tag);
      await backoff(100);
    }
  }
};

/** The error an Observable fails with (fails the test if it succeeds instead). */
const failure = async (work: Observable<unknown>): Promise<KafkaClientError> => {
  try {
    await lastValueFrom(work);
  } catch (e) {
    expect(e).toBeInstanceOf(KafkaClientError);
    return e as KafkaClientError;
  }
  throw new Error('expected a failure');
};

const records = (prefix: string, n: number): RecordToEncode[] => Array.from({ length: n }, (_, i) => ({ key: `k${i}`, value: `${prefix}-${i}` }));

/**
 * A fresh topic and its partition 0's leader. Just after __transaction_state (50 partitions) is created, kafkajs's
 * createTopics may fail its leader wait with UNKNOWN_TOPIC_OR_PARTITION (it retries only LEADER_NOT_AVAILABLE)
 * although the topic was created: then our Metadata is asked until every partition has a leader (bounded).
 */
const topicWithLeader = async (prefix: string, partitions = 1): Promise<{ topic: string; leader: number }> => {
  const topic = uniqueName(prefix);
  await kit.createTopic(topic, partitions).catch((e: unknown) => {
    const err = e as { type?: unknown; originalError?: { type?: unknown } };
    if (err.type !== 'UNKNOWN_TOPIC_OR_PARTITION' && err.originalError?.type !== 'UNKNOWN_TOPIC_OR_PARTITION') throw e;
    retried.push(`createTopic (kafkajs admin): UNKNOWN_TOPIC_OR_PARTITION while waiting for leaders`);
  });
  for (let i = 0; i < 100; i++) {
    const md = await firstValueFrom(transport.metadata({ topics: [topic] }));
    const ps = md.topics[0]?.partitions ?? [];
    const leader = ps.find((p) => p.partition === 0)?.leader;
    if (ps.length === partitions && ps.every((p) => p.leader >= 0) && leader !== undefined) return { topic, leader };
    await backoff(50);
  }
  throw new Error(`no leader for ${topic}`);
};

/** A new transactional id's coordinator and producer identity there: everything a transaction request names. */
const transactionalProducer = async (prefix: string): Promise<TransactionalRequestBase> => {
  const transactionalId = uniqueName(prefix);
  const coordinator = await whileRetriable('FindCoordinator (transaction)', () => findTransactionCoordinator({ transactionalId }));
  const id = await whileRetriable('InitProducerId', () => initProducerId({ nodeId: coordinator.nodeId, transactionalId, transactionTimeoutMs: 60000 }));
  return { coordinator: coordinator.nodeId, transactionalId, ...id };
};

/** AddPartitionsToTxn, retried while a partition answers a retriable error; expects every partition added. */
const addPartitions = async (txn: TransactionalRequestBase, topic: string, partitions: readonly number[]): Promise<void> => {
  const results = await whileRetriable('AddPartitionsToTxn', () =>
    defer(async () => {
      const rs = await firstValueFrom(addPartitionsToTxn({ ...txn, partitions: partitions.map((partition) => ({ topic, partition })) }));
      const retriable = rs.find((r) => r.error?.retriable);
      if (retriable?.error) throw retriable.error;
      return rs;
    }),
  );
  expect(results.map((r) => [r.topic, r.partition, r.error])).toEqual(partitions.map((p) => [topic, p, undefined]));
};

/** Produces one transactional batch (base sequence 0) to partition 0 of `topic`; resolves with its base offset. */
const produceTransactional = async (txn: TransactionalRequestBase & ProducerIdentity, leader: number, topic: string, rs: readonly RecordToEncode[]): Promise<bigint> => {
  const batch = encodeRecordBatch(rs, { baseOffset: 0n, producerId: txn.producerId, producerEpoch: txn.producerEpoch, baseSequence: 0, transactional: true });
  const [r] = await firstValueFrom(produceRequest({ nodeId: leader, transactionalId: txn.transactionalId, acks: -1, timeoutMs: 10000, partitions: [{ topic, partition: 0, records: batch }] }));
  expect(r?.error).toBeUndefined();
  return r?.baseOffset ?? -1n;
};

/** One Fetch of partition 0 from offset 0 at `isolationLevel`, its records decoded as a consumer at that level would. */
const fetchAll = async (leader: number, topic: string, isolationLevel: IsolationLevel, maxWaitMs = 500) => {
  const [p] = await firstValueFrom(
    transport.fetch({ nodeId: leader, maxWaitMs, minBytes: 1, maxBytes: 1 << 20, isolationLevel, partitions: [{ topic, partition: 0, fetchOffset: 0n, maxBytes: 1 << 20 }] }),
  );
  if (!p) throw new Error('fetch answered no partition');
  expect(p.error).toBeUndefined();
  const decoded = await decodePartitionRecords({ topic, partition: 0, records: p.records, fetchOffset: 0n, isolationLevel, abortedTransactions: p.abortedTransactions, checkCrc: true, decompress });
  return {
    highWatermark: p.highWatermark,
    lastStableOffset: p.lastStableOffset,
    abortedTransactions: p.abortedTransactions,
    messages: decoded.messages.map((m) => ({ offset: m.offset, key: m.key?.toString() ?? null, value: m.value?.toString() ?? null })),
  };
};

/**
 * Fetches (read_committed) until the last stable offset reaches `offset`: the coordinator writes the markers after
 * EndTxn has answered, so the partition's LSO moves a little later. Bounded: 100 long polls of up to 500 ms.
 */
const untilStable = async (leader: number, topic: string, offset: bigint) => {
  const t0 = Date.now();
  for (let i = 0; i < 100; i++) {
    const f = await fetchAll(leader, topic, 'read_committed');
    if (f.lastStableOffset >= offset) {
      retried.push(`${topic}: LSO reached ${offset} on read_committed fetch ${i + 1}, ${Date.now() - t0} ms after EndTxn`);
      return f;
    }
  }
  throw new Error(`last stable offset of ${topic} never reached ${offset}`);
};

const expected = (rs: readonly RecordToEncode[], from: bigint) => rs.map((r, i) => ({ offset: from + BigInt(i), key: r.key ?? null, value: r.value }));

/** A classic member of a fresh group (joined, synced: generation `generationId`) and the group's coordinator. */
const stableMember = async (topic: string) => {
  const groupId = uniqueName('txn-wire-g');
  const coordinator = (await whileRetriable('FindCoordinator (group)', () => transport.findCoordinator({ groupId }))).nodeId;
  const join = (memberId: string): JoinGroupRequest => ({
    groupId,
    coordinator,
    memberId,
    sessionTimeoutMs: 30000,
    rebalanceTimeoutMs: 10000,
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: encodeSubscription({ topics: [topic] }) }],
  });
  const required = await failure(transport.joinGroup(join('')));
  expect(required.code).toBe('MEMBER_ID_REQUIRED');
  const memberId = required.memberId ?? '';
  const { generationId } = await firstValueFrom(transport.joinGroup(join(memberId)));
  const assignment = encodeAssignment({ assignedPartitions: { [topic]: [0, 1] } });
  await firstValueFrom(transport.syncGroup({ groupId, coordinator, memberId, generationId, assignments: [{ memberId, assignment }] }));
  return { groupId, coordinator, memberId, generationId };
};

/** The group's committed offsets of partitions 0 and 1 (OffsetFetch v4: committed only, no require_stable). */
const committedOffsets = async (groupId: string, coordinator: number, topic: string) => {
  const fetched = await firstValueFrom(transport.offsetFetch({ groupId, coordinator, partitions: [0, 1].map((partition) => ({ topic, partition })) }));
  return fetched.map((p) => ({ partition: p.partition, offset: p.offset, metadata: p.metadata, error: p.error }));
};

describe('transaction requests on the real broker', () => {
  it('findTransactionCoordinator for a new transactional id returns a broker listed in Metadata', async () => {
    const transactionalId = uniqueName('txn-wire-fc');
    const coordinator = await whileRetriable('FindCoordinator (transaction)', () => findTransactionCoordinator({ transactionalId }));
    expect(coordinator.nodeId).toBeGreaterThanOrEqual(0);
    expect(coordinator.host).not.toBe('');
    expect(coordinator.port).toBeGreaterThan(0);
    const md = await firstValueFrom(transport.metadata({ topics: [] }));
    expect(md.brokers).toContainEqual(coordinator);
  });

  it('a committed transaction: invisible to read_committed until EndTxn; then its records are, and the high watermark counts the commit marker (records + 1)', async () => {
    const { topic, leader } = await topicWithLeader('txn-wire-commit');
    const txn = await transactionalProducer('txn-wire-commit');
    await addPartitions(txn, topic, [0]);
    const rs = records('committed', 3);
    expect(await produceTransactional(txn, leader, topic, rs)).toBe(0n);

    const open = await fetchAll(leader, topic, 'read_committed', 0);
    expect(open).toMatchObject({ highWatermark: 3n, lastStableOffset: 0n, messages: [] });

    await firstValueFrom(endTxn({ ...txn, commit: true }), { defaultValue: undefined });
    const committed = await untilStable(leader, topic, 4n);
    expect(committed.highWatermark).toBe(4n);
    expect(committed.lastStableOffset).toBe(4n);
    expect(committed.abortedTransactions).toEqual([]);
    expect(committed.messages).toEqual(expected(rs, 0n));
  });

  it('an aborted transaction: read_committed returns none of its records (abortedTransactions lists it), read_uncommitted returns them all', async () => {
    const { topic, leader } = await topicWithLeader('txn-wire-abort');
    const txn = await transactionalProducer('txn-wire-abort');
    await addPartitions(txn, topic, [0]);
    const rs = records('aborted', 3);
    expect(await produceTransactional(txn, leader, topic, rs)).toBe(0n);
    await firstValueFrom(endTxn({ ...txn, commit: false }), { defaultValue: undefined });

    const committed = await untilStable(leader, topic, 4n);
    expect(committed.highWatermark).toBe(4n);
    expect(committed.abortedTransactions).toEqual<AbortedTransaction[]>([{ producerId: txn.producerId, firstOffset: 0n }]);
    expect(committed.messages).toEqual([]);
    const uncommitted = await fetchAll(leader, topic, 'read_uncommitted');
    expect(uncommitted.messages).toEqual(expected(rs, 0n));
  });

  it("offsets in a transaction: AddOffsetsToTxn + TxnOffsetCommit with the member's generation + EndTxn(commit): OffsetFetch returns them once committed, not before", async () => {
    const { topic } = await topicWithLeader('txn-wire-offsets', 2);
    const member = await stableMember(topic);
    const txn = await transactionalProducer('txn-wire-offsets');
    await firstValueFrom(addOffsetsToTxn({ ...txn, groupId: member.groupId }), { defaultValue: undefined });
    const results = await firstValueFrom(
      txnOffsetCommit({
        ...txn,
        coordinator: member.coordinator,
        groupId: member.groupId,
        memberId: member.memberId,
        generationId: member.generationId,
        offsets: [
          { topic, partition: 0, offset: 7n, metadata: 'm0' },
          { topic, partition: 1, offset: 11n, metadata: null },
        ],
      }),
    );
    expect(results.map((r) => [r.topic, r.partition, r.error])).toEqual([
      [topic, 0, undefined],
      [topic, 1, undefined],
    ]);
    // Pending: a (non-stable) OffsetFetch does not see the transaction's offsets yet.
    expect((await committedOffsets(member.groupId, member.coordinator, topic)).map((p) => p.offset)).toEqual([-1n, -1n]);

    await firstValueFrom(endTxn({ ...txn, commit: true }), { defaultValue: undefined });
    // The commit marker reaches __consumer_offsets after EndTxn answers: fetch until the offsets are there (bounded).
    const t0 = Date.now();
    let offsets = await committedOffsets(member.groupId, member.coordinator, topic);
    let polls = 1;
    for (; polls < 100 && offsets.some((p) => p.offset < 0n); polls++) {
      await backoff(50);
      offsets = await committedOffsets(member.groupId, member.coordinator, topic);
    }
    retried.push(`transactional offsets visible to OffsetFetch after ${polls} fetch(es), ${Date.now() - t0} ms after EndTxn`);
    expect(offsets).toEqual([
      { partition: 0, offset: 7n, metadata: 'm0', error: undefined },
      { partition: 1, offset: 11n, metadata: '', error: undefined },
    ]);
  });

  it('a stable OffsetFetch (v9 require_stable, as consumers send it) answers UNSTABLE_OFFSET_COMMIT while the offsets wait in a transaction, and the offsets once it committed', async () => {
    const { topic } = await topicWithLeader('txn-wire-stable', 2);
    const member = await stableMember(topic);
    const txn = await transactionalProducer('txn-wire-stable');
    await firstValueFrom(addOffsetsToTxn({ ...txn, groupId: member.groupId }), { defaultValue: undefined });
    const offsets = [{ topic, partition: 0, offset: 5n, metadata: null }];
    await firstValueFrom(txnOffsetCommit({ ...txn, coordinator: member.coordinator, groupId: member.groupId, memberId: member.memberId, generationId: member.generationId, offsets }));
    const stable = () => firstValueFrom(transport.offsetFetch({ groupId: member.groupId, coordinator: member.coordinator, requireStable: true, partitions: [0, 1].map((partition) => ({ topic, partition })) }));
    const pending = await stable();
    expect(pending.map((p) => [p.partition, p.error?.code, p.error?.context.group, p.error?.context.partition])).toEqual([
      [0, 'UNSTABLE_OFFSET_COMMIT', member.groupId, 0],
      [1, undefined, undefined, undefined],
    ]);
    await firstValueFrom(endTxn({ ...txn, commit: true }), { defaultValue: undefined });
    let after = await stable();
    for (let polls = 1; polls < 100 && after.some((p) => p.error); polls++) {
      await backoff(50);
      after = await stable();
    }
    expect(after.map((p) => [p.partition, p.offset, p.error])).toEqual([
      [0, 5n, undefined],
      [1, -1n, undefined],
    ]);
  });

  it('a zombie is fenced: TxnOffsetCommit with a stale generation fails per partition ILLEGAL_GENERATION, with an unknown member id UNKNOWN_MEMBER_ID', async () => {
    const { topic } = await topicWithLeader('txn-wire-zombie', 2);
    const member = await stableMember(topic);
    const txn = await transactionalProducer('txn-wire-zombie');
    await firstValueFrom(addOffsetsToTxn({ ...txn, groupId: member.groupId }), { defaultValue: undefined });
    const commit = (memberId: string, generationId: number) =>
      firstValueFrom(
        txnOffsetCommit({
          ...txn,
          coordinator: member.coordinator,
          groupId: member.groupId,
          memberId,
          generationId,
          offsets: [0, 1].map((partition) => ({ topic, partition, offset: 5n })),
        }),
      );

    const stale = await commit(member.memberId, member.generationId + 1);
    expect(stale.map((r) => [r.partition, r.error?.code, r.error?.retriable])).toEqual([
      [0, 'ILLEGAL_GENERATION', false],
      [1, 'ILLEGAL_GENERATION', false],
    ]);
    expect(stale[0]?.error?.context).toMatchObject({ api: 'TxnOffsetCommit', group: member.groupId, member: member.memberId, generation: member.generationId + 1, topic, partition: 0 });
    expect(stale[0]?.error?.context.broker).toMatch(/:\d+$/);

    const unknown = await commit(`${member.memberId}-zombie`, member.generationId);
    expect(unknown.map((r) => [r.partition, r.error?.code])).toEqual([
      [0, 'UNKNOWN_MEMBER_ID'],
      [1, 'UNKNOWN_MEMBER_ID'],
    ]);

    await firstValueFrom(endTxn({ ...txn, commit: false }), { defaultValue: undefined });
    expect((await committedOffsets(member.groupId, member.coordinator, topic)).map((p) => p.offset)).toEqual([-1n, -1n]);
  });

  it('producer fencing: a second InitProducerId bumps the epoch; AddPartitionsToTxn and EndTxn with the old epoch then fail PRODUCER_FENCED', async () => {
    const { topic } = await topicWithLeader('txn-wire-fenced');
    const old = await transactionalProducer('txn-wire-fenced');
    await addPartitions(old, topic, [0]);
    const current = await whileRetriable('InitProducerId (fencing)', () =>
      initProducerId({ nodeId: old.coordinator, transactionalId: old.transactionalId, transactionTimeoutMs: 60000 }),
    );
    // The old producer's transaction was open (a partition added): the coordinator fences it by bumping the epoch
    // and aborting (answering CONCURRENT_TRANSACTIONS until the abort is written), then bumps it again for the new
    // producer. Without an open transaction it is + 1 (produce-wire.spec.ts).
    expect(current.producerId).toBe(old.producerId);
    expect(current.producerEpoch).toBe(old.producerEpoch + 2);

    const [added] = await firstValueFrom(addPartitionsToTxn({ ...old, partitions: [{ topic, partition: 0 }] }));
    expect(added?.error).toMatchObject({ _tag: 'KafkaProtocolError', code: 'PRODUCER_FENCED', retriable: false, context: { api: 'AddPartitionsToTxn', topic, partition: 0 } });
    expect(added?.error?.context.broker).toMatch(/:\d+$/);

    const ended = await failure(endTxn({ ...old, commit: true }));
    expect(ended).toMatchObject({ _tag: 'KafkaProtocolError', code: 'PRODUCER_FENCED', retriable: false, context: { api: 'EndTxn' } });
    expect(ended.context.broker).toMatch(/:\d+$/);
  });

  it('AddPartitionsToTxn with a partition that does not exist: UNKNOWN_TOPIC_OR_PARTITION for it, error code 55 (OPERATION_NOT_ATTEMPTED) for the others', async () => {
    const { topic } = await topicWithLeader('txn-wire-partial');
    const txn = await transactionalProducer('txn-wire-partial');
    const results = await firstValueFrom(addPartitionsToTxn({ ...txn, partitions: [{ topic, partition: 0 }, { topic, partition: 7 }] }));
    const byPartition = new Map(results.map((r) => [r.partition, r.error]));
    expect(byPartition.get(7)).toMatchObject({ code: 'UNKNOWN_TOPIC_OR_PARTITION', context: { api: 'AddPartitionsToTxn', topic, partition: 7 } });
    expect(byPartition.get(0)).toMatchObject({ _tag: 'KafkaProtocolError', code: 'OPERATION_NOT_ATTEMPTED', context: { api: 'AddPartitionsToTxn', topic, partition: 0 } });
    retried.push(`AddPartitionsToTxn partial failure, the other partition: ${byPartition.get(0)?.message ?? ''}`);
  });
});
