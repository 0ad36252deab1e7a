/**
 * The offset ledger: table tests per method (ownership, marks, resets, commits, credit in both modes, out-of-order
 * completion, gaps, fencing), and fast-check properties against a naive model of one partition.
 */
import fc from 'fast-check';
import { HasOffset, MarkResult, OffsetLedger } from '../../../src/protocol/offset-ledger';

const T = 'orders';
const msgs = (...offsets: (bigint | number)[]): HasOffset[] => offsets.map((o) => ({ offset: BigInt(o) }));
const range = (from: number, to: number): HasOffset[] => msgs(...Array.from({ length: to - from + 1 }, (_, i) => from + i));

/** A ledger owning orders/0 from `start`, in generation 1. */
const ledger = (start = 0n, creditReturn: 'mark' | 'emit' = 'mark') => {
  const l = new OffsetLedger({ creditReturn });
  l.assign(T, 0, 1, start);
  return l;
};
const mark = (l: OffsetLedger) => l.position(T, 0)?.mark;

describe('OffsetLedger ownership', () => {
  it('owns what is assigned, until released', () => {
    const l = ledger(5n);
    expect(l.owns(T, 0)).toBe(true);
    expect(l.owns(T, 1)).toBe(false);
    expect(l.owns('other', 0)).toBe(false);
    expect(l.position(T, 0)).toEqual({ mark: 5n, committed: 5n, generationId: 1 });
    expect(l.release(T, 0)).toEqual({ uncommitted: undefined, inFlight: { messages: 0, bytes: 0 } });
    expect(l.owns(T, 0)).toBe(false);
    expect(l.position(T, 0)).toBeUndefined();
  });

  it.each<[string, (l: OffsetLedger) => MarkResult]>([
    ['mark', (l) => l.mark(T, 0, 3n)],
    ['markProcessed', (l) => l.markProcessed(T, 0, 3n)],
    ['reset', (l) => l.reset(T, 0, 3n)],
  ])('%s on a released partition is not-owned and commits nothing', (_, call) => {
    const l = ledger();
    l.release(T, 0);
    expect(call(l)).toBe('not-owned');
    expect(l.pendingCommits()).toEqual([]);
    expect(l.owns(T, 0)).toBe(false);
  });

  it.each<[string, (l: OffsetLedger) => MarkResult]>([
    ['mark', (l) => l.mark(T, 9, 3n)],
    ['markProcessed', (l) => l.markProcessed(T, 9, 3n)],
    ['reset', (l) => l.reset('nope', 0, 3n)],
  ])('%s on a partition never assigned is not-owned', (_, call) => {
    expect(call(ledger())).toBe('not-owned');
  });

  it('emitted on a partition not owned records nothing', () => {
    const l = ledger();
    expect(l.emitted(T, 1, range(0, 9), 100)).toBe(false);
    expect(l.inFlight(T, 1)).toEqual({ messages: 0, bytes: 0 });
    expect(l.totalInFlightBytes()).toBe(0);
  });

  it('release reports the uncommitted position and the credit it still held, and returns that credit', () => {
    const l = ledger();
    l.emitted(T, 0, range(0, 9), 1000);
    l.mark(T, 0, 3n);
    expect(l.release(T, 0)).toEqual({ uncommitted: 4n, inFlight: { messages: 6, bytes: 600 } });
    expect(l.totalInFlightBytes()).toBe(0);
    expect(l.drained()).toBe(true);
  });

  it('a later assign (next generation) starts afresh', () => {
    const l = ledger();
    l.emitted(T, 0, range(0, 9), 100);
    l.mark(T, 0, 7n);
    l.release(T, 0);
    l.assign(T, 0, 2, 4n);
    expect(l.position(T, 0)).toEqual({ mark: 4n, committed: 4n, generationId: 2 });
    expect(l.inFlight(T, 0)).toEqual({ messages: 0, bytes: 0 });
    expect(l.pendingCommits()).toEqual([]);
    expect(l.mark(T, 0, 2n)).toBe('stale');
  });

  it('assign over an owned partition replaces its state and credit', () => {
    const l = ledger();
    l.emitted(T, 0, range(0, 9), 100);
    l.assign(T, 0, 2, 0n);
    expect(l.totalInFlightBytes()).toBe(0);
    expect(l.inFlight(T, 0)).toEqual({ messages: 0, bytes: 0 });
  });

  it('renew keeps a partition and its state into a new generation', () => {
    const l = ledger();
    l.emitted(T, 0, range(0, 9), 100);
    l.mark(T, 0, 4n);
    expect(l.renew(T, 0, 2)).toBe(true);
    expect(l.renew(T, 1, 2)).toBe(false);
    expect(l.pendingCommits()).toEqual([{ topic: T, partition: 0, offset: 5n, metadata: null, generationId: 2 }]);
    expect(l.inFlight(T, 0).messages).toBe(5);
  });
});

