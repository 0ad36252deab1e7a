import diagnosticsChannel from 'node:diagnostics_channel';
import type { Attributes, Histogram, Span, TimeInput } from '@opentelemetry/api';
import { DIAGNOSTIC_CHANNELS, type MarkEvent } from '../observability/diagnostics';
import { ATTR } from './semconv';

/** Why a span ended without its message being marked. */
export type EndReason = 'revoked' | 'unsubscribed' | 'stream_error';

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

const key = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

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
  ) {}

  get size(): number {
    return this.count;
  }

  add(topic: string, partition: number, offset: bigint, message: object, span: Span, metricAttributes: Attributes): void {
    const k = key(topic, partition);
    let p = this.partitions.get(k);
    if (!p) this.partitions.set(k, (p = { entries: [], head: 0, sorted: true }));
    const last = p.entries[p.entries.length - 1];
    if (last && p.head < p.entries.length && last.offset >= offset) p.sorted = false;
    p.entries.push({ offset, message, span, startedAt: this.clock.now(), metricAttributes, ended: false });
    this.count++;
  }

  /** A mark of this group (any member of it in this process: only the owner's marks are accepted and published). */
  onMark(e: MarkEvent): void {
    if (e.kind === 'reset' || (this.clientId !== undefined && e.clientId !== this.clientId)) return;
    const k = key(e.topic, e.partition);
    const p = this.partitions.get(k);
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
      let byMessage: OpenSpan | undefined;
      if (e.message) for (let i = p.head; i < p.entries.length && !byMessage; i++) if (p.entries[i]?.message === e.message && !p.entries[i]?.ended) byMessage = p.entries[i];
      if (byMessage) this.endMarked(byMessage, e.clientId);
      else for (let i = p.head; i < p.entries.length; i++) {
        const entry = p.entries[i] as OpenSpan;
        if (!entry.ended && entry.offset === e.offset) this.endMarked(entry, e.clientId);
      }
    }
    this.compact(k, p);
    if (this.count === 0) this.onDrained?.();
  }

  /** Ends every open span (the stream is gone: its messages will not be marked through it). */
  endAll(reason: EndReason): void {
    const at = this.clock.spanTime();
    for (const p of this.partitions.values()) {
      for (let i = p.head; i < p.entries.length; i++) {
        const entry = p.entries[i] as OpenSpan;
        if (entry.ended) continue;
        entry.ended = true;
        entry.span.setAttribute(ATTR.endReason, reason);
        entry.span.addEvent('unmarked', { [ATTR.endReason]: reason }, at);
        entry.span.end(at);
      }
    }
    this.partitions.clear();
    this.count = 0;
  }

  private endMarked(entry: OpenSpan, clientId: string): void {
    entry.ended = true;
    this.count--;
    if (this.clientId === undefined && clientId !== '') entry.span.setAttribute(ATTR.clientId, clientId);
    entry.span.end(this.clock.spanTime());
    this.duration.record(Math.max(0, this.clock.now() - entry.startedAt) / 1000, entry.metricAttributes);
  }

  private compact(k: string, p: PartitionSpans): void {
    while (p.head < p.entries.length && p.entries[p.head]?.ended) p.head++;
    if (p.head === p.entries.length) {
      this.partitions.delete(k);
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
