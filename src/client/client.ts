import { defer, EMPTY, Observable } from 'rxjs';
import { KafkaClientError } from '../errors';
import type { ConsumerGroup } from '../sources/consumer-group';
import { withClose, type Transport } from '../transport';
import { configError, validateConfig, type ConsumerGroupConfig, type ConsumerGroupConfigInput } from '../config';
import { consumerGroup, kafkajsTransportFor, type ConsumerGroupDeps } from './consumer-group-from-config';

/** Connection settings a client holds; each consumer adds its group settings. */
export type ClientConfigInput = Omit<ConsumerGroupConfigInput, 'groupId' | 'topics' | 'whitelist' | 'blacklist' | 'group' | 'consumer'>;

/**
 * A client (sarama-cluster's NewClient): connections and metadata that consumers are built from, one consumer at
 * a time (NewConsumerFromClient). A second consumer running at the same time gets a `ClientInUse` error on its
 * streams; once the first has closed, the client serves the next. `close()` closes the connections.
 */
export interface Client {
  consumerGroup(input: Omit<ConsumerGroupConfigInput, keyof ClientConfigInput> & Partial<ClientConfigInput>): ConsumerGroup;
  /** The connection settings the client was made with (sarama-cluster ClusterConfig), secrets left out. */
  config(): Readonly<ClientConfigInput>;
  /**
   * A transport of its own (its own connections) on the client's connection settings, for a producer: the
   * `produce` operator opens one per subscription and closes it when done.
   */
  openTransport(): Transport;
  /** Closes the client's connections; completes when closed. Idempotent. */
  close(): Observable<void>;
}

export const createClient = (input: ClientConfigInput, deps: Pick<ConsumerGroupDeps, 'createTransport' | 'scheduler'> = {}): Client => {
  let transport: Transport | undefined;
  let owner: string | undefined;
  let closed = false;
  const shared = (config: ConsumerGroupConfig): Transport => {
    if (closed) throw new KafkaClientError({ tag: 'Closed', message: 'The client is closed', context: { group: config.groupId } });
    if (owner !== undefined) {
      throw new KafkaClientError({ tag: 'ClientInUse', message: `The client already serves the consumer of group ${owner}; close it first or use another client`, context: { group: config.groupId } });
    }
    owner = config.groupId;
    const t = (transport ??= (deps.createTransport ?? kafkajsTransportFor)(config));
    // The consumer's session "closes" its transport when it ends: here that only hands the client back.
    return withClose(t, () => defer(() => ((owner = undefined), EMPTY)));
  };
  const shown = redactSecrets(input);
  const producerConfig = (): ConsumerGroupConfig => {
    if (closed) throw new KafkaClientError({ tag: 'Closed', message: 'The client is closed' });
    // Only the connection settings matter to a transport; the group fields are placeholders validation needs.
    const validated = validateConfig({ ...input, groupId: 'producer', topics: ['producer'] } as ConsumerGroupConfigInput);
    if (validated._tag === 'Left') throw configError(validated.left);
    return validated.right;
  };
  return {
    config: () => shown,
    consumerGroup: (groupInput) => consumerGroup({ ...input, ...groupInput } as ConsumerGroupConfigInput, { scheduler: deps.scheduler, createTransport: shared }),
    openTransport: () => (deps.createTransport ?? kafkajsTransportFor)(producerConfig()),
    close: () =>
      defer(() => {
        closed = true;
        return transport ? transport.close() : EMPTY;
      }),
  };
};

const REDACTED = '[redacted]';
/** TLS options that hold secrets: private keys, their passphrases, PKCS#12 bundles. */
const SSL_SECRETS = ['key', 'passphrase', 'pfx'] as const;

/** The config with every secret replaced by '[redacted]': the SASL password, TLS keys, passphrases and pfx. */
const redactSecrets = (input: ClientConfigInput): ClientConfigInput => {
  const { sasl, ssl, ...rest } = input;
  const shownSasl = sasl && 'password' in sasl ? { ...sasl, password: REDACTED } : sasl;
  const shownSsl =
    typeof ssl === 'object' && ssl !== null
      ? Object.freeze({ ...ssl, ...Object.fromEntries(SSL_SECRETS.filter((k) => ssl[k] !== undefined).map((k) => [k, REDACTED])) })
      : ssl;
  return Object.freeze({ ...rest, ...(ssl !== undefined ? { ssl: shownSsl } : {}), ...(sasl ? { sasl: shownSasl } : {}) }) as ClientConfigInput;
};