describe('OffsetLedger.mark (cumulative)', () => {
  it.each<[string, bigint[], MarkResult[], bigint]>([
    ['moves the position to offset + 1', [4n], ['ok'], 5n],
    ['is monotonic: a lower mark is stale', [7n, 3n], ['ok', 'stale'], 8n],
    ['the same mark twice is stale the second time', [7n, 7n], ['ok', 'stale'], 8n],
    ['a mark below the start is stale', [1n], ['stale'], 2n],
    ['a mark beyond what was emitted is allowed', [100n], ['ok'], 101n],
    ['marks in ascending order', [2n, 3n, 5n, 6n], ['ok', 'ok', 'ok', 'ok'], 7n],
  ])('%s', (_, marks, results, position) => {
    const l = ledger(2n);
    l.emitted(T, 0, range(2, 9), 80);
    expect(marks.map((o) => l.mark(T, 0, o))).toEqual(results);
    expect(mark(l)).toBe(position);
  });

  it('returns credit for every emitted offset up to the mark, even beyond what was emitted', () => {
    const l = ledger();
    l.emitted(T, 0, range(0, 9), 1000);
    l.emitted(T, 0, range(10, 19), 500);
    expect(l.inFlight(T, 0)).toEqual({ messages: 20, bytes: 1500 });
    l.mark(T, 0, 4n);
    expect(l.inFlight(T, 0)).toEqual({ messages: 15, bytes: 1000 });
    l.mark(T, 0, 14n);
    expect(l.inFlight(T, 0)).toEqual({ messages: 5, bytes: 250 });
    expect(l.mark(T, 0, 1000n)).toBe('ok');
    expect(l.inFlight(T, 0)).toEqual({ messages: 0, bytes: 0 });
    expect(l.totalInFlightBytes()).toBe(0);
    expect(mark(l)).toBe(1001n);
  });

  it('a stale mark still returns the credit of messages emitted below the position', () => {
    const l = ledger();
    expect(l.mark(T, 0, 100n)).toBe('ok');
    l.emitted(T, 0, range(51, 60), 100);
    expect(l.mark(T, 0, 55n)).toBe('stale');
    expect(l.inFlight(T, 0)).toEqual({ messages: 5, bytes: 50 });
    expect(mark(l)).toBe(101n);
  });

  it('passes offsets already completed out of order after the mark', () => {
    const l = ledger(1n);
    l.emitted(T, 0, range(1, 5), 50);
    l.markProcessed(T, 0, 3n);
    l.markProcessed(T, 0, 4n);
    expect(mark(l)).toBe(1n);
    l.mark(T, 0, 2n);
    expect(mark(l)).toBe(5n);
    expect(l.inFlight(T, 0)).toEqual({ messages: 1, bytes: 10 });
  });

  it('carries the metadata of the call that moved the position', () => {
    const l = ledger();
    l.mark(T, 0, 3n, 'three');
    l.mark(T, 0, 1n, 'stale');
    expect(l.pendingCommits()[0]?.metadata).toBe('three');
    l.mark(T, 0, 5n);
    expect(l.pendingCommits()[0]?.metadata).toBeNull();
  });
});

