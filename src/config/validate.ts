/**
 * `validateConfig`: the input read over `CONFIG_DEFAULTS`, field by field, every issue reported at once.
 */
import * as E from 'fp-ts/Either';
import { brokerRegexProblem } from './broker-regex';
import { CONFIG_DEFAULTS as D } from './defaults';
import type { Logger } from '../observability/logger';
import type {
  ConfigIssue,
  ConsumerConfig,
  ConsumerGroupConfig,
  ConsumerGroupConfigInput,
  GroupConfig,
  PartitionStrategySetting,
  MonitoringConfig,
  RetryConfig,
  SaslConfig,
  SaslMechanism,
  SslConfig,
} from './types';
import {
  INT32_MAX,
  Validator,
  boolean,
  fail,
  integer,
  isPlainObject,
  issue,
  listOf,
  map,
  oneOf,
  optional,
  refine,
  required,
  rule,
  show,
  struct,
  text,
  withDefault,
} from './validators';

/** A ms duration, byte size or count with a default; `min` 1 unless zero means something. */
const int = (fallback: number, min = 1, max = INT32_MAX): Validator<number> => withDefault(fallback, integer(min, max));

/** `user:password@host:port` is not echoed. */
const hidesCredentials = (value: unknown): boolean => typeof value === 'string' && value.includes('@');
const BROKER = /^(\[[0-9A-Fa-f:.]+\]|[^\s:[\]/]+):(\d{1,5})$/;
const broker: Validator<string> = (value, path) => {
  const port = typeof value === 'string' ? Number(BROKER.exec(value)?.[2] ?? 0) : 0;
  return typeof value === 'string' && port >= 1 && port <= 65535
    ? E.right(value)
    : fail(
        path,
        `${path} must be 'host:port' with a port in 1..65535 (got ${hidesCredentials(value) ? 'a value with @; credentials go in sasl' : show(value)})`,
      );
};

/** A topic name or a group.instance.id: Kafka's legal characters, 1..249 of them, not '.' or '..'. */
const kafkaName: Validator<string> = (value, path) =>
  typeof value === 'string' && /^[a-zA-Z0-9._-]{1,249}$/.test(value) && value !== '.' && value !== '..'
    ? E.right(value)
    : fail(path, `${path} must be 1..249 of [a-zA-Z0-9._-], not '.' or '..' (got ${show(value)})`);

/** A RegExp (copied without the stateful g and y flags) or a string compiled as one. */
const pattern: Validator<RegExp> = (value, path) => {
  if (!(value instanceof RegExp) && typeof value !== 'string') {
    return fail(path, `${path} must be a RegExp or a string (got ${show(value)})`);
  }
  try {
    return E.right(value instanceof RegExp ? new RegExp(value.source, value.flags.replace(/[gy]/g, '')) : new RegExp(value));
  } catch (e) {
    return fail(path, `${path} is not a valid regular expression: ${e instanceof Error ? e.message : String(e)}`);
  }
};

const BUILTIN_STRATEGIES = ['range', 'roundrobin', 'sticky', 'cooperative-sticky'] as const;
const PROTOCOLS_OF_BUILTINS: Readonly<Record<(typeof BUILTIN_STRATEGIES)[number], readonly ('eager' | 'cooperative')[]>> = {
  range: ['eager'],
  roundrobin: ['eager'],
  sticky: ['eager'],
  'cooperative-sticky': ['cooperative', 'eager'],
};
const isBuiltinStrategy = (value: unknown): value is (typeof BUILTIN_STRATEGIES)[number] => (BUILTIN_STRATEGIES as readonly unknown[]).includes(value);
const validProtocols = (value: unknown): boolean =>
  value === undefined || (Array.isArray(value) && value.length > 0 && value.every((p) => p === 'eager' || p === 'cooperative'));

const strategy: Validator<PartitionStrategySetting> = (value, path) =>
  isBuiltinStrategy(value)
    ? E.right(value)
    : typeof value === 'object' &&
        value !== null &&
        'name' in value &&
        typeof value.name === 'string' &&
        value.name !== '' &&
        'assign' in value &&
        typeof value.assign === 'function' &&
        validProtocols((value as { supportedProtocols?: unknown }).supportedProtocols)
      ? E.right(value as PartitionStrategySetting)
      : fail(
          path,
          `${path} must be 'range', 'roundrobin', 'sticky', 'cooperative-sticky' or a strategy { name, assign, supportedProtocols?: ('eager' | 'cooperative')[] } (got ${show(value)})`,
        );

