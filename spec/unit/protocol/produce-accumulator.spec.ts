import { ProduceAccumulator } from '../../../src/protocol/produce-accumulator';

const acc = (batchBytes = 100, lingerMs = 10) => new ProduceAccumulator<string, string>({ batchBytes, lingerMs });

describe('ProduceAccumulator (pure)', () => {
  it('holds a partition’s records until they linger lingerMs, then drains them as one batch', () => {
    const a = acc();
    a.append('t', 0, 'a', 10, 0);
    a.append('t', 0, 'b', 10, 4);
    expect(a.drain(9, 1000, 0)).toEqual([]);
    expect(a.nextReadyAt()).toBe(10);
    const [batch] = a.drain(10, 1000, 0);
    expect(batch?.records.map((q) => q.record)).toEqual(['a', 'b']);
    expect(batch?.baseSequence).toBe(0);
  });

  it('drains a full batch at once and cuts at batchBytes', () => {
    const a = acc(25);
    for (const r of ['a', 'b', 'c']) a.append('t', 0, r, 10, 0);
    const [batch] = a.drain(0, 1000, 0);
    expect(batch?.records.map((q) => q.record)).toEqual(['a', 'b']);
  });

  it('keeps one batch per partition in flight and numbers sequences on from the acknowledged one', () => {
    const a = acc(10, 0);
    a.append('t', 0, 'a', 10, 0);
    a.append('t', 0, 'b', 10, 0);
    const [first] = a.drain(0, 1000, 0);
    expect(a.drain(0, 1000, 10)).toEqual([]);
    a.acknowledge(first!, 40n);
    const [second] = a.drain(0, 1000, 0);
    expect(second?.baseSequence).toBe(1);
    a.acknowledge(second!, 41n);
    expect(a.takeOutcomes().map((o) => (o.ok ? o.delivered.offset : o.error))).toEqual([40n, 41n]);
  });

  it('sends a retried batch again unchanged, before later records and not before its backoff', () => {
    const a = acc(10, 0);
    a.append('t', 0, 'a', 10, 0);
    const [first] = a.drain(0, 1000, 0);
    a.append('t', 0, 'b', 10, 1);
    a.retry(first!, 100);
    expect(a.drain(50, 1000, 0)).toEqual([]);
    expect(a.nextReadyAt()).toBe(100);
    const [again] = a.drain(100, 1000, 0);
    expect(again?.records.map((q) => q.record)).toEqual(['a']);
    expect(again?.baseSequence).toBe(first?.baseSequence);
    expect(again?.attempts).toBe(1);
  });

  it('hands out outcomes in input order only, across partitions', () => {
    const a = acc(10, 0);
    a.append('t', 0, 'a', 10, 0);
    a.append('t', 1, 'b', 10, 0);
    const [p0, p1] = a.drain(0, 1000, 0);
    a.acknowledge(p1!, 7n);
    expect(a.takeOutcomes()).toEqual([]);
    a.fail(p0!, 'boom');
    expect(a.takeOutcomes().map((o) => (o.ok ? o.delivered.record : o.error))).toEqual(['boom', 'b']);
    expect(a.pending).toBe(0);
  });

  it('stays within the in-flight budget, but sends one batch when nothing is in flight even if it is larger', () => {
    const a = acc(1000, 0);
    a.append('t', 0, 'big', 500, 0);
    a.append('t', 1, 'x', 50, 0);
    expect(a.drain(0, 100, 0).map((b) => b.records.map((q) => q.record))).toEqual([['big']]);
    expect(a.drain(0, 100, 500)).toEqual([]);
  });

  it('flush makes lingering records ready at once', () => {
    const a = acc(1000, 10_000);
    a.append('t', 0, 'a', 1, 0);
    a.flush();
    expect(a.drain(0, 1000, 0)).toHaveLength(1);
  });

  it('expire fails what waits in a partition, retry and queue alike', () => {
    const a = acc(10, 0);
    a.append('t', 0, 'a', 10, 0);
    const [first] = a.drain(0, 1000, 0);
    a.append('t', 0, 'b', 10, 0);
    a.retry(first!, 5);
    expect(a.waiting()).toEqual([{ topic: 't', partition: 0, oldestQueuedAt: 0 }]);
    a.expire('t', 0, 'late');
    expect(a.takeOutcomes().map((o) => (o.ok ? 'ok' : o.error))).toEqual(['late', 'late']);
  });
});
