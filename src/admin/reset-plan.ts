import { Either, left, right } from 'fp-ts/Either';

/*
 * The offsets reset-offsets would commit, as Java's GroupOffsetsResetter prepares them: earliest and latest are
 * the log start and end; a datetime is the first offset at or after it (latest when there is none); a shift and
 * an explicit offset are clamped to [log start, log end]; a shift needs a committed offset. Pure.
 */

export type ResetMode =
  | { readonly kind: 'to-earliest' }
  | { readonly kind: 'to-latest' }
  /** Milliseconds since the epoch. */
  | { readonly kind: 'to-datetime'; readonly timestamp: bigint }
  | { readonly kind: 'shift-by'; readonly by: bigint }
  | { readonly kind: 'to-offset'; readonly offset: bigint };

/** What the broker says about one partition. */
export interface PartitionOffsets {
  readonly topic: string;
  readonly partition: number;
  /** Committed offset, undefined when none. */
  readonly committed?: bigint;
  readonly logStart: bigint;
  readonly logEnd: bigint;
  /** to-datetime: the offset ListOffsets gave for the timestamp (-1 or undefined: none). */
  readonly atTimestamp?: bigint;
}

export interface PlannedReset {
  readonly topic: string;
  readonly partition: number;
  readonly current?: bigint;
  readonly next: bigint;
}

/** Clamps to [start, end] (Java's checkOffsetsRange). */
export const clamp = (offset: bigint, start: bigint, end: bigint): bigint => (offset > end ? end : offset < start ? start : offset);

/** The new offset of each partition, in the order given; a shift without a committed offset is a problem. */
export const planReset = (mode: ResetMode, partitions: readonly PartitionOffsets[]): Either<readonly string[], readonly PlannedReset[]> => {
  const problems: string[] = [];
  const plan = partitions.map((p): PlannedReset => {
    const base = { topic: p.topic, partition: p.partition, ...(p.committed === undefined ? {} : { current: p.committed }) };
    switch (mode.kind) {
      case 'to-earliest':
        return { ...base, next: p.logStart };
      case 'to-latest':
        return { ...base, next: p.logEnd };
      case 'to-datetime':
        return { ...base, next: p.atTimestamp !== undefined && p.atTimestamp >= 0n ? p.atTimestamp : p.logEnd };
      case 'to-offset':
        return { ...base, next: clamp(mode.offset, p.logStart, p.logEnd) };
      case 'shift-by':
        if (p.committed === undefined) {
          problems.push(`Cannot shift offset for partition ${p.topic}-${p.partition} since there is no current committed offset`);
          return { ...base, next: -1n };
        }
        return { ...base, next: clamp(p.committed + mode.by, p.logStart, p.logEnd) };
    }
  });
  return problems.length ? left(problems) : right(plan);
};

/**
 * An ISO-8601 date-time as epoch milliseconds, as Java's Utils.getDateTime reads it: `YYYY-MM-DDTHH:mm:ss[.SSS]`
 * with an optional `Z` or `±HH:mm` (`±HHmm`) zone; without one, the local time zone. Undefined when malformed.
 */
export const parseDateTime = (s: string): bigint | undefined => {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?(Z|[+-]\d{2}:?\d{2})?$/.exec(s);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, sec, ms, zone] = m;
  const fraction = (ms ?? '0').padEnd(3, '0');
  const zoned = zone === undefined ? '' : zone === 'Z' ? 'Z' : `${zone.slice(0, 3)}:${zone.slice(-2)}`;
  const t = Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${sec}.${fraction}${zoned}`);
  if (Number.isNaN(t)) return undefined;
  return BigInt(t);
};
