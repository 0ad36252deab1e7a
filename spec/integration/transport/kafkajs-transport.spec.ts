import { firstValueFrom, lastValueFrom, toArray, type Observable } from 'rxjs';
import { KafkaClientError } from '../../../src/errors';
import { createAdminKit, type AdminKit } from '../../../src/transport/kafkajs/admin-kit';
import { createKafkajsTransport } from '../../../src/transport/kafkajs';
import { EARLIEST_TIMESTAMP, LATEST_TIMESTAMP, type Transport } from '../../../src/transport/port';
import { brokers, uniqueName } from '../../support/names';

const options = (bootstrap: string[]) => ({
  brokers: bootstrap,
  clientId: 'transport-spec',
  connectionTimeout: 3000,
  requestTimeout: 10000,
  retry: { max: 2, initialBackoff: 100, maxBackoff: 400 },
});

/** The error an Observable fails with (fails the test if it emits instead). */
const failure = async (o: Observable<unknown>): Promise<KafkaClientError> => {
  try {
    await lastValueFrom(o);
  } catch (e) {
    expect(e).toBeInstanceOf(KafkaClientError);
    return e as KafkaClientError;
  }
  throw new Error('expected the request to fail');
};

const str = (s: string) => {
  const b = Buffer.from(s);
  const len = Buffer.alloc(2);
  len.writeInt16BE(b.length);
  return Buffer.concat([len, b]);
};
const int16 = (n: number) => Buffer.from([n >> 8, n & 0xff]);
const int32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};
/** Java ConsumerProtocol v0 subscription / assignment bytes, enough for the broker to read. */
const subscription = (topic: string) => Buffer.concat([int16(0), int32(1), str(topic), int32(-1)]);
const assignment = (topic: string, partitions: number[]) =>
  Buffer.concat([int16(0), int32(1), str(topic), int32(partitions.length), ...partitions.map(int32), int32(-1)]);