const protocolsOf = (s: PartitionStrategySetting): readonly ('eager' | 'cooperative')[] =>
  typeof s === 'string' ? PROTOCOLS_OF_BUILTINS[s] : (s.supportedProtocols ?? ['eager']);

const strategies = refine(listOf(strategy, true), (list, path) =>
  list.flatMap((s, i) => {
    const name = typeof s === 'string' ? s : s.name;
    const first = list.findIndex((t) => (typeof t === 'string' ? t : t.name) === name);
    return first < i ? [issue(`${path}[${i}]`, `${path}[${i}] repeats the strategy name '${name}' of ${path}[${first}]`)] : [];
  }).concat(
    // Java's ConsumerCoordinator refuses the same: a member must rebalance one way for every strategy it offers.
    (['cooperative', 'eager'] as const).some((p) => list.every((s) => protocolsOf(s).includes(p)))
      ? []
      : [issue(path, `${path} lists strategies that share no rebalance protocol (${list.map((s) => `${typeof s === 'string' ? s : s.name}: ${protocolsOf(s).join('/')}`).join(', ')})`)],
  ),
);

const buffer: Validator<Buffer> = (value, path) =>
  Buffer.isBuffer(value) ? E.right(Buffer.from(value)) : fail(path, `${path} must be a Buffer (got ${show(value)})`);

/** A boolean, or a TLS options object (copied one level, frozen). Echoes no string: it could be a key. */
const ssl: Validator<SslConfig> = (value, path) =>
  typeof value === 'boolean'
    ? E.right(value)
    : isPlainObject(value)
      ? E.right(Object.freeze({ ...value }))
      : fail(path, `${path} must be a boolean or a TLS options object (got ${typeof value === 'string' ? 'a string' : show(value)})`);

type OAuth = Extract<SaslConfig, { mechanism: 'oauthbearer' }>;
type Credentials = Exclude<SaslConfig, OAuth>;
const MECHANISMS: readonly SaslMechanism[] = ['plain', 'scram-sha-256', 'scram-sha-512', 'oauthbearer'];

/** SASL validators never echo a value: any of them may be a secret. */
const secretText: Validator<string> = (value, path) =>
  typeof value === 'string' && value !== '' ? E.right(value) : fail(path, `${path} must be a non-empty string`);
const provider: Validator<OAuth['oauthBearerProvider']> = (value, path) =>
  typeof value === 'function' ? E.right(value as OAuth['oauthBearerProvider']) : fail(path, `${path} must be a function`);

const credentials = struct<Credentials>({
  // 'oauthbearer' never gets here; listing it keeps the message complete.
  mechanism: oneOf(MECHANISMS, false) as Validator<Credentials['mechanism']>,
  username: required(secretText),
  password: required(secretText),
});
const oauth = struct<OAuth>({ mechanism: oneOf(['oauthbearer'] as const), oauthBearerProvider: required(provider) });

const sasl: Validator<SaslConfig> = (value, path) =>
  !isPlainObject(value)
    ? fail(path, `${path} must be an object with a mechanism`)
    : value['mechanism'] === 'oauthbearer'
      ? oauth(value, path)
      : credentials(value, path);

const G = D.group;
const group = struct<GroupConfig>(
  {
    session: struct({ timeout: int(G.session.timeout) }),
    heartbeat: struct({ interval: int(G.heartbeat.interval) }),
    rebalance: struct<GroupConfig['rebalance']>({ timeout: int(G.rebalance.timeout), drainTimeout: int(G.rebalance.drainTimeout, 0) }, [
      rule(['timeout', 'drainTimeout'], ({ timeout, drainTimeout }, path) =>
        drainTimeout < timeout
          ? []
          : [issue(`${path}.drainTimeout`, `${path}.drainTimeout must be less than ${path}.timeout (got ${drainTimeout} >= ${timeout})`)],
      ),
    ]),
    partitionStrategy: withDefault(G.partitionStrategy, strategies),
    instanceId: optional(kafkaName),
    userData: optional(buffer),
    offsets: struct({ retry: struct({ max: int(G.offsets.retry.max, 0) }) }),
    topics: struct({ refreshInterval: int(G.topics.refreshInterval) }),
  },
  [
    rule(['session', 'heartbeat'], ({ session, heartbeat }, path) =>
      heartbeat.interval * 3 <= session.timeout
        ? []
        : [issue(`${path}.heartbeat.interval`, `${path}.heartbeat.interval must be at most a third of ${path}.session.timeout`)],
    ),
  ],
);

