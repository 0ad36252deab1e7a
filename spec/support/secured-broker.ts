import { readFileSync } from 'node:fs';
import { catchError, filter, firstValueFrom, lastValueFrom, map, merge, of, race, tap, timer } from 'rxjs';
import { startSecuredBroker as start, type SecuredBroker } from '../../broker/secured-broker';
import { consumerGroup, KafkaClientError, type ConsumerGroup, type ConsumerGroupConfigInput, type KafkaMessage } from '../../src';
import { uniqueName } from './names';

/**
 * The security suites' broker (broker/secured-broker.js) and the one question every case asks: what does a consumer
 * with these settings get first, a message or an error, and how long did it take?
 */
export type { SecuredBroker };

/** The password every user of a test broker has: distinctive, so a test can grep output for it. */
export const SENTINEL_PASSWORD = 'S3ntinel-pa55-XYZ';

export const startSecuredBroker = (): Promise<SecuredBroker> => start({ password: SENTINEL_PASSWORD });

/** TLS options trusting the broker's throwaway CA (server verification stays on). */
export const trustingCa = (b: SecuredBroker): { ca: string } => ({ ca: readFileSync(b.certs.ca, 'utf8') });

/** An unsecured JWT (`alg: none`), which the test broker's default OAUTHBEARER validator accepts; `sub` is the principal. */
export const unsecuredJwt = (sub: string, lifetimeMs = 3_600_000): string => {
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const now = Date.now();
  return `${b64({ alg: 'none' })}.${b64({ sub, iat: Math.floor(now / 1000), exp: Math.floor((now + lifetimeMs) / 1000) })}.`;
};

export type Outcome = { readonly kind: 'message'; readonly message: KafkaMessage } | { readonly kind: 'error'; readonly error: KafkaClientError } | { readonly kind: 'timeout' };

/** Small retry/backoff so failures that are retried still end in bounded time. */
export const boundedRetry = { max: 2, initialBackoff: 100, maxBackoff: 500, connectionTimeout: 3000, requestTimeout: 10000 };

/** A group on the broker's allowed topic/group prefixes with fast timings; `overrides` adds ssl/sasl/brokers. */
export const securedGroup = (
  b: SecuredBroker,
  input: Partial<ConsumerGroupConfigInput> & Pick<ConsumerGroupConfigInput, 'brokers' | 'topics'>,
): ConsumerGroup =>
  consumerGroup({
    groupId: uniqueName(`${b.groupPrefix}g`),
    retry: boundedRetry,
    group: { session: { timeout: 6000 }, heartbeat: { interval: 500 }, rebalance: { timeout: 10000, drainTimeout: 2000 } },
    consumer: { offsets: { initial: 'oldest', commitInterval: 200 } },
    ...input,
  });

/**
 * Subscribes `messages$` (and `errors$`, collecting every reported error into `reported`) and resolves with what
 * comes first: a message, `messages$` failing, a reported error that `settles` accepts (reported errors that stop
 * nothing, e.g. a partition's), or neither within `ms` (timeout); then closes the group.
 */
export const firstOutcome = async (
  g: ConsumerGroup,
  ms: number,
  reported: KafkaClientError[] = [],
  settles: (e: KafkaClientError) => boolean = () => false,
): Promise<Outcome> => {
  const asError = (e: unknown): Outcome => ({
    kind: 'error',
    error: e instanceof KafkaClientError ? e : new KafkaClientError({ tag: 'Unexpected', message: `not a KafkaClientError: ${String(e)}` }),
  });
  const messages = g.messages$.pipe(
    map((message): Outcome => ({ kind: 'message', message })),
    catchError((e: unknown) => of(asError(e))),
  );
  const errors = g.errors$.pipe(
    tap((e) => reported.push(e)),
    filter(settles),
    map((error): Outcome => ({ kind: 'error', error })),
  );
  try {
    return await firstValueFrom(race(merge(messages, errors), timer(ms).pipe(map((): Outcome => ({ kind: 'timeout' })))));
  } finally {
    await lastValueFrom(g.close(), { defaultValue: undefined });
  }
};
