/**
 * Latencies of one interval, for p50 / p99: every value up to `capacity`, then a uniform reservoir sample
 * (Vitter's algorithm R) so a busy interval costs bounded memory. Pure; `random` is injectable for tests.
 */
export class LatencySample {
  private values: number[] = [];
  private seen = 0;

  constructor(
    private readonly capacity = 1024,
    private readonly random: () => number = Math.random,
  ) {}

  add(ms: number): void {
    this.seen++;
    if (this.values.length < this.capacity) this.values.push(ms);
    else {
      const i = Math.floor(this.random() * this.seen);
      if (i < this.capacity) this.values[i] = ms;
    }
  }

  /** How many values were added since the last reset. */
  get count(): number {
    return this.seen;
  }

  /** The q-quantile (0..1, nearest rank) of what was added; undefined when nothing was. */
  quantile(q: number): number | undefined {
    if (this.values.length === 0) return undefined;
    const sorted = [...this.values].sort((a, b) => a - b);
    const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
    return sorted[rank];
  }

  reset(): void {
    this.values = [];
    this.seen = 0;
  }
}
