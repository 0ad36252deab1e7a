/**
 * Types for the kafkajs 2.2.4 internals the adapter uses (kafkajs ships types for its public API only).
 * Exactly what we call, nothing more; only `src/transport/kafkajs/` may import these modules (ESLint).
 */

declare module 'kafkajs/src/loggers' {
  export interface KafkajsLogger {
    info(message: string, extra?: object): void;
    error(message: string, extra?: object): void;
    warn(message: string, extra?: object): void;
    debug(message: string, extra?: object): void;
    namespace(namespace: string, logLevel?: number | null): KafkajsLogger;
  }
  export type LogCreator = (level: number) => (entry: { namespace: string; level: number; label: string; log: object }) => void;
  export const LEVELS: { readonly NOTHING: 0; readonly ERROR: 1; readonly WARN: 2; readonly INFO: 4; readonly DEBUG: 5 };
  export function createLogger(options: { level?: number; logCreator: LogCreator }): KafkajsLogger;
}

declare module 'kafkajs/src/loggers/console' {
  import type { LogCreator } from 'kafkajs/src/loggers';
  const logCreator: LogCreator;
  export = logCreator;
}

declare module 'kafkajs/src/network/socketFactory' {
  /** Returns kafkajs's default (net/tls) socket factory. */
  function defaultSocketFactory(): (args: {
    readonly host: string;
    readonly port: number;
    readonly ssl: import('node:tls').ConnectionOptions;
    readonly onConnect: () => void;
  }) => import('node:net').Socket;
  export = defaultSocketFactory;
}

declare module 'kafkajs/src/protocol/encoder' {
  class Encoder {
    writeInt8(value: number): Encoder;
    writeInt16(value: number): Encoder;
    writeInt32(value: number): Encoder;
    writeInt64(value: bigint | string | number): Encoder;
    writeBoolean(value: boolean): Encoder;
    /** A null string is written as length -1. */
    writeString(value: string | null): Encoder;
    writeBytes(value: Buffer | string | null): Encoder;
    writeArray(array: readonly (Encoder | string | number)[], type?: 'string' | 'int32' | 'object'): Encoder;
    /** Raw bytes, no length prefix. */
    writeBuffer(value: Buffer): Encoder;
    size(): number;
    readonly buffer: Buffer;
  }
  export = Encoder;
}

declare module 'kafkajs/src/protocol/decoder' {
  /** Reads past the end throw RangeError (strings come back short). */
  class Decoder {
    constructor(buffer: Buffer);
    readInt16(): number;
    readInt32(): number;
    readInt64(): bigint;
    /** Length -1 -> null. */
    readString(): string | null;
    /** Length -1 -> []. */
    readArray<T>(reader: (d: Decoder) => T): T[];
  }
  export = Decoder;
}

declare module 'kafkajs/src/network/connectionPool' {
  /** A request as kafkajs's Connection sends it; `encode` returns a kafkajs Encoder. */
  export interface KafkajsRequest {
    readonly apiKey: number;
    readonly apiVersion: number;
    readonly apiName: string;
    encode(): Promise<unknown>;
    /** False: the broker sends no response (Produce with acks 0); the send resolves once written. */
    expectResponse?(): boolean;
  }
  export interface KafkajsResponse<D> {
    decode(payload: Buffer): Promise<D>;
    parse(decoded: D): Promise<D>;
  }
  export interface ProtocolRequest<D> {
    readonly request: KafkajsRequest;
    readonly response: KafkajsResponse<D>;
    readonly requestTimeout?: number;
    readonly logResponseError?: boolean;
  }
  /** The part of kafkajs's Connection that response assembly touches (decodeWholeChunksInPlace). */
  export interface KafkajsConnection {
    chunks: Buffer[];
    bytesBuffered: number;
    processData(rawData: Buffer): void;
  }
  class ConnectionPool {
    readonly host: string;
    /** The pool's two connections, created with it. */
    readonly pool: KafkajsConnection[];
    readonly port: number;
    /** Connection 1 serves Fetch, connection 0 everything else; each connects lazily. */
    send<D>(request: ProtocolRequest<D>): Promise<D>;
    isConnected(): boolean;
    destroy(): Promise<void>;
  }
  export { ConnectionPool };
}

