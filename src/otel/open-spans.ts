import diagnosticsChannel from 'node:diagnostics_channel';
import type { Attributes, Context, Histogram, Span, TimeInput } from '@opentelemetry/api';
import { DIAGNOSTIC_CHANNELS, type MarkEvent } from '../observability/diagnostics';
import { ATTR } from './semconv';

/** Why a span ended without its message being marked. */
export type EndReason = 'revoked' | 'unsubscribed' | 'stream_error' | 'overflow';

/** Where span times come from: the SDK's clock by default, a scheduler's (virtual time) when given. */
export interface SpanClock {
  /** Milliseconds, for durations. */
  now(): number;
  /** What span start and end times are set to; undefined: the SDK's own clock. */
  spanTime(): TimeInput | undefined;
}

interface OpenSpan {
  readonly offset: bigint;
  readonly message: object;
  readonly span: Span;
  readonly ctx: Context;
  readonly startedAt: number;
  readonly metricAttributes: Attributes;
  ended: boolean;
}

/** One partition's open spans in emission order; `head` skips the ended prefix. */
interface PartitionSpans {
  entries: OpenSpan[];
  head: number;
  /** Offsets ascending (false after a seek back re-delivered lower offsets while higher ones were open). */
  sorted: boolean;
}

/** The first index at or after `head` whose offset is >= `offset` (entries sorted). */
const lowerBound = (p: PartitionSpans, offset: bigint): number => {
  let lo = p.head;
  let hi = p.entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((p.entries[mid] as OpenSpan).offset < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
};

export const partitionKey = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

/**
 * The spans one `traced()` subscription opened and has not ended yet, per partition, ended by the marks the group
 * publishes on the diagnostics mark channel: a cumulative mark ends every open span at or below its offset, a
 * `markProcessed` the span of that offset only. Resets end nothing (nothing was processed).
 */
export class OpenSpans {
  private readonly partitions = new Map<string, PartitionSpans>();
  private count = 0;
  /** Called when a mark ended the last open span. */
  onDrained: (() => void) | undefined;

  constructor(
    readonly group: string,
    private readonly clientId: string | undefined,
    private readonly clock: SpanClock,
    private readonly duration: Histogram,
    /** More open spans than this: the oldest of a partition ends ('overflow'), so a pipeline that never marks cannot grow without bound. */
    private readonly maxOpen: number = Number.POSITIVE_INFINITY,
  ) {}

  get size(): number {
    return this.count;
  }

  /** A span started for `message` (`k`: its partitionKey); `ctx` is what contextOf(message) gives while it is open. */
  add(k: string, offset: bigint, message: object, span: Span, ctx: Context, metricAttributes: Attributes): void {
    let p = this.partitions.get(k);
    if (!p) this.partitions.set(k, (p = { entries: [], head: 0, sorted: true }));
    const last = p.entries[p.entries.length - 1];
    if (last && p.head < p.entries.length && last.offset >= offset) p.sorted = false;
    p.entries.push({ offset, message, span, ctx, startedAt: this.clock.now(), metricAttributes, ended: false });
    this.count++;
    if (this.count > this.maxOpen) this.evictOldest(p);
  }

  private evictOldest(p: PartitionSpans): void {
    const victim = p.entries.length - p.head > 1 ? p : [...this.partitions.values()].find((q) => q.head < q.entries.length && q !== p) ?? p;
    const entry = victim.entries[victim.head] as OpenSpan;
    this.count--;
    this.abandon(entry, 'overflow', this.clock.spanTime());
    this.compact(victim);
  }

  private abandon(entry: OpenSpan, reason: EndReason, at: TimeInput | undefined): void {
    entry.ended = true;
    entry.span.setAttribute(ATTR.endReason, reason);
    entry.span.addEvent('unmarked', { [ATTR.endReason]: reason }, at);
    entry.span.end(at);
  }

  /** A mark of this group (any member of it in this process: only the owner's marks are accepted and published). */
  onMark(e: MarkEvent): void {
    if (e.kind === 'reset' || (this.clientId !== undefined && e.clientId !== this.clientId)) return;
    const p = this.partitionOf(e.topic, e.partition);
    if (!p) return;
    if (e.kind === 'mark') {
      if (p.sorted) {
        for (; p.head < p.entries.length; p.head++) {
          const entry = p.entries[p.head] as OpenSpan;
          if (entry.ended) continue;
          if (entry.offset > e.offset) break;
          this.endMarked(entry, e.clientId);
        }
      } else {
        for (let i = p.head; i < p.entries.length; i++) {
          const entry = p.entries[i] as OpenSpan;
          if (!entry.ended && entry.offset <= e.offset) this.endMarked(entry, e.clientId);
        }
      }
    } else {
      // processed: the message itself when the mark names it, else every open span of that offset.
      const from = p.sorted ? lowerBound(p, e.offset) : p.head;
      const at = (i: number) => p.entries[i] as OpenSpan;
      const inRange = (i: number) => i < p.entries.length && (!p.sorted || at(i).offset === e.offset);
      let byMessage: OpenSpan | undefined;
      if (e.message) for (let i = from; inRange(i) && !byMessage; i++) if (at(i).message === e.message && !at(i).ended) byMessage = at(i);
      if (byMessage) this.endMarked(byMessage, e.clientId);
      else for (let i = from; inRange(i); i++) if (!at(i).ended && at(i).offset === e.offset) this.endMarked(at(i), e.clientId);
    }
    this.compact(p);
    if (this.count === 0) this.onDrained?.();
  }

  /** The last partition a mark named (marks come in runs on one partition): no key built per mark. Entries are only dropped by endAll, which forgets it. */
  private lastMarked: { topic: string; partition: number; spans: PartitionSpans } | undefined;

  private partitionOf(topic: string, partition: number): PartitionSpans | undefined {
    const last = this.lastMarked;
    if (last && last.partition === partition && last.topic === topic) return last.spans;
    const spans = this.partitions.get(partitionKey(topic, partition));
    this.lastMarked = spans ? { topic, partition, spans } : undefined;
    return spans;
  }

  /** Ends every open span (the stream is gone: its messages will not be marked through it). */
  endAll(reason: EndReason): void {
    const at = this.clock.spanTime();
    for (const p of this.partitions.values()) {
      for (let i = p.head; i < p.entries.length; i++) {
        const entry = p.entries[i] as OpenSpan;
        if (!entry.ended) this.abandon(entry, reason, at);
      }
    }
    this.partitions.clear();
    this.lastMarked = undefined;
    this.count = 0;
  }

  private endMarked(entry: OpenSpan, clientId: string): void {
    entry.ended = true;
    this.count--;
    if (this.clientId === undefined && clientId !== '') entry.span.setAttribute(ATTR.clientId, clientId);
    entry.span.end(this.clock.spanTime());
    this.duration.record(Math.max(0, this.clock.now() - entry.startedAt) / 1000, entry.metricAttributes);
  }

  /** The context of `message`'s open span, if this subscription opened it. */
  contextOf(message: { readonly topic: string; readonly partition: number; readonly offset: bigint }): Context | undefined {
    const p = this.partitions.get(partitionKey(message.topic, message.partition));
    if (!p) return undefined;
    if (p.sorted) {
      for (let i = lowerBound(p, message.offset); i < p.entries.length && (p.entries[i] as OpenSpan).offset === message.offset; i++) {
        const entry = p.entries[i] as OpenSpan;
        if (entry.message === message && !entry.ended) return entry.ctx;
      }
      return undefined;
    }
    for (let i = p.head; i < p.entries.length; i++) {
      const entry = p.entries[i] as OpenSpan;
      if (entry.message === message && !entry.ended) return entry.ctx;
    }
    return undefined;
  }

  private compact(p: PartitionSpans): void {
    while (p.head < p.entries.length && p.entries[p.head]?.ended) p.head++;
    if (p.head === p.entries.length) {
      // Empty: reuse it (a partition's spans come and go with every mark).
      p.entries.length = 0;
      p.head = 0;
      p.sorted = true;
    } else if (p.head > 256 && p.head * 2 > p.entries.length) {
      p.entries = p.entries.slice(p.head);
      p.head = 0;
    }
  }
}

const trackers = new Map<string, Set<OpenSpans>>();
const onMark = (message: unknown): void => {
  const e = message as MarkEvent;
  const set = trackers.get(e.group);
  if (set) for (const t of set) t.onMark(e);
};

/** The context of a message's open span, from whichever `traced()` subscription opened it. */
export const openContextOf = (message: { readonly topic: string; readonly partition: number; readonly offset: bigint }): Context | undefined => {
  if (typeof message !== 'object' || message === null) return undefined;
  for (const set of trackers.values()) {
    for (const t of set) {
      const ctx = t.contextOf(message);
      if (ctx) return ctx;
    }
  }
  return undefined;
};

/** Listens to the mark channel while at least one tracker is registered. */
export const registerTracker = (t: OpenSpans): void => {
  if (trackers.size === 0) diagnosticsChannel.subscribe(DIAGNOSTIC_CHANNELS.mark, onMark);
  let set = trackers.get(t.group);
  if (!set) trackers.set(t.group, (set = new Set()));
  set.add(t);
};

export const unregisterTracker = (t: OpenSpans): void => {
  const set = trackers.get(t.group);
  if (!set?.delete(t)) return;
  if (set.size === 0) trackers.delete(t.group);
  if (trackers.size === 0) diagnosticsChannel.unsubscribe(DIAGNOSTIC_CHANNELS.mark, onMark);
};
