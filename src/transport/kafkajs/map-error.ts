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

/**
 * Node's certificate verification codes (the client rejecting the broker's certificate: expired, untrusted, wrong
 * host) and the TLS alerts a broker sends when it rejects ours. Deterministic: retrying cannot help.
 */
const TLS_CODES = /^(CERT_[A-Z_]+|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_[A-Z_]+|INVALID_CA|INVALID_PURPOSE|HOSTNAME_MISMATCH|ERR_TLS_CERT_ALTNAME_INVALID|ERR_SSL_[A-Z0-9_]*ALERT_(BAD_CERTIFICATE|CERTIFICATE_[A-Z_]+|UNKNOWN_CA|UNSUPPORTED_CERTIFICATE|ACCESS_DENIED|HANDSHAKE_FAILURE))$/;
const tlsFailure = (code: unknown): string | undefined => (typeof code === 'string' && TLS_CODES.test(code) ? code : undefined);

/** What the adapter knows beside the error: where it happened and, for SASL, the mechanism (never secrets). */
export interface MapErrorHints {
  readonly saslMechanism?: string;
}

/**
 * The one place kafkajs errors become {@link KafkaClientError}s. Certificate failures (either side) and SASL
 * failures are non-retriable `AuthenticationError`s naming the mechanism and the broker; other connection problems
 * are retriable `ConnectionError`s naming the broker; broker error codes keep their code (and MEMBER_ID_REQUIRED its
 * member id); anything unrecognised is `Unexpected`.
 */
export const mapKafkajsError = (e: unknown, context: ErrorContext = {}, hints: MapErrorHints = {}): KafkaClientError => {
  if (e instanceof KafkaClientError) return namingMechanism(e.withContext(context), hints);
  const err: KafkajsErrorLike = typeof e === 'object' && e !== null ? e : {};
  const name = str(err.name) ?? '';
  const message = str(err.message) ?? String(e);
  const ctx: ErrorContext = { ...context, broker: context.broker ?? str(err.broker) };
  const tls = tlsFailure(err.code);
  if (tls && (name === 'KafkaJSConnectionError' || name === '' || name === 'Error')) {
    return new KafkaClientError({
      tag: 'AuthenticationError',
      retriable: false,
      message: `TLS authentication failed${ctx.broker ? ` against ${ctx.broker}` : ''}: ${message} (${tls})`,
      context: ctx,
      cause: e,
    });
  }
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
    return namingMechanism(protocolErrorFromNumber(err.code, ctx, memberId === undefined ? { cause: e } : { cause: e, memberId }), hints);
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

/**
 * A broker's SASL error code (e.g. ILLEGAL_SASL_STATE on the first request after a rejected OAUTHBEARER token,
 * which kafkajs does not read) as an AuthenticationError that names the mechanism and the broker.
 */
const namingMechanism = (e: KafkaClientError, hints: MapErrorHints): KafkaClientError =>
  e._tag !== 'AuthenticationError' || !hints.saslMechanism || e.code === undefined || !/SASL/.test(e.code)
    ? e
    : new KafkaClientError({
        tag: 'AuthenticationError',
        code: e.code,
        retriable: false,
        message: `SASL ${hints.saslMechanism} authentication failed${e.context.broker ? ` against ${e.context.broker}` : ''}: broker returned ${e.code}`,
        context: e.context,
        cause: e.cause ?? e,
      });
