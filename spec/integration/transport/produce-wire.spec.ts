import { gunzipSync, gzipSync } from 'node:zlib';
import { firstValueFrom, lastValueFrom, retry, throwError, timer, type Observable } from 'rxjs';
import { KafkaClientError } from '../../../src/errors';
import { BATCH_HEADER_SIZE, decodePartitionRecords, encodeRecordBatch, type EncodeBatchOptions } from '../../../src/protocol/record-batch';
import type { RecordToEncode } from '../../../src/protocol/message';
import { createKafkajsTransport } from '../../../src/transport/kafkajs';
import { createAdminKit } from '../../../src/transport/kafkajs/admin-kit';
import type { Acks, ProducerIdentity, Transport } from '../../../src/transport/port';
import { brokers, uniqueName } from '../../support/names';

/* InitProducerId v4 and Produce v8 through the kafkajs adapter, against the real broker. */

const kit = createAdminKit(brokers());
const transport: Transport = createKafkajsTransport({
  brokers: brokers(),
  clientId: 'produce-wire-spec',
  connectionTimeout: 3000,
  requestTimeout: 10000,
  retry: { max: 2, initialBackoff: 100, maxBackoff: 400 },
});

afterAll(async () => {
  await lastValueFrom(transport.close());
  await kit.close();
});

const need = <T>(v: T | undefined, what: string): T => {
  if (v === undefined) throw new Error(`transport has no ${what}`);
  return v;
};
const initProducerId = need(transport.initProducerId?.bind(transport), 'initProducerId');
const produceRequest = need(transport.produce?.bind(transport), 'produce');
const compressWith = need(transport.compress?.bind(transport), 'compress');
/** The kafkajs adapter's compress, always a Promise (its codecs are asynchronous). */
const compress = (codec: 'gzip' | 'zstd', data: Buffer): Promise<Buffer> => Promise.resolve(compressWith(codec, data));
const decompress = need(transport.decompress?.bind(transport), 'decompress');
const findTransactionCoordinator = need(transport.findTransactionCoordinator?.bind(transport), 'findTransactionCoordinator');

const records = (prefix: string, n: number): RecordToEncode[] => Array.from({ length: n }, (_, i) => ({ key: `k${i}`, value: `${prefix}-${i}`, headers: { h: `${i}` } }));

/** A fresh one-partition topic and its leader's node id. */
const topicWithLeader = async (prefix: string): Promise<{ topic: string; leader: number }> => {
  const topic = uniqueName(prefix);
  await kit.createTopic(topic, 1);
  const md = await firstValueFrom(transport.metadata({ topics: [topic] }));
  const leader = md.topics[0]?.partitions[0]?.leader;
  if (leader === undefined || leader < 0) throw new Error(`no leader for ${topic}`);
  // Metadata may name the leader before it serves the partition (NOT_LEADER_OR_FOLLOWER for a moment): an acks-0
  // produce would then be dropped unseen. Wait until the leader answers ListOffsets for it.
  for (let attempt = 0; ; attempt++) {
    const [p] = await firstValueFrom(transport.listOffsets({ isolationLevel: 'read_uncommitted', partitions: [{ topic, partition: 0, timestamp: -1n }] }));
    if (!p?.error) break;
    if (attempt >= 100 || !p.error.retriable) throw p.error;
    await new Promise((r) => setTimeout(r, 50));
  }
  return { topic, leader };
};

const produce = async (leader: number, topic: string, batch: Buffer, acks: Acks = -1, partition = 0) => {
  const results = await firstValueFrom(produceRequest({ nodeId: leader, acks, timeoutMs: 10000, partitions: [{ topic, partition, records: batch }] }));
  expect(results).toHaveLength(1);
  return results[0] ?? { topic, partition, baseOffset: -1n, logAppendTime: -1n, logStartOffset: -1n };
};

/** One long-polling Fetch from `fetchOffset`: the broker answers as soon as it has a byte, or after 10 s. */
const fetchOnce = async (leader: number, topic: string, fetchOffset: bigint) => {
  const [p] = await firstValueFrom(
    transport.fetch({ nodeId: leader, maxWaitMs: 10000, minBytes: 1, maxBytes: 1 << 20, isolationLevel: 'read_uncommitted', partitions: [{ topic, partition: 0, fetchOffset, maxBytes: 1 << 20 }] }),
  );
  if (!p) throw new Error('fetch answered no partition');
  expect(p.error).toBeUndefined();
  const decoded = await decodePartitionRecords({ topic, partition: 0, records: p.records, fetchOffset, isolationLevel: 'read_uncommitted', abortedTransactions: [], checkCrc: true, decompress });
  return { highWatermark: p.highWatermark, messages: decoded.messages, nextOffset: decoded.nextOffset };
};

