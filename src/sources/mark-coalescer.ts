import type { MarkableOffset } from '../operators/mark-offsets';

/**
 * Coalesces the cumulative marks a `markOffsets` sink makes while one fetched batch is delivered synchronously:
 * marks of the partition being delivered are held, the highest kept, and applied as one mark when the batch's
 * delivery ends, or earlier when anything else is about to read or move offsets (`flush`). A cumulative mark of
 * offset o passes everything up to o, so the last one of a run is all of them: the ledger's work (position,
 * credit) happens once per batch instead of once per message. Any other mark (another partition, outside a
 * delivery, or while `enabled()` is false) flushes what is held and is applied at once. Pure: no I/O, no RxJS.
 */
export class MarkCoalescer {
  private topic: string | undefined;
  private partition = -1;
  /** The partitions of the deliveries this one is nested in (a handler never starts one, but be exact). */
  private readonly outer: Array<{ topic: string | undefined; partition: number }> = [];
  private held: MarkableOffset | undefined;
  private heldMetadata: string | null | undefined;

  constructor(
    private readonly applyMark: (message: MarkableOffset, metadata: string | null | undefined) => void,
    /** False: every mark is applied at once (someone observes each mark, e.g. tracing on the mark channel). */
    private readonly enabled: () => boolean,
  ) {}

  /** A batch of one partition starts being delivered (what is held is applied: it is only ever the current partition's). */
  start(batch: readonly MarkableOffset[]): void {
    this.flush();
    this.outer.push({ topic: this.topic, partition: this.partition });
    const first = batch[0];
    this.topic = first?.topic;
    this.partition = first?.partition ?? -1;
  }

  /** The batch started last has been delivered (or delivery stopped): the held mark is applied. */
  end(): void {
    this.flush();
    const o = this.outer.pop();
    this.topic = o?.topic;
    this.partition = o?.partition ?? -1;
  }

  /** A cumulative mark whose result nobody reads. */
  mark(message: MarkableOffset, metadata: string | null | undefined): void {
    if (message.partition === this.partition && message.topic === this.topic && this.enabled()) {
      if (this.held === undefined || message.offset >= this.held.offset) {
        this.held = message;
        this.heldMetadata = metadata;
      }
      return;
    }
    this.flush();
    this.applyMark(message, metadata);
  }

  /** Applies the held mark now. */
  flush(): void {
    const held = this.held;
    if (held === undefined) return;
    this.held = undefined;
    this.applyMark(held, this.heldMetadata);
  }
}
