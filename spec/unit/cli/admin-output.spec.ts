import { assignmentString, describeJson, describeText, lagJson, lagText, resetJson, resetText, table } from '../../../src/cli/admin-output';
import type { GroupDescription } from '../../../src/admin/group-description';
import type { GroupLag } from '../../../src/admin/group-lag';

const consumerGroup: GroupDescription = {
  groupId: 'g',
  groupType: 'consumer',
  state: 'Stable',
  protocolType: 'consumer',
  assignor: 'uniform',
  groupEpoch: 3,
  assignmentEpoch: 3,
  coordinator: { nodeId: 1, host: 'k', port: 9092 },
  members: [{ memberId: 'm1', clientId: 'c1', host: '/h', memberEpoch: 3, assignment: [{ topic: 'a', partitions: [0, 1] }, { topic: 'b', partitions: [2] }], targetAssignment: [{ topic: 'a', partitions: [0, 1] }] }],
};

const lag: GroupLag = {
  groupId: 'g',
  state: 'Stable',
  rows: [
    { topic: 'a', partition: 0, committed: 5n, end: 9n, lag: 4n, owner: { memberId: 'm1', clientId: 'c1', host: '/h' } },
    { topic: 'a', partition: 1, end: 3n },
  ],
  totalLag: 4n,
  partitionsWithLag: 1,
};

describe('admin command output', () => {
  it('aligns table columns', () => {
    expect(table(['A', 'BB'], [['xxx', 'y'], ['z', 'wwww']])).toBe('A    BB\nxxx  y\nz    wwww');
  });

  it('writes assignments as Java does (topic:p,p;topic:p), - for none', () => {
    expect(assignmentString([{ topic: 'a', partitions: [0, 1] }, { topic: 'b', partitions: [2] }])).toBe('a:0,1;b:2');
    expect(assignmentString([])).toBe('-');
  });

  it('describe: text names state, assignor, epochs and members; JSON has the documented shape', () => {
    const text = describeText(consumerGroup);
    for (const s of ['STATE             Stable', 'ASSIGNOR          uniform', 'GROUP-EPOCH       3', 'COORDINATOR (ID)  k:9092 (1)', 'm1', 'a:0,1;b:2']) expect(text).toContain(s);
    expect(describeJson(consumerGroup)).toEqual({
      group: 'g',
      type: 'consumer',
      state: 'Stable',
      protocolType: 'consumer',
      assignor: 'uniform',
      groupEpoch: 3,
      assignmentEpoch: 3,
      coordinator: { id: 1, host: 'k', port: 9092 },
      members: [{ memberId: 'm1', instanceId: null, clientId: 'c1', host: '/h', memberEpoch: 3, assignment: consumerGroup.members[0]?.assignment, targetAssignment: [{ topic: 'a', partitions: [0, 1] }] }],
    });
  });

  it('lag: one row per partition with - for unknowns, and a totals line; JSON with numbers and nulls', () => {
    expect(lagText(lag).split('\n')).toEqual([
      'GROUP g  STATE Stable',
      'TOPIC  PARTITION  CURRENT-OFFSET  LOG-END-OFFSET  LAG  CONSUMER-ID  HOST  CLIENT-ID',
      'a      0          5               9               4    m1           /h    c1',
      'a      1          -               3               -    -            -     -',
      'TOTAL  partitions 2  lag 4',
    ]);
    expect(lagJson(lag, new Date(0))).toEqual({
      at: '1970-01-01T00:00:00.000Z',
      group: 'g',
      state: 'Stable',
      partitions: [
        { topic: 'a', partition: 0, committed: 5, end: 9, lag: 4, owner: { memberId: 'm1', clientId: 'c1', host: '/h' } },
        { topic: 'a', partition: 1, committed: null, end: 3, lag: null, owner: null },
      ],
      totalLag: 4,
    });
  });

  it('reset-offsets: the plan as a table and as JSON', () => {
    const plan = [{ topic: 'a', partition: 0, current: 5n, next: 0n }, { topic: 'a', partition: 1, next: 3n }];
    expect(resetText(consumerGroup, plan).split('\n')).toEqual(['GROUP  TOPIC  PARTITION  CURRENT-OFFSET  NEW-OFFSET', 'g      a      0          5               0', 'g      a      1          -               3']);
    expect(resetJson(consumerGroup, 'a', plan, false)).toEqual({ group: 'g', state: 'Stable', topic: 'a', executed: false, partitions: [{ topic: 'a', partition: 0, current: 5, new: 0 }, { topic: 'a', partition: 1, current: null, new: 3 }] });
  });
});