/** Every record from offset 0 up to `count`, fetching until they have all arrived. */
const readBack = async (leader: number, topic: string, count: number) => {
  const out: { offset: bigint; key: string | null; value: string | null; headers: Record<string, string | null> }[] = [];
  let next = 0n;
  while (out.length < count) {
    const { messages, nextOffset } = await fetchOnce(leader, topic, next);
    for (const m of messages) out.push({ offset: m.offset, key: m.key?.toString() ?? null, value: m.value?.toString() ?? null, headers: Object.fromEntries(m.headers.map((h) => [h.key, h.value?.toString() ?? null])) });
    next = nextOffset;
  }
  return out;
};

const expected = (rs: readonly RecordToEncode[], from: bigint) => rs.map((r, i) => ({ offset: from + BigInt(i), key: r.key ?? null, value: r.value, headers: r.headers }));

/** The error an Observable or Promise fails with (fails the test if it succeeds instead). */
const failure = async (work: Observable<unknown> | Promise<unknown>): Promise<KafkaClientError> => {
  try {
    await (work instanceof Promise ? work : lastValueFrom(work));
  } catch (e) {
    expect(e).toBeInstanceOf(KafkaClientError);
    return e as KafkaClientError;
  }
  throw new Error('expected a failure');
};

/**
 * Retries a request while the broker answers with a retriable error: a fresh broker answers InitProducerId
 * COORDINATOR_LOAD_IN_PROGRESS until its first block of producer ids arrives from the controller.
 */
const whileRetriable = <T>(work: Observable<T>): Promise<T> =>
  firstValueFrom(work.pipe(retry({ count: 100, delay: (e: unknown) => (e instanceof KafkaClientError && e.retriable ? timer(100) : throwError(() => e)) })));

const idempotentProducer = (): Promise<ProducerIdentity> => whileRetriable(initProducerId({ transactionTimeoutMs: 60000 }));
const batch = (rs: readonly RecordToEncode[], opts: Partial<EncodeBatchOptions> = {}) => encodeRecordBatch(rs, { baseOffset: 0n, ...opts });

