import { ProducerState } from '../../../src/testing/producer-state';

describe('the in-memory broker’s idempotence state (ProducerState)', () => {
  it('appends a new producer’s first batch at sequence 0 and refuses a gap', () => {
    const s = new ProducerState();
    expect(s.check(1n, 0, 3)).toEqual({ kind: 'refuse', code: 'OUT_OF_ORDER_SEQUENCE_NUMBER' });
    expect(s.check(1n, 0, 0)).toEqual({ kind: 'append' });
    s.written(1n, 0, 0, 5, 100n);
    expect(s.check(1n, 0, 5)).toEqual({ kind: 'append' });
    expect(s.check(1n, 0, 6)).toEqual({ kind: 'refuse', code: 'OUT_OF_ORDER_SEQUENCE_NUMBER' });
  });

  it('answers a retry of one of the last five batches with the offset it got', () => {
    const s = new ProducerState();
    for (let i = 0; i < 6; i++) s.written(1n, 0, i * 2, 2, BigInt(i * 2));
    expect(s.check(1n, 0, 10)).toEqual({ kind: 'duplicate', baseOffset: 10n });
    expect(s.check(1n, 0, 2)).toEqual({ kind: 'duplicate', baseOffset: 2n });
    expect(s.check(1n, 0, 0)).toEqual({ kind: 'refuse', code: 'OUT_OF_ORDER_SEQUENCE_NUMBER' });
  });

  it('refuses an older epoch and restarts sequences at a newer one; batches without a producer id always append', () => {
    const s = new ProducerState();
    s.written(1n, 1, 0, 1, 0n);
    expect(s.check(1n, 0, 1)).toEqual({ kind: 'refuse', code: 'INVALID_PRODUCER_EPOCH' });
    expect(s.check(1n, 2, 0)).toEqual({ kind: 'append' });
    expect(s.check(-1n, -1, -1)).toEqual({ kind: 'append' });
  });
});
