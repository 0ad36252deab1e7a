import { Either, left, right } from 'fp-ts/Either';
import type { SaslConfig, SslConfig } from '../config';
import type { ConsumeCommand, SecretSource } from './parse-args';

/** Reads a file as UTF-8 (injected: tests pass a fake). */
export type ReadFile = (path: string) => string;

/** The `ssl`/`sasl` config fields a consume command asks for, with files and environment variables read. */
export interface SecurityConfig {
  readonly ssl?: SslConfig;
  readonly sasl?: SaslConfig;
}

/** One line per problem; no line ever contains a secret (only flag names, variable names and paths). */
const readSecret = (source: SecretSource, env: Readonly<Record<string, string | undefined>>, readFile: ReadFile, what: string, problems: string[]): string => {
  if ('env' in source) {
    const v = env[source.env];
    if (v === undefined || v === '') problems.push(`the SASL ${what} is read from $${source.env}, which is not set (or use the --sasl-*-env/--sasl-*-file options)`);
    return v ?? '';
  }
  const before = problems.length;
  const v = readPath(source.file, readFile, `SASL ${what} file`, problems).replace(/\r?\n$/, '');
  if (v === '' && problems.length === before) problems.push(`the SASL ${what} file ${source.file} is empty`);
  return v;
};

const readPath = (path: string, readFile: ReadFile, what: string, problems: string[]): string => {
  try {
    return readFile(path);
  } catch (e) {
    const code = typeof e === 'object' && e !== null && 'code' in e ? String((e as { code: unknown }).code) : 'unreadable';
    problems.push(`cannot read the ${what} ${path} (${code})`);
    return '';
  }
};

/**
 * Resolves the command's TLS and SASL options: CA and client certificate files are read, the password comes from
 * its environment variable or file, an OAUTHBEARER token file is re-read on every login (so it can be rotated).
 */
export const resolveSecurity = (
  cmd: Pick<ConsumeCommand, 'tls' | 'sasl'>,
  env: Readonly<Record<string, string | undefined>>,
  readFile: ReadFile,
): Either<readonly string[], SecurityConfig> => {
  const problems: string[] = [];
  let ssl: SslConfig | undefined;
  if (cmd.tls) {
    const t = cmd.tls;
    ssl = {
      ...(t.caFile !== undefined ? { ca: readPath(t.caFile, readFile, 'CA file', problems) } : {}),
      ...(t.certFile !== undefined ? { cert: readPath(t.certFile, readFile, 'client certificate file', problems) } : {}),
      ...(t.keyFile !== undefined ? { key: readPath(t.keyFile, readFile, 'client key file', problems) } : {}),
    };
    if (Object.keys(ssl).length === 0) ssl = true;
  }
  let sasl: SaslConfig | undefined;
  const s = cmd.sasl;
  if (s?.mechanism === 'oauthbearer') {
    const source = s.token;
    const first = readSecret(source, env, readFile, 'token', problems);
    sasl = {
      mechanism: 'oauthbearer',
      oauthBearerProvider: async () => ({ value: 'file' in source ? readFile(source.file).trim() : first }),
    };
  } else if (s) {
    sasl = { mechanism: s.mechanism, username: s.username, password: readSecret(s.password, env, readFile, 'password', problems) };
  }
  if (problems.length) return left(problems);
  return right({ ...(ssl !== undefined ? { ssl } : {}), ...(sasl ? { sasl } : {}) });
};