describe('OffsetLedger.reset', () => {
  it('rewinds the position, and the rewind is committed', () => {
    const l = ledger();
    l.mark(T, 0, 9n);
    l.committed([{ topic: T, partition: 0, offset: 10n }]);
    expect(l.pendingCommits()).toEqual([]);
    expect(l.reset(T, 0, 4n, 'rewound')).toBe('ok');
    expect(l.position(T, 0)).toEqual({ mark: 4n, committed: 10n, generationId: 1 });
    expect(l.pendingCommits()).toEqual([{ topic: T, partition: 0, offset: 4n, metadata: 'rewound', generationId: 1 }]);
    l.committed([{ topic: T, partition: 0, offset: 4n }]);
    expect(l.position(T, 0)).toEqual({ mark: 4n, committed: 4n, generationId: 1 });
    expect(l.pendingCommits()).toEqual([]);
  });

  it('also moves forward, and returns no credit', () => {
    const l = ledger();
    l.emitted(T, 0, range(0, 9), 100);
    l.reset(T, 0, 20n);
    expect(mark(l)).toBe(20n);
    expect(l.inFlight(T, 0)).toEqual({ messages: 10, bytes: 100 });
  });

  it('after a rewind, lower marks are stale and higher ones move forward again', () => {
    const l = ledger();
    l.emitted(T, 0, range(0, 19), 200);
    l.mark(T, 0, 9n);
    l.reset(T, 0, 5n);
    expect(l.mark(T, 0, 3n)).toBe('stale');
    expect(mark(l)).toBe(5n);
    expect(l.mark(T, 0, 12n)).toBe('ok');
    expect(mark(l)).toBe(13n);
  });

  it('a rewind is not undone by out-of-order completions that leave the first pending offset pending', () => {
    const l = ledger();
    l.emitted(T, 0, range(0, 19), 200);
    l.mark(T, 0, 9n);
    l.reset(T, 0, 5n);
    l.markProcessed(T, 0, 15n);
    expect(mark(l)).toBe(5n);
    l.markProcessed(T, 0, 10n);
    expect(mark(l)).toBe(11n);
  });
});

describe('OffsetLedger commits', () => {
  it('pendingCommits lists only partitions whose position moved', () => {
    const l = new OffsetLedger({ creditReturn: 'mark' });
    l.assign(T, 0, 3, 10n);
    l.assign(T, 1, 3, 20n);
    l.assign('refunds', 0, 3, 0n);
    expect(l.pendingCommits()).toEqual([]);
    l.mark(T, 1, 19n);
    expect(l.pendingCommits()).toEqual([]);
    l.mark(T, 1, 24n, 'm');
    l.mark('refunds', 0, 0n);
    expect(l.pendingCommits()).toEqual([
      { topic: T, partition: 1, offset: 25n, metadata: 'm', generationId: 3 },
      { topic: 'refunds', partition: 0, offset: 1n, metadata: null, generationId: 3 },
    ]);
  });

  it.each<[string, bigint[], bigint]>([
    ['responses in order', [5n, 8n], 8n],
    ['a late response does not move committed backwards', [8n, 5n], 8n],
    ['an offset ahead of the position still moves forward', [12n], 12n],
  ])('committed: %s', (_, responses, committed) => {
    const l = ledger();
    l.mark(T, 0, 7n);
    for (const offset of responses) l.committed([{ topic: T, partition: 0, offset }]);
    expect(l.position(T, 0)?.committed).toBe(committed);
  });

  it('a commit that lands the rewind exactly is taken even backwards; a late older one makes it pending again', () => {
    const l = ledger();
    l.mark(T, 0, 9n);
    const first = l.pendingCommits();
    l.reset(T, 0, 4n);
    l.committed([{ topic: T, partition: 0, offset: 4n }]);
    expect(l.position(T, 0)?.committed).toBe(4n);
    l.committed(first);
    expect(l.position(T, 0)?.committed).toBe(10n);
    expect(l.pendingCommits().map((c) => c.offset)).toEqual([4n]);
  });

  it('is fenced by generation: entries of another generation or of partitions not owned are ignored', () => {
    const l = ledger();
    l.mark(T, 0, 9n);
    const stale = l.pendingCommits();
    l.release(T, 0);
    l.committed(stale);
    l.assign(T, 0, 2, 0n);
    l.mark(T, 0, 4n);
    l.committed(stale);
    expect(l.position(T, 0)).toEqual({ mark: 5n, committed: 0n, generationId: 2 });
    l.committed(l.pendingCommits());
    expect(l.position(T, 0)?.committed).toBe(5n);
  });
});

