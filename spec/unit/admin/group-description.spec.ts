import { fromClassic, fromConsumer, isInactive, unnamedTopicIds } from '../../../src/admin/group-description';
import { encodeAssignment } from '../../../src/protocol/consumer-protocol';
import type { ConsumerGroupDescription } from '../../../src/transport/port';

const coordinator = { nodeId: 1, host: 'k', port: 9092 };

describe('group descriptions', () => {
  it('a classic consumer group: its chosen protocol is the assignor, each assignment decoded and sorted', () => {
    const d = fromClassic(
      {
        groupId: 'g',
        state: 'Stable',
        protocolType: 'consumer',
        protocol: 'cooperative-sticky',
        members: [
          { memberId: 'm1', instanceId: 'i1', clientId: 'c', clientHost: '/h', metadata: Buffer.alloc(0), assignment: encodeAssignment({ assignedPartitions: { t: [2, 0], a: [1] } }) },
          { memberId: 'm2', clientId: 'c', clientHost: '/h', metadata: Buffer.alloc(0), assignment: Buffer.alloc(0) },
          { memberId: 'm3', clientId: 'c', clientHost: '/h', metadata: Buffer.alloc(0), assignment: Buffer.from([0xff]) },
        ],
      },
      coordinator,
    );
    expect(d).toEqual({
      groupId: 'g',
      groupType: 'classic',
      state: 'Stable',
      protocolType: 'consumer',
      assignor: 'cooperative-sticky',
      coordinator,
      members: [
        { memberId: 'm1', instanceId: 'i1', clientId: 'c', host: '/h', assignment: [{ topic: 'a', partitions: [1] }, { topic: 't', partitions: [0, 2] }] },
        { memberId: 'm2', clientId: 'c', host: '/h', assignment: [] },
        { memberId: 'm3', clientId: 'c', host: '/h', assignment: [] }, // undecodable: shown as none
      ],
    });
  });

  it('a consumer-protocol group: assignor, epochs, member epochs; unnamed topic ids resolved from the names given', () => {
    const raw: ConsumerGroupDescription = {
      groupId: 'g',
      state: 'Reconciling',
      groupEpoch: 5,
      assignmentEpoch: 5,
      assignor: 'uniform',
      members: [
        {
          memberId: 'm',
          memberEpoch: 4,
          clientId: 'c',
          clientHost: '/h',
          subscribedTopicNames: ['t'],
          assignment: [{ topicId: 'ID1', topic: '', partitions: [1, 0] }],
          targetAssignment: [{ topicId: 'ID1', topic: 't', partitions: [0] }],
        },
      ],
    };
    expect(unnamedTopicIds(raw)).toEqual(['ID1']);
    const d = fromConsumer(raw, coordinator, new Map([['ID1', 't']]));
    expect(d).toMatchObject({ groupType: 'consumer', protocolType: 'consumer', assignor: 'uniform', groupEpoch: 5, assignmentEpoch: 5, state: 'Reconciling' });
    expect(d.members).toEqual([{ memberId: 'm', clientId: 'c', host: '/h', memberEpoch: 4, assignment: [{ topic: 't', partitions: [0, 1] }], targetAssignment: [{ topic: 't', partitions: [0] }] }]);
  });

  it('only Empty and Dead groups are inactive (reset-offsets may change them)', () => {
    expect(['Empty', 'Dead', 'empty', 'Stable', 'PreparingRebalance', 'CompletingRebalance', 'Assigning', 'Reconciling'].map(isInactive)).toEqual([true, true, true, false, false, false, false, false]);
  });
});
