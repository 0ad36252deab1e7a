import { Either, left, right } from 'fp-ts/Either';

/** What `rx-kafka-cluster consume` was asked to do. */
export interface ConsumeCommand {
  readonly command: 'consume';
  readonly brokers: readonly string[];
  readonly group: string;
  readonly topics: readonly string[];
  readonly whitelist?: string;
  readonly blacklist?: string;
  readonly offset: 'oldest' | 'newest';
  readonly strategy: 'range' | 'roundrobin' | 'sticky' | 'cooperative-sticky';
  /** `--group-protocol consumer`: KIP-848, the broker assigns (`--remote-assignor`); `--strategy` does not apply. */
  readonly groupProtocol: 'classic' | 'consumer';
  readonly remoteAssignor?: 'uniform' | 'range';
  readonly format: 'text' | 'json';
  readonly verbose: boolean;
  /** TLS, when asked for (`--tls`, or implied by `--ca`/`--cert`/`--key`): file paths, read by the CLI at start. */
  readonly tls?: TlsOptions;
  /** SASL, when `--sasl-mechanism` is given: where the secret comes from, never the secret itself. */
  readonly sasl?: SaslOptions;
}

export interface TlsOptions {
  readonly caFile?: string;
  readonly certFile?: string;
  readonly keyFile?: string;
}

export const SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512', 'oauthbearer'] as const;
export type CliSaslMechanism = (typeof SASL_MECHANISMS)[number];

/** Where a secret is read from: an environment variable (by name) or a file (by path). */
export type SecretSource = { readonly env: string } | { readonly file: string };

export type SaslOptions =
  | { readonly mechanism: Exclude<CliSaslMechanism, 'oauthbearer'>; readonly username: string; readonly password: SecretSource }
  | { readonly mechanism: 'oauthbearer'; readonly token: SecretSource };

/** The environment variables secrets are read from unless `--sasl-password-env`/`--sasl-token-env` name others. */
export const DEFAULT_PASSWORD_ENV = 'KAFKA_SASL_PASSWORD';
export const DEFAULT_TOKEN_ENV = 'KAFKA_SASL_TOKEN';

export const USAGE = `usage: rx-kafka-cluster consume --brokers host:port[,host:port] --group G --topics t1[,t2]
         [--whitelist RE] [--blacklist RE] [--offset oldest|newest] [--strategy range|roundrobin|sticky|cooperative-sticky]
         [--group-protocol classic|consumer] [--remote-assignor uniform|range]
         [--format text|json] [--verbose]
         [--tls] [--ca FILE] [--cert FILE --key FILE]
         [--sasl-mechanism plain|scram-sha-256|scram-sha-512|oauthbearer] [--sasl-username U]
         [--sasl-password-env VAR | --sasl-password-file FILE] [--sasl-token-env VAR | --sasl-token-file FILE]
  --brokers defaults to $KAFKA_BROKERS. --ca/--cert/--key imply --tls (the broker's certificate is always verified).
  SASL secrets never come from the command line: the password from $KAFKA_SASL_PASSWORD (or the variable or file
  named), an OAUTHBEARER token from $KAFKA_SASL_TOKEN (or the variable or file named; a file is re-read per login). Messages go to stdout as topic/partition/offset<TAB>key<TAB>value (or JSON
  lines); notifications and errors to stderr. SIGINT/SIGTERM commit and leave the group.
  Exit codes: 0 clean stop, 64 usage error, 69 broker unavailable, 77 authentication or authorisation failed,
  1 other errors.`;

const FLAGS = new Set([
  '--brokers', '--group', '--topics', '--whitelist', '--blacklist', '--offset', '--strategy', '--group-protocol', '--remote-assignor', '--format',
  '--ca', '--cert', '--key', '--sasl-mechanism', '--sasl-username', '--sasl-password-env', '--sasl-password-file', '--sasl-token-env', '--sasl-token-file',
]);
/** Flags that would carry a secret on the command line: refused, and their values never echoed. */
const SECRET_FLAGS = new Set(['--sasl-password', '--password', '--sasl-token', '--token', '--key-passphrase', '--passphrase']);
const list = (s: string | undefined) => (s ?? '').split(',').map((x) => x.trim()).filter(Boolean);

