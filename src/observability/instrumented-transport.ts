import { Observable, type SchedulerLike } from 'rxjs';
import { toKafkaClientError } from '../errors';
import { overriding, type Transport } from '../transport';
import type { ConsumerGroupHeartbeatRequest, FetchPartition, PartitionResult } from '../transport/port';
import { channels, type RequestTrace, type TracedApi } from './diagnostics';

/** What the instrumented transport tells the metrics (only while `active()`): one answered fetch or commit. */
export interface TransportMeter {
  active(): boolean;
  fetched(nodeId: number, latencyMs: number, bytes: number, failed: boolean): void;
  committed(latencyMs: number, failed: boolean): void;
}

type Channel = (typeof channels)['fetch'];

/**
 * `work`, traced on `channel` (while it has subscribers) and timed for `onDone` (while metrics are on); otherwise
 * `work` itself, so an unobserved group pays nothing. A request is one value (the port's requests answer once).
 */
const traced = <T>(
  channel: Channel,
  context: () => RequestTrace,
  scheduler: SchedulerLike,
  work: Observable<T>,
  onDone: ((ms: number, value: T | undefined, failed: boolean) => void) | undefined,
): Observable<T> => {
  if (!channel.hasSubscribers && !onDone) return work;
  return new Observable<T>((sub) => {
    const tracing = channel.hasSubscribers;
    const trace = context();
    const started = scheduler.now();
    let answered = false;
    const finish = (value: T | undefined, error: unknown) => {
      answered = true;
      const ms = scheduler.now() - started;
      onDone?.(ms, value, error !== undefined);
      if (!tracing) return;
      trace.durationMs = ms;
      if (error !== undefined) {
        trace.error = toKafkaClientError(error);
        channel.error.publish(trace);
      } else trace.result = value;
      channel.asyncStart.publish(trace);
      channel.asyncEnd.publish(trace);
    };
    if (tracing) channel.start.publish(trace);
    const inner = work.subscribe({
      next: (v) => {
        if (!answered) finish(v, undefined);
        sub.next(v);
      },
      error: (e: unknown) => {
        if (!answered) finish(undefined, e);
        sub.error(e);
      },
      complete: () => sub.complete(),
    });
    if (tracing) channel.end.publish(trace);
    return () => {
      inner.unsubscribe();
      if (answered || !tracing) return;
      trace.cancelled = true;
      channel.asyncEnd.publish(trace);
    };
  });
};

const recordBytes = (partitions: readonly FetchPartition[]): number => partitions.reduce((n, p) => n + p.records.length, 0);
const anyFailed = (results: readonly PartitionResult[] | undefined): boolean => results?.some((r) => r.error !== undefined) ?? false;

/**
 * The group's transport with its requests traced on the diagnostics channels and fetches and commits timed for
 * `metrics$`. Each wrapper is a pass-through while nobody observes.
 */
export const instrumentTransport = (t: Transport, who: { readonly group: string; readonly clientId: string }, scheduler: SchedulerLike, meter: TransportMeter): Transport => {
  const trace = (api: TracedApi, nodeId: number, request: unknown) => (): RequestTrace => ({ group: who.group, clientId: who.clientId, api, nodeId, request });
  const heartbeat = t.consumerGroupHeartbeat?.bind(t);
  return overriding(t, {
    fetch: (r) =>
      traced(channels.fetch, trace('Fetch', r.nodeId, r), scheduler, t.fetch(r), meter.active() ? (ms, v, failed) => meter.fetched(r.nodeId, ms, v ? recordBytes(v) : 0, failed) : undefined),
    offsetCommit: (r) =>
      traced(channels.commit, trace('OffsetCommit', r.coordinator, r), scheduler, t.offsetCommit(r), meter.active() ? (ms, v, failed) => meter.committed(ms, failed || anyFailed(v)) : undefined),
    joinGroup: (r) => traced(channels.join, trace('JoinGroup', r.coordinator, r), scheduler, t.joinGroup(r), undefined),
    syncGroup: (r) => traced(channels.sync, trace('SyncGroup', r.coordinator, r), scheduler, t.syncGroup(r), undefined),
    heartbeat: (r) => traced(channels.heartbeat, trace('Heartbeat', r.coordinator, r), scheduler, t.heartbeat(r), undefined),
    ...(heartbeat ? { consumerGroupHeartbeat: (r: ConsumerGroupHeartbeatRequest) => traced(channels.heartbeat, trace('ConsumerGroupHeartbeat', r.coordinator, r), scheduler, heartbeat(r), undefined) } : {}),
  });
};
