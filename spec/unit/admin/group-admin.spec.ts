import { of, throwError, type Observable } from 'rxjs';
import { describeGroup, groupLag, resetOffsets } from '../../../src/admin/group-admin';
import { protocolError } from '../../../src/errors';
import { encodeAssignment } from '../../../src/protocol/consumer-protocol';
import type { ClassicGroupDescription, ConsumerGroupDescription, ListOffsetsRequest, OffsetCommitRequest, Transport } from '../../../src/transport/port';

const coordinator = { nodeId: 7, host: 'k', port: 9092 };
const unused = (): Observable<never> => throwError(() => new Error('not expected in this test'));

const classic = (state: string, members: ClassicGroupDescription['members'] = []): ClassicGroupDescription => ({ groupId: 'g', state, protocolType: 'consumer', protocol: 'range', members });

/** A transport answering the admin requests from fixed data; every other request fails the test. */
const fake = (over: Partial<Transport>, log: { commits: OffsetCommitRequest[]; listOffsets: ListOffsetsRequest[] } = { commits: [], listOffsets: [] }): Transport => ({
  metadata: () => of({ brokers: [coordinator], controllerId: 7, topics: [{ topic: 't', topicId: 'ID', partitions: [1, 0].map((partition) => ({ partition, leader: 7, replicas: [7], isr: [7] })) }] }),
  findCoordinator: () => of(coordinator),
  joinGroup: unused,
  syncGroup: unused,
  heartbeat: unused,
  leaveGroup: unused,
  offsetFetch: unused,
  offsetCommit: (r) => {
    log.commits.push(r);
    return of(r.offsets.map(({ topic, partition }) => ({ topic, partition })));
  },
  listOffsets: (r) => {
    log.listOffsets.push(r);
    return of(r.partitions.map((p) => ({ topic: p.topic, partition: p.partition, offset: p.timestamp === -2n ? 2n : p.timestamp === -1n ? 20n : 9n })));
  },
  fetch: unused,
  close: () => of(undefined),
  consumerGroupDescribe: () => throwError(() => protocolError('GROUP_ID_NOT_FOUND', { group: 'g' })),
  describeGroups: () => of(classic('Empty')),
  listGroupOffsets: () => of([{ topic: 't', partition: 0, offset: 5n, metadata: null }, { topic: 't', partition: 1, offset: -1n, metadata: null }]),
  ...over,
});

