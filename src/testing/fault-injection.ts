import { KafkaClientError, protocolError, type ErrorContext, type KafkaErrorCode } from '../errors';
import type { Transport } from '../transport/port';

/** A request kind, named after its {@link Transport} method: `'heartbeat'`, `'joinGroup'`, `'fetch'`, ... */
export type ApiName = Extract<
  keyof Transport,
    | 'metadata'
  | 'findCoordinator'
  | 'joinGroup'
  | 'syncGroup'
  | 'heartbeat'
  | 'consumerGroupHeartbeat'
  | 'leaveGroup'
  | 'offsetFetch'
  | 'offsetCommit'
  | 'listOffsets'
  | 'fetch'
  | 'initProducerId'
  | 'produce'
  | 'findTransactionCoordinator'
  | 'addPartitionsToTxn'
  | 'addOffsetsToTxn'
  | 'txnOffsetCommit'
  | 'endTxn'
>;

/** What an injected failure answers: a broker error code (with the request's context), or that exact error. */
export type InjectedError = KafkaErrorCode | KafkaClientError;

/**
 * The faults a test can inject, on the whole cluster (every client) or on one transport (one client). Each call
 * returns `this`, so faults chain: `cluster.failNext('heartbeat', 3, 'NOT_COORDINATOR').setLatency(5)`.
 */
export interface FaultControls {
  /** The next `n` requests of `api` are answered with `error` instead of reaching the broker. FIFO with earlier calls. */
  failNext(api: ApiName, n: number, error: InjectedError): this;
  /** The next `n` (default 1) requests of `api` reach the broker `ms` later (a slow network: the broker sees them late). */
  delayNext(api: ApiName, ms: number, n?: number): this;
  /** Every response is delivered `ms` after the broker produced it. Cluster and transport latencies add up. */
  setLatency(ms: number): this;
  /**
   * While on, requests to `nodeId` (or to every broker) fail with a retriable ConnectionError, and open
   * connections to it drop: a broker that cannot be reached at all. Off again: the next request reconnects.
   */
  unreachable(on: boolean, nodeId?: number): this;
}

interface Pending<T> {
  remaining: number;
  readonly value: T;
}

const take = <T>(queue: Pending<T>[] | undefined): T | undefined => {
  const head = queue?.[0];
  if (!queue || !head) return undefined;
  head.remaining -= 1;
  if (head.remaining <= 0) queue.shift();
  return head.value;
};

const push = <T>(queues: Map<ApiName, Pending<T>[]>, api: ApiName, remaining: number, value: T): void => {
  if (remaining <= 0) return;
  const queue = queues.get(api) ?? [];
  queue.push({ remaining, value });
  queues.set(api, queue);
};

/**
 * The fault state of one scope (a cluster or a transport): queued failures and delays per API, a latency, and
 * which brokers are unreachable. It only records and hands out faults; the transport applies them to requests,
 * and its owner drops connections when a broker becomes unreachable.
 */
export class FaultInjector {
  private readonly failures = new Map<ApiName, Pending<InjectedError>[]>();
  private readonly delays = new Map<ApiName, Pending<number>[]>();
  private readonly unreachableNodes = new Set<number>();
  private allUnreachable = false;
  latencyMs = 0;

  failNext(api: ApiName, n: number, error: InjectedError): void {
    push(this.failures, api, n, error);
  }

  delayNext(api: ApiName, ms: number, n = 1): void {
    push(this.delays, api, n, ms);
  }

  setUnreachable(on: boolean, nodeId?: number): void {
    if (nodeId === undefined) {
      this.allUnreachable = on;
      if (!on) this.unreachableNodes.clear();
    } else if (on) this.unreachableNodes.add(nodeId);
    else this.unreachableNodes.delete(nodeId);
  }

  isUnreachable(nodeId: number): boolean {
    return this.allUnreachable || this.unreachableNodes.has(nodeId);
  }

  /** Consumes the next queued failure for `api`, as an error carrying `context`. */
  takeFailure(api: ApiName, context: ErrorContext): KafkaClientError | undefined {
    const error = take(this.failures.get(api));
    if (error === undefined) return undefined;
    return typeof error === 'string' ? protocolError(error, context) : error;
  }

  /** Consumes the next queued delay for `api` (0 when none). */
  takeDelay(api: ApiName): number {
    return take(this.delays.get(api)) ?? 0;
  }
}

/** The retriable error of a connection that dropped or could not be opened. */
export const connectionError = (message: string, context: ErrorContext): KafkaClientError =>
  new KafkaClientError({ tag: 'ConnectionError', retriable: true, message, context });
