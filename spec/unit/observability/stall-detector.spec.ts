import { StallDetector, type PartitionProgress } from '../../../src/observability/stall-detector';

const p = (over: Partial<PartitionProgress>): PartitionProgress => ({ topic: 't', partition: 0, processed: 10n, fetched: 20n, highWatermark: 30n, buffered: 10, lastFetchAt: 0, ...over });

describe('StallDetector', () => {
  it('handler: unmarked records and a marked position still for the timeout is a stall, once; progress ends it', () => {
    const d = new StallDetector(1_000);
    expect(d.check(0, [p({})])).toEqual([]);
    expect(d.check(999, [p({ lastFetchAt: 999 })])).toEqual([]);
    const [stall] = d.check(1_000, [p({ lastFetchAt: 1_000 })]);
    expect(stall).toEqual({ kind: 'handler', topic: 't', partition: 0, recovered: false, since: 0, at: 1_000, lag: 20n, lastOffset: 9n });
    expect(d.check(1_500, [p({ lastFetchAt: 1_500 })])).toEqual([]);
    expect(d.check(2_000, [p({ processed: 11n, lastFetchAt: 2_000 })])).toEqual([{ ...stall, recovered: true, at: 2_000 }]);
  });

  it('a handler that marks, however slowly, is not stalled; nor is an idle partition whose fetches answer', () => {
    const d = new StallDetector(1_000);
    for (let t = 0; t <= 10_000; t += 500) {
      expect(d.check(t, [p({ processed: BigInt(t), lastFetchAt: t }), p({ partition: 1, buffered: 0, fetched: 30n, highWatermark: 30n, lastFetchAt: t })])).toEqual([]);
    }
  });

  it('fetch: records waiting and the fetch position still, or no fetch answering, is a fetch stall; the fetch moving on, or the partition going, ends it', () => {
    const d = new StallDetector(1_000);
    const idle = { buffered: 0, processed: 20n };
    expect(d.check(0, [p({ ...idle, lastFetchAt: 0 }), p({ ...idle, partition: 1, highWatermark: 20n, lastFetchAt: undefined })])).toEqual([]);
    const stalls = d.check(1_000, [p({ ...idle, lastFetchAt: 1_000 }), p({ ...idle, partition: 1, highWatermark: 20n, lastFetchAt: undefined })]);
    expect(stalls.map((s) => [s.kind, s.partition, s.lag, s.lastOffset, s.since])).toEqual([
      ['fetch', 0, 10n, 19n, 0],
      ['fetch', 1, 0n, 19n, 0],
    ]);
    const recovered = d.check(1_200, [p({ ...idle, fetched: 25n, lastFetchAt: 1_200 })]);
    expect(recovered.map((s) => [s.partition, s.recovered])).toEqual([[0, true], [1, true]]);
  });

  it('a stall of one kind turning into the other ends the first and starts the second', () => {
    const d = new StallDetector(1_000);
    d.check(0, [p({})]);
    expect(d.check(1_000, [p({})]).map((s) => s.kind)).toEqual(['handler']);
    // Everything marked (nothing buffered), but the fetch does not move on although records wait.
    const next = d.check(1_100, [p({ buffered: 0, processed: 20n })]);
    expect(next.map((s) => [s.kind, s.recovered])).toEqual([['handler', true], ['fetch', false]]);
  });
});