/** The flags every command shares: brokers, TLS and SASL (value-taking ones). */
export const CONNECTION_FLAGS = ['--brokers', '--ca', '--cert', '--key', '--sasl-mechanism', '--sasl-username', '--sasl-password-env', '--sasl-password-file', '--sasl-token-env', '--sasl-token-file'] as const;

/** What one pass over a command's arguments found: flag values, the switches given, and problems. */
export interface ScannedFlags {
  readonly values: Map<string, string>;
  readonly switches: Set<string>;
  readonly problems: string[];
}

/**
 * Reads `--flag value`, `--flag=value` and switches; a secret-carrying flag is refused and its value skipped
 * (never echoed), an unknown option named without its value. Pure.
 */
export const scanFlags = (rest: readonly string[], valueFlags: ReadonlySet<string>, switchFlags: ReadonlySet<string>, problems: string[] = []): ScannedFlags => {
  const values = new Map<string, string>();
  const switches = new Set<string>();
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i] ?? '';
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    if (switchFlags.has(flag)) switches.add(flag);
    else if (SECRET_FLAGS.has(flag)) {
      if (inline === undefined && rest[i + 1] !== undefined && !(rest[i + 1] ?? '').startsWith('--')) i++; // skip the secret
      problems.push(`${flag} is not accepted: secrets never go on the command line (use --sasl-password-env/--sasl-password-file or --sasl-token-env/--sasl-token-file)`);
    } else if (valueFlags.has(flag)) {
      const value = inline ?? rest[++i];
      if (value === undefined || value.startsWith('--')) problems.push(`${flag} needs a value`);
      else values.set(flag, value);
    } else if (flag.startsWith('--')) problems.push(`unknown option ${flag}`); // the value after '=' is not echoed: it may be a secret
    else problems.push(`unexpected argument at position ${i + 2} (not echoed)`);
  }
  return { values, switches, problems };
};

/** The brokers from `--brokers` or $KAFKA_BROKERS. */
export const brokersFrom = (values: ReadonlyMap<string, string>, env: Readonly<Record<string, string | undefined>>): string[] => list(values.get('--brokers') ?? env.KAFKA_BROKERS);

/** Parses argv (without node and the script); every problem is reported at once. Pure. */
export const parseArgs = (argv: readonly string[], env: Readonly<Record<string, string | undefined>>): Either<readonly string[], ConsumeCommand> => {
  const [command, ...rest] = argv;
  if (command !== 'consume') return left([command ? `unknown command ${command}` : 'missing command']);
  const { values, switches, problems } = scanFlags(rest, FLAGS, new Set(['--verbose', '--tls']));
  const verbose = switches.has('--verbose');
  const tlsFlag = switches.has('--tls');
  const brokers = list(values.get('--brokers') ?? env.KAFKA_BROKERS);
  const group = values.get('--group') ?? '';
  const topics = list(values.get('--topics'));
  const oneOf = <T extends string>(flag: string, allowed: readonly T[], fallback: T): T => {
    const v = values.get(flag);
    if (v === undefined) return fallback;
    if ((allowed as readonly string[]).includes(v)) return v as T;
    problems.push(`${flag} must be one of ${allowed.join('|')} (got ${v})`);
    return fallback;
  };
  if (brokers.length === 0) problems.push('--brokers is required (or set KAFKA_BROKERS)');
  if (!group) problems.push('--group is required');
  if (topics.length === 0 && !values.has('--whitelist')) problems.push('--topics or --whitelist is required');
  const groupProtocol = oneOf('--group-protocol', ['classic', 'consumer'] as const, 'classic');
  if (groupProtocol === 'consumer' && values.has('--strategy')) problems.push('--strategy applies to --group-protocol classic only (the broker assigns: --remote-assignor)');
  if (groupProtocol === 'classic' && values.has('--remote-assignor')) problems.push('--remote-assignor applies to --group-protocol consumer only');
  const remoteAssignor = values.has('--remote-assignor') ? oneOf('--remote-assignor', ['uniform', 'range'] as const, 'uniform') : undefined;
  const cmd: ConsumeCommand = {
    command: 'consume',
    brokers,
    group,
    topics,
    whitelist: values.get('--whitelist'),
    blacklist: values.get('--blacklist'),
    offset: oneOf('--offset', ['oldest', 'newest'] as const, 'newest'),
    strategy: oneOf('--strategy', ['range', 'roundrobin', 'sticky', 'cooperative-sticky'] as const, 'range'),
    groupProtocol,
    ...(remoteAssignor ? { remoteAssignor } : {}),
    format: oneOf('--format', ['text', 'json'] as const, 'text'),
    verbose,
    tls: tlsOptions(values, tlsFlag, problems),
    sasl: saslOptions(values, problems),
  };
  return problems.length ? left(problems) : right(cmd);
};

