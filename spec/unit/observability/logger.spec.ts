/**
 * The logger option with real pino (writing to memory), and the default: only errors nobody subscribes to, on
 * stderr. A group on the in-memory cluster in virtual time.
 */
import pino from 'pino';
import { markOffsets, validateConfig } from '../../../src';
import { InMemoryCluster } from '../../../src/testing';
import { inMemoryGroup, virtualTime } from '../../support/in-memory-group';

const SECRET = 's3cret-password-123';

/** Runs a member for 6 s: one heartbeat answered NOT_COORDINATOR at 2.5 s, a mark of a partition it does not own at 3.5 s. */
const run = (config: Parameters<typeof inMemoryGroup>[2], watchErrors = false) => {
  const ts = virtualTime();
  const cluster = new InMemoryCluster({ topics: { t: 1 } });
  ts.run(({ flush }) => {
    const { group } = inMemoryGroup(cluster, ts, config);
    for (let t = 0; t < 5_000; t += 100) ts.schedule(() => cluster.produce('t', 0, [{ value: 'x' }]), t);
    const subs = [group.messages$.pipe(markOffsets(group)).subscribe(), ...(watchErrors ? [group.errors$.subscribe()] : [])];
    ts.schedule(() => cluster.failNext('heartbeat', 1, 'NOT_COORDINATOR'), 2_500);
    ts.schedule(() => group.markPartitionOffset('t', 7, 1n), 3_500);
    ts.schedule(() => subs.forEach((s) => s.unsubscribe()), 6_000);
    flush();
  });
};

describe('logger', () => {
  it('a pino logger gets a child with component, group and client id; rebalances at info, errors at warn with their code; no secret', () => {
    const lines: string[] = [];
    const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(line) });
    run({ groupId: 'g', clientId: 'app-7', topics: ['t'], logger, sasl: { mechanism: 'plain', username: 'svc', password: SECRET } });
    const records = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records.length).toBeGreaterThan(0);
    expect(records.every((r) => r['component'] === 'rx-kafka-cluster' && r['group'] === 'g' && r['clientId'] === 'app-7')).toBe(true);
    const at = (msg: string) => records.filter((r) => r['msg'] === msg);
    expect(at('rebalance started')[0]).toMatchObject({ level: 30, rebalanceProtocol: 'eager' });
    expect(at('generation received')[0]).toMatchObject({ level: 30, generation: 1, current: { t: [0] } });
    const warnings = records.filter((r) => r['level'] === 40);
    expect(warnings.map((r) => r['code'] ?? r['tag'])).toEqual(expect.arrayContaining(['NOT_COORDINATOR', 'MarkFenced']));
    expect(warnings.find((r) => r['tag'] === 'MarkFenced')).toMatchObject({ topic: 't', partition: 7, offset: '1' });
    expect(warnings.find((r) => r['code'] === 'NOT_COORDINATOR')).toMatchObject({ tag: 'KafkaProtocolError', retriable: true, group: 'g' });
    expect(lines.join('\n')).not.toContain(SECRET);
    expect(lines.join('\n')).not.toContain('svc');
  });

  it('without a logger: an error nobody subscribes to goes to stderr, one line; with an errors$ subscriber, nothing; rebalances never', () => {
    const written: string[] = [];
    const spy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => (written.push(String(chunk)), true));
    try {
      run({ groupId: 'g', topics: ['t'] });
      const unobserved = [...written];
      written.length = 0;
      run({ groupId: 'g', topics: ['t'] }, true);
      expect(written).toEqual([]);
      expect(unobserved.length).toBeGreaterThan(0);
      expect(unobserved.every((l) => l.startsWith('rx-kafka-cluster warn: ') && l.endsWith('\n'))).toBe(true);
      expect(unobserved.join('')).toContain('Mark dropped: the partition is not owned by this member');
      expect(unobserved.join('')).not.toContain('rebalance started');
    } finally {
      spy.mockRestore();
    }
  });

  it('a logger missing pino methods is refused at config time, naming what is missing', () => {
    const r = validateConfig({ brokers: ['b:9092'], groupId: 'g', topics: ['t'], logger: { info: () => undefined } as never });
    expect(r._tag === 'Left' && r.left.map((i) => [i.path, i.message])).toEqual([['logger', 'logger must be a pino-compatible logger (missing error, warn, debug, child)']]);
  });
});
