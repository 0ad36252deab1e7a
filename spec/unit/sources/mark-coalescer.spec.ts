import { MarkCoalescer } from '../../../src/sources/mark-coalescer';
import type { MarkableOffset } from '../../../src/operators/mark-offsets';

const msg = (partition: number, offset: number, topic = 't'): MarkableOffset => ({ topic, partition, offset: BigInt(offset) });
const batch = (partition: number, from: number, n: number, topic = 't') => Array.from({ length: n }, (_, i) => msg(partition, from + i, topic));

const rig = (enabled = () => true) => {
  const applied: string[] = [];
  const c = new MarkCoalescer((m, metadata) => applied.push(`${m.topic}/${m.partition}@${m.offset}${metadata ? `:${metadata}` : ''}`), enabled);
  return { c, applied };
};

describe('MarkCoalescer', () => {
  it("applies one mark per delivered batch: the run's highest, when the batch ends", () => {
    const { c, applied } = rig();
    const b = batch(0, 10, 5);
    c.start(b);
    for (const m of b) c.mark(m, null);
    expect(applied).toEqual([]);
    c.end();
    expect(applied).toEqual(['t/0@14']);
  });

  it('keeps the highest offset when marks come out of order, and the metadata of that mark', () => {
    const { c, applied } = rig();
    const b = batch(0, 0, 4);
    c.start(b);
    c.mark(msg(0, 2), 'two');
    c.mark(msg(0, 1), 'one');
    c.mark(msg(0, 3), 'three');
    c.mark(msg(0, 0), 'zero');
    c.end();
    expect(applied).toEqual(['t/0@3:three']);
  });

  it('applies at once: marks outside a delivery, of another partition or topic, and while disabled', () => {
    let on = true;
    const { c, applied } = rig(() => on);
    c.mark(msg(0, 1), null);
    expect(applied).toEqual(['t/0@1']);
    c.start(batch(0, 2, 3));
    c.mark(msg(0, 2), null);
    c.mark(msg(1, 7), null); // another partition: what is held goes first, then this one
    expect(applied).toEqual(['t/0@1', 't/0@2', 't/1@7']);
    c.mark(msg(0, 3, 'u'), null); // same partition number, another topic
    expect(applied).toEqual(['t/0@1', 't/0@2', 't/1@7', 'u/0@3']);
    on = false;
    c.mark(msg(0, 4), null);
    expect(applied).toEqual(['t/0@1', 't/0@2', 't/1@7', 'u/0@3', 't/0@4']);
    c.end();
    expect(applied).toHaveLength(5);
  });

  it('flush applies what is held at once, and only once', () => {
    const { c, applied } = rig();
    c.start(batch(0, 0, 3));
    c.mark(msg(0, 0), null);
    c.mark(msg(0, 1), null);
    c.flush();
    expect(applied).toEqual(['t/0@1']);
    c.flush();
    c.mark(msg(0, 2), null);
    c.end();
    expect(applied).toEqual(['t/0@1', 't/0@2']);
  });

  it('nested deliveries: the inner one ends with its own flush and the outer partition is coalesced again after it', () => {
    const { c, applied } = rig();
    c.start(batch(0, 0, 2));
    c.mark(msg(0, 0), null);
    c.start(batch(1, 5, 2));
    c.mark(msg(1, 5), null);
    c.mark(msg(1, 6), null);
    c.end();
    expect(applied).toEqual(['t/0@0', 't/1@6']);
    c.mark(msg(0, 1), null);
    expect(applied).toHaveLength(2);
    c.end();
    expect(applied).toEqual(['t/0@0', 't/1@6', 't/0@1']);
  });

  it('an empty batch holds nothing and ends cleanly', () => {
    const { c, applied } = rig();
    c.start([]);
    c.mark(msg(0, 1), null);
    c.end();
    expect(applied).toEqual(['t/0@1']);
  });
});
