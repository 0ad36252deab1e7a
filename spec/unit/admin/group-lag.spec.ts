import type { GroupDescription } from '../../../src/admin/group-description';
import { computeLag, lagPartitions } from '../../../src/admin/group-lag';

const group: GroupDescription = {
  groupId: 'g',
  groupType: 'classic',
  state: 'Stable',
  protocolType: 'consumer',
  assignor: 'range',
  coordinator: { nodeId: 1, host: 'h', port: 9092 },
  members: [
    { memberId: 'm1', clientId: 'c1', host: '/10.0.0.1', assignment: [{ topic: 'b', partitions: [1, 0] }] },
    { memberId: 'm2', clientId: 'c2', host: '/10.0.0.2', assignment: [{ topic: 'a', partitions: [0] }] },
  ],
};

describe('group lag (as kafka-consumer-groups.sh --describe computes it)', () => {
  it('covers owned and committed partitions, sorted by topic then partition', () => {
    expect(lagPartitions(group, [{ topic: 'c', partition: 2, offset: 5n }, { topic: 'b', partition: 0, offset: 1n }, { topic: 'z', partition: 0, offset: -1n }])).toEqual([
      { topic: 'a', partition: 0 },
      { topic: 'b', partition: 0 },
      { topic: 'b', partition: 1 },
      { topic: 'c', partition: 2 },
    ]);
  });

  it('gives committed, end, lag and owner per partition; no committed offset means no lag; totals sum the known lags', () => {
    const lag = computeLag(
      group,
      [{ topic: 'a', partition: 0, offset: 7n }, { topic: 'b', partition: 0, offset: 10n }, { topic: 'c', partition: 0, offset: 3n }],
      [{ topic: 'a', partition: 0, offset: 10n }, { topic: 'b', partition: 0, offset: 10n }, { topic: 'b', partition: 1, offset: 4n }, { topic: 'c', partition: 0, offset: 8n }],
    );
    expect(lag.rows).toEqual([
      { topic: 'a', partition: 0, committed: 7n, end: 10n, lag: 3n, owner: { memberId: 'm2', clientId: 'c2', host: '/10.0.0.2' } },
      { topic: 'b', partition: 0, committed: 10n, end: 10n, lag: 0n, owner: { memberId: 'm1', clientId: 'c1', host: '/10.0.0.1' } },
      { topic: 'b', partition: 1, end: 4n, owner: { memberId: 'm1', clientId: 'c1', host: '/10.0.0.1' } },
      { topic: 'c', partition: 0, committed: 3n, end: 8n, lag: 5n },
    ]);
    expect([lag.totalLag, lag.partitionsWithLag, lag.state, lag.groupId]).toEqual([8n, 3, 'Stable', 'g']);
  });

  it('an unreadable end offset leaves the lag unknown', () => {
    const lag = computeLag({ ...group, members: [] }, [{ topic: 'a', partition: 0, offset: 7n }], [{ topic: 'a', partition: 0, offset: -1n }]);
    expect(lag.rows).toEqual([{ topic: 'a', partition: 0, committed: 7n }]);
    expect(lag.totalLag).toBe(0n);
  });
});
