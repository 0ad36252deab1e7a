import type { ConnectionOptions } from 'node:tls';
import { defer, from, Observable } from 'rxjs';
import connectionPoolBuilder from 'kafkajs/src/cluster/connectionPoolBuilder';
import { createLogger, LEVELS } from 'kafkajs/src/loggers';
import logConsole from 'kafkajs/src/loggers/console';
import defaultSocketFactory from 'kafkajs/src/network/socketFactory';
import { KafkaClientError, type ErrorContext } from '../../errors';
import type { ClusterMetadata, Transport } from '../port';
import { BrokerRegistry, type NodeLookup } from './broker-registry';
import { kafkajsCompress, kafkajsDecompress } from './codecs';
import { consumerGroupDescribe } from './consumer-group-describe';
import { consumerGroupHeartbeat } from './consumer-group-heartbeat';
import { describeGroups } from './describe-groups';
import { framedSocketFactory } from './framed-socket';
import { fetch } from './fetch';
import { listGroupOffsets } from './group-offsets';
import { heartbeat, joinGroup, leaveGroup, syncGroup } from './group';
import { initProducerId } from './init-producer-id';
import { mapKafkajsError, type MapErrorHints } from './map-error';
import { fetchMetadata, findCoordinator } from './metadata';
import { listOffsets, offsetCommit, offsetFetch } from './offsets';
import { produce } from './produce';
import { addOffsetsToTxn, addPartitionsToTxn, endTxn, findTransactionCoordinator, txnOffsetCommit } from './transactions';

export type SaslOptions =
  | { readonly mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; readonly username: string; readonly password: string }
  | { readonly mechanism: 'oauthbearer'; readonly oauthBearerProvider: () => Promise<{ value: string }> };

export interface RetryOptions {
  /** Bootstrap rounds after the first (each round tries every bootstrap address once). */
  readonly max: number;
  /** Backoff before the second round (ms), doubling per round, with ±20% jitter. */
  readonly initialBackoff: number;
  readonly maxBackoff: number;
}

export interface KafkajsTransportOptions {
  /** Bootstrap addresses, `host:port`. */
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly ssl?: boolean | ConnectionOptions;
  readonly sasl?: SaslOptions;
  /** Socket connect timeout (ms). */
  readonly connectionTimeout: number;
  /** Per-request timeout (ms); Fetch adds maxWaitMs, Produce its timeoutMs, JoinGroup uses at least rebalanceTimeoutMs + 5 s. */
  readonly requestTimeout: number;
  /** Bootstrap: `max` more rounds over the broker list after the first, exponential backoff between rounds. */
  readonly retry: RetryOptions;
  /** kafkajs's own logging (to the console); default 'nothing': errors reach callers as values. */
  readonly logLevel?: 'nothing' | 'error' | 'warn' | 'info' | 'debug';
  /** Metadata requests may auto-create topics (if the broker allows it). Default false. */
  readonly allowAutoTopicCreation?: boolean;
  /** Opens the sockets (kafkajs's `socketFactory` contract), e.g. to route through a proxy; default: net with framed reads (framedSocketFactory), or tls. */
  readonly socketFactory?: KafkajsSocketFactory;
}

/** kafkajs's socket factory: returns a connected-or-connecting socket for one broker address. */
export type KafkajsSocketFactory = (args: {
  readonly host: string;
  readonly port: number;
  readonly ssl: ConnectionOptions;
  readonly onConnect: () => void;
}) => import('node:net').Socket;

const levels = { nothing: LEVELS.NOTHING, error: LEVELS.ERROR, warn: LEVELS.WARN, info: LEVELS.INFO, debug: LEVELS.DEBUG } as const;

/**
 * A copy of the SASL options for kafkajs (which caches its authenticator on the object); an OAUTHBEARER provider
 * that throws becomes an AuthenticationError naming the mechanism (kafkajs would pass the bare error on).
 */
const saslForKafkajs = (sasl: SaslOptions): SaslOptions => {
  if (sasl.mechanism !== 'oauthbearer') return { ...sasl };
  const provider = sasl.oauthBearerProvider;
  return {
    mechanism: 'oauthbearer',
    oauthBearerProvider: async () => {
      try {
        return await provider();
      } catch (e) {
        const reason = e instanceof Error ? e.message : String(e);
        throw new KafkaClientError({ tag: 'AuthenticationError', retriable: false, message: `SASL OAUTHBEARER token provider failed: ${reason}`, cause: e });
      }
    },
  };
};

/** One request per subscription: emits its response and completes; unsubscribing abandons it. */
const request = <T>(run: () => Promise<T>, context: ErrorContext, hints: MapErrorHints): Observable<T> =>
  defer(() =>
    from(
      run().catch((e: unknown) => {
        throw mapKafkajsError(e, context, hints);
      }),
    ),
  );

/**
 * The Transport over kafkajs's wire: its connection pools, SASL/TLS, ApiVersions and request encoders; the
 * protocol decisions (retries, coordinator changes, rejoins) stay with the caller. Nothing connects until the
 * first request; the bootstrap connection is retried per `retry`, then fails with `BrokerUnavailable`.
 */
