import { parseCli } from '../../../src/cli/parse-cli';
import { usageOf, TOOL_USAGE, DESCRIBE_USAGE, LAG_USAGE, RESET_USAGE } from '../../../src/cli/usage';
import { USAGE } from '../../../src/cli/parse-args';

const env = { KAFKA_BROKERS: 'k:9092' };

describe('the CLI command line (all commands)', () => {
  it.each([[['--help']], [['-h']], [['help']]])('%j asks for the tool usage', (argv) => {
    expect(parseCli(argv, env)).toEqual({ _tag: 'Right', right: { command: 'help' } });
  });

  it.each(['consume', 'describe', 'lag', 'reset-offsets'] as const)('%s --help (or -h, even among bad options) asks for that command usage', (c) => {
    expect(parseCli([c, '--help'], env)).toEqual({ _tag: 'Right', right: { command: 'help', of: c } });
    expect(parseCli([c, '--bogus', '-h'], {})).toEqual({ _tag: 'Right', right: { command: 'help', of: c } });
    expect(parseCli(['help', c], {})).toEqual({ _tag: 'Right', right: { command: 'help', of: c } });
  });

  it('each command has its own usage text', () => {
    expect([usageOf(), usageOf('consume'), usageOf('describe'), usageOf('lag'), usageOf('reset-offsets')]).toEqual([TOOL_USAGE, USAGE, DESCRIBE_USAGE, LAG_USAGE, RESET_USAGE]);
    expect(RESET_USAGE).toContain('usage: rx-kafka-cluster reset-offsets');
  });

  it('refuses an unknown or missing command (tool usage)', () => {
    expect(parseCli(['produce'], env)).toEqual({ _tag: 'Left', left: { problems: ['unknown command produce'] } });
    expect(parseCli([], env)).toEqual({ _tag: 'Left', left: { problems: ['missing command'] } });
  });

  it('consume parses as before', () => {
    const r = parseCli(['consume', '--group', 'G', '--topics', 't'], env);
    expect(r._tag === 'Right' && r.right.command === 'consume' && r.right.topics).toEqual(['t']);
  });

  it('describe: brokers from $KAFKA_BROKERS, --group required, --json', () => {
    expect(parseCli(['describe', '--group', 'G', '--json'], env)).toEqual({ _tag: 'Right', right: { command: 'describe', brokers: ['k:9092'], group: 'G', json: true } });
    expect(parseCli(['describe'], {})).toEqual({ _tag: 'Left', left: { command: 'describe', problems: ['--brokers is required (or set KAFKA_BROKERS)', '--group is required'] } });
  });

  it('lag: --watch with --interval (default 2000), which needs --watch', () => {
    expect(parseCli(['lag', '--group', 'G'], env)).toEqual({ _tag: 'Right', right: { command: 'lag', brokers: ['k:9092'], group: 'G', json: false, watch: false, intervalMs: 2000 } });
    const w = parseCli(['lag', '--group', 'G', '--watch', '--interval=500'], env);
    expect(w._tag === 'Right' && w.right.command === 'lag' && [w.right.watch, w.right.intervalMs]).toEqual([true, 500]);
    expect(parseCli(['lag', '--group', 'G', '--interval', '500'], env)).toEqual({ _tag: 'Left', left: { command: 'lag', problems: ['--interval applies to --watch only'] } });
    expect(parseCli(['lag', '--group', 'G', '--watch', '--interval', 'soon'], env)).toEqual({ _tag: 'Left', left: { command: 'lag', problems: ['--interval must be a whole number of milliseconds, at least 100 (got soon)'] } });
  });

  it('reset-offsets: exactly one mode, --topic, a dry run unless --execute', () => {
    const base = ['reset-offsets', '--group', 'G', '--topic', 'T'];
    const mode = (...args: string[]) => {
      const r = parseCli([...base, ...args], env);
      return r._tag === 'Left' ? r.left : r.right.command === 'reset-offsets' ? [r.right.mode, r.right.execute] : r.right;
    };
    expect(mode('--to-earliest')).toEqual([{ kind: 'to-earliest' }, false]);
    expect(mode('--to-latest', '--execute')).toEqual([{ kind: 'to-latest' }, true]);
    expect(mode('--shift-by', '-5', '--dry-run')).toEqual([{ kind: 'shift-by', by: -5n }, false]);
    expect(mode('--to-offset', '12')).toEqual([{ kind: 'to-offset', offset: 12n }, false]);
    expect(mode('--to-datetime', '2026-01-01T00:00:00.000Z')).toEqual([{ kind: 'to-datetime', timestamp: BigInt(Date.UTC(2026, 0, 1)) }, false]);
    expect(mode()).toEqual({ command: 'reset-offsets', problems: ['exactly one of --to-earliest | --to-latest | --to-datetime | --shift-by | --to-offset is required'] });
    expect(mode('--to-earliest', '--to-offset', '3')).toEqual({ command: 'reset-offsets', problems: ['exactly one of --to-earliest | --to-latest | --to-datetime | --shift-by | --to-offset is required (got --to-earliest, --to-offset)'] });
    expect(mode('--shift-by', 'x')).toEqual({ command: 'reset-offsets', problems: ['--shift-by needs an integer (got x)'] });
    expect(mode('--to-offset', '-1')).toEqual({ command: 'reset-offsets', problems: ['--to-offset must not be negative (got -1)'] });
    expect(mode('--to-datetime', 'tomorrow')).toEqual({ command: 'reset-offsets', problems: ['--to-datetime must be YYYY-MM-DDTHH:mm:ss[.SSS] with an optional Z or ±HH:mm zone (got tomorrow)'] });
    expect(mode('--to-latest', '--execute', '--dry-run')).toEqual({ command: 'reset-offsets', problems: ['--execute and --dry-run exclude each other'] });
    expect(parseCli(['reset-offsets', '--group', 'G', '--to-latest'], env)).toEqual({ _tag: 'Left', left: { command: 'reset-offsets', problems: ['--topic is required'] } });
  });

  it('admin commands take the TLS/SASL options and refuse secrets on argv without echoing them', () => {
    const r = parseCli(['lag', '--group', 'G', '--ca', 'ca.pem', '--sasl-mechanism', 'scram-sha-256', '--sasl-username', 'u'], env);
    expect(r._tag === 'Right' && r.right.command === 'lag' && [r.right.tls, r.right.sasl]).toEqual([{ caFile: 'ca.pem' }, { mechanism: 'scram-sha-256', username: 'u', password: { env: 'KAFKA_SASL_PASSWORD' } }]);
    const bad = parseCli(['describe', '--group', 'G', '--sasl-password', 'hunter2'], env);
    expect(bad._tag).toBe('Left');
    expect(JSON.stringify(bad)).not.toContain('hunter2');
    const inline = parseCli(['reset-offsets', '--group', 'G', '--topic', 'T', '--to-latest', '--bogus=hunter2'], env);
    expect(JSON.stringify(inline)).not.toContain('hunter2');
  });
});
