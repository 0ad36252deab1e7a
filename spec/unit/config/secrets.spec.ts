import { validateConfig, type ConsumerGroupConfigInput } from '../../../src/config';

const SECRET = 'S3ntinel-pa55-XYZ';
const base = { brokers: ['k:9092'], groupId: 'g', topics: ['t'] };

/** Every issue message for an input (none when valid). */
const messages = (input: Record<string, unknown>): string[] => {
  const r = validateConfig({ ...base, ...input } as unknown as ConsumerGroupConfigInput);
  return r._tag === 'Left' ? r.left.map((i) => `${i.path}: ${i.message}`) : [];
};

describe('config validation never echoes a secret', () => {
  it.each<[string, Record<string, unknown>]>([
    ['a password where the mechanism goes', { sasl: { mechanism: SECRET, username: 'u', password: SECRET } }],
    ['a misspelt password field', { sasl: { mechanism: 'plain', username: 'u', pasword: SECRET } }],
    ['a password that is not a string', { sasl: { mechanism: 'scram-sha-512', username: SECRET, password: [SECRET] } }],
    ['a token where the provider goes', { sasl: { mechanism: 'oauthbearer', oauthBearerProvider: SECRET } }],
    ['sasl as a string', { sasl: `plain:u:${SECRET}` }],
    ['ssl as a string (a key pasted in)', { ssl: `-----BEGIN PRIVATE KEY-----${SECRET}` }],
    ['credentials in a broker address', { brokers: [`u:${SECRET}@k:9092`] }],
  ])('%s', (_what, input) => {
    const issues = messages(input);
    expect(issues.length).toBeGreaterThan(0);
    expect(issues.join('\n')).not.toContain(SECRET);
  });

  it('accepts TLS options with client certificates and every SASL mechanism', () => {
    const provider = async () => ({ value: 'jwt' });
    expect(messages({ ssl: { ca: 'CA', cert: 'CERT', key: 'KEY', passphrase: SECRET, servername: 'kafka' } })).toEqual([]);
    for (const mechanism of ['plain', 'scram-sha-256', 'scram-sha-512'] as const) expect(messages({ ssl: true, sasl: { mechanism, username: 'u', password: SECRET } })).toEqual([]);
    expect(messages({ ssl: true, sasl: { mechanism: 'oauthbearer', oauthBearerProvider: provider } })).toEqual([]);
  });
});
