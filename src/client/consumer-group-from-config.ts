import type { SchedulerLike } from 'rxjs';
import { configError, validateConfig, type ConsumerGroupConfig, type ConsumerGroupConfigInput } from '../config';
import { createConsumerGroup, type ConsumerGroup } from '../sources/consumer-group';
import { builtinStrategies, rebalanceProtocolOf, strategyByName, type AssignmentStrategy } from '../strategies';
import type { Transport } from '../transport';
import { createKafkajsTransport } from '../transport/kafkajs';

/** Optional collaborators: a transport factory (e.g. the in-memory broker's) and the scheduler time comes from. */
export interface ConsumerGroupDeps {
  readonly createTransport?: (config: ConsumerGroupConfig) => Transport;
  readonly scheduler?: SchedulerLike;
}

const strategiesOf = (config: ConsumerGroupConfig): AssignmentStrategy[] =>
  config.group.partitionStrategy.map((s) => (typeof s === 'string' ? (strategyByName(s) ?? builtinStrategies[0]) : (s as AssignmentStrategy))) as AssignmentStrategy[];

/** The kafkajs transport for a validated config. */
export const kafkajsTransportFor = (config: ConsumerGroupConfig): Transport =>
  createKafkajsTransport({
    brokers: config.brokers,
    clientId: config.clientId,
    ...(config.logger ? { logger: config.logger } : {}),
    ssl: config.ssl === false ? undefined : config.ssl,
    sasl: config.sasl,
    connectionTimeout: config.retry.connectionTimeout,
    requestTimeout: config.retry.requestTimeout,
    retry: { max: config.retry.max, initialBackoff: config.retry.initialBackoff, maxBackoff: config.retry.maxBackoff },
  });

/**
 * A consumer group member from a config. Invalid config throws one `ConfigValidationError` listing every issue
 * (nothing starts). Cold: nothing connects until a stream is subscribed.
 *
 *   const group = consumerGroup({ brokers: ['localhost:9092'], groupId: 'billing', topics: ['orders'] });
 *   group.messages$.pipe(concatMap(handle), markOffsets(group)).subscribe();
 */
export const consumerGroup = (input: ConsumerGroupConfigInput, deps: ConsumerGroupDeps = {}): ConsumerGroup => {
  const validated = validateConfig(input);
  if (validated._tag === 'Left') throw configError(validated.left);
  const config = validated.right;
  const topics = [...config.topics];
  const strategies = strategiesOf(config);
  return createConsumerGroup({
    createTransport: () => (deps.createTransport ?? kafkajsTransportFor)(config),
    scheduler: deps.scheduler,
    clientId: config.clientId,
    ...(config.logger ? { logger: config.logger } : {}),
    monitoring: { metricsIntervalMs: config.monitoring.metricsInterval, stallTimeoutMs: config.monitoring.stallTimeout },
    settings: {
      membership: {
        groupId: config.groupId,
        topics: () => topics,
        patterns: { whitelist: config.whitelist, blacklist: config.blacklist },
        sessionTimeoutMs: config.group.session.timeout,
        rebalanceTimeoutMs: config.group.rebalance.timeout,
        heartbeatIntervalMs: config.group.heartbeat.interval,
        strategies,
        // Validation refused strategies without a common protocol.
        rebalanceProtocol: rebalanceProtocolOf(strategies) ?? 'eager',
        instanceId: config.group.instanceId,
        groupProtocol: config.groupProtocol,
        remoteAssignor: config.groupRemoteAssignor,
        userData: config.group.userData,
        retry: { max: config.retry.max, initialBackoffMs: config.retry.initialBackoff, maxBackoffMs: config.retry.maxBackoff },
        metadataRefreshMs: config.group.topics.refreshInterval,
      },
      initial: config.consumer.offsets.initial,
      outOfRange: config.consumer.offsets.outOfRange,
      isolationLevel: config.consumer.isolationLevel,
      checkCrcs: config.consumer.checkCrcs,
      fetch: { minBytes: config.consumer.fetch.min, maxBytes: config.consumer.fetch.max, partitionMaxBytes: config.consumer.fetch.partitionMax, maxWaitMs: config.consumer.fetch.maxWait },
      credit: config.consumer.credit,
      commitIntervalMs: config.consumer.offsets.commitInterval,
      commitRetryMax: config.group.offsets.retry.max,
      drainTimeoutMs: config.group.rebalance.drainTimeout,
    },
  });
};
