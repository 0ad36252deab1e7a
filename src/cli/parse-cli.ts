import { Either, isLeft, left, right } from 'fp-ts/Either';
import type { ResetMode } from '../admin/reset-plan';
import { parseDateTime } from '../admin/reset-plan';
import { brokersFrom, CONNECTION_FLAGS, parseArgs, saslOptions, scanFlags, tlsOptions, type ConsumeCommand, type SaslOptions, type TlsOptions } from './parse-args';
import { COMMANDS, type CommandName } from './usage';

/** Options every admin command takes. */
export interface AdminOptions {
  readonly brokers: readonly string[];
  readonly group: string;
  /** Machine-readable output on stdout. */
  readonly json: boolean;
  readonly tls?: TlsOptions;
  readonly sasl?: SaslOptions;
}

export interface DescribeCommand extends AdminOptions {
  readonly command: 'describe';
}

export interface LagCommand extends AdminOptions {
  readonly command: 'lag';
  readonly watch: boolean;
  readonly intervalMs: number;
}

export interface ResetOffsetsCommand extends AdminOptions {
  readonly command: 'reset-offsets';
  readonly topic: string;
  readonly mode: ResetMode;
  readonly execute: boolean;
}

/** `--help`/`-h` (or `help [command]`): print that command's usage (the tool's when none) to stdout, exit 0. */
export interface HelpCommand {
  readonly command: 'help';
  readonly of?: CommandName;
}

export type CliCommand = ConsumeCommand | DescribeCommand | LagCommand | ResetOffsetsCommand | HelpCommand;

/** A refused command line: its problems, and the command whose usage to show (the tool's when unknown). */
export interface CliProblems {
  readonly command?: CommandName;
  readonly problems: readonly string[];
}

const isCommand = (s: string | undefined): s is CommandName => (COMMANDS as readonly string[]).includes(s ?? '');
const HELP = new Set(['--help', '-h']);
const RESET_MODES = ['--to-earliest', '--to-latest', '--to-datetime', '--shift-by', '--to-offset'] as const;
const INTEGER = /^-?\d+$/;

const adminOptions = (rest: readonly string[], extraValues: readonly string[], extraSwitches: readonly string[], env: Readonly<Record<string, string | undefined>>) => {
  const scanned = scanFlags(rest, new Set([...CONNECTION_FLAGS, '--group', ...extraValues]), new Set(['--tls', '--json', ...extraSwitches]));
  const { values, switches, problems } = scanned;
  const brokers = brokersFrom(values, env);
  const group = values.get('--group') ?? '';
  if (brokers.length === 0) problems.push('--brokers is required (or set KAFKA_BROKERS)');
  if (!group) problems.push('--group is required');
  const options: AdminOptions = {
    brokers,
    group,
    json: switches.has('--json'),
    ...optional('tls', tlsOptions(values, switches.has('--tls'), problems)),
    ...optional('sasl', saslOptions(values, problems)),
  };
  return { options, values, switches, problems };
};

const optional = <K extends string, V>(k: K, v: V | undefined): { [P in K]?: V } => (v === undefined ? {} : ({ [k]: v } as { [P in K]?: V }));

const resetMode = (values: ReadonlyMap<string, string>, switches: ReadonlySet<string>, problems: string[]): ResetMode => {
  const given = RESET_MODES.filter((m) => values.has(m) || switches.has(m));
  if (given.length !== 1) {
    problems.push(`exactly one of ${RESET_MODES.join(' | ')} is required${given.length ? ` (got ${given.join(', ')})` : ''}`);
    return { kind: 'to-earliest' };
  }
  const m = given[0];
  const v = values.get(m ?? '') ?? '';
  switch (m) {
    case '--to-latest':
      return { kind: 'to-latest' };
    case '--to-datetime': {
      const timestamp = parseDateTime(v);
      if (timestamp === undefined) problems.push(`--to-datetime must be YYYY-MM-DDTHH:mm:ss[.SSS] with an optional Z or ±HH:mm zone (got ${v})`);
      return { kind: 'to-datetime', timestamp: timestamp ?? 0n };
    }
    case '--shift-by':
    case '--to-offset':
      if (!INTEGER.test(v)) {
        problems.push(`${m} needs an integer (got ${v})`);
        return { kind: 'to-earliest' };
      }
      if (m === '--to-offset' && BigInt(v) < 0n) problems.push(`--to-offset must not be negative (got ${v})`);
      return m === '--shift-by' ? { kind: 'shift-by', by: BigInt(v) } : { kind: 'to-offset', offset: BigInt(v) };
    default:
      return { kind: 'to-earliest' };
  }
};

/** Parses the whole command line: which command, then its options; every problem at once. Pure. */
export const parseCli = (argv: readonly string[], env: Readonly<Record<string, string | undefined>>): Either<CliProblems, CliCommand> => {
  const [first, ...rest] = argv;
  if (first === undefined || HELP.has(first)) return first === undefined ? left({ problems: ['missing command'] }) : right({ command: 'help' });
  if (first === 'help') {
    const of = rest[0];
    return of === undefined ? right({ command: 'help' }) : isCommand(of) ? right({ command: 'help', of }) : left({ problems: [`unknown command ${of}`] });
  }
  if (!isCommand(first)) return left({ problems: [`unknown command ${first}`] });
  if (rest.some((a) => HELP.has(a))) return right({ command: 'help', of: first });
  const fail = (problems: readonly string[]) => left({ command: first, problems });
  switch (first) {
    case 'consume': {
      const r = parseArgs(argv, env);
      return isLeft(r) ? fail(r.left) : right(r.right);
    }
    case 'describe': {
      const { options, problems } = adminOptions(rest, [], [], env);
      return problems.length ? fail(problems) : right({ command: 'describe', ...options });
    }
    case 'lag': {
      const { options, values, switches, problems } = adminOptions(rest, ['--interval'], ['--watch'], env);
      const interval = values.get('--interval');
      const intervalMs = interval === undefined ? 2000 : Number(interval);
      if (!Number.isInteger(intervalMs) || intervalMs < 100) problems.push(`--interval must be a whole number of milliseconds, at least 100 (got ${interval})`);
      if (interval !== undefined && !switches.has('--watch')) problems.push('--interval applies to --watch only');
      return problems.length ? fail(problems) : right({ command: 'lag', ...options, watch: switches.has('--watch'), intervalMs });
    }
    case 'reset-offsets': {
      const { options, values, switches, problems } = adminOptions(rest, ['--topic', '--to-datetime', '--shift-by', '--to-offset'], ['--to-earliest', '--to-latest', '--execute', '--dry-run'], env);
      const topic = values.get('--topic') ?? '';
      if (!topic) problems.push('--topic is required');
      if (switches.has('--execute') && switches.has('--dry-run')) problems.push('--execute and --dry-run exclude each other');
      const mode = resetMode(values, switches, problems);
      return problems.length ? fail(problems) : right({ command: 'reset-offsets', ...options, topic, mode, execute: switches.has('--execute') });
    }
  }
};