declare module 'kafkajs/src/cluster/connectionPoolBuilder' {
  import type { ConnectionPool } from 'kafkajs/src/network/connectionPool';
  import type { KafkajsLogger } from 'kafkajs/src/loggers';
  interface ConnectionPoolBuilder {
    build(destination: { host: string; port: number; rack?: string | null }): Promise<ConnectionPool>;
  }
  function connectionPoolBuilder(options: {
    socketFactory: unknown;
    brokers: string[];
    ssl?: unknown;
    sasl?: unknown;
    clientId: string;
    requestTimeout: number;
    enforceRequestTimeout: boolean;
    connectionTimeout: number;
    maxInFlightRequests: number | null;
    logger: KafkajsLogger;
  }): ConnectionPoolBuilder;
  export = connectionPoolBuilder;
}

declare module 'kafkajs/src/broker' {
  import type { ConnectionPool } from 'kafkajs/src/network/connectionPool';
  import type { KafkajsLogger } from 'kafkajs/src/loggers';
  /** apiKey -> supported range, as negotiated by ApiVersions on connect. */
  type ApiVersions = Record<number, { minVersion: number; maxVersion: number } | undefined>;
  class Broker {
    constructor(options: {
      connectionPool: ConnectionPool;
      logger: KafkajsLogger;
      nodeId?: number | null;
      versions?: ApiVersions | null;
      authenticationTimeout?: number;
      allowAutoTopicCreation?: boolean;
    });
    readonly connectionPool: ConnectionPool;
    /** Null until the first connect. */
    readonly versions: ApiVersions | null;
    /** Connects connection 0, negotiates ApiVersions, authenticates (SASL). */
    connect(): Promise<void>;
    disconnect(): Promise<void>;
    isConnected(): boolean;
  }
  export = Broker;
}

declare module 'kafkajs/src/protocol/message/compression' {
  interface Codec {
    /** Takes an Encoder; only its `buffer` is read. */
    compress?(encoder: { buffer: Buffer }): Promise<Buffer>;
    decompress(buffer: Buffer): Buffer | Promise<Buffer>;
  }
  export const Types: { readonly None: 0; readonly GZIP: 1; readonly Snappy: 2; readonly LZ4: 3; readonly ZSTD: 4 };
  /** The registry users extend (`CompressionCodecs[CompressionTypes.Snappy] = SnappyCodec`). */
  export const Codecs: Record<number, (() => Codec) | undefined>;
}

/* Request modules: `protocol({ version })(args)` builds a ProtocolRequest; we pin one version each. */

declare module 'kafkajs/src/protocol/requests/findCoordinator' {
  import type { ProtocolRequest } from 'kafkajs/src/network/connectionPool';
  export function protocol(v: { version: 2 }): (args: { groupId: string; coordinatorType: 0 }) => ProtocolRequest<{
    clientSideThrottleTime: number;
    errorCode: number;
    errorMessage: string | null;
    coordinator: { nodeId: number; host: string; port: number };
  }>;
}

declare module 'kafkajs/src/protocol/requests/joinGroup' {
  import type { ProtocolRequest } from 'kafkajs/src/network/connectionPool';
  export function protocol(v: { version: 5 }): (args: {
    groupId: string;
    sessionTimeout: number;
    rebalanceTimeout: number;
    memberId: string;
    groupInstanceId: string | null;
    protocolType: string;
    groupProtocols: { name: string; metadata: Buffer }[];
  }) => ProtocolRequest<{
    clientSideThrottleTime: number;
    errorCode: number;
    generationId: number;
    groupProtocol: string | null;
    leaderId: string | null;
    memberId: string | null;
    members: { memberId: string | null; groupInstanceId: string | null; memberMetadata: Buffer | null }[];
  }>;
}

