import * as E from 'fp-ts/Either';
import { pipe } from 'fp-ts/function';
import type { ConfigIssue } from './types';
import { boolean, integer, issue, oneOf, rule, struct, withDefault, type Validator } from './validators';

/** -1 ('all'): every in-sync replica; 1: the leader; 0: no answer (offsets unknown). */
export type ProducerAcks = 'all' | 1 | 0;
export type ProducerCompression = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';

/** The `produce` operator's settings, as written by the user; every field has a default. */
export interface ProducerOptionsInput {
  /** Default 'all' (Java's default with idempotence). */
  readonly acks?: ProducerAcks;
  /** KIP-98 idempotence: no duplicates from retries, order kept. Default true; needs acks 'all'. */
  readonly idempotent?: boolean;
  /** ms a partition's batch waits for more records (Java `linger.ms`, default 5). */
  readonly lingerMs?: number;
  /** Bytes at which a partition's batch is sent at once (default 1 MiB, franz-go's default). */
  readonly batchBytes?: number;
  /** Bytes of batches sent and not yet acknowledged; the rest waits (default 32 MiB, Java's `buffer.memory`). */
  readonly maxInFlightBytes?: number;
  /** Default 'none'. snappy, lz4 and zstd need a kafkajs codec registered (as for consuming them). */
  readonly compression?: ProducerCompression;
  /** ms from a record's arrival to its acknowledgement, retries included, before it fails (Java `delivery.timeout.ms`). */
  readonly deliveryTimeoutMs?: number;
  /** ms the broker may wait for replicas (Produce's timeout). */
  readonly ackTimeoutMs?: number;
  /** ms before a retriable failure is retried. */
  readonly retryBackoffMs?: number;
  /**
   * Transactions only: ms an open transaction may last before its coordinator aborts it (Java
   * `transaction.timeout.ms`, default 60000; at most the broker's transaction.max.timeout.ms). It bounds how long a
   * crashed producer's open transaction holds back read_committed consumers and its partitions' next owner.
   */
  readonly transactionTimeoutMs?: number;
}

export type ProducerOptions = Required<Omit<ProducerOptionsInput, 'acks'>> & { readonly acks: -1 | 0 | 1 };

export const PRODUCER_DEFAULTS = {
  acks: 'all',
  idempotent: true,
  lingerMs: 5,
  batchBytes: 1024 * 1024,
  maxInFlightBytes: 32 * 1024 * 1024,
  compression: 'none',
  deliveryTimeoutMs: 120_000,
  ackTimeoutMs: 30_000,
  retryBackoffMs: 100,
  transactionTimeoutMs: 60_000,
} as const;

type Validated = Required<ProducerOptionsInput>;

const acks: Validator<ProducerAcks> = (value, path) =>
  value === 'all' || value === 1 || value === 0 ? E.right(value) : E.left([issue(path, `${path} must be 'all', 1 or 0 (got ${String(value)})`)]);

const shape = struct<Validated>(
  {
    acks: withDefault<ProducerAcks>(PRODUCER_DEFAULTS.acks, acks),
    idempotent: withDefault(PRODUCER_DEFAULTS.idempotent, boolean),
    lingerMs: withDefault(PRODUCER_DEFAULTS.lingerMs, integer(0)),
    batchBytes: withDefault(PRODUCER_DEFAULTS.batchBytes, integer(1)),
    maxInFlightBytes: withDefault(PRODUCER_DEFAULTS.maxInFlightBytes, integer(1)),
    compression: withDefault<ProducerCompression>(PRODUCER_DEFAULTS.compression, oneOf(['none', 'gzip', 'snappy', 'lz4', 'zstd'])),
    deliveryTimeoutMs: withDefault(PRODUCER_DEFAULTS.deliveryTimeoutMs, integer(1)),
    ackTimeoutMs: withDefault(PRODUCER_DEFAULTS.ackTimeoutMs, integer(1)),
    retryBackoffMs: withDefault(PRODUCER_DEFAULTS.retryBackoffMs, integer(0)),
    transactionTimeoutMs: withDefault(PRODUCER_DEFAULTS.transactionTimeoutMs, integer(1)),
  },
  [
    rule(['idempotent', 'acks'], (o, path) =>
      o.idempotent && o.acks !== 'all' ? [issue(`${path ? `${path}.` : ''}acks`, `acks must be 'all' for an idempotent producer (got ${String(o.acks)}); set idempotent: false to use it`)] : [],
    ),
    rule(['deliveryTimeoutMs', 'lingerMs', 'ackTimeoutMs'], (o, path) =>
      o.deliveryTimeoutMs < o.lingerMs + o.ackTimeoutMs
        ? [issue(`${path ? `${path}.` : ''}deliveryTimeoutMs`, `deliveryTimeoutMs must be at least lingerMs + ackTimeoutMs (${o.lingerMs + o.ackTimeoutMs}), as Java requires`)]
        : [],
    ),
  ],
);

/** Validates the produce operator's options (every issue at once), defaults filled in. */
export const validateProducerOptions = (input: ProducerOptionsInput | undefined): E.Either<readonly ConfigIssue[], ProducerOptions> =>
  pipe(
    shape(input, ''),
    E.map((o) => Object.freeze({ ...o, acks: o.acks === 'all' ? (-1 as const) : o.acks })),
  );
