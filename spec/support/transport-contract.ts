import { defer, toArray, type Observable } from 'rxjs';
import { isKafkaClientError, type KafkaClientError } from '../../src/errors';
import { encodeAssignment, encodeSubscription } from '../../src/protocol/consumer-protocol';
import { decodePartitionRecords } from '../../src/protocol/record-batch';
import { EARLIEST_TIMESTAMP, LATEST_TIMESTAMP, type ConsumerGroupHeartbeatRequest, type JoinGroupRequest, type Transport } from '../../src/transport/port';

export interface ContractRecord {
  readonly key?: string;
  readonly value: string;
}

/** What differs between the implementations the contract runs against. */
export interface ContractHarness {
  /** A new client (its own connections); the harness closes it in cleanup. */
  transport(clientId: string): Transport;
  createTopic(topic: string, partitions: number): Promise<void>;
  /** Appends the records to one partition, in order; resolves once they are readable. */
  produce(topic: string, partition: number, records: readonly ContractRecord[]): Promise<void>;
  /** The first value of `work` (or its error). */
  run<T>(work: Observable<T>): Promise<T>;
  /** A topic/group/client name not used before. */
  unique(prefix: string): string;
  cleanup(): Promise<void>;
}

/**
 * The transport port's contract: the same scenarios and assertions for every implementation (the kafkajs adapter
 * on the real broker, the in-memory broker), so the two cannot drift.
 */