describe('kafkajs transport against a real broker', () => {
  const topic = uniqueName('transport');
  let kit: AdminKit;
  let transport: Transport;

  beforeAll(async () => {
    kit = createAdminKit(brokers());
    await kit.createTopic(topic, 2);
    await kit.produce(topic, Array.from({ length: 30 }, (_, i) => ({ value: `v${i}`, partition: i % 2 })));
    transport = createKafkajsTransport(options(brokers()));
  });

  afterAll(async () => {
    await lastValueFrom(transport.close());
    await kit.close();
  });

  it('describes a known topic, all topics, and reports an unknown one without creating it', async () => {
    const md = await firstValueFrom(transport.metadata({ topics: [topic] }));
    expect(md.brokers.length).toBeGreaterThan(0);
    expect(md.topics).toHaveLength(1);
    const [t] = md.topics;
    expect(t?.error).toBeUndefined();
    expect(t?.partitions.map((p) => p.partition).sort()).toEqual([0, 1]);
    expect(t?.partitions.every((p) => md.brokers.some((b) => b.nodeId === p.leader))).toBe(true);

    const all = await firstValueFrom(transport.metadata({}));
    expect(all.topics.map((x) => x.topic)).toContain(topic);

    const missing = uniqueName('missing');
    const unknown = await firstValueFrom(transport.metadata({ topics: [missing] }));
    expect(unknown.topics[0]?.error?.code).toBe('UNKNOWN_TOPIC_OR_PARTITION');
    expect(unknown.topics[0]?.error?.retriable).toBe(true);

    const none = await firstValueFrom(transport.metadata({ topics: [] }));
    expect(none.topics).toEqual([]);
    expect(none.brokers.length).toBeGreaterThan(0);
  });

  it('runs join (MEMBER_ID_REQUIRED, rejoin), sync, heartbeat, commit, fetch offsets and leave', async () => {
    const groupId = uniqueName('transport-group');
    const { nodeId: coordinator } = await firstValueFrom(transport.findCoordinator({ groupId }));
    const md = await firstValueFrom(transport.metadata({ topics: [] }));
    expect(md.brokers.map((b) => b.nodeId)).toContain(coordinator);

    const join = {
      groupId,
      coordinator,
      sessionTimeoutMs: 10000,
      rebalanceTimeoutMs: 10000,
      protocolType: 'consumer',
      protocols: [{ name: 'range', metadata: subscription(topic) }],
    };
    const required = await failure(transport.joinGroup({ ...join, memberId: '' }));
    expect(required.code).toBe('MEMBER_ID_REQUIRED');
    expect(required.memberId).toMatch(/^transport-spec-/);

    const memberId = required.memberId ?? '';
    const joined = await firstValueFrom(transport.joinGroup({ ...join, memberId }));
    expect(joined).toMatchObject({ memberId, leaderId: memberId, protocolName: 'range' });
    expect(joined.generationId).toBeGreaterThan(0);
    expect(joined.members).toEqual([{ memberId, metadata: subscription(topic) }]);

    const generationId = joined.generationId;
    const mine = assignment(topic, [0, 1]);
    const synced = await firstValueFrom(transport.syncGroup({ groupId, coordinator, memberId, generationId, assignments: [{ memberId, assignment: mine }] }));
    expect(synced.assignment.equals(mine)).toBe(true);

    expect(await lastValueFrom(transport.heartbeat({ groupId, coordinator, memberId, generationId }).pipe(toArray()))).toEqual([undefined]);
    const stale = await failure(transport.heartbeat({ groupId, coordinator, memberId, generationId: generationId + 7 }));
    expect(stale.code).toBe('ILLEGAL_GENERATION');

    const committed = await firstValueFrom(
      transport.offsetCommit({
        groupId,
        coordinator,
        memberId,
        generationId,
        offsets: [
          { topic, partition: 0, offset: 5n, metadata: 'm0' },
          { topic, partition: 1, offset: 9n },
        ],
      }),
    );
    expect(committed.map((p) => [p.partition, p.error])).toEqual([
      [0, undefined],
      [1, undefined],
    ]);
    const fetched = await firstValueFrom(
      transport.offsetFetch({ groupId, coordinator, partitions: [{ topic, partition: 0 }, { topic, partition: 1 }] }),
    );
    expect(fetched.map(({ partition, offset, metadata, error }) => ({ partition, offset, metadata, error }))).toEqual([
      { partition: 0, offset: 5n, metadata: 'm0', error: undefined },
      { partition: 1, offset: 9n, metadata: '', error: undefined }, // the broker stores null metadata as ''
    ]);
    expect(await kit.committedOffsets(groupId, topic)).toEqual(new Map([[0, 5n], [1, 9n]]));

    await lastValueFrom(transport.leaveGroup({ groupId, coordinator, memberId }), { defaultValue: undefined });
    const gone = await failure(transport.heartbeat({ groupId, coordinator, memberId, generationId }));
    expect(gone.code).toBe('UNKNOWN_MEMBER_ID');
    expect(gone.context).toMatchObject({ group: groupId, member: memberId, api: 'Heartbeat' });
  });

  it('sends group.instance.id on JoinGroup, Heartbeat and OffsetCommit (static membership)', async () => {
    const groupId = uniqueName('transport-static');
    const groupInstanceId = 'instance-a';
    const { nodeId: coordinator } = await firstValueFrom(transport.findCoordinator({ groupId }));
    const joined = await firstValueFrom(
      transport.joinGroup({
        groupId,
        coordinator,
        groupInstanceId,
        memberId: '',
        sessionTimeoutMs: 10000,
        rebalanceTimeoutMs: 10000,
        protocolType: 'consumer',
        protocols: [{ name: 'range', metadata: subscription(topic) }],
      }),
    );
    // A static member is admitted on its first join (no MEMBER_ID_REQUIRED round) and listed with its instance id.
    expect(joined.members).toEqual([{ memberId: joined.memberId, groupInstanceId, metadata: subscription(topic) }]);
    const { memberId, generationId } = joined;
    await firstValueFrom(transport.syncGroup({ groupId, coordinator, groupInstanceId, memberId, generationId, assignments: [{ memberId, assignment: assignment(topic, [0, 1]) }] }));

    // Another member id claiming the same instance id is fenced: only possible if the instance id reached the broker.
    const fenced = await failure(transport.heartbeat({ groupId, coordinator, groupInstanceId, memberId: `${memberId}-x`, generationId }));
    expect(fenced.code).toBe('FENCED_INSTANCE_ID');
    const commit = await firstValueFrom(
      transport.offsetCommit({ groupId, coordinator, groupInstanceId, memberId: `${memberId}-x`, generationId, offsets: [{ topic, partition: 0, offset: 1n }] }),
    );
    expect(commit[0]?.error?.code).toBe('FENCED_INSTANCE_ID');
    await lastValueFrom(transport.leaveGroup({ groupId, coordinator, groupInstanceId, memberId }), { defaultValue: undefined });
  });

  it('lists earliest and latest offsets per partition', async () => {
    const ends = await kit.endOffsets(topic);
    const partitions = [0, 1].flatMap((partition) => [
      { topic, partition, timestamp: EARLIEST_TIMESTAMP },
      { topic, partition, timestamp: LATEST_TIMESTAMP },
    ]);
    // One timestamp per partition per request: Kafka rejects duplicates.
    const earliest = await firstValueFrom(transport.listOffsets({ isolationLevel: 'read_uncommitted', partitions: partitions.filter((p) => p.timestamp === EARLIEST_TIMESTAMP) }));
    const latest = await firstValueFrom(transport.listOffsets({ isolationLevel: 'read_committed', partitions: partitions.filter((p) => p.timestamp === LATEST_TIMESTAMP) }));
    expect(earliest.map((p) => [p.partition, p.offset, p.error])).toEqual([
      [0, 0n, undefined],
      [1, 0n, undefined],
    ]);
    expect(latest.map((p) => [p.partition, p.offset])).toEqual([
      [0, ends.get(0)],
      [1, ends.get(1)],
    ]);
    expect(ends.get(0)).toBe(15n);

    const unknown = await firstValueFrom(transport.listOffsets({ isolationLevel: 'read_uncommitted', partitions: [{ topic, partition: 7, timestamp: LATEST_TIMESTAMP }] }));
    expect(unknown[0]?.error?.code).toBe('UNKNOWN_TOPIC_OR_PARTITION');
  });

  it('fetches raw record batches with high watermark, and reports an out-of-range offset per partition', async () => {
    const md = await firstValueFrom(transport.metadata({ topics: [topic] }));
    const leader = md.topics[0]?.partitions.find((p) => p.partition === 0)?.leader ?? -1;
    const base = { nodeId: leader, maxWaitMs: 100, minBytes: 1, maxBytes: 1 << 20, isolationLevel: 'read_committed' as const };
    const [p0] = await firstValueFrom(transport.fetch({ ...base, partitions: [{ topic, partition: 0, fetchOffset: 0n, maxBytes: 1 << 20 }] }));
    expect(p0).toMatchObject({ topic, partition: 0, highWatermark: 15n, lastStableOffset: 15n, logStartOffset: 0n, abortedTransactions: [] });
    expect(p0?.error).toBeUndefined();
    const records = p0?.records ?? Buffer.alloc(0);
    expect(records.length).toBeGreaterThan(61);
    expect(records.readBigInt64BE(0)).toBe(0n); // first batch's base offset
    expect(records.readInt8(16)).toBe(2); // magic v2
    expect(records.toString('latin1')).toContain('v0');

    const [out] = await firstValueFrom(transport.fetch({ ...base, partitions: [{ topic, partition: 0, fetchOffset: 1000n, maxBytes: 1 << 20 }] }));
    expect(out?.error?.code).toBe('OFFSET_OUT_OF_RANGE');
    expect(out?.records.length).toBe(0);
  });

  it('keeps group coordination on its own connection: a parked JoinGroup does not delay Metadata', async () => {
    const groupId = uniqueName('transport-parked');
    const { nodeId: coordinator } = await firstValueFrom(transport.findCoordinator({ groupId }));
    const join = (memberId: string) => ({
      groupId,
      coordinator,
      memberId,
      sessionTimeoutMs: 6000,
      rebalanceTimeoutMs: 2000,
      protocolType: 'consumer',
      protocols: [{ name: 'range', metadata: subscription(topic) }],
    });
    const a = (await failure(transport.joinGroup(join('')))).memberId ?? '';
    await firstValueFrom(transport.joinGroup(join(a)));
    const b = (await failure(transport.joinGroup(join('')))).memberId ?? '';
    const started = Date.now();
    // B's join waits for A to rejoin (A never does: it is dropped after the 2 s rebalance timeout).
    const parked = firstValueFrom(transport.joinGroup(join(b)));
    await new Promise((r) => setTimeout(r, 200));
    await firstValueFrom(transport.metadata({ topics: [topic] }));
    expect(Date.now() - started).toBeLessThan(1000);
    const joined = await parked;
    expect(Date.now() - started).toBeGreaterThanOrEqual(1500);
    expect(joined.members.map((m) => m.memberId)).toEqual([b]);
    await lastValueFrom(transport.leaveGroup({ groupId, coordinator, memberId: b }));
  });

  it('abandons a request on unsubscribe; a parked Fetch does not delay other requests', async () => {
    const md = await firstValueFrom(transport.metadata({ topics: [topic] }));
    const leader = md.topics[0]?.partitions[0]?.leader ?? -1;
    const seen: unknown[] = [];
    const sub = transport
      .fetch({ nodeId: leader, maxWaitMs: 1500, minBytes: 1, maxBytes: 1 << 20, isolationLevel: 'read_uncommitted', partitions: [{ topic, partition: 0, fetchOffset: 15n, maxBytes: 1 << 20 }] })
      .subscribe({ next: (v) => seen.push(v), error: (e) => seen.push(e) });
    await new Promise((r) => setTimeout(r, 50));
    sub.unsubscribe();
    const started = Date.now();
    await firstValueFrom(transport.listOffsets({ isolationLevel: 'read_uncommitted', partitions: [{ topic, partition: 0, timestamp: LATEST_TIMESTAMP }] }));
    expect(Date.now() - started).toBeLessThan(1000);
    await new Promise((r) => setTimeout(r, 1700));
    expect(seen).toEqual([]);
  });

  it('fails group requests to a node that is not in the cluster with a retriable ConnectionError', async () => {
    const e = await failure(transport.heartbeat({ groupId: 'g', coordinator: 9999, memberId: 'm', generationId: 1 }));
    expect(e._tag).toBe('ConnectionError');
    expect(e.retriable).toBe(true);
    expect(e.context).toMatchObject({ broker: 'node 9999', group: 'g', api: 'Heartbeat' });
  });

  it('fails with a non-retriable BrokerUnavailable, in bounded time, when no bootstrap broker answers', async () => {
    const dead = createKafkajsTransport(options(['127.0.0.1:1']));
    const started = Date.now();
    const e = await failure(dead.metadata({}));
    expect(e._tag).toBe('BrokerUnavailable');
    expect(e.retriable).toBe(false);
    expect(e.message).toContain('127.0.0.1:1');
    expect(Date.now() - started).toBeLessThan(5000);
    await lastValueFrom(dead.close());
  });

  it('decompresses with kafkajs codecs (gzip built in)', async () => {
    const { gzipSync } = await import('node:zlib');
    expect((await transport.decompress?.('gzip', gzipSync(Buffer.from('z'))))?.toString()).toBe('z');
  });

  it('is cold, and closes idempotently; requests after close fail with Closed', async () => {
    const t = createKafkajsTransport(options(brokers()));
    t.metadata({}); // never subscribed: nothing happens
    await firstValueFrom(t.metadata({ topics: [topic] }));
    await lastValueFrom(t.close());
    await lastValueFrom(t.close());
    expect((await failure(t.metadata({})))._tag).toBe('Closed');
  });
});
