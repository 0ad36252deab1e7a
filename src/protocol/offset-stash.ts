/**
 * OffsetStash (sarama-cluster): marks collected in bulk, outside the group, then applied at once with
 * `group.markStash(stash)`. Per partition it keeps the highest mark (offset + 1) and its metadata; a reset
 * overrides it, even backwards. Pure data.
 */
export interface StashedOffset {
  readonly topic: string;
  readonly partition: number;
  /** The next offset to consume (processed offset + 1). */
  readonly position: bigint;
  readonly metadata: string | null;
  readonly reset: boolean;
}

const keyOf = (topic: string, partition: number) => `${topic}\u0000${partition}`;

export class OffsetStash {
  private readonly entries = new Map<string, StashedOffset>();

  /** Marks a message (everything up to it) processed. */
  markOffset(m: { readonly topic: string; readonly partition: number; readonly offset: bigint }, metadata: string | null = null): void {
    this.markPartitionOffset(m.topic, m.partition, m.offset, metadata);
  }

  markPartitionOffset(topic: string, partition: number, offset: bigint, metadata: string | null = null): void {
    const current = this.entries.get(keyOf(topic, partition));
    if (current && current.position > offset) return;
    this.entries.set(keyOf(topic, partition), { topic, partition, position: offset + 1n, metadata, reset: current?.reset ?? false });
  }

  /** Moves the position to just after `offset`, even backwards (sarama-cluster ResetOffset). */
  resetPartitionOffset(topic: string, partition: number, offset: bigint, metadata: string | null = null): void {
    this.entries.set(keyOf(topic, partition), { topic, partition, position: offset + 1n, metadata, reset: true });
  }

  resetOffset(m: { readonly topic: string; readonly partition: number; readonly offset: bigint }, metadata: string | null = null): void {
    this.resetPartitionOffset(m.topic, m.partition, m.offset, metadata);
  }

  /** topic -> partition -> next offset to consume, as sarama-cluster's Offsets(). */
  offsets(): Readonly<Record<string, Readonly<Record<number, bigint>>>> {
    const out: Record<string, Record<number, bigint>> = {};
    for (const e of this.entries.values()) (out[e.topic] ??= {})[e.partition] = e.position;
    return out;
  }

  /** Every stashed position. */
  list(): readonly StashedOffset[] {
    return [...this.entries.values()];
  }

  clear(): void {
    this.entries.clear();
  }
}
