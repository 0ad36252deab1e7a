import { parseArgs, type ConsumeCommand } from '../../../src/cli/parse-args';
import { resolveSecurity } from '../../../src/cli/security';

const SECRET = 'S3ntinel-pa55-XYZ';
const base = ['consume', '--brokers', 'b:9093', '--group', 'g', '--topics', 't'];
const parsed = (args: string[]): ConsumeCommand => {
  const r = parseArgs([...base, ...args], {});
  if (r._tag === 'Left') throw new Error(r.left.join('; '));
  return r.right;
};
const problems = (args: string[]): string[] => {
  const r = parseArgs([...base, ...args], {});
  return r._tag === 'Left' ? [...r.left] : [];
};
const files: Record<string, string> = { '/ca.pem': 'CA PEM', '/c.pem': 'CERT PEM', '/c.key': 'KEY PEM', '/pw': `${SECRET}\n`, '/token': 'jwt-1\n' };
const readFile = (p: string): string => {
  const f = files[p];
  if (f === undefined) throw Object.assign(new Error(`ENOENT: no such file, open '${p}'`), { code: 'ENOENT' });
  return f;
};

describe('CLI security options', () => {
  it('--tls alone means TLS with the default CAs (verification on)', () => {
    const cmd = parsed(['--tls']);
    expect(cmd.tls).toEqual({});
    expect(resolveSecurity(cmd, {}, readFile)).toEqual({ _tag: 'Right', right: { ssl: true } });
  });

  it('--ca, --cert and --key imply TLS and are read from their files', () => {
    const cmd = parsed(['--ca', '/ca.pem', '--cert', '/c.pem', '--key=/c.key']);
    expect(resolveSecurity(cmd, {}, readFile)).toEqual({ _tag: 'Right', right: { ssl: { ca: 'CA PEM', cert: 'CERT PEM', key: 'KEY PEM' } } });
  });

  it('no security flags: neither ssl nor sasl', () => {
    const cmd = parsed([]);
    expect(cmd.tls).toBeUndefined();
    expect(cmd.sasl).toBeUndefined();
    expect(resolveSecurity(cmd, {}, readFile)).toEqual({ _tag: 'Right', right: {} });
  });

  it.each(['plain', 'scram-sha-256', 'scram-sha-512'] as const)('%s takes the password from $KAFKA_SASL_PASSWORD by default', (mechanism) => {
    const cmd = parsed(['--sasl-mechanism', mechanism, '--sasl-username', 'alice']);
    expect(resolveSecurity(cmd, { KAFKA_SASL_PASSWORD: SECRET }, readFile)).toEqual({ _tag: 'Right', right: { sasl: { mechanism, username: 'alice', password: SECRET } } });
  });

  it('the password comes from a named variable or a file (its trailing newline dropped)', () => {
    const fromEnv = parsed(['--sasl-mechanism', 'plain', '--sasl-username', 'u', '--sasl-password-env', 'MY_PW']);
    const fromFile = parsed(['--sasl-mechanism', 'plain', '--sasl-username', 'u', '--sasl-password-file', '/pw']);
    expect(resolveSecurity(fromEnv, { MY_PW: SECRET }, readFile)).toEqual({ _tag: 'Right', right: { sasl: { mechanism: 'plain', username: 'u', password: SECRET } } });
    expect(resolveSecurity(fromFile, {}, readFile)).toEqual({ _tag: 'Right', right: { sasl: { mechanism: 'plain', username: 'u', password: SECRET } } });
  });

  it('refuses a password on the command line, without echoing it', () => {
    for (const args of [['--sasl-password', SECRET], [`--sasl-password=${SECRET}`], ['--password', SECRET]]) {
      const p = problems(['--sasl-mechanism', 'plain', '--sasl-username', 'u', ...args]);
      expect(p.some((l) => /not accepted: secrets never go on the command line/.test(l))).toBe(true);
      expect(p.join('\n')).not.toContain(SECRET);
    }
  });

  it('does not echo unknown options values or stray arguments', () => {
    const p = problems([`--sasl-pasword=${SECRET}`, SECRET]);
    expect(p).toEqual(['unknown option --sasl-pasword', 'unexpected argument at position 9 (not echoed)']);
  });

  it('reports a missing password variable, an unreadable file and a lone --cert, naming only flags, variables and paths', () => {
    const p1 = resolveSecurity(parsed(['--sasl-mechanism', 'scram-sha-512', '--sasl-username', 'u']), {}, readFile);
    expect(p1._tag === 'Left' && p1.left).toEqual([expect.stringContaining('$KAFKA_SASL_PASSWORD, which is not set')]);
    const p2 = resolveSecurity(parsed(['--ca', '/missing.pem']), {}, readFile);
    expect(p2._tag === 'Left' && p2.left).toEqual(['cannot read the CA file /missing.pem (ENOENT)']);
    expect(problems(['--cert', '/c.pem'])).toEqual(['--cert and --key go together (a client certificate and its private key)']);
  });

  it('checks the SASL flags: mechanism known, username for password mechanisms, token flags for oauthbearer only', () => {
    expect(problems(['--sasl-mechanism', 'gssapi'])).toEqual(['--sasl-mechanism must be one of plain|scram-sha-256|scram-sha-512|oauthbearer (got gssapi)']);
    expect(problems(['--sasl-mechanism', 'plain'])).toEqual(['--sasl-mechanism plain needs --sasl-username']);
    expect(problems(['--sasl-username', 'u'])).toEqual(['--sasl-username need --sasl-mechanism']);
    expect(problems(['--sasl-mechanism', 'oauthbearer', '--sasl-username', 'u'])).toEqual([expect.stringContaining('--sasl-username do not apply to oauthbearer')]);
    expect(problems(['--sasl-mechanism', 'plain', '--sasl-username', 'u', '--sasl-password-env', 'A', '--sasl-password-file', '/pw'])).toEqual(['--sasl-password-env and --sasl-password-file exclude each other']);
  });

  it('oauthbearer: a token file is re-read on every login, so it can be rotated', async () => {
    const r = resolveSecurity(parsed(['--sasl-mechanism', 'oauthbearer', '--sasl-token-file', '/token']), {}, readFile);
    if (r._tag === 'Left' || r.right.sasl?.mechanism !== 'oauthbearer') throw new Error('expected an oauthbearer config');
    const provider = r.right.sasl.oauthBearerProvider;
    expect(await provider()).toEqual({ value: 'jwt-1' });
    files['/token'] = 'jwt-2\n';
    expect(await provider()).toEqual({ value: 'jwt-2' });
  });

  it('oauthbearer: the token comes from $KAFKA_SASL_TOKEN by default', async () => {
    const r = resolveSecurity(parsed(['--sasl-mechanism', 'oauthbearer']), { KAFKA_SASL_TOKEN: 'env-jwt' }, readFile);
    if (r._tag === 'Left' || r.right.sasl?.mechanism !== 'oauthbearer') throw new Error('expected an oauthbearer config');
    expect(await r.right.sasl.oauthBearerProvider()).toEqual({ value: 'env-jwt' });
  });
});
