import * as E from 'fp-ts/Either';
import { ConfigValidationError, configError, validateConfigOrThrow } from '../../../src/config';
import { KafkaClientError } from '../../../src/errors';
import { base, left, validate, withField } from './helpers';

const SECRET = 'S3CRET-sentinel-do-not-log';

describe('configError', () => {
  const issues = left(validate({ ...base, brokers: [], groupId: '', retry: { max: -1 } }));

  it('is one ConfigError listing every issue, with the first path as context.field', () => {
    const e = configError(issues);
    expect(e).toBeInstanceOf(KafkaClientError);
    expect(e).toBeInstanceOf(ConfigValidationError);
    expect(e._tag).toBe('ConfigError');
    expect(e.retriable).toBe(false);
    expect(e.context.field).toBe('brokers');
    expect(e.message).toBe(
      'Invalid configuration (3 issues): brokers must not be empty; groupId must not be empty; retry.max must be at least 0 (got -1) [field=brokers]',
    );
    expect(e.issues).toEqual(issues);
  });

  it('keeps its issues through withContext', () => {
    const e = configError(issues).withContext({ group: 'billing' });
    expect(e).toBeInstanceOf(ConfigValidationError);
    expect(e.issues).toEqual(issues);
    expect(e.context).toEqual({ group: 'billing', field: 'brokers' });
  });

  it('validateConfigOrThrow returns the config or throws the ConfigValidationError', () => {
    expect(validateConfigOrThrow(base).groupId).toBe('billing');
    expect(() => validateConfigOrThrow({ ...base, groupId: '' })).toThrow(ConfigValidationError);
  });
});

describe('secrets', () => {
  const leaky: [string, unknown][] = [
    ['sasl', { mechanism: 'gssapi', username: SECRET, password: SECRET }],
    ['sasl', { mechanism: SECRET, username: 'u', password: SECRET }],
    ['sasl', { mechanism: 'plain', username: SECRET }],
    ['sasl', { mechanism: 'plain', username: 'u', password: 42, extra: SECRET }],
    ['sasl', { mechanism: 'oauthbearer', oauthBearerProvider: SECRET, password: SECRET }],
    ['sasl', SECRET],
    ['sasl', [SECRET]],
    ['ssl', SECRET],
    ['brokers', [`user:${SECRET}@localhost:9092`]],
  ];

  it.each(leaky)('never appear in issues or the error (%s = %p)', (path, value) => {
    const r = validate(withField(path, value));
    const all = left(r);
    expect(all.length).toBeGreaterThan(0);
    const e = configError(all);
    for (const text of [JSON.stringify(all), e.message, String(e), JSON.stringify(e.context)]) {
      expect(text).not.toContain(SECRET);
    }
  });

  it('a valid password is not echoed by other issues', () => {
    const r = validate({ ...withField('groupId', ''), sasl: { mechanism: 'plain', username: 'u', password: SECRET } });
    expect(E.isLeft(r) && JSON.stringify(r.left)).not.toContain(SECRET);
  });
});
