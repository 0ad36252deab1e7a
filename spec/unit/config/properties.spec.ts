import * as E from 'fp-ts/Either';
import fc from 'fast-check';
import { CONFIG_DEFAULTS, ConsumerGroupConfig } from '../../../src/config';
import { deepFreeze, isDeepFrozen, left, merge, right, setPath, validate, withField } from './helpers';

const INT32_MAX = 2 ** 31 - 1;
const int = (min: number, max = INT32_MAX) => fc.integer({ min, max });
/** Fields that a rule ties together: given together or not at all, so a default never breaks the rule. */
const pair = <A, B>(a: fc.Arbitrary<A>, b: (a: A) => fc.Arbitrary<B>) => a.chain((x) => b(x).map((y) => [x, y] as const));
const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });

const topic = fc.stringMatching(/^[a-zA-Z0-9._-]{1,249}$/).filter((s) => s !== '.' && s !== '..');
const broker = fc
  .tuple(fc.constantFrom('localhost', 'kafka-1.example.com', '10.0.0.7', '[::1]'), int(1, 65535))
  .map(([h, p]) => `${h}:${p}`);
const regex = fc.constantFrom<RegExp | string>(/orders.*/, /^t-\d+$/gi, 'billing\\..*', '');
const custom = { name: 'custom', assign: () => new Map() };
const strategies = fc.uniqueArray(fc.constantFrom<'range' | 'roundrobin' | typeof custom>('range', 'roundrobin', custom), {
  minLength: 1,
  selector: (s) => (typeof s === 'string' ? s : s.name),
});
const sasl = fc.oneof(
  fc.record({ mechanism: fc.constantFrom('plain' as const, 'scram-sha-256' as const), username: fc.string({ minLength: 1 }), password: fc.string({ minLength: 1 }) }),
  fc.constant({ mechanism: 'oauthbearer' as const, oauthBearerProvider: async () => ({ value: 'token' }) }),
);

/** Any valid input: each field (or rule-bound group of fields) present or not. */
const validInput = fc
  .record(
    {
      brokers: fc.array(broker, { minLength: 1, maxLength: 3 }),
      groupId: fc.string({ minLength: 1, maxLength: 249 }),
      topics: fc.array(topic, { minLength: 1, maxLength: 3 }),
      whitelist: optional(regex),
      blacklist: optional(regex),
      clientId: optional(fc.string({ minLength: 1 })),
      sessionHeartbeat: optional(pair(int(3), (s) => int(1, Math.floor(s / 3)))),
      rebalanceDrain: optional(pair(int(1), (t) => int(0, t - 1))),
      partitionStrategy: optional(strategies),
      instanceId: optional(topic),
      userData: optional(fc.uint8Array({ maxLength: 16 }).map((a) => Buffer.from(a))),
      commitRetries: optional(int(0)),
      refreshInterval: optional(int(1)),
      initial: optional(fc.constantFrom('newest' as const, 'oldest' as const)),
      outOfRange: optional(fc.constantFrom('newest' as const, 'oldest' as const, 'error' as const)),
      commitInterval: optional(int(1)),
      fetchMin: optional(int(0)),
      fetchMaxes: optional(pair(int(1), (max) => int(1, max))),
      maxWaitTimeout: optional(pair(int(0, INT32_MAX - 1), (w) => int(w + 1))),
      isolationLevel: optional(fc.constantFrom('read_uncommitted' as const, 'read_committed' as const)),
      checkCrcs: optional(fc.boolean()),
      maxMessages: optional(int(1, Number.MAX_SAFE_INTEGER)),
      creditBytes: optional(pair(int(1, 2 ** 40), (b) => int(b, Number.MAX_SAFE_INTEGER))),
      returnOn: optional(fc.constantFrom('mark' as const, 'emit' as const, 'auto' as const)),
      retryMax: optional(int(0)),
      backoffs: optional(pair(int(1), (i) => int(i))),
      connectionTimeout: optional(int(1)),
      ssl: optional(fc.oneof(fc.boolean(), fc.constant({ servername: 'kafka', rejectUnauthorized: true }))),
      sasl: optional(sasl),
    },
    { requiredKeys: ['brokers', 'groupId'] },
  )
  .map((g) => {
    // Build the nested input; `undefined` leaves mean "left out".
    const fields: [string, unknown][] = [
      ['brokers', g.brokers],
      ['groupId', g.groupId],
      ['topics', g.whitelist === undefined ? (g.topics ?? ['orders']) : g.topics],
      ['whitelist', g.whitelist],
      ['blacklist', g.blacklist],
      ['clientId', g.clientId],
      ['group.session.timeout', g.sessionHeartbeat?.[0]],
      ['group.heartbeat.interval', g.sessionHeartbeat?.[1]],
      ['group.rebalance.timeout', g.rebalanceDrain?.[0]],
      ['group.rebalance.drainTimeout', g.rebalanceDrain?.[1]],
      ['group.partitionStrategy', g.partitionStrategy],
      ['group.instanceId', g.instanceId],
      ['group.userData', g.userData],
      ['group.offsets.retry.max', g.commitRetries],
      ['group.topics.refreshInterval', g.refreshInterval],
      ['consumer.offsets.initial', g.initial],
      ['consumer.offsets.outOfRange', g.outOfRange],
      ['consumer.offsets.commitInterval', g.commitInterval],
      ['consumer.fetch.min', g.fetchMin],
      ['consumer.fetch.max', g.fetchMaxes?.[0]],
      ['consumer.fetch.partitionMax', g.fetchMaxes?.[1]],
      ['consumer.fetch.maxWait', g.maxWaitTimeout?.[0]],
      ['retry.requestTimeout', g.maxWaitTimeout?.[1]],
      ['consumer.isolationLevel', g.isolationLevel],
      ['consumer.checkCrcs', g.checkCrcs],
      ['consumer.credit.maxMessages', g.maxMessages],
      ['consumer.credit.maxBytes', g.creditBytes?.[0]],
      ['consumer.credit.globalMaxBytes', g.creditBytes?.[1]],
      ['consumer.credit.returnOn', g.returnOn],
      ['retry.max', g.retryMax],
      ['retry.initialBackoff', g.backoffs?.[0]],
      ['retry.maxBackoff', g.backoffs?.[1]],
      ['retry.connectionTimeout', g.connectionTimeout],
      ['ssl', g.ssl],
      ['sasl', g.sasl],
    ];
    return fields.reduce<Record<string, unknown>>((o, [path, v]) => (v === undefined ? o : setPath(o, path, v)), {});
  });

