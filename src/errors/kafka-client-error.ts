import { KAFKA_ERROR_CODES, KafkaErrorCode, kafkaErrorCodeName } from './error-codes';

/** Where an error happened. Every field is optional; each error carries what it knows. */
export interface ErrorContext {
  readonly group?: string;
  readonly member?: string;
  readonly generation?: number;
  readonly topic?: string;
  readonly partition?: number;
  readonly offset?: bigint;
  readonly broker?: string;
  readonly api?: string;
  readonly field?: string;
}

/**
 * The tags of our error union.
 * - `KafkaProtocolError`: the broker answered with an error code (`code` names it).
 * - `ConnectionError`: a socket could not be opened or was dropped.
 * - `BrokerUnavailable`: no broker could be reached within the configured retries.
 * - `RequestTimeout`: a request got no answer in time.
 * - `ConfigError`: invalid configuration (`context.field` is the path).
 * - `AuthenticationError` / `AuthorizationError`: security failures, naming mechanism or resource.
 * - `CodecMissing` / `CorruptRecordBatch`: the record-batch decoder could not read a batch.
 * - `OffsetReset`: a position was reset by the out-of-range policy (reported, not thrown).
 * - `MarkFenced`: a mark for a partition this member no longer owns was dropped.
 * - `ClientInUse`: a client already serves a consumer.
 * - `UsageError`: the API was used in a way it cannot serve (e.g. one partition consumed twice).
 * - `Closed`: the consumer or client was closed.
 * - `HandlerError`: the application's handler (or deserializer) failed on a message; `cause` is its error and
 *   the context names the message's topic, partition and offset.
 * - `Unexpected`: anything we did not classify (a bug to report).
 */
export type ErrorTag =
  | 'KafkaProtocolError'
  | 'ConnectionError'
  | 'BrokerUnavailable'
  | 'RequestTimeout'
  | 'ConfigError'
  | 'AuthenticationError'
  | 'AuthorizationError'
  | 'CodecMissing'
  | 'CorruptRecordBatch'
  | 'OffsetReset'
  | 'MarkFenced'
  | 'ClientInUse'
  | 'UsageError'
  | 'Closed'
  | 'HandlerError'
  | 'Unexpected';

export interface KafkaClientErrorFields {
  readonly tag: ErrorTag;
  readonly message: string;
  readonly retriable?: boolean;
  readonly code?: KafkaErrorCode;
  readonly context?: ErrorContext;
  readonly cause?: unknown;
  /** MEMBER_ID_REQUIRED: the member id the coordinator assigned. */
  readonly memberId?: string;
}

const describeContext = (c: ErrorContext): string => {
  const parts = Object.entries(c)
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `${k}=${String(v)}`);
  return parts.length ? ` [${parts.join(' ')}]` : '';
};

/** Every error this library raises or reports: a tagged value with context, classified once. */
export class KafkaClientError extends Error {
  readonly _tag: ErrorTag;
  readonly retriable: boolean;
  readonly code: KafkaErrorCode | undefined;
  readonly context: ErrorContext;
  readonly memberId: string | undefined;

  constructor(fields: KafkaClientErrorFields) {
    const context = fields.context ?? {};
    super(`${fields.message}${describeContext(context)}`, fields.cause === undefined ? undefined : { cause: fields.cause });
    this.name = `KafkaClientError(${fields.tag}${fields.code ? `:${fields.code}` : ''})`;
    this._tag = fields.tag;
    this.code = fields.code;
    this.retriable = fields.retriable ?? (fields.code ? KAFKA_ERROR_CODES[fields.code].retriable : false);
    this.context = context;
    this.memberId = fields.memberId;
  }

  /** The same error with more context (existing fields win). */
  withContext(extra: ErrorContext): KafkaClientError {
    return new KafkaClientError({
      tag: this._tag,
      message: this.message.replace(/ \[[^\]]*\]$/, ''),
      retriable: this.retriable,
      code: this.code,
      context: { ...extra, ...this.context },
      cause: this.cause,
      memberId: this.memberId,
    });
  }
}

/** A broker error code as a typed error. */
export const protocolError = (
  code: KafkaErrorCode,
  context: ErrorContext = {},
  extra: { memberId?: string; cause?: unknown } = {},
): KafkaClientError => {
  const tag: ErrorTag = /AUTHORIZATION_FAILED$/.test(code)
    ? 'AuthorizationError'
    : /SASL/.test(code)
      ? 'AuthenticationError'
      : 'KafkaProtocolError';
  return new KafkaClientError({ tag, code, message: `Broker returned ${code}`, context, ...extra });
};

/** A numeric broker error code as a typed error (unknown codes keep their number in the message). */
export const protocolErrorFromNumber = (n: number, context: ErrorContext = {}, extra: { memberId?: string; cause?: unknown } = {}): KafkaClientError => {
  const name = kafkaErrorCodeName(n);
  return name
    ? protocolError(name, context, extra)
    : new KafkaClientError({ tag: 'KafkaProtocolError', message: `Broker returned error code ${n}`, context, ...extra });
};

export const isKafkaClientError = (e: unknown): e is KafkaClientError => e instanceof KafkaClientError;

/** True when `e` is a broker error with one of the given codes. */
export const hasCode = (e: unknown, ...codes: readonly KafkaErrorCode[]): boolean =>
  isKafkaClientError(e) && e.code !== undefined && codes.includes(e.code);

/** Any thrown value as a KafkaClientError (ours keep their tag and gain context; others become `Unexpected`). */
export const toKafkaClientError = (e: unknown, context: ErrorContext = {}): KafkaClientError =>
  isKafkaClientError(e)
    ? e.withContext(context)
    : new KafkaClientError({ tag: 'Unexpected', message: e instanceof Error ? e.message : String(e), context, cause: e });