describe('OffsetLedger credit', () => {
  it('in mark mode, credit is held from emit until mark, per partition and in total', () => {
    const l = ledger();
    l.assign(T, 1, 1, 0n);
    l.emitted(T, 0, range(0, 3), 400);
    l.emitted(T, 1, range(0, 1), 30);
    expect(l.inFlight(T, 0)).toEqual({ messages: 4, bytes: 400 });
    expect(l.inFlight(T, 1)).toEqual({ messages: 2, bytes: 30 });
    expect(l.totalInFlightBytes()).toBe(430);
    expect(l.drained()).toBe(false);
    l.mark(T, 0, 3n);
    expect(l.drained([{ topic: T, partition: 0 }])).toBe(true);
    expect(l.drained([{ topic: T, partition: 1 }])).toBe(false);
    expect(l.totalInFlightBytes()).toBe(30);
    l.markProcessed(T, 1, 1n);
    expect(l.inFlight(T, 1)).toEqual({ messages: 1, bytes: 15 });
    l.markProcessed(T, 1, 0n);
    expect(l.drained()).toBe(true);
    expect(l.totalInFlightBytes()).toBe(0);
  });

  it('bytes of a batch are returned in proportion, exactly all once the batch is done', () => {
    const l = ledger();
    l.emitted(T, 0, range(0, 2), 10);
    l.mark(T, 0, 0n);
    expect(l.inFlight(T, 0)).toEqual({ messages: 2, bytes: 7 });
    l.markProcessed(T, 0, 2n);
    expect(l.inFlight(T, 0)).toEqual({ messages: 1, bytes: 4 });
    l.markProcessed(T, 0, 1n);
    expect(l.inFlight(T, 0)).toEqual({ messages: 0, bytes: 0 });
  });

  it('in emit mode nothing is ever in flight, and marks still move the position', () => {
    const l = ledger(0n, 'emit');
    expect(l.emitted(T, 0, range(0, 999), 100_000)).toBe(true);
    expect(l.inFlight(T, 0)).toEqual({ messages: 0, bytes: 0 });
    expect(l.totalInFlightBytes()).toBe(0);
    expect(l.drained()).toBe(true);
    expect(l.mark(T, 0, 10n)).toBe('ok');
    expect(mark(l)).toBe(11n);
    expect(l.markProcessed(T, 0, 20n)).toBe('ok');
    expect(mark(l)).toBe(21n);
    expect(l.markProcessed(T, 0, 5n)).toBe('stale');
    expect(l.release(T, 0)).toEqual({ uncommitted: 21n, inFlight: { messages: 0, bytes: 0 } });
  });

  it('drained ignores partitions not owned', () => {
    expect(ledger().drained([{ topic: 'x', partition: 3 }])).toBe(true);
  });
});

describe('OffsetLedger.emitted', () => {
  it('rejects offsets that do not follow those in flight', () => {
    const l = ledger();
    l.emitted(T, 0, range(0, 9), 100);
    expect(() => l.emitted(T, 0, range(9, 12), 10)).toThrow(RangeError);
    expect(() => l.emitted(T, 0, range(5, 6), 10)).toThrow(RangeError);
    expect(l.inFlight(T, 0)).toEqual({ messages: 10, bytes: 100 });
  });

  it('accepts a backwards seek once nothing is in flight, and an empty batch', () => {
    const l = ledger();
    l.emitted(T, 0, range(0, 9), 100);
    l.mark(T, 0, 9n);
    expect(l.emitted(T, 0, range(3, 4), 20)).toBe(true);
    expect(l.emitted(T, 0, [], 0)).toBe(true);
    expect(l.inFlight(T, 0)).toEqual({ messages: 2, bytes: 20 });
  });
});

