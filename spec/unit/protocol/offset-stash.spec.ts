import { OffsetStash } from '../../../src/protocol/offset-stash';

describe('OffsetStash', () => {
  it('keeps the highest mark per partition as the next offset to consume', () => {
    const s = new OffsetStash();
    s.markPartitionOffset('t', 0, 5n);
    s.markPartitionOffset('t', 0, 3n);
    s.markOffset({ topic: 't', partition: 1, offset: 9n }, 'meta');
    expect(s.offsets()).toEqual({ t: { 0: 6n, 1: 10n } });
    expect(s.list().find((e) => e.partition === 1)?.metadata).toBe('meta');
  });

  it('a reset moves the position backwards and wins over earlier marks', () => {
    const s = new OffsetStash();
    s.markPartitionOffset('t', 0, 5n);
    s.resetPartitionOffset('t', 0, 1n);
    expect(s.offsets()).toEqual({ t: { 0: 2n } });
    expect(s.list()[0]?.reset).toBe(true);
  });

  it('clear empties it', () => {
    const s = new OffsetStash();
    s.markPartitionOffset('t', 0, 5n);
    s.clear();
    expect(s.list()).toEqual([]);
  });
});
