import { LatencySample } from '../../../src/observability/latency-sample';

describe('LatencySample', () => {
  it('gives nearest-rank quantiles of what was added, undefined when empty, and forgets on reset', () => {
    const s = new LatencySample();
    expect(s.quantile(0.5)).toBeUndefined();
    for (const v of [5, 1, 4, 2, 3, 100, 6, 7, 8, 9]) s.add(v);
    expect([s.count, s.quantile(0.5), s.quantile(0.99), s.quantile(0)]).toEqual([10, 5, 100, 1]);
    s.reset();
    expect([s.count, s.quantile(0.5)]).toEqual([0, undefined]);
  });

  it('keeps at most its capacity, as a uniform sample: quantiles of a large stream stay close to the truth', () => {
    let seed = 1;
    const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const s = new LatencySample(256, random);
    for (let i = 1; i <= 100_000; i++) s.add(i % 1000);
    expect(s.count).toBe(100_000);
    expect(Math.abs((s.quantile(0.5) ?? 0) - 500)).toBeLessThan(100);
    expect(s.quantile(0.99)).toBeGreaterThan(940);
  });
});