const C = D.consumer;
const consumer = struct<ConsumerConfig>({
  offsets: map(
    struct({
      initial: withDefault(C.offsets.initial, oneOf(['newest', 'oldest'] as const)),
      outOfRange: optional(oneOf(['newest', 'oldest', 'error'] as const)),
      commitInterval: int(C.offsets.commitInterval),
    }),
    ({ outOfRange, ...rest }) => Object.freeze({ ...rest, outOfRange: outOfRange ?? rest.initial }),
  ),
  fetch: struct<ConsumerConfig['fetch']>(
    {
      min: int(C.fetch.min, 0),
      max: int(C.fetch.max),
      partitionMax: int(C.fetch.partitionMax),
      maxWait: int(C.fetch.maxWait, 0),
    },
    [
      rule(['max', 'partitionMax'], ({ max, partitionMax }, path) =>
        partitionMax <= max
          ? []
          : [issue(`${path}.partitionMax`, `${path}.partitionMax must be at most ${path}.max (got ${partitionMax} > ${max})`)],
      ),
    ],
  ),
  isolationLevel: withDefault(C.isolationLevel, oneOf(['read_uncommitted', 'read_committed'] as const)),
  checkCrcs: withDefault(C.checkCrcs, boolean),
  credit: struct<ConsumerConfig['credit']>(
    {
      maxMessages: int(C.credit.maxMessages, 1, Number.MAX_SAFE_INTEGER),
      maxBytes: int(C.credit.maxBytes, 1, Number.MAX_SAFE_INTEGER),
      globalMaxBytes: int(C.credit.globalMaxBytes, 1, Number.MAX_SAFE_INTEGER),
      returnOn: withDefault(C.credit.returnOn, oneOf(['mark', 'emit', 'auto'] as const)),
    },
    [
      rule(['maxBytes', 'globalMaxBytes'], ({ maxBytes, globalMaxBytes }, path) =>
        globalMaxBytes >= maxBytes
          ? []
          : [issue(`${path}.globalMaxBytes`, `${path}.globalMaxBytes must be at least ${path}.maxBytes (got ${globalMaxBytes} < ${maxBytes})`)],
      ),
    ],
  ),
});

const R = D.retry;
const retry = struct<RetryConfig>(
  {
    max: int(R.max, 0),
    initialBackoff: int(R.initialBackoff),
    maxBackoff: int(R.maxBackoff),
    requestTimeout: int(R.requestTimeout),
    connectionTimeout: int(R.connectionTimeout),
  },
  [
    rule(['initialBackoff', 'maxBackoff'], ({ initialBackoff, maxBackoff }, path) =>
      maxBackoff >= initialBackoff
        ? []
        : [issue(`${path}.maxBackoff`, `${path}.maxBackoff must be at least ${path}.initialBackoff (got ${maxBackoff} < ${initialBackoff})`)],
    ),
  ],
);

/**
 * Under the consumer protocol the broker resolves a whitelist (RE2 syntax) and subscribes either by names or by
 * one regex; the remote assignor means nothing under classic.
 */
const consumerProtocolRules = ({ groupProtocol, topics, whitelist, blacklist, groupRemoteAssignor }: Pick<ConsumerGroupConfig, 'groupProtocol' | 'topics' | 'whitelist' | 'blacklist' | 'groupRemoteAssignor'>): ConfigIssue[] => {
  if (groupProtocol === 'classic') {
    return groupRemoteAssignor === undefined ? [] : [issue('groupRemoteAssignor', "groupRemoteAssignor applies to groupProtocol 'consumer' only (classic groups assign with group.partitionStrategy)")];
  }
  const problem = whitelist && brokerRegexProblem(whitelist);
  return [
    ...(problem ? [issue('whitelist', `whitelist cannot be matched by the broker under groupProtocol 'consumer': ${problem}`)] : []),
    ...(blacklist ? [issue('blacklist', "blacklist is not supported under groupProtocol 'consumer': the broker matches one regex (fold the exclusion into the whitelist)")] : []),
    ...(whitelist && topics.length > 0 ? [issue('topics', "topics and whitelist cannot be combined under groupProtocol 'consumer': the broker subscribes by names or by one regex")] : []),
  ];
};

