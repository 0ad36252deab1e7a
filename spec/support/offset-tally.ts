import type { KafkaMessage } from '../../src';

/** Counts every (partition, offset) processed, to prove nothing was lost and to count duplicates. */
export class OffsetTally {
  private readonly seen = new Map<number, Set<bigint>>();
  private readonly waiters: { test: () => boolean; resolve: () => void }[] = [];
  processed = 0;

  add(m: Pick<KafkaMessage, 'partition' | 'offset'>): void {
    this.processed++;
    const set = this.seen.get(m.partition) ?? new Set<bigint>();
    set.add(m.offset);
    this.seen.set(m.partition, set);
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      const w = this.waiters[i];
      if (w && w.test()) {
        this.waiters.splice(i, 1);
        w.resolve();
      }
    }
  }

  /** Resolves as soon as `test` holds (checked now and after every processed message). */
  until(test: (t: OffsetTally) => boolean): Promise<void> {
    return new Promise((resolve) => (test(this) ? resolve() : this.waiters.push({ test: () => test(this), resolve })));
  }

  has(partition: number, offset: bigint): boolean {
    return this.seen.get(partition)?.has(offset) ?? false;
  }

  get unique(): number {
    let n = 0;
    for (const s of this.seen.values()) n += s.size;
    return n;
  }

  get duplicates(): number {
    return this.processed - this.unique;
  }

  /** True when every offset below each partition's end offset was seen here or in `others` (dense offsets). */
  covers(ends: ReadonlyMap<number, bigint>, ...others: readonly OffsetTally[]): boolean {
    const all = [this, ...others];
    if (all.reduce((n, t) => n + t.unique, 0) < [...ends.values()].reduce((n, e) => n + Number(e), 0)) return false;
    return [...ends].every(([p, end]) => {
      for (let o = 0n; o < end; o++) if (!all.some((t) => t.has(p, o))) return false;
      return true;
    });
  }

  lowest(partition: number): bigint | undefined {
    const s = this.seen.get(partition);
    return s && s.size ? [...s].reduce((a, b) => (b < a ? b : a)) : undefined;
  }
}
