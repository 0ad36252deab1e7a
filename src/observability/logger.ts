import type { KafkaClientError } from '../errors';
import type { Notification } from '../protocol/group-machine-steps';

type LogMethod = (fields: Record<string, unknown>, message: string) => void;

/** A pino-compatible logger: level methods taking an object first, and child loggers with bound fields. */
export interface Logger {
  error: LogMethod;
  warn: LogMethod;
  info: LogMethod;
  debug: LogMethod;
  child(bindings: Record<string, unknown>): Logger;
}

/** The error's message already names its context (group, topic, partition, broker): one line, as is. */
const writeLine = (level: string, message: string): void => void process.stderr.write(`rx-kafka-cluster ${level}: ${message}\n`);

/**
 * Without a `logger`, only what a user would want on stderr: warnings and errors nobody else sees (errors$ with
 * no subscriber). Info and debug go nowhere.
 */
export const stderrLogger = (): Logger => ({
  error: (_fields, message) => writeLine('error', message),
  warn: (_fields, message) => writeLine('warn', message),
  info: () => undefined,
  debug: () => undefined,
  child: () => stderrLogger(),
});

/**
 * An error as log fields: its tag, code, retriable flag and context (never a config: no secret is in them).
 * Offsets go as strings: JSON has no bigint, and not every logger converts them.
 */
const errorFields = (e: KafkaClientError): Record<string, unknown> => {
  const context = Object.fromEntries(Object.entries(e.context).map(([k, v]) => [k, typeof v === 'bigint' ? v.toString() : v]));
  return { tag: e._tag, code: e.code, retriable: e.retriable, ...context };
};

/**
 * What the group logs to a user's logger: each rebalance start and generation (info), each rebalance error (warn,
 * or error when it ends the membership) and each errors$ value (warn). The default logger gets only the errors$
 * values no subscriber of the user's sees.
 */
export const groupLogging = (log: Logger, errorsObserved: () => boolean, userLogger: boolean) => ({
  notification(n: Notification): void {
    if (!userLogger) return;
    if (n.type === 'RebalanceStart') log.info({ rebalanceProtocol: n.rebalanceProtocol, held: n.claims, lost: n.lost }, 'rebalance started');
    else if (n.type === 'RebalanceOK') log.info({ generation: n.generationId, rebalanceProtocol: n.rebalanceProtocol, current: n.current, added: n.claimed, revoked: n.released }, 'generation received');
    else if (n.error.retriable) log.warn(errorFields(n.error), `rebalance error: ${n.error.message}`);
    else log.error(errorFields(n.error), `rebalance error: ${n.error.message}`);
  },
  error(e: KafkaClientError): void {
    if (userLogger || !errorsObserved()) log.warn(errorFields(e), e.message);
  },
});
