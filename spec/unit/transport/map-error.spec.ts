import { mapKafkajsError } from '../../../src/transport/kafkajs/map-error';

/** kafkajs errors as the adapter sees them (name, message, code, broker), mapped once into typed errors. */
const kafkajsError = (name: string, message: string, extra: Record<string, unknown> = {}): Error => Object.assign(new Error(message), { name, ...extra });

describe('mapKafkajsError', () => {
  it('a certificate the client rejects (expired, untrusted, wrong host) is a non-retriable TLS AuthenticationError naming the broker', () => {
    for (const code of ['CERT_HAS_EXPIRED', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN', 'ERR_TLS_CERT_ALTNAME_INVALID']) {
      const e = mapKafkajsError(kafkajsError('KafkaJSConnectionError', 'certificate problem', { code, broker: 'b1:9093' }), { api: 'Metadata' });
      expect(e).toMatchObject({ _tag: 'AuthenticationError', retriable: false, context: { api: 'Metadata', broker: 'b1:9093' } });
      expect(e.message.startsWith(`TLS authentication failed against b1:9093: certificate problem (${code})`)).toBe(true);
    }
  });

  it('a TLS alert from a broker that refuses our client certificate is a TLS AuthenticationError', () => {
    const e = mapKafkajsError(kafkajsError('Error', 'alert', { code: 'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE' }), { broker: 'b2:9093' });
    expect(e).toMatchObject({ _tag: 'AuthenticationError', retriable: false });
    expect(e.message).toMatch(/^TLS authentication failed against b2:9093/);
  });

  it('plain socket failures stay retriable ConnectionErrors', () => {
    expect(mapKafkajsError(kafkajsError('KafkaJSConnectionError', 'refused', { code: 'ECONNREFUSED', broker: 'b:1' }))).toMatchObject({ _tag: 'ConnectionError', retriable: true, context: { broker: 'b:1' } });
    expect(mapKafkajsError(kafkajsError('Error', 'reset', { code: 'ECONNRESET' }))).toMatchObject({ _tag: 'ConnectionError', retriable: true });
  });

  it('a SASL failure names the mechanism and the broker, never retried', () => {
    const e = mapKafkajsError(kafkajsError('KafkaJSSASLAuthenticationError', 'bad credentials'), { broker: 'b:9094' }, { saslMechanism: 'SCRAM-SHA-512' });
    expect(e).toMatchObject({ _tag: 'AuthenticationError', retriable: false });
    expect(e.message.startsWith('SASL SCRAM-SHA-512 authentication failed against b:9094: bad credentials')).toBe(true);
  });

  it('ILLEGAL_SASL_STATE after a rejected OAUTHBEARER token is an AuthenticationError naming the mechanism', () => {
    const code = 34; // ILLEGAL_SASL_STATE
    const e = mapKafkajsError(kafkajsError('KafkaJSProtocolError', 'Request is not valid given the current SASL state', { code, broker: 'b:9094' }), {}, { saslMechanism: 'OAUTHBEARER' });
    expect(e).toMatchObject({ _tag: 'AuthenticationError', code: 'ILLEGAL_SASL_STATE', retriable: false });
    expect(e.message.startsWith('SASL OAUTHBEARER authentication failed against b:9094: broker returned ILLEGAL_SASL_STATE')).toBe(true);
  });
});
