import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { inspect } from 'node:util';
import { createClient, type ConsumerGroup, type KafkaClientError } from '../../../src';
import { createAdminKit, type AdminKit } from '../../../src/transport/kafkajs/admin-kit';
import { uniqueName } from '../../support/names';
import { boundedRetry, firstOutcome, securedGroup, SENTINEL_PASSWORD, startSecuredBroker, trustingCa, type SecuredBroker } from '../../support/secured-broker';

const cli = path.join(__dirname, '..', '..', '..', 'dist', 'cli', 'main.js');

/** Every string reachable from `v` (own properties, enumerable or not: message, stack, cause, context ...). */
const strings = (v: unknown, depth = 8, seen = new Set<unknown>()): string[] => {
  if (typeof v === 'string') return [v];
  if (typeof v === 'bigint' || typeof v === 'number' || typeof v === 'boolean') return [String(v)];
  if ((typeof v !== 'object' && typeof v !== 'function') || v === null || depth === 0 || seen.has(v)) return [];
  seen.add(v);
  if (Buffer.isBuffer(v)) return [v.toString('utf8')];
  return Object.getOwnPropertyNames(v).flatMap((k) => {
    const d = Object.getOwnPropertyDescriptor(v, k);
    return d && 'value' in d ? [k, ...strings(d.value, depth - 1, seen)] : [k];
  });
};
/** Everything a user could print of `v`: inspect (hidden fields too), JSON, and every reachable string. */
const printable = (v: unknown): string =>
  [inspect(v, { depth: 10, showHidden: true }), JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x)) ?? '', ...strings(v)].join('\n');

/** Runs the built CLI with `env` added; stops it with SIGINT after its first stdout line. Resolves with its output. */
const runCli = (args: string[], env: Record<string, string>) =>
  new Promise<{ code: number | null; out: string }>((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], { env: { ...process.env, ...env } });
    let out = '';
    const guard = setTimeout(() => child.kill('SIGKILL'), 60_000); // a bound, not a synchronisation
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) child.kill('SIGINT');
    });
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => {
      clearTimeout(guard);
      resolve({ code, out });
    });
  });

/**
 * The secret sentinel: every user's password on this broker is SENTINEL_PASSWORD, and alice's private key is a
 * secret too. Successful and failing connections (library and CLI) are run, and everything they print or hand to
 * the application is searched for either.
 */