const LOGGER_METHODS = ['error', 'warn', 'info', 'debug', 'child'] as const;
/** Any object with pino's level methods and child(); kept as given (it is the user's). */
const logger: Validator<Logger> = (value, path) => {
  const missing = typeof value === 'object' && value !== null ? LOGGER_METHODS.filter((m) => typeof (value as Record<string, unknown>)[m] !== 'function') : [...LOGGER_METHODS];
  return missing.length === 0 ? E.right(value as Logger) : fail(path, `${path} must be a pino-compatible logger (missing ${missing.join(', ')})`);
};

const M = D.monitoring;
const monitoring = struct<MonitoringConfig>({ metricsInterval: int(M.metricsInterval), stallTimeout: int(M.stallTimeout) });

const config = struct<ConsumerGroupConfig>(
  {
    brokers: required(listOf(broker, true)),
    clientId: withDefault(D.clientId, text()),
    groupId: required(text(249)),
    groupProtocol: withDefault(D.groupProtocol, oneOf(['classic', 'consumer'] as const)),
    groupRemoteAssignor: optional(oneOf(['uniform', 'range'] as const)),
    topics: withDefault(D.topics, listOf(kafkaName)),
    whitelist: optional(pattern),
    blacklist: optional(pattern),
    group,
    consumer,
    retry,
    monitoring,
    logger: optional(logger),
    ssl: withDefault(D.ssl, ssl),
    sasl: optional(sasl),
  },
  [
    rule(['topics', 'whitelist'], ({ topics, whitelist }) =>
      topics.length > 0 || whitelist !== undefined ? [] : [issue('topics', 'topics must not be empty when no whitelist is given')],
    ),
    rule(['groupProtocol', 'topics', 'whitelist', 'blacklist', 'groupRemoteAssignor'], consumerProtocolRules),
    rule(['consumer', 'retry'], ({ consumer: { fetch }, retry: { requestTimeout } }) =>
      fetch.maxWait < requestTimeout
        ? []
        : [
            issue(
              'consumer.fetch.maxWait',
              `consumer.fetch.maxWait must be less than retry.requestTimeout (got ${fetch.maxWait} >= ${requestTimeout})`,
            ),
          ],
    ),
  ],
);

/**
 * Validates `input` and reads it over `CONFIG_DEFAULTS`: Right(the full, frozen config) or Left(every issue,
 * each naming its field's path). Pure; neither the input nor the defaults are touched.
 */
export const validateConfig = (input: ConsumerGroupConfigInput): E.Either<readonly ConfigIssue[], ConsumerGroupConfig> => {
  const validated = config(input, '');
  const classicOnly = classicOnlySettings(input);
  if (classicOnly.length === 0) return validated;
  return E.left([...(E.isLeft(validated) ? validated.left : []), ...classicOnly]);
};

/**
 * Like the Java client, settings the consumer protocol moves to the broker are refused when set explicitly:
 * session timeout and heartbeat interval are the group's (group.consumer.* broker configs), assignment is the
 * broker's (groupRemoteAssignor).
 */
const classicOnlySettings = (input: ConsumerGroupConfigInput): ConfigIssue[] => {
  if (!isPlainObject(input) || input.groupProtocol !== 'consumer') return [];
  const g = isPlainObject(input.group) ? input.group : undefined;
  const set: [unknown, string, string][] = [
    [g?.session?.timeout, 'group.session.timeout', 'the broker sets it (group.consumer.session.timeout.ms)'],
    [g?.heartbeat?.interval, 'group.heartbeat.interval', 'the broker sets it (group.consumer.heartbeat.interval.ms)'],
    [g?.partitionStrategy, 'group.partitionStrategy', 'assignment is server-side (groupRemoteAssignor)'],
    [g?.userData, 'group.userData', 'there is no client-side assignor to read it'],
  ];
  return set.filter(([value]) => value !== undefined).map(([, path, why]) => issue(path, `${path} is not supported under groupProtocol 'consumer': ${why}`));
};