describe('group admin over a transport', () => {
  it('describes a classic group with DescribeGroups after ConsumerGroupDescribe answers GROUP_ID_NOT_FOUND (or UNSUPPORTED_VERSION), at the coordinator found', async () => {
    const asked: number[] = [];
    const t = fake({ describeGroups: (r) => (asked.push(r.coordinator), of(classic('Stable', [{ memberId: 'm', clientId: 'c', clientHost: '/h', metadata: Buffer.alloc(0), assignment: encodeAssignment({ assignedPartitions: { t: [0] } }) }]))) });
    const d = await describeGroup(t, 'g');
    expect([d.groupType, d.state, d.assignor, d.members[0]?.assignment, asked]).toEqual(['classic', 'Stable', 'range', [{ topic: 't', partitions: [0] }], [7]]);
    const old = await describeGroup(fake({ consumerGroupDescribe: () => throwError(() => protocolError('UNSUPPORTED_VERSION')) }), 'g');
    expect(old.groupType).toBe('classic');
  });

  it('describes a consumer-protocol group with ConsumerGroupDescribe, naming unnamed topic ids from Metadata v12', async () => {
    const cg: ConsumerGroupDescription = {
      groupId: 'g',
      state: 'Stable',
      groupEpoch: 4,
      assignmentEpoch: 4,
      assignor: 'uniform',
      members: [{ memberId: 'm', memberEpoch: 4, clientId: 'c', clientHost: '/h', subscribedTopicNames: ['t'], assignment: [{ topicId: 'ID', topic: '', partitions: [1] }], targetAssignment: [] }],
    };
    let topicIds: boolean | undefined;
    const base = fake({});
    const d = await describeGroup(fake({ consumerGroupDescribe: () => of(cg), metadata: (r) => ((topicIds = r.topicIds), base.metadata(r)) }), 'g');
    expect([d.groupType, d.assignor, d.groupEpoch, d.members[0]?.assignment, topicIds]).toEqual(['consumer', 'uniform', 4, [{ topic: 't', partitions: [1] }], true]);
  });

  it('other describe errors are not swallowed', async () => {
    await expect(describeGroup(fake({ consumerGroupDescribe: () => throwError(() => protocolError('GROUP_AUTHORIZATION_FAILED', { group: 'g' })) }), 'g')).rejects.toMatchObject({ _tag: 'AuthorizationError', code: 'GROUP_AUTHORIZATION_FAILED' });
  });

  it('lag reads the log end offsets (latest, read_uncommitted) of the committed partitions', async () => {
    const log = { commits: [], listOffsets: [] as ListOffsetsRequest[] };
    const { lag } = await groupLag(fake({}, log), 'g');
    expect(lag.rows).toEqual([{ topic: 't', partition: 0, committed: 5n, end: 20n, lag: 15n }]);
    expect(log.listOffsets).toEqual([{ partitions: [{ topic: 't', partition: 0, timestamp: -1n }], isolationLevel: 'read_uncommitted' }]);
  });

  it('reset-offsets plans every partition of the topic; a dry run commits nothing; --execute commits with generation -1 and no member id', async () => {
    const log = { commits: [] as OffsetCommitRequest[], listOffsets: [] };
    const dry = await resetOffsets(fake({}, log), 'g', 't', { kind: 'to-offset', offset: 50n }, false);
    expect(dry._tag === 'Planned' && dry.plan).toEqual([{ topic: 't', partition: 0, current: 5n, next: 20n }, { topic: 't', partition: 1, next: 20n }]);
    expect(log.commits).toEqual([]);
    const done = await resetOffsets(fake({}, log), 'g', 't', { kind: 'to-datetime', timestamp: 1n }, true);
    expect(done._tag === 'Planned' && done.executed).toBe(true);
    expect(log.commits).toEqual([{ groupId: 'g', coordinator: 7, memberId: '', generationId: -1, offsets: [{ topic: 't', partition: 0, offset: 9n }, { topic: 't', partition: 1, offset: 9n }] }]);
  });

  it('reset-offsets is refused for a group with members (not Empty or Dead), committing nothing', async () => {
    const log = { commits: [] as OffsetCommitRequest[], listOffsets: [] };
    const r = await resetOffsets(fake({ describeGroups: () => of(classic('PreparingRebalance', [{ memberId: 'm', clientId: 'c', clientHost: '/h', metadata: Buffer.alloc(0), assignment: Buffer.alloc(0) }])) }, log), 'g', 't', { kind: 'to-earliest' }, true);
    expect(r).toMatchObject({ _tag: 'Refused', message: "Assignments can only be reset if the group 'g' is inactive, but the current state is PreparingRebalance (1 member(s))" });
    expect(log.commits).toEqual([]);
  });

  it('a failed commit partition fails the reset with its typed error', async () => {
    const t = fake({ offsetCommit: (r) => of(r.offsets.map(({ topic, partition }) => ({ topic, partition, error: protocolError('TOPIC_AUTHORIZATION_FAILED', { topic, partition }) }))) });
    await expect(resetOffsets(t, 'g', 't', { kind: 'to-latest' }, true)).rejects.toMatchObject({ _tag: 'AuthorizationError', context: { topic: 't', partition: 0 } });
  });

  it('a topic that does not exist fails typed, naming it', async () => {
    const t = fake({ metadata: () => of({ brokers: [coordinator], controllerId: 7, topics: [{ topic: 'nope', partitions: [], error: protocolError('UNKNOWN_TOPIC_OR_PARTITION', { topic: 'nope' }) }] }) });
    await expect(resetOffsets(t, 'g', 'nope', { kind: 'to-latest' }, false)).rejects.toMatchObject({ code: 'UNKNOWN_TOPIC_OR_PARTITION', context: { topic: 'nope' } });
  });
});
