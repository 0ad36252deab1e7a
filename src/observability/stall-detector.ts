/**
 * Stall detection, pure: fed each partition's progress at each check, it says when a partition has made no
 * progress for `timeoutMs` (and when it makes progress again). Two kinds:
 * - 'handler': the application holds delivered, unmarked records and the marked position has not moved
 *   (a stuck handler);
 * - 'fetch': the fetch position has not moved although records wait at the broker, or no fetch answered for the
 *   partition at all (a stuck broker, a partition paused and forgotten).
 */

export type StallKind = 'handler' | 'fetch';

/** One held partition's progress, as the session sees it at a check. */
export interface PartitionProgress {
  readonly topic: string;
  readonly partition: number;
  /** The next offset to process (after what was marked), if marks are tracked. */
  readonly processed: bigint | undefined;
  /** The next offset to fetch. */
  readonly fetched: bigint | undefined;
  readonly highWatermark: bigint | undefined;
  /** Records delivered and not yet marked (0 when nothing marks). */
  readonly buffered: number;
  /** When a fetch last answered for the partition (undefined: never). */
  readonly lastFetchAt: number | undefined;
}

/** What stalls$ emits: a stall, or (recovered) its end. */
export interface Stall {
  readonly kind: StallKind;
  readonly topic: string;
  readonly partition: number;
  /** True when the partition made progress again (or is no longer held) after this stall. */
  readonly recovered: boolean;
  /** Since when the partition has made no progress (ms, the group's clock). */
  readonly since: number;
  /** When this was noticed. */
  readonly at: number;
  /** The high-water mark last fetched minus the processed (handler) or fetched (fetch) position, when known. */
  readonly lag: bigint | undefined;
  /** The last offset processed (handler) or fetched (fetch), when any. */
  readonly lastOffset: bigint | undefined;
}

interface Watch {
  processed: bigint | undefined;
  processedSince: number;
  fetched: bigint | undefined;
  fetchedSince: number;
  stalled: Stall | undefined;
}

const key = (topic: string, partition: number): string => `${topic}\u0000${partition}`;
const minus1 = (v: bigint | undefined): bigint | undefined => (v === undefined || v <= 0n ? undefined : v - 1n);
const lagOf = (hw: bigint | undefined, at: bigint | undefined): bigint | undefined => (hw === undefined || at === undefined ? undefined : hw > at ? hw - at : 0n);

export class StallDetector {
  private readonly watches = new Map<string, Watch>();

  constructor(private readonly timeoutMs: number) {}

  /** The stalls that began and ended since the last check, for the partitions held now. */
  check(now: number, held: readonly PartitionProgress[]): Stall[] {
    const out: Stall[] = [];
    const seen = new Set<string>();
    for (const p of held) {
      const k = key(p.topic, p.partition);
      seen.add(k);
      let w = this.watches.get(k);
      if (!w) this.watches.set(k, (w = { processed: p.processed, processedSince: now, fetched: p.fetched, fetchedSince: now, stalled: undefined }));
      if (p.processed !== w.processed) [w.processed, w.processedSince] = [p.processed, now];
      if (p.fetched !== w.fetched) [w.fetched, w.fetchedSince] = [p.fetched, now];
      const kind = this.stallOf(now, p, w);
      if (w.stalled && w.stalled.kind !== kind) {
        out.push({ ...w.stalled, recovered: true, at: now });
        w.stalled = undefined;
      }
      if (kind && !w.stalled) {
        const handler = kind === 'handler';
        w.stalled = {
          kind,
          topic: p.topic,
          partition: p.partition,
          recovered: false,
          since: handler ? w.processedSince : Math.min(w.fetchedSince, p.lastFetchAt ?? w.fetchedSince),
          at: now,
          lag: lagOf(p.highWatermark, handler ? p.processed : p.fetched),
          lastOffset: minus1(handler ? p.processed : p.fetched),
        };
        out.push(w.stalled);
      }
    }
    for (const [k, w] of this.watches) {
      if (seen.has(k)) continue;
      if (w.stalled) out.push({ ...w.stalled, recovered: true, at: now });
      this.watches.delete(k);
    }
    return out;
  }

  private stallOf(now: number, p: PartitionProgress, w: Watch): StallKind | undefined {
    if (p.buffered > 0 && now - w.processedSince >= this.timeoutMs) return 'handler';
    if (p.buffered > 0) return undefined; // the application has work: fetching waits on it, not stuck
    const fetchQuiet = now - w.fetchedSince >= this.timeoutMs;
    const waiting = p.highWatermark !== undefined && p.fetched !== undefined && p.highWatermark > p.fetched;
    const unanswered = p.lastFetchAt === undefined || now - p.lastFetchAt >= this.timeoutMs;
    return fetchQuiet && (waiting || unanswered) ? 'fetch' : undefined;
  }
}
