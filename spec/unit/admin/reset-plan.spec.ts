import { clamp, parseDateTime, planReset, type PartitionOffsets } from '../../../src/admin/reset-plan';

const p = (partition: number, o: Partial<PartitionOffsets> = {}): PartitionOffsets => ({ topic: 't', partition, logStart: 10n, logEnd: 100n, ...o });

describe('the reset plan (as GroupOffsetsResetter prepares it)', () => {
  it('clamps an offset to [log start, log end]', () => {
    expect([clamp(5n, 10n, 100n), clamp(50n, 10n, 100n), clamp(500n, 10n, 100n)]).toEqual([10n, 50n, 100n]);
  });

  it('--to-earliest and --to-latest take the log start and end, keeping the current committed offset beside them', () => {
    expect(planReset({ kind: 'to-earliest' }, [p(0, { committed: 40n }), p(1)])).toEqual({ _tag: 'Right', right: [{ topic: 't', partition: 0, current: 40n, next: 10n }, { topic: 't', partition: 1, next: 10n }] });
    expect(planReset({ kind: 'to-latest' }, [p(0, { committed: 40n })])).toEqual({ _tag: 'Right', right: [{ topic: 't', partition: 0, current: 40n, next: 100n }] });
  });

  it('--shift-by moves the committed offset, clamped both ways', () => {
    const plan = planReset({ kind: 'shift-by', by: -35n }, [p(0, { committed: 40n }), p(1, { committed: 50n }), p(2, { committed: 20n })]);
    expect(plan._tag === 'Right' && plan.right.map((x) => x.next)).toEqual([10n, 15n, 10n]);
    const up = planReset({ kind: 'shift-by', by: 70n }, [p(0, { committed: 40n })]);
    expect(up._tag === 'Right' && up.right.map((x) => x.next)).toEqual([100n]);
  });

  it('--shift-by refuses a partition without a committed offset, naming it (as Java does)', () => {
    expect(planReset({ kind: 'shift-by', by: 1n }, [p(0, { committed: 40n }), p(3)])).toEqual({
      _tag: 'Left',
      left: ['Cannot shift offset for partition t-3 since there is no current committed offset'],
    });
  });

  it('--to-offset is clamped to the log', () => {
    const plan = planReset({ kind: 'to-offset', offset: 3n }, [p(0), p(1, { logStart: 0n })]);
    expect(plan._tag === 'Right' && plan.right.map((x) => x.next)).toEqual([10n, 3n]);
  });

  it('--to-datetime takes the offset found for the timestamp, or the log end when there is none (-1)', () => {
    const plan = planReset({ kind: 'to-datetime', timestamp: 1n }, [p(0, { atTimestamp: 42n }), p(1, { atTimestamp: -1n }), p(2)]);
    expect(plan._tag === 'Right' && plan.right.map((x) => x.next)).toEqual([42n, 100n, 100n]);
  });

  it('parses ISO-8601 date-times with Z, an offset, or none (local time); refuses others', () => {
    expect(parseDateTime('2026-01-02T03:04:05.678Z')).toBe(BigInt(Date.UTC(2026, 0, 2, 3, 4, 5, 678)));
    expect(parseDateTime('2026-01-02T03:04:05+02:00')).toBe(BigInt(Date.UTC(2026, 0, 2, 1, 4, 5)));
    expect(parseDateTime('2026-01-02T03:04:05-0130')).toBe(BigInt(Date.UTC(2026, 0, 2, 4, 34, 5)));
    expect(parseDateTime('2026-01-02T03:04:05')).toBe(BigInt(new Date(2026, 0, 2, 3, 4, 5).getTime()));
    expect([parseDateTime('yesterday'), parseDateTime('2026-01-02'), parseDateTime('2026-13-40T99:00:00')]).toEqual([undefined, undefined, undefined]);
  });
});
