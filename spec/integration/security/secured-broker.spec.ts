import { readFileSync } from 'node:fs';
import type { KafkaClientError } from '../../../src';
import { createAdminKit, type AdminKit } from '../../../src/transport/kafkajs/admin-kit';
import { uniqueName } from '../../support/names';
import { firstOutcome, securedGroup, SENTINEL_PASSWORD, startSecuredBroker, trustingCa, unsecuredJwt, type Outcome, type SecuredBroker } from '../../support/secured-broker';

/**
 * One secured broker (broker/secured-broker.js: SSL with client certificates, SASL_SSL with PLAIN, SCRAM-SHA-256/512
 * and OAUTHBEARER, StandardAuthorizer ACLs) for every case: each consumer either reads the produced message or gets
 * a typed error, within a bound (the outcome is never 'timeout').
 */
describe('security against a real secured broker', () => {
  let b: SecuredBroker;
  let kit: AdminKit;
  let topic: string;
  const BOUND = 30_000;

  beforeAll(async () => {
    b = await startSecuredBroker();
    kit = createAdminKit([b.listeners.plaintext]);
    topic = uniqueName(`${b.topicPrefix}t`);
    await kit.createTopic(topic, 1);
    await kit.produce(topic, [{ key: 'k', value: 'secured hello' }]);
  }, 180_000);
  afterAll(async () => {
    await kit?.close();
    await b?.stop();
  });

  const describeOutcome = (o: Outcome): string => (o.kind === 'error' ? `error ${o.error._tag}: ${o.error.message}` : o.kind);
  const expectMessage = (o: Outcome) => {
    expect(describeOutcome(o)).toBe('message');
    if (o.kind === 'message') expect(o.message.value?.toString()).toBe('secured hello');
  };
  const expectError = (o: Outcome): KafkaClientError => {
    if (o.kind !== 'error') throw new Error(`expected a typed error, got ${o.kind}`);
    return o.error;
  };

  describe('consumes', () => {
    it('over TLS with a client certificate (mTLS; the server verified against the test CA)', async () => {
      const o = await firstOutcome(
        securedGroup(b, {
          brokers: [b.listeners.ssl],
          topics: [topic],
          ssl: { ...trustingCa(b), cert: readFileSync(b.certs.aliceCert, 'utf8'), key: readFileSync(b.certs.aliceKey, 'utf8') },
        }),
        BOUND,
      );
      expectMessage(o);
    });

    it('over TLS only (server verification against the test CA, no client certificate)', async () => {
      expectMessage(await firstOutcome(securedGroup(b, { brokers: [b.listeners.tls], topics: [topic], ssl: trustingCa(b) }), BOUND));
    });

    it.each(['plain', 'scram-sha-256', 'scram-sha-512'] as const)('over SASL_SSL with %s', async (mechanism) => {
      const o = await firstOutcome(
        securedGroup(b, { brokers: [b.listeners.saslSsl], topics: [topic], ssl: trustingCa(b), sasl: { mechanism, username: 'alice', password: SENTINEL_PASSWORD } }),
        BOUND,
      );
      expectMessage(o);
    });

    it('over SASL_SSL with oauthbearer (a token provider callback)', async () => {
      let calls = 0;
      const oauthBearerProvider = async () => {
        calls++;
        return { value: unsecuredJwt('alice') };
      };
      const o = await firstOutcome(securedGroup(b, { brokers: [b.listeners.saslSsl], topics: [topic], ssl: trustingCa(b), sasl: { mechanism: 'oauthbearer', oauthBearerProvider } }), BOUND);
      expectMessage(o);
      expect(calls).toBeGreaterThan(0);
    });
  });

  describe('authentication failures', () => {
    it.each(['plain', 'scram-sha-256', 'scram-sha-512'] as const)('a wrong %s password is one AuthenticationError naming the mechanism and the broker', async (mechanism) => {
      const reported: KafkaClientError[] = [];
      const o = await firstOutcome(
        securedGroup(b, { brokers: [b.listeners.saslSsl], topics: [topic], ssl: trustingCa(b), sasl: { mechanism, username: 'alice', password: 'wrong-password' } }),
        BOUND,
        reported,
      );
      const e = expectError(o);
      expect(`${e._tag}: ${e.message}`).toMatch(/^AuthenticationError: /);
      expect(e.retriable).toBe(false);
      expect(e.message).toContain(mechanism.toUpperCase());
      expect(e.message).toContain(b.listeners.saslSsl);
      expect(reported.filter((r) => r._tag === 'AuthenticationError').length).toBeLessThanOrEqual(1);
    });

    it('an expired OAUTHBEARER token is an AuthenticationError naming the mechanism and the broker', async () => {
      const oauthBearerProvider = async () => ({ value: unsecuredJwt('alice', -3_600_000) });
      const e = expectError(await firstOutcome(securedGroup(b, { brokers: [b.listeners.saslSsl], topics: [topic], ssl: trustingCa(b), sasl: { mechanism: 'oauthbearer', oauthBearerProvider } }), BOUND));
      expect(`${e._tag}: ${e.message}`).toMatch(/^AuthenticationError: SASL OAUTHBEARER authentication failed against /);
      expect(e.message).toContain(b.listeners.saslSsl);
      expect(e.retriable).toBe(false);
    });

    it('an OAUTHBEARER token provider that throws is an AuthenticationError naming the mechanism and the broker', async () => {
      const oauthBearerProvider = async (): Promise<{ value: string }> => {
        throw new Error('token endpoint down');
      };
      const e = expectError(await firstOutcome(securedGroup(b, { brokers: [b.listeners.saslSsl], topics: [topic], ssl: trustingCa(b), sasl: { mechanism: 'oauthbearer', oauthBearerProvider } }), BOUND));
      expect(`${e._tag}: ${e.message}`).toMatch(/^AuthenticationError: SASL OAUTHBEARER token provider failed: token endpoint down/);
      expect(e.context.broker).toBe(b.listeners.saslSsl);
    });

    it('an expired broker certificate is an AuthenticationError (TLS) naming the broker', async () => {
      const e = expectError(await firstOutcome(securedGroup(b, { brokers: [b.listeners.expired], topics: [topic], ssl: trustingCa(b) }), BOUND));
      expect(`${e._tag}: ${e.message}`).toMatch(/^AuthenticationError: /);
      expect(e.message).toMatch(/TLS/);
      expect(e.message).toMatch(/expired/i);
      expect(e.message).toContain(b.listeners.expired);
    });

    it('a broker certificate from an untrusted CA is an AuthenticationError (TLS)', async () => {
      const e = expectError(
        await firstOutcome(
          securedGroup(b, { brokers: [b.listeners.saslSsl], topics: [topic], ssl: { ca: readFileSync(b.certs.untrustedCa, 'utf8') }, sasl: { mechanism: 'plain', username: 'alice', password: SENTINEL_PASSWORD } }),
          BOUND,
        ),
      );
      expect(`${e._tag}: ${e.message}`).toMatch(/^AuthenticationError: /);
      expect(e.message).toMatch(/TLS/);
      expect(e.message).toContain(b.listeners.saslSsl);
    });

    it('a broker certificate that does not name the host is an AuthenticationError (hostname verification)', async () => {
      const e = expectError(
        await firstOutcome(
          securedGroup(b, { brokers: [b.listeners.saslSsl], topics: [topic], ssl: { ...trustingCa(b), servername: 'not-this-broker.invalid' }, sasl: { mechanism: 'plain', username: 'alice', password: SENTINEL_PASSWORD } }),
          BOUND,
        ),
      );
      expect(`${e._tag}: ${e.message}`).toMatch(/^AuthenticationError: /);
      expect(e.message).toMatch(/not-this-broker\.invalid/);
    });

    it('an expired client certificate, refused by the broker, is an AuthenticationError (TLS) naming the broker', async () => {
      const e = expectError(
        await firstOutcome(
          securedGroup(b, {
            brokers: [b.listeners.ssl],
            topics: [topic],
            ssl: { ...trustingCa(b), cert: readFileSync(b.certs.expiredClientCert, 'utf8'), key: readFileSync(b.certs.expiredClientKey, 'utf8') },
          }),
          BOUND,
        ),
      );
      expect(`${e._tag}: ${e.message}`).toMatch(/^AuthenticationError: TLS/);
      expect(e.message).toContain(b.listeners.ssl);
    });

    it('a plaintext client against the TLS port gets a typed error', async () => {
      const e = expectError(await firstOutcome(securedGroup(b, { brokers: [b.listeners.saslSsl], topics: [topic], sasl: { mechanism: 'plain', username: 'alice', password: SENTINEL_PASSWORD } }), BOUND));
      expect(e._tag).toBe('BrokerUnavailable');
      expect(e.message).toContain(b.listeners.saslSsl);
    });

    it('a TLS client against the plaintext port gets a typed error', async () => {
      const e = expectError(await firstOutcome(securedGroup(b, { brokers: [b.listeners.plaintext], topics: [topic], ssl: trustingCa(b) }), BOUND));
      expect(e._tag).toBe('BrokerUnavailable');
      expect(e.message).toContain(b.listeners.plaintext);
    });
  });

  describe('authorisation failures', () => {
    const asAlice = () => ({ brokers: [b.listeners.saslSsl], ssl: trustingCa(b), sasl: { mechanism: 'scram-sha-256' as const, username: 'alice', password: SENTINEL_PASSWORD } });

    it('a user with DESCRIBE but without READ on the topic gets an AuthorizationError naming the topic', async () => {
      const denied = uniqueName(`${b.describeOnlyPrefix}t`);
      await kit.createTopic(denied, 1);
      await kit.produce(denied, [{ value: 'not for alice' }]);
      // The partition's fetch is denied (the group itself is allowed): its stream fails, once, with the topic named.
      const e = expectError(await firstOutcome(securedGroup(b, { ...asAlice(), topics: [denied] }), BOUND));
      expect(`${e._tag}: ${e.message}`).toMatch(/^AuthorizationError: /);
      expect(e.code).toBe('TOPIC_AUTHORIZATION_FAILED');
      expect(e.context.topic).toBe(denied);
    });

    it('a user without any access to the topic gets an AuthorizationError naming the topic, not an empty assignment', async () => {
      const hidden = uniqueName('secret-t');
      await kit.createTopic(hidden, 1);
      const e = expectError(await firstOutcome(securedGroup(b, { ...asAlice(), topics: [hidden] }), BOUND));
      expect(`${e._tag}: ${e.message}`).toMatch(/^AuthorizationError: /);
      expect(e.code).toBe('TOPIC_AUTHORIZATION_FAILED');
      expect(e.context.topic).toBe(hidden);
    });

    it('a user without access to the group gets an AuthorizationError naming the group', async () => {
      const groupId = uniqueName(`${b.groupPrefix}bob`);
      const e = expectError(
        await firstOutcome(securedGroup(b, { brokers: [b.listeners.saslSsl], ssl: trustingCa(b), sasl: { mechanism: 'plain', username: 'bob', password: SENTINEL_PASSWORD }, topics: [topic], groupId }), BOUND),
      );
      expect(`${e._tag}: ${e.message}`).toMatch(/^AuthorizationError: /);
      expect(e.code).toBe('GROUP_AUTHORIZATION_FAILED');
      expect(e.context.group).toBe(groupId);
    });
  });
});