describe('InitProducerId v4 and Produce v8 on the real broker', () => {
  it('an idempotent producer (no transactional id) gets a producer id >= 0 and an epoch >= 0 from any broker', async () => {
    const id = await idempotentProducer();
    expect(typeof id.producerId).toBe('bigint');
    expect(id.producerId).toBeGreaterThanOrEqual(0n);
    expect(id.producerEpoch).toBeGreaterThanOrEqual(0);
  });

  it('acks -1: a 3-record batch lands at baseOffset 0, the next at 3, and both read back as produced', async () => {
    const { topic, leader } = await topicWithLeader('produce-acks-all');
    const first = records('a', 3);
    const second = records('b', 2);
    const r1 = await produce(leader, topic, batch(first));
    expect(r1).toMatchObject({ topic, partition: 0, baseOffset: 0n, logAppendTime: -1n, logStartOffset: 0n });
    expect(r1.error).toBeUndefined();
    const r2 = await produce(leader, topic, batch(second));
    expect(r2).toMatchObject({ baseOffset: 3n });
    expect(r2.error).toBeUndefined();
    expect(await readBack(leader, topic, 5)).toEqual([...expected(first, 0n), ...expected(second, 3n)]);
  });

  it('idempotence on the wire: the same batch resent (same producer id, epoch, base sequence) gets the same baseOffset and is logged once', async () => {
    const { topic, leader } = await topicWithLeader('produce-idempotent');
    const { producerId, producerEpoch } = await idempotentProducer();
    const rs = records('once', 3);
    const b = batch(rs, { producerId, producerEpoch, baseSequence: 0 });
    const sent = await produce(leader, topic, b);
    expect(sent.error).toBeUndefined();
    expect(sent.baseOffset).toBe(0n);
    const resent = await produce(leader, topic, b);
    expect(resent.error).toBeUndefined();
    expect(resent.baseOffset).toBe(0n);
    const { highWatermark, messages } = await fetchOnce(leader, topic, 0n);
    expect(highWatermark).toBe(3n);
    expect(messages.map((m) => m.value?.toString())).toEqual(rs.map((r) => r.value));
  });

  it('a sequence gap (base sequence 5 where 3 is expected) is a partition error OUT_OF_ORDER_SEQUENCE_NUMBER', async () => {
    const { topic, leader } = await topicWithLeader('produce-seq-gap');
    const { producerId, producerEpoch } = await idempotentProducer();
    expect((await produce(leader, topic, batch(records('s', 3), { producerId, producerEpoch, baseSequence: 0 }))).error).toBeUndefined();
    const gap = await produce(leader, topic, batch(records('gap', 1), { producerId, producerEpoch, baseSequence: 5 }));
    expect(gap.error).toBeInstanceOf(KafkaClientError);
    expect(gap.error).toMatchObject({ _tag: 'KafkaProtocolError', code: 'OUT_OF_ORDER_SEQUENCE_NUMBER', retriable: false, context: { api: 'Produce', topic, partition: 0 } });
    expect(gap.error?.context.broker).toMatch(/:\d+$/);
    expect(gap.baseOffset).toBe(-1n);
  });

  it('a partition that does not exist is a partition error UNKNOWN_TOPIC_OR_PARTITION, not a failed request', async () => {
    const { topic, leader } = await topicWithLeader('produce-no-partition');
    const missing = await produce(leader, topic, batch(records('x', 1)), -1, 7);
    expect(missing).toMatchObject({ topic, partition: 7, baseOffset: -1n });
    expect(missing.error).toMatchObject({ code: 'UNKNOWN_TOPIC_OR_PARTITION', retriable: true, context: { api: 'Produce', topic, partition: 7 } });
    const noTopic = uniqueName('produce-no-topic');
    const unknown = await produce(leader, noTopic, batch(records('x', 1)));
    expect(unknown.error).toMatchObject({ code: 'UNKNOWN_TOPIC_OR_PARTITION', context: { topic: noTopic, partition: 0 } });
  });

  it('acks 0: resolves with baseOffset -1n once written (the broker sends no response), and the record is then readable', async () => {
    const { topic, leader } = await topicWithLeader('produce-acks-0');
    const rs = records('fire-and-forget', 1);
    const r = await produce(leader, topic, batch(rs), 0);
    expect(r).toEqual({ topic, partition: 0, baseOffset: -1n, logAppendTime: -1n, logStartOffset: -1n });
    expect(await readBack(leader, topic, 1)).toEqual(expected(rs, 0n));
  });

  it('a gzip-compressed batch (zlib, and one compressed by the transport) round-trips; compress(gzip) gunzips back', async () => {
    const data = Buffer.from('records section '.repeat(20));
    expect(gunzipSync(await compress('gzip', data))).toEqual(data);

    const { topic, leader } = await topicWithLeader('produce-gzip');
    const zlibbed = records('zlib', 4);
    expect((await produce(leader, topic, batch(zlibbed, { compress: { codec: 'gzip', fn: (s) => gzipSync(s) } }))).baseOffset).toBe(0n);
    // The transport's own gzip: compress the records section of the same batch uncompressed, then frame it.
    const byTransport = records('transport', 3);
    const section = batch(byTransport).subarray(BATCH_HEADER_SIZE);
    const compressed = await compress('gzip', section);
    const r = await produce(leader, topic, batch(byTransport, { compress: { codec: 'gzip', fn: () => compressed } }));
    expect(r.error).toBeUndefined();
    expect(r.baseOffset).toBe(4n);
    expect(await readBack(leader, topic, 7)).toEqual([...expected(zlibbed, 0n), ...expected(byTransport, 4n)]);
  });

  it('compress(zstd) without a registered codec fails with CodecMissing naming the codec', async () => {
    const e = await failure(compress('zstd', Buffer.from('x')));
    expect(e).toMatchObject({ _tag: 'CodecMissing', retriable: false });
    expect(e.message).toMatch(/zstd.*@kafkajs\/zstd.*CompressionCodecs\[CompressionTypes\.ZSTD\]/);
  });

  it('a transactional id: initProducerId at its coordinator, then again: the same producer id with epoch + 1', async () => {
    const transactionalId = uniqueName('txn');
    // The first FindCoordinator for a transactional id creates __transaction_state: until it is loaded it answers
    // COORDINATOR_NOT_AVAILABLE, and so may InitProducerId at the coordinator just after.
    const { nodeId: coordinator } = await whileRetriable(findTransactionCoordinator({ transactionalId }));
    const atCoordinator = () => whileRetriable(initProducerId({ nodeId: coordinator, transactionalId, transactionTimeoutMs: 60000 }));
    const first = await atCoordinator();
    expect(first.producerId).toBeGreaterThanOrEqual(0n);
    expect(first.producerEpoch).toBeGreaterThanOrEqual(0);
    const second = await atCoordinator();
    expect(second.producerId).toBe(first.producerId);
    expect(second.producerEpoch).toBe(first.producerEpoch + 1);
  });
});