export const describeTransportContract = (name: string, harness: ContractHarness): void => {
  /** The KafkaClientError `work` fails with. */
  const failure = async (work: Observable<unknown>): Promise<KafkaClientError> => {
    let error: unknown;
    try {
      await harness.run(work);
    } catch (e) {
      error = e;
    }
    if (!isKafkaClientError(error)) throw new Error(`expected a KafkaClientError, got ${String(error)}`);
    return error;
  };

  const coordinatorOf = async (t: Transport, groupId: string): Promise<number> => (await harness.run(t.findCoordinator({ groupId }))).nodeId;

  const joinRequest = (groupId: string, coordinator: number, memberId: string, topic: string): JoinGroupRequest => ({
    groupId,
    coordinator,
    memberId,
    sessionTimeoutMs: 10000,
    rebalanceTimeoutMs: 10000,
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: encodeSubscription({ topics: [topic] }) }],
  });

  /** A member id from MEMBER_ID_REQUIRED. */
  const memberIdFor = async (t: Transport, groupId: string, coordinator: number, topic: string): Promise<string> =>
    (await failure(t.joinGroup(joinRequest(groupId, coordinator, '', topic)))).memberId ?? '';

  /** A member of a fresh group with a topic, joined and synced (leader of generation `generationId`). */
  const stableMember = async (prefix: string) => {
    const topic = harness.unique(`${prefix}-t`);
    const groupId = harness.unique(`${prefix}-g`);
    await harness.createTopic(topic, 2);
    const t = harness.transport(harness.unique(`${prefix}-c`));
    const coordinator = await coordinatorOf(t, groupId);
    const memberId = await memberIdFor(t, groupId, coordinator, topic);
    const { generationId } = await harness.run(t.joinGroup(joinRequest(groupId, coordinator, memberId, topic)));
    const assignment = encodeAssignment({ assignedPartitions: { [topic]: [0, 1] } });
    await harness.run(t.syncGroup({ groupId, coordinator, memberId, generationId, assignments: [{ memberId, assignment }] }));
    return { t, topic, groupId, coordinator, memberId, generationId, base: { groupId, coordinator, memberId } };
  };

  const records = (n: number): ContractRecord[] => Array.from({ length: n }, (_, i) => (i % 3 === 2 ? { value: `v${i}` } : { key: `k${i}`, value: `v${i}` }));

  describe(`transport contract: ${name}`, () => {
    afterAll(() => harness.cleanup());

    it('Metadata lists the brokers and a created topic with a leader per partition', async () => {
      const topic = harness.unique('md');
      await harness.createTopic(topic, 3);
      const md = await harness.run(harness.transport(harness.unique('md-c')).metadata({ topics: [topic] }));
      const nodes = md.brokers.map((b) => b.nodeId);
      expect(nodes.length).toBeGreaterThan(0);
      expect(md.topics.map((x) => [x.topic, x.error])).toEqual([[topic, undefined]]);
      const partitions = [...(md.topics[0]?.partitions ?? [])].sort((a, b) => a.partition - b.partition);
      expect(partitions.map((p) => [p.partition, p.error])).toEqual([0, 1, 2].map((p) => [p, undefined]));
      for (const p of partitions) {
        expect(nodes).toContain(p.leader);
        expect(p.replicas).toContain(p.leader);
        expect(p.isr).toContain(p.leader);
      }
    });

    it('Metadata reports an unknown topic with UNKNOWN_TOPIC_OR_PARTITION', async () => {
      const topic = harness.unique('missing');
      const md = await harness.run(harness.transport(harness.unique('md-c')).metadata({ topics: [topic] }));
      expect(md.topics.map((x) => [x.topic, x.error?.code, x.partitions])).toEqual([[topic, 'UNKNOWN_TOPIC_OR_PARTITION', []]]);
    });

    it('FindCoordinator returns a broker listed in Metadata', async () => {
      const t = harness.transport(harness.unique('fc-c'));
      const coordinator = await harness.run(t.findCoordinator({ groupId: harness.unique('fc-g') }));
      const md = await harness.run(t.metadata({ topics: [] }));
      expect(md.brokers).toContainEqual(coordinator);
    });

    it('JoinGroup: MEMBER_ID_REQUIRED carries a member id; rejoining with it makes this member the leader', async () => {
      const topic = harness.unique('join-t');
      const groupId = harness.unique('join-g');
      await harness.createTopic(topic, 1);
      const clientId = harness.unique('join-c');
      const t = harness.transport(clientId);
      const coordinator = await coordinatorOf(t, groupId);
      const required = await failure(t.joinGroup(joinRequest(groupId, coordinator, '', topic)));
      expect(required.code).toBe('MEMBER_ID_REQUIRED');
      const memberId = required.memberId ?? '';
      expect(memberId.startsWith(clientId)).toBe(true);

      const request = joinRequest(groupId, coordinator, memberId, topic);
      const joined = await harness.run(t.joinGroup(request));
      expect(joined).toMatchObject({ memberId, leaderId: memberId, protocolName: 'range' });
      expect(joined.generationId).toBeGreaterThanOrEqual(1);
      expect(joined.members.map((m) => m.memberId)).toEqual([memberId]);
      expect(joined.members[0]?.metadata.equals(request.protocols[0]?.metadata ?? Buffer.alloc(0))).toBe(true);
    });

    it('SyncGroup as leader returns the assignment it sent', async () => {
      const topic = harness.unique('sync-t');
      const groupId = harness.unique('sync-g');
      await harness.createTopic(topic, 2);
      const t = harness.transport(harness.unique('sync-c'));
      const coordinator = await coordinatorOf(t, groupId);
      const memberId = await memberIdFor(t, groupId, coordinator, topic);
      const { generationId } = await harness.run(t.joinGroup(joinRequest(groupId, coordinator, memberId, topic)));
      const assignment = encodeAssignment({ assignedPartitions: { [topic]: [0, 1] } });
      const synced = await harness.run(t.syncGroup({ groupId, coordinator, memberId, generationId, assignments: [{ memberId, assignment }] }));
      expect(synced.assignment.equals(assignment)).toBe(true);
    });

    it('Heartbeat: OK; a wrong generation gets ILLEGAL_GENERATION; an unknown member UNKNOWN_MEMBER_ID', async () => {
      const { t, base, generationId } = await stableMember('hb');
      expect(await harness.run(t.heartbeat({ ...base, generationId }).pipe(toArray()))).toEqual([undefined]);
      expect((await failure(t.heartbeat({ ...base, generationId: generationId + 7 }))).code).toBe('ILLEGAL_GENERATION');
      expect((await failure(t.heartbeat({ ...base, memberId: `${base.memberId}-unknown`, generationId }))).code).toBe('UNKNOWN_MEMBER_ID');
    });

    it("a second member's JoinGroup makes the first one's Heartbeat return REBALANCE_IN_PROGRESS", async () => {
      const { t, topic, groupId, coordinator, base, generationId } = await stableMember('rb');
      const other = harness.transport(harness.unique('rb-c2'));
      const otherId = await memberIdFor(other, groupId, coordinator, topic);
      const otherJoined = harness.run(other.joinGroup(joinRequest(groupId, coordinator, otherId, topic)));
      // The second join travels on another connection: heartbeat until the coordinator has seen it.
      let rebalancing: KafkaClientError | undefined;
      for (let i = 0; i < 1000 && !rebalancing; i++) {
        rebalancing = await harness.run(defer(() => t.heartbeat({ ...base, generationId }))).then(
          () => undefined,
          (e: unknown) => (isKafkaClientError(e) ? e : undefined),
        );
      }
      expect(rebalancing?.code).toBe('REBALANCE_IN_PROGRESS');

      // The first member rejoins: both join the next generation.
      const [first, second] = await Promise.all([harness.run(t.joinGroup(joinRequest(groupId, coordinator, base.memberId, topic))), otherJoined]);
      expect(first.generationId).toBe(generationId + 1);
      expect(second.generationId).toBe(generationId + 1);
      expect([first.leaderId, second.leaderId]).toEqual([base.memberId, base.memberId]);
      expect(first.members.map((m) => m.memberId).sort()).toEqual([base.memberId, otherId].sort());
    });

    it("OffsetCommit then OffsetFetch round-trips offsets and metadata (null metadata reads back as '')", async () => {
      const { t, topic, base, generationId } = await stableMember('commit');
      const committed = await harness.run(
        t.offsetCommit({
          ...base,
          generationId,
          offsets: [
            { topic, partition: 0, offset: 5n, metadata: 'm0' },
            { topic, partition: 1, offset: 9n, metadata: null },
          ],
        }),
      );
      expect(committed.map((p) => [p.topic, p.partition, p.error])).toEqual([
        [topic, 0, undefined],
        [topic, 1, undefined],
      ]);
      const fetched = await harness.run(t.offsetFetch({ groupId: base.groupId, coordinator: base.coordinator, partitions: [0, 1].map((partition) => ({ topic, partition })) }));
      expect(fetched.map(({ topic: tp, partition, offset, metadata, error }) => ({ tp, partition, offset, metadata, error }))).toEqual([
        { tp: topic, partition: 0, offset: 5n, metadata: 'm0', error: undefined },
        { tp: topic, partition: 1, offset: 9n, metadata: '', error: undefined },
      ]);
    });

    it("OffsetFetch of a partition with no commit answers -1n (metadata '')", async () => {
      const topic = harness.unique('nocommit-t');
      const groupId = harness.unique('nocommit-g');
      await harness.createTopic(topic, 1);
      const t = harness.transport(harness.unique('nocommit-c'));
      const coordinator = await coordinatorOf(t, groupId);
      const fetched = await harness.run(t.offsetFetch({ groupId, coordinator, partitions: [{ topic, partition: 0 }] }));
      expect(fetched.map((p) => [p.topic, p.partition, p.offset, p.metadata, p.error])).toEqual([[topic, 0, -1n, '', undefined]]);
    });

    it('OffsetCommit with a stale generation gets ILLEGAL_GENERATION per partition', async () => {
      const { t, topic, base, generationId } = await stableMember('stale');
      const results = await harness.run(t.offsetCommit({ ...base, generationId: generationId - 1, offsets: [{ topic, partition: 0, offset: 3n }] }));
      expect(results.map((p) => [p.topic, p.partition, p.error?.code])).toEqual([[topic, 0, 'ILLEGAL_GENERATION']]);
    });

    it('ListOffsets: earliest 0n and latest N after producing N records', async () => {
      const topic = harness.unique('list');
      await harness.createTopic(topic, 2);
      await harness.produce(topic, 1, records(7));
      const t = harness.transport(harness.unique('list-c'));
      const at = (timestamp: bigint) => harness.run(t.listOffsets({ isolationLevel: 'read_uncommitted', partitions: [0, 1].map((partition) => ({ topic, partition, timestamp })) }));
      const sorted = (ps: readonly { partition: number; offset: bigint; error?: KafkaClientError }[]) =>
        [...ps].sort((a, b) => a.partition - b.partition).map((p) => [p.partition, p.offset, p.error]);
      expect(sorted(await at(EARLIEST_TIMESTAMP))).toEqual([
        [0, 0n, undefined],
        [1, 0n, undefined],
      ]);
      expect(sorted(await at(LATEST_TIMESTAMP))).toEqual([
        [0, 0n, undefined],
        [1, 7n, undefined],
      ]);
    });

    it('Fetch from 0 returns raw batches our decoder reads back as the produced records; beyond the end OFFSET_OUT_OF_RANGE', async () => {
      const topic = harness.unique('fetch');
      await harness.createTopic(topic, 1);
      const produced = records(5);
      await harness.produce(topic, 0, produced);
      const t = harness.transport(harness.unique('fetch-c'));
      const leader = (await harness.run(t.metadata({ topics: [topic] }))).topics[0]?.partitions[0]?.leader ?? -1;
      const fetch = (fetchOffset: bigint) =>
        harness.run(t.fetch({ nodeId: leader, maxWaitMs: 100, minBytes: 1, maxBytes: 1 << 20, isolationLevel: 'read_uncommitted', partitions: [{ topic, partition: 0, fetchOffset, maxBytes: 1 << 20 }] }));

      const [p0, ...rest] = await fetch(0n);
      expect(rest).toEqual([]);
      expect(p0).toMatchObject({ topic, partition: 0, highWatermark: 5n, logStartOffset: 0n });
      expect(p0?.error).toBeUndefined();
      const decoded = await decodePartitionRecords({
        topic,
        partition: 0,
        records: p0?.records ?? Buffer.alloc(0),
        fetchOffset: 0n,
        isolationLevel: 'read_uncommitted',
        abortedTransactions: [],
        checkCrc: true,
        decompress: (codec) => {
          throw new Error(`uncompressed records expected, got ${codec}`);
        },
      });
      expect(decoded.messages.map((m) => ({ offset: m.offset, key: m.key?.toString() ?? null, value: m.value?.toString() ?? null }))).toEqual(
        produced.map((r, i) => ({ offset: BigInt(i), key: r.key ?? null, value: r.value })),
      );
      expect(decoded.nextOffset).toBe(5n);

      const [out] = await fetch(100n);
      expect(out?.error?.code).toBe('OFFSET_OUT_OF_RANGE');
      expect(out?.records.length).toBe(0);
    });

    it('LeaveGroup removes the member: its next Heartbeat gets UNKNOWN_MEMBER_ID', async () => {
      const { t, base, generationId } = await stableMember('leave');
      await harness.run(t.leaveGroup(base).pipe(toArray()));
      expect((await failure(t.heartbeat({ ...base, generationId }))).code).toBe('UNKNOWN_MEMBER_ID');
    });

    /** A consumer-protocol member (KIP-848) of a fresh group, joined: its epoch, assignment and topic id. */
    const consumerMember = async (prefix: string, partitions: number) => {
      const topic = harness.unique(`${prefix}-t`);
      const groupId = harness.unique(`${prefix}-g`);
      await harness.createTopic(topic, partitions);
      const t = harness.transport(harness.unique(`${prefix}-c`));
      const coordinator = await coordinatorOf(t, groupId);
      const heartbeat = (r: Partial<ConsumerGroupHeartbeatRequest> & { memberId: string; memberEpoch: number }) =>
        defer(() => {
          if (!t.consumerGroupHeartbeat) throw new Error(`${name} has no consumerGroupHeartbeat`);
          return t.consumerGroupHeartbeat({ groupId, coordinator, rebalanceTimeoutMs: 10000, ...r });
        });
      const joined = await harness.run(heartbeat({ memberId: harness.unique('m'), memberEpoch: 0, subscribedTopicNames: [topic], ownedPartitions: [] }));
      return { t, topic, groupId, coordinator, heartbeat, joined };
    };

    it('ConsumerGroupHeartbeat: a join (epoch 0) gets an epoch, the interval and every partition, by the topic id Metadata v12 names', async () => {
      const { t, topic, joined } = await consumerMember('cgh', 3);
      const md = await harness.run(t.metadata({ topics: [topic], topicIds: true }));
      expect(joined.memberEpoch).toBeGreaterThan(0);
      expect(joined.heartbeatIntervalMs).toBeGreaterThan(0);
      expect(joined.assignment).toEqual([{ topicId: md.topics[0]?.topicId, partitions: [0, 1, 2] }]);
    });

    it('ConsumerGroupHeartbeat: an unchanged assignment is not resent; a wrong epoch FENCED_MEMBER_EPOCH; an unknown member UNKNOWN_MEMBER_ID; owned partitions on a join INVALID_REQUEST', async () => {
      const { heartbeat, joined } = await consumerMember('cgh-err', 1);
      const again = await harness.run(heartbeat({ memberId: joined.memberId, memberEpoch: joined.memberEpoch, ownedPartitions: joined.assignment }));
      expect([again.memberEpoch, again.assignment]).toEqual([joined.memberEpoch, undefined]);
      expect((await failure(heartbeat({ memberId: joined.memberId, memberEpoch: joined.memberEpoch + 10 }))).code).toBe('FENCED_MEMBER_EPOCH');
      expect((await failure(heartbeat({ memberId: harness.unique('stranger'), memberEpoch: 1 }))).code).toBe('UNKNOWN_MEMBER_ID');
      expect((await failure(heartbeat({ memberId: harness.unique('m'), memberEpoch: 0, subscribedTopicNames: ['x'], ownedPartitions: joined.assignment }))).code).toBe('INVALID_REQUEST');
    });

    it('OffsetCommit for a consumer-protocol member: v9 with its epoch commits; any other epoch STALE_MEMBER_EPOCH (as Kafka 4.4 answers)', async () => {
      const { t, topic, groupId, coordinator, joined } = await consumerMember('cgh-commit', 1);
      const commit = (generationId: number) =>
        harness.run(t.offsetCommit({ groupId, coordinator, memberId: joined.memberId, generationId, groupProtocol: 'consumer', offsets: [{ topic, partition: 0, offset: 3n }] }));
      expect((await commit(joined.memberEpoch)).map((r) => r.error?.code)).toEqual([undefined]);
      expect((await commit(joined.memberEpoch - 1)).map((r) => r.error?.code)).toEqual(['STALE_MEMBER_EPOCH']);
      expect((await commit(joined.memberEpoch + 1)).map((r) => r.error?.code)).toEqual(['STALE_MEMBER_EPOCH']);
      const [fetched] = await harness.run(t.offsetFetch({ groupId, coordinator, partitions: [{ topic, partition: 0 }] }));
      expect(fetched?.offset).toBe(3n);
    });

    it('OffsetFetch for a consumer-protocol member: v9 with its epoch returns the commit; another epoch STALE_MEMBER_EPOCH, a stranger UNKNOWN_MEMBER_ID', async () => {
      const { t, topic, groupId, coordinator, joined } = await consumerMember('cgh-fetch', 1);
      await harness.run(t.offsetCommit({ groupId, coordinator, memberId: joined.memberId, generationId: joined.memberEpoch, groupProtocol: 'consumer', offsets: [{ topic, partition: 0, offset: 5n, metadata: 'm5' }] }));
      const fetch = (memberId: string, memberEpoch: number) => t.offsetFetch({ groupId, coordinator, member: { memberId, memberEpoch }, partitions: [{ topic, partition: 0 }] });
      const [fetched] = await harness.run(fetch(joined.memberId, joined.memberEpoch));
      expect([fetched?.offset, fetched?.metadata, fetched?.error]).toEqual([5n, 'm5', undefined]);
      const stale = await failure(fetch(joined.memberId, joined.memberEpoch + 1));
      expect([stale.code, stale.context.group, stale.context.member]).toEqual(['STALE_MEMBER_EPOCH', groupId, joined.memberId]);
      expect((await failure(fetch(harness.unique('stranger'), 1))).code).toBe('UNKNOWN_MEMBER_ID');
    });

    it('ConsumerGroupHeartbeat with epoch -1 leaves: the member is gone', async () => {
      const { heartbeat, joined } = await consumerMember('cgh-leave', 1);
      expect((await harness.run(heartbeat({ memberId: joined.memberId, memberEpoch: -1 }))).memberEpoch).toBe(-1);
      expect((await failure(heartbeat({ memberId: joined.memberId, memberEpoch: joined.memberEpoch }))).code).toBe('UNKNOWN_MEMBER_ID');
    });

    it('close() completes, is idempotent, and later requests fail with Closed', async () => {
      const t = harness.transport(harness.unique('close-c'));
      await harness.run(t.metadata({ topics: [] }));
      expect(await harness.run(t.close().pipe(toArray()))).toEqual([undefined]);
      expect(await harness.run(t.close().pipe(toArray()))).toEqual([undefined]);
      expect((await failure(t.metadata({ topics: [] })))._tag).toBe('Closed');
    });
  });
};