export const tlsOptions = (values: ReadonlyMap<string, string>, flag: boolean, problems: string[]): TlsOptions | undefined => {
  const caFile = values.get('--ca');
  const certFile = values.get('--cert');
  const keyFile = values.get('--key');
  if ((certFile === undefined) !== (keyFile === undefined)) problems.push('--cert and --key go together (a client certificate and its private key)');
  if (!flag && caFile === undefined && certFile === undefined && keyFile === undefined) return undefined;
  return { ...(caFile !== undefined ? { caFile } : {}), ...(certFile !== undefined ? { certFile } : {}), ...(keyFile !== undefined ? { keyFile } : {}) };
};

const secretSource = (values: ReadonlyMap<string, string>, envFlag: string, fileFlag: string, fallbackEnv: string, problems: string[]): SecretSource => {
  const env = values.get(envFlag);
  const file = values.get(fileFlag);
  if (env !== undefined && file !== undefined) problems.push(`${envFlag} and ${fileFlag} exclude each other`);
  return file !== undefined ? { file } : { env: env ?? fallbackEnv };
};

export const saslOptions = (values: ReadonlyMap<string, string>, problems: string[]): SaslOptions | undefined => {
  const mechanism = values.get('--sasl-mechanism');
  const username = values.get('--sasl-username');
  const saslFlags = ['--sasl-username', '--sasl-password-env', '--sasl-password-file', '--sasl-token-env', '--sasl-token-file'].filter((f) => values.has(f));
  if (mechanism === undefined) {
    if (saslFlags.length) problems.push(`${saslFlags.join(', ')} need --sasl-mechanism`);
    return undefined;
  }
  if (!(SASL_MECHANISMS as readonly string[]).includes(mechanism)) {
    problems.push(`--sasl-mechanism must be one of ${SASL_MECHANISMS.join('|')} (got ${mechanism})`);
    return undefined;
  }
  if (mechanism === 'oauthbearer') {
    const wrong = saslFlags.filter((f) => !f.startsWith('--sasl-token'));
    if (wrong.length) problems.push(`${wrong.join(', ')} do not apply to oauthbearer (it takes a token: --sasl-token-env or --sasl-token-file)`);
    return { mechanism, token: secretSource(values, '--sasl-token-env', '--sasl-token-file', DEFAULT_TOKEN_ENV, problems) };
  }
  const wrong = saslFlags.filter((f) => f.startsWith('--sasl-token'));
  if (wrong.length) problems.push(`${wrong.join(', ')} apply to oauthbearer only`);
  if (username === undefined) problems.push(`--sasl-mechanism ${mechanism} needs --sasl-username`);
  return {
    mechanism: mechanism as Exclude<CliSaslMechanism, 'oauthbearer'>,
    username: username ?? '',
    password: secretSource(values, '--sasl-password-env', '--sasl-password-file', DEFAULT_PASSWORD_ENV, problems),
  };
};