describe('OffsetLedger.markProcessed (out of order)', () => {
  it('processing 3, then 1, then 2 moves the position only when 2 arrives', () => {
    const l = ledger(1n);
    l.emitted(T, 0, range(1, 3), 30);
    expect(l.markProcessed(T, 0, 3n)).toBe('ok');
    expect(l.pendingCommits()).toEqual([]);
    expect(l.markProcessed(T, 0, 1n)).toBe('ok');
    expect(l.pendingCommits().map((c) => c.offset)).toEqual([2n]);
    expect(l.markProcessed(T, 0, 2n)).toBe('ok');
    expect(l.pendingCommits().map((c) => c.offset)).toEqual([4n]);
    expect(l.drained()).toBe(true);
  });

  it('gaps between emitted offsets are not holes', () => {
    const l = ledger(10n);
    l.emitted(T, 0, msgs(10, 12, 15), 30);
    l.markProcessed(T, 0, 12n);
    expect(mark(l)).toBe(10n);
    l.markProcessed(T, 0, 10n);
    expect(mark(l)).toBe(15n);
    expect(l.inFlight(T, 0)).toEqual({ messages: 1, bytes: 10 });
    l.markProcessed(T, 0, 15n);
    expect(mark(l)).toBe(16n);
  });

  it('gaps across batches are not holes either', () => {
    const l = ledger(0n);
    l.emitted(T, 0, msgs(3, 4), 20);
    l.emitted(T, 0, msgs(9, 20), 20);
    l.markProcessed(T, 0, 4n);
    l.markProcessed(T, 0, 3n);
    expect(mark(l)).toBe(9n);
    l.markProcessed(T, 0, 9n);
    expect(mark(l)).toBe(20n);
  });

  it.each<[string, bigint, MarkResult, bigint]>([
    ['a duplicate completion changes nothing', 12n, 'ok', 10n],
    ['an offset in a gap changes nothing while an earlier one is pending', 11n, 'ok', 10n],
    ['an offset beyond what was emitted changes nothing while an earlier one is pending', 99n, 'ok', 10n],
    ['an offset below the position is stale', 3n, 'stale', 10n],
  ])('%s', (_, offset, result, position) => {
    const l = ledger(10n);
    l.emitted(T, 0, msgs(10, 12, 15), 30);
    l.markProcessed(T, 0, 12n);
    expect(l.markProcessed(T, 0, offset)).toBe(result);
    expect(mark(l)).toBe(position);
    expect(l.inFlight(T, 0).messages).toBe(2);
  });

  it('an offset not in flight, with nothing pending below it, acts as a mark', () => {
    const l = ledger(0n);
    l.emitted(T, 0, msgs(10, 12), 20);
    l.markProcessed(T, 0, 10n);
    expect(l.markProcessed(T, 0, 11n)).toBe('stale');
    l.markProcessed(T, 0, 12n);
    expect(mark(l)).toBe(13n);
    expect(l.markProcessed(T, 0, 30n)).toBe('ok');
    expect(mark(l)).toBe(31n);
    expect(l.drained()).toBe(true);
  });

  it('handles tens of thousands in flight, completed in reverse, in one batch and in single-message batches', () => {
    const n = 20_000;
    const big = ledger(0n);
    big.emitted(T, 0, range(0, n - 1), n * 10);
    const single = ledger(0n);
    for (let i = 0; i < n; i++) single.emitted(T, 0, msgs(i), 10);
    for (const l of [big, single]) {
      for (let i = n - 1; i > 0; i--) l.markProcessed(T, 0, BigInt(i));
      expect(mark(l)).toBe(0n);
      expect(l.inFlight(T, 0).messages).toBe(1);
      l.markProcessed(T, 0, 0n);
      expect(mark(l)).toBe(BigInt(n));
      expect(l.inFlight(T, 0)).toEqual({ messages: 0, bytes: 0 });
      expect(l.totalInFlightBytes()).toBe(0);
    }
  });
});

