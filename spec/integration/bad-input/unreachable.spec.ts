import { createServer, type Server, type Socket } from 'node:net';
import { consumerGroup, type ConsumerGroup, type KafkaClientError } from '../../../src';
import { brokers, uniqueName } from '../../support/names';
import { within } from '../../support/within';

/** A loopback server on a free port: 'silent' accepts and never answers; 'closed' gives the port back (nothing listens). */
const server = async (kind: 'silent' | 'closed'): Promise<{ address: string; close(): Promise<void> }> => {
  const sockets = new Set<Socket>();
  const s: Server = createServer((sock) => {
    sockets.add(sock);
    sock.on('error', () => undefined);
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  const close = () =>
    new Promise<void>((r) => {
      sockets.forEach((x) => x.destroy());
      s.close(() => r());
    });
  if (kind === 'closed') await close();
  return { address: `127.0.0.1:${port}`, close: kind === 'closed' ? async () => undefined : close };
};

/** Tight retries so the bound is short: 3 attempts, 50..200 ms backoff, 1 s to connect, 3 s per request. */
const tight = { max: 2, initialBackoff: 50, maxBackoff: 200, connectionTimeout: 1000, requestTimeout: 3000 };

describe('bad addresses: a typed connection error after the configured retries, in bounded time, no unhandled rejection', () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  const groups: ConsumerGroup[] = [];
  beforeAll(() => process.on('unhandledRejection', onUnhandled));
  afterAll(() => process.off('unhandledRejection', onUnhandled));
  afterEach(async () => {
    await Promise.all(groups.splice(0).map((g) => within(new Promise((r) => g.close().subscribe({ complete: () => r(undefined), error: () => r(undefined) })), 15000, 'close')));
  });

  /** Subscribes messages$ of a group on `address` and resolves with how it ended and when. */
  const consume = (address: string, extra: { ssl?: boolean } = {}) => {
    const group = consumerGroup({ brokers: [address], groupId: uniqueName('bad-address'), topics: [uniqueName('t')], retry: tight, ...extra });
    groups.push(group);
    const t0 = Date.now();
    const reported: KafkaClientError[] = [];
    group.errors$.subscribe((e) => reported.push(e));
    const ended = new Promise<{ error?: KafkaClientError; ms: number; messages: number }>((resolve) => {
      let messages = 0;
      group.messages$.subscribe({
        next: () => messages++,
        error: (error: KafkaClientError) => resolve({ error, ms: Date.now() - t0, messages }),
        complete: () => resolve({ ms: Date.now() - t0, messages }),
      });
    });
    return { group, ended, reported };
  };

  /** Waits a macrotask turn past the end, so a late unhandled rejection would have been seen. */
  const settle = () => new Promise((r) => setImmediate(r));

  it('nothing listening on the port: BrokerUnavailable naming the address, within 20 s; close completes', async () => {
    const dead = await server('closed');
    const { ended } = consume(dead.address);
    const end = await within(ended, 20000, 'messages$ to fail');
    expect(end.error?._tag).toBe('BrokerUnavailable');
    expect(end.error?.message).toContain(dead.address.split(':')[1]);
    expect(end.messages).toBe(0);
    await settle();
    expect(unhandled).toEqual([]);
  });

  it('DNS failure (no-such-host.invalid:9092): BrokerUnavailable within 20 s, the host named', async () => {
    const { ended } = consume('no-such-host.invalid:9092');
    const end = await within(ended, 20000, 'messages$ to fail');
    expect(end.error?._tag).toBe('BrokerUnavailable');
    expect(`${end.error?.message ?? ''} ${String((end.error?.cause as Error | undefined)?.message ?? '')}`).toContain('no-such-host.invalid');
    await settle();
    expect(unhandled).toEqual([]);
  });

  it('a port that accepts but never answers (not Kafka): a typed error after the request timeouts and retries, within 60 s', async () => {
    const silent = await server('silent');
    try {
      const { ended } = consume(silent.address);
      const end = await within(ended, 60000, 'messages$ to fail');
      expect(['BrokerUnavailable', 'RequestTimeout', 'ConnectionError']).toContain(end.error?._tag);
      await settle();
      expect(unhandled).toEqual([]);
    } finally {
      await silent.close();
    }
  });

  it('TLS to the plaintext listener (ssl: true against the test broker): a typed connection error within 30 s, no message', async () => {
    const { ended } = consume(brokers()[0] ?? '', { ssl: true });
    const end = await within(ended, 30000, 'messages$ to fail');
    expect(['BrokerUnavailable', 'ConnectionError']).toContain(end.error?._tag);
    expect(end.messages).toBe(0);
    await settle();
    expect(unhandled).toEqual([]);
  });
});
