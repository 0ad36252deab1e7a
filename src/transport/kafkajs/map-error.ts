import { KafkaClientError, protocolError, protocolErrorFromNumber, type ErrorContext } from '../../errors';

/** The fields kafkajs errors carry that we read (all optional: `e` may be anything). */
interface KafkajsErrorLike {
  readonly name?: unknown;
  readonly message?: unknown;
  readonly code?: unknown;
  readonly broker?: unknown;
  readonly memberId?: unknown;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** What the adapter knows beside the error: where it happened and, for SASL, the mechanism (never secrets). */
export interface MapErrorHints {
  readonly saslMechanism?: string;
}

/**
 * The one place kafkajs errors become {@link KafkaClientError}s. Connection problems are retriable
 * `ConnectionError`s naming the broker; broker error codes keep their code (and MEMBER_ID_REQUIRED its
 * member id); anything unrecognised is `Unexpected`.
 */
export const mapKafkajsError = (e: unknown, context: ErrorContext = {}, hints: MapErrorHints = {}): KafkaClientError => {
  if (e instanceof KafkaClientError) return e.withContext(context);
  const err: KafkajsErrorLike = typeof e === 'object' && e !== null ? e : {};
  const name = str(err.name) ?? '';
  const message = str(err.message) ?? String(e);
  const ctx: ErrorContext = { ...context, broker: context.broker ?? str(err.broker) };
  switch (name) {
    case 'KafkaJSConnectionError':
    case 'KafkaJSConnectionClosedError':
    case 'KafkaJSBrokerNotFound':
    case 'KafkaJSLockTimeout':
      return new KafkaClientError({ tag: 'ConnectionError', retriable: true, message: `Connection failed: ${message}`, context: ctx, cause: e });
    case 'KafkaJSNumberOfRetriesExceeded':
      return new KafkaClientError({ tag: 'BrokerUnavailable', retriable: false, message: `Broker unavailable: ${message}`, context: ctx, cause: e });
    case 'KafkaJSRequestTimeoutError':
      return new KafkaClientError({ tag: 'RequestTimeout', retriable: true, message: `Request timed out: ${message}`, context: ctx, cause: e });
    case 'KafkaJSSASLAuthenticationError':
      return new KafkaClientError({
        tag: 'AuthenticationError',
        retriable: false,
        message: `SASL ${hints.saslMechanism ?? ''} authentication failed${ctx.broker ? ` against ${ctx.broker}` : ''}: ${message}`.replace('  ', ' '),
        context: ctx,
        cause: e,
      });
    case 'KafkaJSServerDoesNotSupportApiKey':
      return protocolError('UNSUPPORTED_VERSION', ctx, { cause: e });
  }
  if (typeof err.code === 'number') {
    const memberId = str(err.memberId);
    return protocolErrorFromNumber(err.code, ctx, memberId === undefined ? { cause: e } : { cause: e, memberId });
  }
  if (typeof err.code === 'string' && /^E[A-Z]+$/.test(err.code)) {
    // A raw socket error (ECONNREFUSED, ECONNRESET, ...) that kafkajs did not wrap.
    return new KafkaClientError({ tag: 'ConnectionError', retriable: true, message: `Connection failed: ${message}`, context: ctx, cause: e });
  }
  return new KafkaClientError({ tag: 'Unexpected', retriable: false, message: `Unexpected kafkajs error ${name || typeof e}: ${message}`, context: ctx, cause: e });
};

/** A non-zero broker error code as an error (0 -> undefined). */
export const errorFromCode = (code: number, context: ErrorContext, memberId?: string): KafkaClientError | undefined =>
  code === 0 ? undefined : protocolErrorFromNumber(code, context, memberId === undefined ? {} : { memberId });
