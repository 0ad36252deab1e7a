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
  readonly strategy: 'range' | 'roundrobin';
  readonly format: 'text' | 'json';
  readonly verbose: boolean;
}

export const USAGE = `usage: rx-kafka-cluster consume --brokers host:port[,host:port] --group G --topics t1[,t2]
         [--whitelist RE] [--blacklist RE] [--offset oldest|newest] [--strategy range|roundrobin]
         [--format text|json] [--verbose]
  --brokers defaults to $KAFKA_BROKERS. Messages go to stdout as topic/partition/offset<TAB>key<TAB>value (or JSON
  lines); notifications and errors to stderr. SIGINT/SIGTERM commit and leave the group.
  Exit codes: 0 clean stop, 64 usage error, 69 broker unavailable, 1 other errors.`;

const FLAGS = new Set(['--brokers', '--group', '--topics', '--whitelist', '--blacklist', '--offset', '--strategy', '--format']);
const list = (s: string | undefined) => (s ?? '').split(',').map((x) => x.trim()).filter(Boolean);

/** Parses argv (without node and the script); every problem is reported at once. Pure. */
export const parseArgs = (argv: readonly string[], env: Readonly<Record<string, string | undefined>>): Either<readonly string[], ConsumeCommand> => {
  const [command, ...rest] = argv;
  const problems: string[] = [];
  if (command !== 'consume') return left([command ? `unknown command ${command}` : 'missing command']);
  const values = new Map<string, string>();
  let verbose = false;
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i] ?? '';
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    if (flag === '--verbose') verbose = true;
    else if (FLAGS.has(flag)) {
      const value = inline ?? rest[++i];
      if (value === undefined || value.startsWith('--')) problems.push(`${flag} needs a value`);
      else values.set(flag, value);
    } else problems.push(`unknown option ${arg}`);
  }
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
  const cmd: ConsumeCommand = {
    command: 'consume',
    brokers,
    group,
    topics,
    whitelist: values.get('--whitelist'),
    blacklist: values.get('--blacklist'),
    offset: oneOf('--offset', ['oldest', 'newest'] as const, 'newest'),
    strategy: oneOf('--strategy', ['range', 'roundrobin'] as const, 'range'),
    format: oneOf('--format', ['text', 'json'] as const, 'text'),
    verbose,
  };
  return problems.length ? left(problems) : right(cmd);
};