/** RegExps as comparable values (the config drops g and y). */
const normalize = (v: unknown): unknown =>
  v instanceof RegExp
    ? { source: v.source, flags: v.flags.replace(/[gy]/g, '') }
    : typeof v === 'string'
      ? v
      : Array.isArray(v)
        ? v.map(normalize)
        : typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype
          ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, normalize(x)]))
          : v;

/** What the config must be: the input over the defaults, outOfRange following initial, patterns compiled. */
const expected = (input: Record<string, unknown>): unknown => {
  const m = merge(CONFIG_DEFAULTS, input) as ConsumerGroupConfig & { consumer: { offsets: { outOfRange?: string } } };
  const offsets = m.consumer.offsets;
  const compile = (p: unknown) => (typeof p === 'string' ? new RegExp(p) : p);
  return normalize({
    ...m,
    ...(m.whitelist === undefined ? {} : { whitelist: compile(m.whitelist) }),
    ...(m.blacklist === undefined ? {} : { blacklist: compile(m.blacklist) }),
    consumer: { ...m.consumer, offsets: { ...offsets, outOfRange: offsets.outOfRange ?? offsets.initial } },
  });
};

describe('validateConfig properties', () => {
  it('any valid input validates to Right, round-trips every given value, defaults the rest, and is not mutated', () => {
    fc.assert(
      fc.property(validInput, (input) => {
        const before = expected(input);
        const config = right(validate(deepFreeze(input)));
        expect(normalize(config)).toEqual(before);
        expect(isDeepFrozen(config)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  const numericPaths = [
    'group.session.timeout',
    'group.rebalance.timeout',
    'group.offsets.retry.max',
    'consumer.offsets.commitInterval',
    'consumer.fetch.max',
    'consumer.credit.maxBytes',
    'retry.connectionTimeout',
  ];
  it('anything but an integer where an integer belongs is an issue at that path', () => {
    const junk = fc.oneof(fc.string(), fc.double().filter((d) => !Number.isInteger(d)), fc.constant(null), fc.object(), fc.boolean());
    fc.assert(
      fc.property(fc.constantFrom(...numericPaths), junk, (path, value) => {
        expect(left(validate(withField(path, value)))).toEqual([expect.objectContaining({ path })]);
      }),
    );
  });

  it('issues from independent fields add up', () => {
    const bad = fc.subarray(numericPaths, { minLength: 1 });
    fc.assert(
      fc.property(bad, (chosen) => {
        const input = chosen.reduce<Record<string, unknown>>((o, p) => setPath(o, p, -1), withField('brokers', ['b:1']));
        const r = validate(input);
        expect(E.isLeft(r) && r.left.map((i) => i.path).sort()).toEqual([...chosen].sort());
      }),
    );
  });
});
