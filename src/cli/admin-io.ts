import { CONFIG_DEFAULTS } from '../config';
import type { KafkaClientError } from '../errors';
import type { Transport } from '../transport';
import { createKafkajsTransport } from '../transport/kafkajs';
import type { AdminOptions } from './parse-cli';
import type { SecurityConfig } from './security';

export const EX_USAGE = 64;
export const EX_UNAVAILABLE = 69;
/** reset-offsets refused: the group has members (sysexits' EX_TEMPFAIL: try again once it is empty). */
export const EX_TEMPFAIL = 75;
export const EX_NOPERM = 77;

/** Where an admin command writes. */
export interface CommandIo {
  readonly stdout: { write(s: string): unknown };
  readonly stderr: { write(s: string): unknown };
}

/** The kafkajs transport an admin command talks through (the library's default timeouts and retries). */
export const adminTransport = (cmd: AdminOptions, security: SecurityConfig): Transport => {
  const r = CONFIG_DEFAULTS.retry;
  return createKafkajsTransport({
    brokers: cmd.brokers,
    clientId: 'rx-kafka-cluster-cli',
    ...(security.ssl === undefined || security.ssl === false ? {} : { ssl: security.ssl }),
    ...(security.sasl ? { sasl: security.sasl } : {}),
    connectionTimeout: r.connectionTimeout,
    requestTimeout: r.requestTimeout,
    retry: { max: r.max, initialBackoff: r.initialBackoff, maxBackoff: r.maxBackoff },
  });
};

/** The exit code for an error that ended a command: 69 no broker, 77 authentication or authorisation, else 1. */
export const exitCodeOf = (e: unknown): number => {
  const tag = (e as Partial<KafkaClientError> | undefined)?._tag;
  return tag === 'BrokerUnavailable' ? EX_UNAVAILABLE : tag === 'AuthenticationError' || tag === 'AuthorizationError' ? EX_NOPERM : 1;
};
