/**
 * `java.util.TreeSet` with a comparator, as the sticky assignor uses it: a sorted array, found and inserted by
 * binary search. Like Java's, it trusts the comparator to be stable while an element is inside; callers remove an
 * element before changing what it is compared by, and add it back after.
 */
export class JavaTreeSet<T> {
  private readonly items: T[] = [];

  constructor(private readonly compare: (a: T, b: T) => number) {}

  /** Index of `x`, or `-(insertion point) - 1` (Arrays.binarySearch's convention). */
  private search(x: T): number {
    let lo = 0;
    let hi = this.items.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const c = this.compare(this.items[mid] as T, x);
      if (c < 0) lo = mid + 1;
      else if (c > 0) hi = mid - 1;
      else return mid;
    }
    return -(lo + 1);
  }

  add(x: T): boolean {
    const i = this.search(x);
    if (i >= 0) return false;
    this.items.splice(-(i + 1), 0, x);
    return true;
  }

  remove(x: T): boolean {
    const i = this.search(x);
    if (i < 0) return false;
    this.items.splice(i, 1);
    return true;
  }

  first(): T | undefined {
    return this.items[0];
  }

  last(): T | undefined {
    return this.items[this.items.length - 1];
  }

  /** Ascending order; a snapshot, so the set may change while the caller walks it. */
  toArray(): readonly T[] {
    return [...this.items];
  }
}