describe('OffsetLedger long-running stream', () => {
  it('emits and completes 30k messages through a sliding window of out-of-order completions', () => {
    const l = ledger(0n);
    const total = 30_000;
    const done = new Uint8Array(total);
    const pending: number[] = [];
    let emitted = 0;
    let lowest = 0;
    let seed = 42;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    while (lowest < total) {
      if (emitted < total && pending.length < 200) {
        const size = Math.min(1 + random(3) * random(20), total - emitted);
        l.emitted(T, 0, range(emitted, emitted + size - 1), size * 7);
        for (let i = 0; i < size; i++) pending.push(emitted + i);
        emitted += size;
      }
      const o = pending.splice(random(pending.length), 1)[0] as number;
      const result = l.markProcessed(T, 0, BigInt(o));
      done[o] = 1;
      while (lowest < total && done[lowest] === 1) lowest++;
      if (result !== 'ok' || mark(l) !== BigInt(lowest) || l.inFlight(T, 0).messages !== pending.length) {
        expect({ o, result, mark: mark(l), inFlight: l.inFlight(T, 0).messages }).toEqual({ o, result: 'ok', mark: BigInt(lowest), inFlight: pending.length });
      }
    }
    expect(l.totalInFlightBytes()).toBe(0);
    expect(l.drained()).toBe(true);
  });
});

