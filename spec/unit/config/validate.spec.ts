import * as E from 'fp-ts/Either';
import { CONFIG_DEFAULTS, validateConfig } from '../../../src/config';
import { base, deepFreeze, isDeepFrozen, left, right, setPath, validate, withField } from './helpers';

const paths = (input: unknown): string[] => left(validate(input)).map((i) => i.path);
const messages = (input: unknown): string[] => left(validate(input)).map((i) => i.message);

describe('validateConfig', () => {
  it('fills every left-out field from CONFIG_DEFAULTS', () => {
    const config = right(validateConfig({ brokers: ['localhost:9092'], groupId: 'billing', topics: ['orders'] }));
    expect(config).toEqual({
      ...CONFIG_DEFAULTS,
      brokers: ['localhost:9092'],
      groupId: 'billing',
      topics: ['orders'],
      consumer: { ...CONFIG_DEFAULTS.consumer, offsets: { ...CONFIG_DEFAULTS.consumer.offsets, outOfRange: 'newest' } },
    });
    expect(config).not.toHaveProperty('whitelist');
    expect(config).not.toHaveProperty('sasl');
    expect(config.group).not.toHaveProperty('instanceId');
  });

  it('keeps given values and defaults their siblings', () => {
    const config = right(validate(setPath(withField('group.session.timeout', 45_000), 'consumer.fetch.maxWait', 100)));
    expect(config.group.session.timeout).toBe(45_000);
    expect(config.group.heartbeat.interval).toBe(CONFIG_DEFAULTS.group.heartbeat.interval);
    expect(config.consumer.fetch).toEqual({ ...CONFIG_DEFAULTS.consumer.fetch, maxWait: 100 });
  });

  it('lets consumer.offsets.outOfRange follow consumer.offsets.initial unless given', () => {
    expect(right(validate(withField('consumer.offsets', { initial: 'oldest' }))).consumer.offsets.outOfRange).toBe('oldest');
    const given = withField('consumer.offsets', { initial: 'oldest', outOfRange: 'error' });
    expect(right(validate(given)).consumer.offsets.outOfRange).toBe('error');
  });

  it('compiles a string whitelist and copies a RegExp without its g and y flags', () => {
    expect(right(validate({ ...base, topics: [], whitelist: 'orders\\..*' })).whitelist?.test('orders.eu')).toBe(true);
    const given = /^refunds/gi;
    const copy = right(validate({ ...base, blacklist: given })).blacklist;
    expect(copy).not.toBe(given);
    expect([copy?.source, copy?.flags]).toEqual(['^refunds', 'i']);
    expect([copy?.test('REFUNDS'), copy?.test('REFUNDS')]).toEqual([true, true]);
  });

  it('accepts custom strategies, IPv6 brokers, static membership, user data, TLS and SASL', () => {
    const custom = { name: 'custom', assign: () => new Map() };
    const userData = Buffer.from('rack-a');
    const config = right(
      validate({
        ...base,
        brokers: ['[::1]:9092', 'kafka-1.example.com:9093'],
        group: { partitionStrategy: [custom, 'roundrobin'], instanceId: 'billing-1', userData },
        ssl: { rejectUnauthorized: false },
        sasl: { mechanism: 'scram-sha-512', username: 'u', password: 'p' },
      }),
    );
    expect(config.group.partitionStrategy).toEqual([custom, 'roundrobin']);
    expect(config.group.partitionStrategy[0]).toBe(custom);
    expect(config.group.userData).toEqual(userData);
    expect(config.group.userData).not.toBe(userData);
    expect(config.sasl).toEqual({ mechanism: 'scram-sha-512', username: 'u', password: 'p' });
  });

  it('returns a deeply frozen config that shares no array or object with the input', () => {
    const input = { ...base, group: { partitionStrategy: ['roundrobin'] }, sasl: { mechanism: 'plain', username: 'u', password: 'p' } };
    const config = right(validate(input));
    expect(isDeepFrozen(config)).toBe(true);
    expect(config.topics).not.toBe(input.topics);
    expect(config.group.partitionStrategy).not.toBe(input.group.partitionStrategy);
    expect(config.sasl).not.toBe(input.sasl);
  });

  it('never mutates its input: a deep-frozen input validates, and reads the same afterwards', () => {
    const make = () => ({
      ...base,
      brokers: ['a:1', 'b:2'],
      whitelist: /orders/g,
      group: { session: { timeout: 9_000 }, heartbeat: { interval: 3_000 }, partitionStrategy: ['range', 'roundrobin'] },
      consumer: { offsets: { initial: 'oldest' }, credit: { returnOn: 'mark' } },
      retry: { max: 2 },
      ssl: { servername: 'kafka' },
      sasl: { mechanism: 'plain', username: 'u', password: 'p' },
      unknown: { nested: [1] },
    });
    const input = deepFreeze(make());
    expect(() => validate(input)).not.toThrow();
    expect(() => validate({ ...input, unknown: undefined })).not.toThrow();
    expect(input).toEqual(make());
    const { unknown: _unknown, ...valid } = input;
    expect(right(validate(valid)).group.session.timeout).toBe(9_000);
    expect(CONFIG_DEFAULTS.topics).toEqual([]);
    expect(isDeepFrozen(CONFIG_DEFAULTS)).toBe(true);
  });

  describe('each invalid field gives an issue with its path', () => {
    const cases: [string, unknown, string?][] = [
      ['brokers', []],
      ['brokers', 'localhost:9092'],
      ['brokers', ['localhost'], 'brokers[0]'],
      ['brokers', ['a:9092', 'b:0'], 'brokers[1]'],
      ['brokers', ['a:65536'], 'brokers[0]'],
      ['brokers', ['a b:1'], 'brokers[0]'],
      ['brokers', [9092], 'brokers[0]'],
      ['brokers', undefined],
      ['clientId', ''],
      ['clientId', 5],
      ['groupId', ''],
      ['groupId', 'g'.repeat(250)],
      ['groupId', undefined],
      ['topics', 'orders'],
      ['topics', ['orders', 'bad topic'], 'topics[1]'],
      ['topics', ['..'], 'topics[0]'],
      ['topics', ['t'.repeat(250)], 'topics[0]'],
      ['whitelist', '('],
      ['whitelist', 5],
      ['blacklist', '['],
      ['group', 5],
      ['group.session.timeout', 0],
      ['group.session.timeout', 1.5],
      ['group.session.timeout', Number.NaN],
      ['group.session.timeout', Number.POSITIVE_INFINITY],
      ['group.session.timeout', '30000'],
      ['group.session.timeout', 2 ** 31],
      ['group.heartbeat.interval', 0],
      ['group.rebalance.timeout', 0],
      ['group.rebalance.drainTimeout', -1],
      ['group.partitionStrategy', []],
      ['group.partitionStrategy', 'range'],
      ['group.partitionStrategy', ['uniform'], 'group.partitionStrategy[0]'],
      ['group.partitionStrategy', ['range', { name: 'x' }], 'group.partitionStrategy[1]'],
      ['group.partitionStrategy', [{ name: '', assign: () => 0 }], 'group.partitionStrategy[0]'],
      ['group.partitionStrategy', [{ name: 'x', assign: () => 0, supportedProtocols: ['incremental'] }], 'group.partitionStrategy[0]'],
      ['group.partitionStrategy', [{ name: 'coop-only', assign: () => 0, supportedProtocols: ['cooperative'] }, 'range']],
      ['group.instanceId', ''],
      ['group.instanceId', 'a b'],
      ['group.instanceId', 'i'.repeat(250)],
      ['group.userData', 'rack-a'],
      ['group.offsets.retry.max', -1],
      ['group.topics.refreshInterval', 0],
      ['consumer', null],
      ['consumer.offsets.initial', 'latest'],
      ['consumer.offsets.outOfRange', 'earliest'],
      ['consumer.offsets.commitInterval', 0],
      ['consumer.fetch.min', -1],
      ['consumer.fetch.max', 0],
      ['consumer.fetch.partitionMax', 0],
      ['consumer.fetch.maxWait', -1],
      ['consumer.isolationLevel', 'committed'],
      ['consumer.checkCrcs', 'yes'],
      ['consumer.credit.maxMessages', 0],
      ['consumer.credit.maxBytes', 0],
      ['consumer.credit.globalMaxBytes', 1.5],
      ['consumer.credit.returnOn', 'ack'],
      ['retry', []],
      ['retry.max', -1],
      ['retry.initialBackoff', 0],
      ['retry.maxBackoff', 0],
      ['retry.requestTimeout', 0],
      ['retry.connectionTimeout', 0],
      ['ssl', 'yes'],
      ['ssl', null],
      ['sasl', 'plain'],
      ['sasl', { mechanism: 'gssapi', username: 'u', password: 'p' }, 'sasl.mechanism'],
      ['sasl', { mechanism: 'plain', username: 'u' }, 'sasl.password'],
      ['sasl', { mechanism: 'scram-sha-256', password: 'p' }, 'sasl.username'],
      ['sasl', { mechanism: 'oauthbearer' }, 'sasl.oauthBearerProvider'],
      ['sasl', { mechanism: 'plain', username: 'u', password: 'p', pasword: 'p' }, 'sasl.pasword'],
    ];
    it.each(cases)('%s = %p', (path, value, issuePath = path) => {
      const issues = left(validate(withField(path, value)));
      expect(issues).toHaveLength(1);
      expect(issues[0]?.path).toBe(issuePath);
      expect(issues[0]?.message).toContain(issuePath);
    });
  });

  it('names the problem in the message', () => {
    expect(messages(withField('brokers', undefined))).toEqual(['brokers is required']);
    expect(messages(withField('group.session.timeout', 1.5))).toEqual(['group.session.timeout must be an integer (got 1.5)']);
    expect(messages(withField('consumer.fetch.min', -1))).toEqual(['consumer.fetch.min must be at least 0 (got -1)']);
    expect(messages(withField('consumer.offsets.initial', 'latest'))).toEqual([
      "consumer.offsets.initial must be one of 'newest', 'oldest' (got 'latest')",
    ]);
    expect(messages(withField('brokers', ['localhost']))).toEqual(["brokers[0] must be 'host:port' with a port in 1..65535 (got 'localhost')"]);
    expect(messages(withField('whitelist', '('))[0]).toMatch(/^whitelist is not a valid regular expression: /);
  });

  it('reports unknown fields at any depth, suggesting a near name', () => {
    expect(messages(withField('foo', 1))).toEqual(['unknown field foo']);
    expect(messages(withField('groupID', 'x'))).toEqual(['unknown field groupID (did you mean groupId?)']);
    expect(left(validate(withField('group.sesion.timeout', 1)))).toEqual([
      { path: 'group.sesion', message: 'unknown field group.sesion (did you mean group.session?)' },
    ]);
    expect(paths(withField('consumer.fetch.maxBytes', 1))).toEqual(['consumer.fetch.maxBytes']);
  });

  it('reports every issue at once', () => {
    const input = {
      brokers: ['nope'],
      groupId: '',
      topics: ['ok', 'not ok'],
      group: { session: { timeout: -5 }, partitionStrategy: ['uniform'] },
      consumer: { fetch: { max: 'big' }, credit: { returnOn: 'never' } },
      retry: { max: 1.5 },
      ssl: 1,
      typo: true,
    };
    expect(paths(input)).toEqual([
      'typo',
      'brokers[0]',
      'groupId',
      'topics[1]',
      'group.session.timeout',
      'group.partitionStrategy[0]',
      'consumer.fetch.max',
      'consumer.credit.returnOn',
      'retry.max',
      'ssl',
    ]);
  });

  describe('cross-field rules', () => {
    it('group.heartbeat.interval is at most a third of group.session.timeout', () => {
      const msg = 'group.heartbeat.interval must be at most a third of group.session.timeout';
      expect(left(validate(withField('group.heartbeat.interval', 10_001)))).toEqual([{ path: 'group.heartbeat.interval', message: msg }]);
      expect(E.isRight(validate(withField('group.heartbeat.interval', 10_000)))).toBe(true);
      expect(messages(withField('group', { session: { timeout: 9_000 }, heartbeat: { interval: 3_001 } }))).toEqual([msg]);
      expect(E.isRight(validate(withField('group', { session: { timeout: 9_000 }, heartbeat: { interval: 3_000 } })))).toBe(true);
    });

    it('group.rebalance.drainTimeout is less than group.rebalance.timeout', () => {
      expect(messages(withField('group.rebalance', { timeout: 5_000 }))).toEqual([
        'group.rebalance.drainTimeout must be less than group.rebalance.timeout (got 10000 >= 5000)',
      ]);
      expect(E.isRight(validate(withField('group.rebalance', { timeout: 5_000, drainTimeout: 0 })))).toBe(true);
    });

    it('consumer.fetch.partitionMax is at most consumer.fetch.max', () => {
      expect(left(validate(withField('consumer.fetch', { max: 1000, partitionMax: 2000 })))).toEqual([
        { path: 'consumer.fetch.partitionMax', message: 'consumer.fetch.partitionMax must be at most consumer.fetch.max (got 2000 > 1000)' },
      ]);
      expect(E.isRight(validate(withField('consumer.fetch', { max: 1000, partitionMax: 1000 })))).toBe(true);
    });

    it('consumer.credit.globalMaxBytes is at least consumer.credit.maxBytes', () => {
      expect(messages(withField('consumer.credit', { maxBytes: 20, globalMaxBytes: 10 }))).toEqual([
        'consumer.credit.globalMaxBytes must be at least consumer.credit.maxBytes (got 10 < 20)',
      ]);
    });

    it('retry.maxBackoff is at least retry.initialBackoff', () => {
      expect(messages(withField('retry', { initialBackoff: 100, maxBackoff: 50 }))).toEqual([
        'retry.maxBackoff must be at least retry.initialBackoff (got 50 < 100)',
      ]);
    });

    it('consumer.fetch.maxWait is less than retry.requestTimeout', () => {
      expect(messages(withField('retry.requestTimeout', 500))).toEqual([
        'consumer.fetch.maxWait must be less than retry.requestTimeout (got 500 >= 500)',
      ]);
    });

    it('topics or a whitelist', () => {
      expect(left(validate({ ...base, topics: [] }))).toEqual([{ path: 'topics', message: 'topics must not be empty when no whitelist is given' }]);
      expect(paths({ brokers: base.brokers, groupId: 'g' })).toEqual(['topics']);
      expect(E.isRight(validate({ brokers: base.brokers, groupId: 'g', whitelist: /orders/ }))).toBe(true);
    });

    it('strategy names are unique', () => {
      const range = { name: 'range', assign: () => new Map() };
      expect(left(validate(withField('group.partitionStrategy', ['range', 'roundrobin', range])))).toEqual([
        {
          path: 'group.partitionStrategy[2]',
          message: "group.partitionStrategy[2] repeats the strategy name 'range' of group.partitionStrategy[0]",
        },
      ]);
    });

    it('runs only on valid fields, so an invalid field never adds a spurious rule issue', () => {
      expect(paths(withField('group', { session: { timeout: 'long' }, heartbeat: { interval: 20_000 } }))).toEqual(['group.session.timeout']);
      expect(paths(withField('consumer.fetch', { max: -1, partitionMax: 5 }))).toEqual(['consumer.fetch.max']);
      expect(paths({ ...base, topics: [], whitelist: '(' })).toEqual(['whitelist']);
    });

    it('are reported alongside field issues', () => {
      const input = setPath(withField('group.heartbeat.interval', 20_000), 'retry.max', -1);
      expect(paths(input)).toEqual(['group.heartbeat.interval', 'retry.max']);
    });
  });

  it('rejects a non-object input', () => {
    expect(left(validate(null))).toEqual([{ path: '', message: 'config must be an object (got null)' }]);
    expect(paths([])).toEqual(['']);
  });
});
