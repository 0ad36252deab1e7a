import { parseArgs } from '../../../src/cli/parse-args';
import { formatMessage } from '../../../src/cli/format-message';

describe('CLI arguments', () => {
  it('parses a full consume command', () => {
    const r = parseArgs(['consume', '--brokers', 'a:1,b:2', '--group', 'G', '--topics', 't1,t2', '--offset', 'oldest', '--strategy=roundrobin', '--format', 'json', '--verbose'], {});
    expect(r).toEqual({ _tag: 'Right', right: { command: 'consume', brokers: ['a:1', 'b:2'], group: 'G', topics: ['t1', 't2'], whitelist: undefined, blacklist: undefined, offset: 'oldest', strategy: 'roundrobin', groupProtocol: 'classic', format: 'json', verbose: true } });
  });

  it('takes the brokers from KAFKA_BROKERS by default', () => {
    const r = parseArgs(['consume', '--group', 'G', '--topics', 't'], { KAFKA_BROKERS: 'k:9092' });
    expect(r._tag === 'Right' && r.right.brokers).toEqual(['k:9092']);
  });

  it('reports every problem at once', () => {
    const r = parseArgs(['consume', '--offset', 'middle', '--bogus'], {});
    expect(r._tag).toBe('Left');
    expect(r._tag === 'Left' && [...r.left]).toEqual(['unknown option --bogus', '--brokers is required (or set KAFKA_BROKERS)', '--group is required', '--topics or --whitelist is required', '--offset must be one of oldest|newest (got middle)']);
  });

  it.each(['sticky', 'cooperative-sticky'])('accepts --strategy %s and rejects an unknown strategy by name', (name) => {
    const ok = parseArgs(['consume', '--brokers', 'a:1', '--group', 'G', '--topics', 't', '--strategy', name], {});
    expect(ok._tag === 'Right' && ok.right.strategy).toBe(name);
    expect(parseArgs(['consume', '--brokers', 'a:1', '--group', 'G', '--topics', 't', '--strategy', 'uniform'], {})).toEqual({ _tag: 'Left', left: ['--strategy must be one of range|roundrobin|sticky|cooperative-sticky (got uniform)'] });
  });

  it('rejects an unknown command', () => {
    expect(parseArgs(['produce'], {})).toEqual({ _tag: 'Left', left: ['unknown command produce'] });
  });

  it('formats a message as topic/partition/offset<TAB>key<TAB>value, or JSON with an exact offset', () => {
    const m = { topic: 't', partition: 2, offset: 2n ** 60n, timestamp: 5, timestampType: 'create' as const, key: Buffer.from('k'), value: Buffer.from('v'), headers: [] };
    expect(formatMessage(m, 'text')).toBe(`t/2/${2n ** 60n}\tk\tv`);
    expect(JSON.parse(formatMessage(m, 'json'))).toEqual({ topic: 't', partition: 2, offset: (2n ** 60n).toString(), timestamp: 5, key: 'k', value: 'v' });
  });

  it('takes --group-protocol consumer with --remote-assignor; refuses --strategy with it and --remote-assignor without it', () => {
    const ok = parseArgs(['consume', '--brokers', 'a:1', '--group', 'G', '--topics', 't', '--group-protocol', 'consumer', '--remote-assignor', 'range'], {});
    expect(ok._tag === 'Right' && [ok.right.groupProtocol, ok.right.remoteAssignor]).toEqual(['consumer', 'range']);
    const both = parseArgs(['consume', '--brokers', 'a:1', '--group', 'G', '--topics', 't', '--group-protocol', 'consumer', '--strategy', 'range'], {});
    expect(both._tag === 'Left' && both.left).toEqual(['--strategy applies to --group-protocol classic only (the broker assigns: --remote-assignor)']);
    const stray = parseArgs(['consume', '--brokers', 'a:1', '--group', 'G', '--topics', 't', '--remote-assignor', 'uniform'], {});
    expect(stray._tag === 'Left' && stray.left).toEqual(['--remote-assignor applies to --group-protocol consumer only']);
    const bad = parseArgs(['consume', '--brokers', 'a:1', '--group', 'G', '--topics', 't', '--group-protocol', 'kip848'], {});
    expect(bad._tag === 'Left' && bad.left).toEqual(['--group-protocol must be one of classic|consumer (got kip848)']);
  });
});