declare module 'kafkajs/src/protocol/requests/syncGroup' {
  import type { ProtocolRequest } from 'kafkajs/src/network/connectionPool';
  export function protocol(v: { version: 3 }): (args: {
    groupId: string;
    generationId: number;
    memberId: string;
    groupInstanceId: string | null;
    groupAssignment: { memberId: string; memberAssignment: Buffer }[];
  }) => ProtocolRequest<{ clientSideThrottleTime: number; errorCode: number; memberAssignment: Buffer | null }>;
}

declare module 'kafkajs/src/protocol/requests/heartbeat' {
  import type { ProtocolRequest } from 'kafkajs/src/network/connectionPool';
  export function protocol(v: { version: 3 }): (args: {
    groupId: string;
    groupGenerationId: number;
    memberId: string;
    groupInstanceId: string | null;
  }) => ProtocolRequest<{ clientSideThrottleTime: number; errorCode: number }>;
}

declare module 'kafkajs/src/protocol/requests/leaveGroup' {
  import type { ProtocolRequest } from 'kafkajs/src/network/connectionPool';
  export function protocol(v: { version: 3 }): (args: {
    groupId: string;
    memberId: string;
    groupInstanceId: string | null;
  }) => ProtocolRequest<{
    clientSideThrottleTime: number;
    errorCode: number;
    members: { memberId: string | null; groupInstanceId: string | null; errorCode: number }[];
  }>;
}

declare module 'kafkajs/src/protocol/requests/offsetFetch' {
  import type { ProtocolRequest } from 'kafkajs/src/network/connectionPool';
  export function protocol(v: { version: 4 }): (args: {
    groupId: string;
    topics: { topic: string; partitions: { partition: number }[] }[];
  }) => ProtocolRequest<{
    clientSideThrottleTime: number;
    errorCode: number;
    responses: { topic: string; partitions: { partition: number; offset: string; metadata: string | null; errorCode: number }[] }[];
  }>;
}

declare module 'kafkajs/src/protocol/requests/offsetCommit/v5/response' {
  /** OffsetCommit v3-v7 responses share this layout. */
  export function decode(payload: Buffer): Promise<{
    throttleTime: number;
    responses: { topic: string; partitions: { partition: number; errorCode: number }[] }[];
  }>;
}

declare module 'kafkajs/src/protocol/requests/listOffsets' {
  import type { ProtocolRequest } from 'kafkajs/src/network/connectionPool';
  export function protocol(v: { version: 3 }): (args: {
    replicaId: number;
    isolationLevel: 0 | 1;
    topics: { topic: string; partitions: { partition: number; timestamp: bigint }[] }[];
  }) => ProtocolRequest<{
    clientSideThrottleTime: number;
    responses: { topic: string; partitions: { partition: number; errorCode: number; timestamp: string; offset: string }[] }[];
  }>;
}

declare module 'kafkajs/src/protocol/requests/metadata/v6/response' {
  export function decode(payload: Buffer): Promise<{
    clientSideThrottleTime: number;
    brokers: { nodeId: number; host: string; port: number; rack: string | null }[];
    clusterId: string | null;
    controllerId: number;
    topicMetadata: {
      topicErrorCode: number;
      topic: string;
      isInternal: boolean;
      partitionMetadata: { partitionErrorCode: number; partitionId: number; leader: number; replicas: number[]; isr: number[] }[];
    }[];
  }>;
}

declare module 'kafkajs/src/protocol/requests/fetch' {
  import type { ProtocolRequest } from 'kafkajs/src/network/connectionPool';
  export function protocol(v: { version: 11 }): (args: {
    replicaId: number;
    isolationLevel: 0 | 1;
    sessionId: number;
    sessionEpoch: number;
    forgottenTopics: { topic: string; partitions: number[] }[];
    maxWaitTime: number;
    minBytes: number;
    maxBytes: number;
    topics: { topic: string; partitions: { partition: number; fetchOffset: bigint; maxBytes: number }[] }[];
    rackId: string;
  }) => ProtocolRequest<unknown>;
}
