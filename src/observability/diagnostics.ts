import diagnosticsChannel from 'node:diagnostics_channel';
import type { KafkaClientError } from '../errors';
import type { Notification as GroupNotification } from '../protocol/group-machine-steps';

/**
 * `node:diagnostics_channel` names, for APMs and tests to subscribe to without our code. Requests are tracing
 * channels (`tracing:<name>:start`, `:end`, `:asyncStart`, `:asyncEnd`, `:error`), published only while someone
 * subscribes; each request's events share one context object, a {@link RequestTrace}.
 */
export const DIAGNOSTIC_CHANNELS = {
  /** Fetch requests, one per broker round trip. */
  fetch: 'rx-kafka-cluster:fetch',
  /** OffsetCommit requests. */
  commit: 'rx-kafka-cluster:commit',
  /** JoinGroup (classic protocol). */
  join: 'rx-kafka-cluster:join',
  /** SyncGroup (classic protocol). */
  sync: 'rx-kafka-cluster:sync',
  /** Heartbeat (classic) and ConsumerGroupHeartbeat (consumer protocol). */
  heartbeat: 'rx-kafka-cluster:heartbeat',
  /** A rebalance, as a tracing channel: start at RebalanceStart, asyncEnd at the generation, error on RebalanceError. */
  rebalance: 'rx-kafka-cluster:rebalance',
  /** A plain channel: every error the group reports (errors$ and rebalance errors), as {@link ErrorEvent}. */
  error: 'rx-kafka-cluster:error',
  /** A plain channel: every mark the ledger accepted, as {@link MarkEvent} (tracing ends a message's span on it). */
  mark: 'rx-kafka-cluster:mark',
} as const;

export type TracedApi = 'Fetch' | 'OffsetCommit' | 'JoinGroup' | 'SyncGroup' | 'Heartbeat' | 'ConsumerGroupHeartbeat';

/** The context object of one traced request, filled in as it goes. */
export interface RequestTrace {
  readonly group: string;
  readonly clientId: string;
  readonly api: TracedApi;
  /** Fetch: the leader fetched from; group requests: the coordinator. */
  readonly nodeId: number;
  /** The request as the transport port takes it. */
  readonly request: unknown;
  /** Set before asyncStart on success: the port's answer. */
  result?: unknown;
  /** Set before the error event. */
  error?: KafkaClientError;
  /** Set when the request was abandoned (its subscriber left) before an answer. */
  cancelled?: boolean;
  /** Set before asyncStart: from start to the answer or error (ms, the group's scheduler clock). */
  durationMs?: number;
}

/** The context of one rebalance on the rebalance tracing channel. */
export interface RebalanceTrace {
  readonly group: string;
  readonly clientId: string;
  /** The notification that started it (RebalanceStart). */
  readonly start: Extract<GroupNotification, { type: 'RebalanceStart' }>;
  /** Set before asyncEnd: the generation notification that ended it. */
  result?: Extract<GroupNotification, { type: 'RebalanceOK' }>;
  error?: KafkaClientError;
  durationMs?: number;
}

/** A message on the error channel. */
export interface ErrorEvent {
  readonly group: string;
  readonly clientId: string;
  readonly error: KafkaClientError;
}

/**
 * A message on the mark channel. `kind` 'mark': every offset up to and including `offset` is processed;
 * 'processed': that offset alone (out-of-order completion); 'reset': the commit position moved to `offset`.
 */
export interface MarkEvent {
  readonly group: string;
  readonly clientId: string;
  readonly kind: 'mark' | 'processed' | 'reset';
  readonly topic: string;
  readonly partition: number;
  readonly offset: bigint;
  /** The message marked, when marked by message (markOffset / markOffsets), else undefined. */
  readonly message?: object;
}

export const channels = {
  fetch: diagnosticsChannel.tracingChannel<unknown, RequestTrace>(DIAGNOSTIC_CHANNELS.fetch),
  commit: diagnosticsChannel.tracingChannel<unknown, RequestTrace>(DIAGNOSTIC_CHANNELS.commit),
  join: diagnosticsChannel.tracingChannel<unknown, RequestTrace>(DIAGNOSTIC_CHANNELS.join),
  sync: diagnosticsChannel.tracingChannel<unknown, RequestTrace>(DIAGNOSTIC_CHANNELS.sync),
  heartbeat: diagnosticsChannel.tracingChannel<unknown, RequestTrace>(DIAGNOSTIC_CHANNELS.heartbeat),
  rebalance: diagnosticsChannel.tracingChannel<unknown, RebalanceTrace>(DIAGNOSTIC_CHANNELS.rebalance),
  error: diagnosticsChannel.channel(DIAGNOSTIC_CHANNELS.error),
  mark: diagnosticsChannel.channel(DIAGNOSTIC_CHANNELS.mark),
};