describe('OffsetLedger offsets above 2^53', () => {
  const base = 2n ** 53n + 1n;
  it('are exact in marks, gaps, commits and credit', () => {
    const l = ledger(base);
    l.emitted(T, 0, msgs(base, base + 1n, base + 3n), 30);
    l.emitted(T, 0, msgs(base + 4n, base + 5n), 20);
    l.markProcessed(T, 0, base + 1n);
    l.markProcessed(T, 0, base);
    expect(mark(l)).toBe(base + 3n);
    l.mark(T, 0, base + 4n);
    expect(mark(l)).toBe(base + 5n);
    expect(l.inFlight(T, 0)).toEqual({ messages: 1, bytes: 10 });
    expect(l.pendingCommits()[0]?.offset).toBe(base + 5n);
    l.committed(l.pendingCommits());
    expect(l.position(T, 0)?.committed).toBe(base + 5n);
    const max = 2n ** 63n - 2n;
    l.reset(T, 0, max);
    l.emitted(T, 0, msgs(max - 3n, max - 1n), 2);
    l.markProcessed(T, 0, max - 1n);
    l.markProcessed(T, 0, base + 5n);
    l.markProcessed(T, 0, max - 3n);
    expect(l.drained()).toBe(true);
    expect(mark(l)).toBe(max);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Properties

interface Step {
  readonly gap: number;
  readonly cut: boolean;
  readonly bytes: number;
}
interface Batch {
  readonly offsets: bigint[];
  bytes: number;
}

/** Steps of an emitted sequence: a gap before each offset, whether a batch ends after it, its bytes. */
const stepsArb = fc.array(fc.record({ gap: fc.nat({ max: 3 }), cut: fc.boolean(), bytes: fc.nat({ max: 1000 }) }), {
  minLength: 1,
  maxLength: 60,
});

/** Ascending offsets with gaps, from `start`, split into batches. */
const batchesOf = (start: bigint, steps: readonly Step[]): Batch[] => {
  const batches: Batch[] = [];
  let next = start;
  let current: Batch = { offsets: [], bytes: 0 };
  for (const s of steps) {
    next += BigInt(s.gap);
    current.offsets.push(next);
    current.bytes += s.bytes;
    next += 1n;
    if (s.cut) {
      batches.push(current);
      current = { offsets: [], bytes: 0 };
    }
  }
  if (current.offsets.length > 0) batches.push(current);
  return batches;
};

/** A permutation of a subset of `all`: each pick takes one of the offsets left. */
const pickOrder = (all: readonly bigint[], picks: readonly number[]): bigint[] => {
  const left = [...all];
  return picks.slice(0, all.length).map((p) => left.splice(p % left.length, 1)[0] as bigint);
};

const starts = fc.constantFrom(0n, 7n, 2n ** 53n - 5n, 2n ** 60n);

describe('OffsetLedger properties', () => {
  it('out-of-order: the position is the smallest pending emitted offset (or last + 1), and monotonic', () => {
    fc.assert(
      fc.property(
        starts,
        stepsArb,
        fc.array(fc.nat(), { maxLength: 60 }),
        (start, steps, picks) => {
          const batches = batchesOf(start, steps);
          const all = batches.flatMap((b) => b.offsets);
          const order = pickOrder(all, picks);
          const l = ledger(start);
          for (const b of batches) l.emitted(T, 0, msgs(...b.offsets), b.bytes);
          const done = new Set<bigint>();
          let previous = start;
          for (const o of order) {
            expect(l.markProcessed(T, 0, o)).toBe('ok');
            done.add(o);
            const pending = all.find((x) => !done.has(x));
            const prefixDone = done.has(all[0] as bigint);
            const expected = !prefixDone ? start : (pending ?? (all[all.length - 1] as bigint) + 1n);
            const position = mark(l) as bigint;
            expect(position).toBe(expected);
            expect(position >= previous).toBe(true);
            previous = position;
            expect(l.inFlight(T, 0).messages).toBe(all.length - done.size);
          }
          expect(l.drained()).toBe(done.size === all.length);
          if (done.size === all.length) expect(l.totalInFlightBytes()).toBe(0);
        },
      ),
    );
  });

  type Op = { kind: 'mark' | 'processed'; pick: number; delta: number };
  const opArb: fc.Arbitrary<Op> = fc.record({
    kind: fc.constantFrom<Op['kind']>('mark', 'processed'),
    pick: fc.nat(),
    delta: fc.integer({ min: -2, max: 2 }),
  });

  it('any mix of mark and markProcessed agrees with a naive model (position, results, credit)', () => {
    fc.assert(
      fc.property(starts, stepsArb, fc.array(opArb, { maxLength: 80 }), (start, steps, ops) => {
        const batches = batchesOf(start, steps);
        const all = batches.flatMap((b) => b.offsets.map((offset) => ({ offset, batch: b })));
        const l = ledger(start);
        for (const b of batches) l.emitted(T, 0, msgs(...b.offsets), b.bytes);

        // The model: a done flag per emitted offset, the passed prefix, the position.
        const done = new Set<bigint>();
        let passed = 0;
        let position = start;
        const advancePrefix = (): boolean => {
          const before = passed;
          while (passed < all.length && done.has((all[passed] as { offset: bigint }).offset)) passed++;
          return passed > before;
        };
        const passedEnd = () => (all[passed - 1] as { offset: bigint }).offset + 1n;
        const modelMark = (o: bigint): MarkResult => {
          const stale = o < position;
          for (const e of all) if (e.offset <= o) done.add(e.offset);
          let to = o + 1n;
          if (advancePrefix() && passedEnd() > to) to = passedEnd();
          if (to > position) position = to;
          return stale ? 'stale' : 'ok';
        };
        const modelProcessed = (o: bigint): MarkResult => {
          const stale = o < position;
          const firstPending = all[passed]?.offset;
          const inFlight = all.some((e) => e.offset === o) && !done.has(o);
          if (inFlight) {
            done.add(o);
            if (advancePrefix()) {
              const to = all[passed]?.offset ?? passedEnd();
              if (to > position) position = to;
            }
            return stale ? 'stale' : 'ok';
          }
          if (firstPending !== undefined && firstPending < o) return stale ? 'stale' : 'ok';
          return modelMark(o);
        };

        for (const op of ops) {
          const o = ((all[op.pick % all.length] as { offset: bigint }).offset) + BigInt(op.delta);
          const expected = op.kind === 'mark' ? modelMark(o) : modelProcessed(o);
          const actual = op.kind === 'mark' ? l.mark(T, 0, o) : l.markProcessed(T, 0, o);
          expect(actual).toBe(expected);
          expect(mark(l)).toBe(position);
          const pendingByBatch = new Map<Batch, number>();
          for (const e of all) if (!done.has(e.offset)) pendingByBatch.set(e.batch, (pendingByBatch.get(e.batch) ?? 0) + 1);
          let bytes = 0;
          for (const [batch, pending] of pendingByBatch) {
            const b = batch;
            const count = b.offsets.length;
            bytes += b.bytes - Math.floor((b.bytes * (count - pending)) / count);
          }
          expect(l.inFlight(T, 0)).toEqual({ messages: all.length - done.size, bytes });
          expect(l.totalInFlightBytes()).toBe(bytes);
        }
      }),
    );
  });
});