describe('no secret is ever printed', () => {
  let b: SecuredBroker;
  let kit: AdminKit;
  let topic: string;
  let keyBody: string;
  const collected: { what: string; text: string }[] = [];
  const collect = (what: string, v: unknown) => collected.push({ what, text: typeof v === 'string' ? v : printable(v) });

  /** Runs a group to its first outcome, collecting its outcome, its reported errors and its notifications. */
  const exercise = async (what: string, g: ConsumerGroup) => {
    const reported: KafkaClientError[] = [];
    const notes = g.notifications$.subscribe((n) => collect(`${what}: notification`, n));
    const o = await firstOutcome(g, 30_000, reported, (e) => e._tag === 'AuthorizationError');
    notes.unsubscribe();
    collect(`${what}: outcome`, o);
    reported.forEach((e) => collect(`${what}: errors$`, e));
    return o;
  };

  beforeAll(async () => {
    b = await startSecuredBroker();
    kit = createAdminKit([b.listeners.plaintext]);
    topic = uniqueName(`${b.topicPrefix}sentinel`);
    await kit.createTopic(topic, 1);
    await kit.produce(topic, [{ value: 'sentinel test' }]);
    keyBody = readFileSync(b.certs.aliceKey, 'utf8').split('\n').filter((l) => l && !l.startsWith('-----')).join('');
  }, 180_000);
  afterAll(async () => {
    await kit?.close();
    await b?.stop();
  });

  it('appears in no error, errors$ payload, notification, printed client config or CLI output, on success or failure', async () => {
    const sasl = (username: string) => ({ brokers: [b.listeners.saslSsl], ssl: trustingCa(b), sasl: { mechanism: 'scram-sha-512' as const, username, password: SENTINEL_PASSWORD } });
    const mtls = { ...trustingCa(b), cert: readFileSync(b.certs.aliceCert, 'utf8'), key: readFileSync(b.certs.aliceKey, 'utf8'), passphrase: SENTINEL_PASSWORD };

    // Succeeding: a client (its printed config), SASL and mTLS.
    const client = createClient({ ...sasl('alice'), retry: boundedRetry });
    collect('client.config()', client.config());
    collect('client.config() as JSON', JSON.stringify(client.config()));
    const ok = await exercise('scram success', client.consumerGroup({ groupId: uniqueName(`${b.groupPrefix}s`), topics: [topic], consumer: { offsets: { initial: 'oldest' } } }));
    await new Promise<void>((resolve) => client.close().subscribe({ complete: resolve }));
    const mtlsClient = createClient({ brokers: [b.listeners.ssl], ssl: mtls });
    collect('mTLS client.config()', mtlsClient.config());
    collect('mTLS client.config() inspected', inspect(mtlsClient.config(), { depth: 5 }));
    await new Promise<void>((resolve) => mtlsClient.close().subscribe({ complete: resolve }));
    const okTls = await exercise('mtls success', securedGroup(b, { brokers: [b.listeners.ssl], ssl: mtls, topics: [topic] }));

    // Failing: an unknown user, a user without the group, an untrusted CA, an expired server certificate.
    const unknown = await exercise('unknown user', securedGroup(b, { ...sasl('mallory'), topics: [topic] }));
    const noGroup = await exercise('no group access', securedGroup(b, { ...sasl('bob'), topics: [topic] }));
    const untrusted = await exercise('untrusted CA', securedGroup(b, { ...sasl('alice'), ssl: { ca: readFileSync(b.certs.untrustedCa, 'utf8') }, topics: [topic] }));
    const expired = await exercise('expired cert', securedGroup(b, { brokers: [b.listeners.expired], ssl: mtls, topics: [topic] }));
    expect([ok.kind, okTls.kind, unknown.kind, noGroup.kind, untrusted.kind, expired.kind]).toEqual(['message', 'message', 'error', 'error', 'error', 'error']);

    // The CLI: succeeding (verbose), failing authentication, and a password offered on argv.
    const cliArgs = ['consume', '--brokers', b.listeners.saslSsl, '--topics', topic, '--offset', 'oldest', '--ca', b.certs.ca, '--sasl-mechanism', 'scram-sha-256', '--verbose'];
    const cliOk = await runCli([...cliArgs, '--group', uniqueName(`${b.groupPrefix}cli`), '--sasl-username', 'alice'], { KAFKA_SASL_PASSWORD: SENTINEL_PASSWORD });
    const cliBad = await runCli([...cliArgs, '--group', uniqueName(`${b.groupPrefix}cli`), '--sasl-username', 'mallory'], { KAFKA_SASL_PASSWORD: SENTINEL_PASSWORD });
    const cliArgv = await runCli([...cliArgs, '--group', 'g', '--sasl-username', 'alice', '--sasl-password', SENTINEL_PASSWORD], {});
    collect('CLI success', cliOk.out);
    collect('CLI auth failure', cliBad.out);
    collect('CLI password on argv', cliArgv.out);
    expect([cliOk.code, cliBad.code, cliArgv.code]).toEqual([0, 77, 64]);
    expect(cliOk.out).toContain('sentinel test');
    // The fatal failure is printed once as the final error (and, with --verbose, on errors$), not also as a rebalance error.
    expect(cliBad.out.split('\n').filter((l) => l.startsWith('SASL SCRAM-SHA-256 authentication failed'))).toHaveLength(1);
    expect(cliBad.out).not.toMatch(/^rebalance error: /m);

    expect(collected.length).toBeGreaterThan(10);
    const leaks = collected.filter((c) => c.text.includes(SENTINEL_PASSWORD) || c.text.includes(keyBody)).map((c) => c.what);
    expect(leaks).toEqual([]);
  });
});
