import Broker from 'kafkajs/src/broker';
import connectionPoolBuilder from 'kafkajs/src/cluster/connectionPoolBuilder';
import type { ProtocolRequest } from 'kafkajs/src/network/connectionPool';
import { KafkaClientError, protocolError, type ErrorContext } from '../../errors';
import type { BrokerAddress } from '../port';
import { mapKafkajsError, type MapErrorHints } from './map-error';
import { decodeWholeChunksInPlace } from './whole-response-chunks';
import type { KafkajsLogger } from 'kafkajs/src/loggers';

interface RetryOptions {
  readonly max: number;
  readonly initialBackoff: number;
  readonly maxBackoff: number;
}

export interface RegistryOptions {
  readonly bootstrap: readonly string[];
  readonly retry: RetryOptions;
  readonly logger: KafkajsLogger;
  readonly poolBuilder: ReturnType<typeof connectionPoolBuilder>;
  readonly hints: MapErrorHints;
  readonly requestTimeout: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const backoff = (r: RetryOptions, attempt: number) => Math.min(r.maxBackoff, r.initialBackoff * 2 ** attempt) * (0.8 + Math.random() * 0.4);

const parseAddress = (a: string): { host: string; port: number } => {
  const i = a.lastIndexOf(':');
  return { host: a.slice(0, i), port: Number(a.slice(i + 1)) };
};

/** A connected broker to send requests to. */
export interface NodeHandle {
  readonly address: string;
  /** The configured request timeout (ms). */
  readonly requestTimeout: number;
  /** Sends one request; errors are mapped, with this broker in their context. */
  send<D>(protocol: ProtocolRequest<D>, context: ErrorContext): Promise<D>;
  /** Whether the broker serves this version of the API (its ApiVersions answer). */
  supports(apiKey: number, apiVersion: number): boolean;
}

/** Resolves a node id to a handle, for node-addressed requests (group requests, Fetch, ListOffsets). */
export type NodeLookup = (nodeId: number, context: ErrorContext) => Promise<NodeHandle>;

interface Node {
  readonly address: string;
  readonly broker: Broker;
  /** A second Broker (own sockets) for group coordination, created on first use. */
  group?: Promise<Broker>;
}

const disconnect = (node: Node) => Promise.all([node.broker.disconnect(), node.group?.then((b) => b.disconnect())]).catch(() => undefined);

/**
 * kafkajs Broker objects by node id, plus lazy bootstrap. A kafkajs Broker owns a connection pool (two sockets:
 * one for Fetch, one for the rest), ApiVersions negotiation and SASL; we send through its pool so kafkajs never
 * retries or reinterprets a response. Like the Java client, group coordination uses its own connection to the
 * coordinator: the broker answers a connection's requests in order, so a JoinGroup parked for the rebalance
 * timeout must not hold up Metadata or ListOffsets to the same node.
 */
export class BrokerRegistry {
  private readonly nodes = new Map<number, Node>();
  private seed: Node | undefined;
  private bootstrapping: Promise<Node> | undefined;
  private closed = false;
  /** kafkajs connects in flight: close waits for them to settle. */
  private readonly connecting = new Set<Promise<void>>();
  private updating: Promise<void> = Promise.resolve();

  constructor(private readonly options: RegistryOptions) {}

  private async broker(address: string): Promise<Broker> {
    const pool = await this.options.poolBuilder.build(parseAddress(address));
    for (const connection of pool.pool) decodeWholeChunksInPlace(connection);
    return new Broker({ connectionPool: pool, logger: this.options.logger });
  }

  private async create(address: string): Promise<Node> {
    return { address, broker: await this.broker(address) };
  }

  private async connect(broker: Broker, address: string): Promise<void> {
    if (this.closed) throw closedError();
    // kafkajs reports connected once the socket is up, before ApiVersions is negotiated: only then is it ready
    // (a request in between failed with UNSUPPORTED_VERSION); otherwise wait on kafkajs's own connect lock.
    if (broker.isConnected() && broker.versions) return;
    const connecting = broker.connect();
    this.connecting.add(connecting);
    try {
      await connecting;
    } catch (e) {
      await broker.disconnect().catch(() => undefined);
      throw this.closed ? closedError() : mapKafkajsError(e, { broker: address }, this.options.hints);
    } finally {
      this.connecting.delete(connecting);
    }
    if (this.closed) {
      // Closed while connecting: this socket must not outlive the transport.
      await broker.disconnect().catch(() => undefined);
      throw closedError();
    }
  }

  private handle(node: Node, broker: Broker): NodeHandle {
    const { hints, requestTimeout } = this.options;
    return {
      address: node.address,
      requestTimeout,
      supports: (apiKey, apiVersion) => supports(broker, apiKey, apiVersion),
      send: async (protocol, context) => {
        try {
          if (this.closed) throw closedError();
          return await send(broker, protocol, context);
        } catch (e) {
          // Requests in flight when the transport closes fail as Closed, not as (retriable) connection errors.
          throw this.closed ? closedError() : mapKafkajsError(e, { ...context, broker: node.address }, hints);
        }
      },
    };
  }