export const createKafkajsTransport = (options: KafkajsTransportOptions): Transport => {
  const logger = createLogger({ level: levels[options.logLevel ?? 'nothing'], logCreator: logConsole });
  const poolBuilder = connectionPoolBuilder({
    socketFactory: options.socketFactory ?? framedSocketFactory(defaultSocketFactory()),
    brokers: [...options.brokers],
    // Copies: kafkajs caches its SASL authenticator on the object it is given, and validated configs are frozen.
    ssl: typeof options.ssl === 'object' ? { ...options.ssl } : options.ssl,
    sasl: options.sasl ? saslForKafkajs(options.sasl) : undefined,
    clientId: options.clientId,
    requestTimeout: options.requestTimeout,
    enforceRequestTimeout: true,
    connectionTimeout: options.connectionTimeout,
    maxInFlightRequests: null,
    logger,
  });
  const hints: MapErrorHints = options.sasl ? { saslMechanism: options.sasl.mechanism.toUpperCase() } : {};
  const registry = new BrokerRegistry({
    bootstrap: options.brokers,
    retry: options.retry,
    logger,
    poolBuilder,
    hints,
    requestTimeout: options.requestTimeout,
  });
  const allowAutoTopicCreation = options.allowAutoTopicCreation ?? false;
  const metadata = (topics: readonly string[] | undefined, topicIds = false): Promise<ClusterMetadata> => fetchMetadata(registry, topics, allowAutoTopicCreation, topicIds);
  const lookup =
    (group: boolean): NodeLookup =>
    (nodeId, context) =>
      registry.node(nodeId, () => metadata([]), group).catch((e: unknown) => {
        throw mapKafkajsError(e, context);
      });
  const node = lookup(false);
  const coordinator = lookup(true);
  let closing: Promise<void> | undefined;

  return {
    metadata: (r) => request(() => metadata(r.topics, r.topicIds), { api: 'Metadata' }, hints),
    findCoordinator: (r) => request(() => findCoordinator(registry, r.groupId), { group: r.groupId, api: 'FindCoordinator' }, hints),
    joinGroup: (r) => request(() => joinGroup(coordinator, r), { group: r.groupId, api: 'JoinGroup' }, hints),
    syncGroup: (r) => request(() => syncGroup(coordinator, r), { group: r.groupId, api: 'SyncGroup' }, hints),
    heartbeat: (r) => request(() => heartbeat(coordinator, r), { group: r.groupId, api: 'Heartbeat' }, hints),
    leaveGroup: (r) => request(() => leaveGroup(coordinator, r), { group: r.groupId, api: 'LeaveGroup' }, hints),
    consumerGroupHeartbeat: (r) => request(() => consumerGroupHeartbeat(coordinator, r), { group: r.groupId, api: 'ConsumerGroupHeartbeat' }, hints),
    offsetFetch: (r) => request(() => offsetFetch(coordinator, r), { group: r.groupId, api: 'OffsetFetch' }, hints),
    describeGroups: (r) => request(() => describeGroups(coordinator, r), { group: r.groupId, api: 'DescribeGroups' }, hints),
    consumerGroupDescribe: (r) => request(() => consumerGroupDescribe(coordinator, r), { group: r.groupId, api: 'ConsumerGroupDescribe' }, hints),
    listGroupOffsets: (r) => request(() => listGroupOffsets(coordinator, r), { group: r.groupId, api: 'OffsetFetch' }, hints),
    offsetCommit: (r) => request(() => offsetCommit(coordinator, r), { group: r.groupId, api: 'OffsetCommit' }, hints),
    listOffsets: (r) => request(() => listOffsets(metadata, node, r), { api: 'ListOffsets' }, hints),
    fetch: (r) => request(() => fetch(node, r), { api: 'Fetch' }, hints),
    initProducerId: (r) =>
      request(() => initProducerId((context) => (r.nodeId === undefined ? registry.anyBroker() : node(r.nodeId, context)), r), { api: 'InitProducerId' }, hints),
    produce: (r) => request(() => produce(node, r), { api: 'Produce' }, hints),
    findTransactionCoordinator: (r) => request(() => findTransactionCoordinator(() => registry.anyBroker(), r.transactionalId), { api: 'FindCoordinator' }, hints),
    addPartitionsToTxn: (r) => request(() => addPartitionsToTxn(coordinator, r), { api: 'AddPartitionsToTxn' }, hints),
    addOffsetsToTxn: (r) => request(() => addOffsetsToTxn(coordinator, r), { group: r.groupId, api: 'AddOffsetsToTxn' }, hints),
    txnOffsetCommit: (r) => request(() => txnOffsetCommit(coordinator, r), { group: r.groupId, api: 'TxnOffsetCommit' }, hints),
    endTxn: (r) => request(() => endTxn(coordinator, r), { api: 'EndTxn' }, hints),
    compress: kafkajsCompress,
    close: () => defer(() => from((closing ??= registry.close()))),
    decompress: kafkajsDecompress,
  };
};