  /** Any connected broker: a known node, else a bootstrap address, retried with backoff -> BrokerUnavailable. */
  async anyBroker(): Promise<NodeHandle> {
    if (this.closed) throw closedError();
    const connected = [...this.nodes.values(), ...(this.seed ? [this.seed] : [])].find((n) => n.broker.isConnected());
    if (connected) return this.handle(connected, connected.broker);
    this.bootstrapping ??= this.bootstrap().finally(() => (this.bootstrapping = undefined));
    const node = await this.bootstrapping;
    return this.handle(node, node.broker);
  }

  private async bootstrap(): Promise<Node> {
    for (const node of this.nodes.values()) {
      try {
        await this.connect(node.broker, node.address);
        return node;
      } catch {
        // stale metadata: fall through to the bootstrap list
      }
    }
    const { bootstrap, retry } = this.options;
    let last: KafkaClientError | undefined;
    for (let attempt = 0; attempt <= retry.max; attempt++) {
      for (let i = 0; i < bootstrap.length; i++) {
        const address = bootstrap[(attempt + i) % bootstrap.length] ?? '';
        const node = await this.create(address);
        try {
          await this.connect(node.broker, address);
          this.seed = node;
          return node;
        } catch (e) {
          if (!(e instanceof KafkaClientError) || !e.retriable) throw e;
          last = e;
        }
      }
      if (attempt < retry.max) await sleep(backoff(retry, attempt));
      if (this.closed) throw closedError();
    }
    throw new KafkaClientError({
      tag: 'BrokerUnavailable',
      retriable: false,
      message: `No broker reachable at ${bootstrap.join(',')} after ${retry.max + 1} attempt(s)${last ? `: ${last.message}` : ''}`,
      context: { broker: bootstrap.join(',') },
      cause: last,
    });
  }

  /**
   * The broker with this node id, connected (its group connection when `group`). Unknown after a metadata
   * refresh -> retriable ConnectionError.
   */
  async node(nodeId: number, refresh: () => Promise<unknown>, group = false): Promise<NodeHandle> {
    let node = this.nodes.get(nodeId);
    if (!node) {
      await refresh();
      node = this.nodes.get(nodeId);
    }
    if (!node) {
      throw new KafkaClientError({
        tag: 'ConnectionError',
        retriable: true,
        message: `Broker node ${nodeId} is not in the cluster metadata`,
        context: { broker: `node ${nodeId}` },
      });
    }
    const broker = group ? await (node.group ??= this.broker(node.address)) : node.broker;
    await this.connect(broker, node.address);
    return this.handle(node, broker);
  }

  /** Records the brokers of a metadata response: new nodes get a (lazy) Broker, moved or gone ones are closed. */
  update(brokers: readonly BrokerAddress[]): Promise<void> {
    // One at a time: concurrent metadata responses must not create two Brokers for a node.
    this.updating = this.updating.then(() => this.apply(brokers)).catch(() => undefined);
    return this.updating;
  }

  private async apply(brokers: readonly BrokerAddress[]): Promise<void> {
    if (this.closed) return;
    const seen = new Set<number>();
    for (const b of brokers) {
      seen.add(b.nodeId);
      const address = `${b.host}:${b.port}`;
      const current = this.nodes.get(b.nodeId);
      if (current?.address === address) continue;
      if (current && current !== this.seed) await disconnect(current);
      this.nodes.set(b.nodeId, this.seed?.address === address ? this.seed : await this.create(address));
    }
    for (const [id, node] of this.nodes) {
      if (seen.has(id)) continue;
      this.nodes.delete(id);
      if (node !== this.seed) await disconnect(node);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.bootstrapping?.catch(() => undefined);
    const all = new Set([...this.nodes.values(), ...(this.seed ? [this.seed] : [])]);
    this.nodes.clear();
    this.seed = undefined;
    await Promise.all([...all].map(disconnect));
    // Connects still in flight (a group connection being opened, say) settle before close resolves: kafkajs would
    // go on negotiating ApiVersions on them after the transport is closed.
    await Promise.allSettled([...this.connecting]);
  }
}

const closedError = () => new KafkaClientError({ tag: 'Closed', retriable: false, message: 'Transport is closed' });

/**
 * Sends one request through the broker's connection pool with a pass-through `parse` (kafkajs's parsers throw
 * on error codes; we read the codes ourselves). Fails with UNSUPPORTED_VERSION if the broker lacks the version.
 */
const supports = (broker: Broker, apiKey: number, apiVersion: number): boolean => {
  const range = broker.versions?.[apiKey];
  return range !== undefined && range.minVersion <= apiVersion && range.maxVersion >= apiVersion;
};

const send = async <D>(broker: Broker, protocol: ProtocolRequest<D>, context: ErrorContext): Promise<D> => {
  const { apiKey, apiVersion } = protocol.request;
  if (!supports(broker, apiKey, apiVersion)) {
    throw protocolError('UNSUPPORTED_VERSION', { ...context, api: `${protocol.request.apiName} v${apiVersion}` });
  }
  try {
    return await broker.connectionPool.send({
      request: protocol.request,
      response: { decode: protocol.response.decode, parse: async (d: D) => d },
      requestTimeout: protocol.requestTimeout,
      logResponseError: false,
    });
  } catch (e) {
    if (typeof e === 'object' && e !== null && (e as { name?: unknown }).name === 'KafkaJSConnectionClosedError') {
      await broker.disconnect().catch(() => undefined);
    }
    throw e;
  }
};
