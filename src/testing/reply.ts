import type * as E from 'fp-ts/Either';
import type { KafkaClientError } from '../errors';

/**
 * How the in-memory broker answers a request: once, with a typed error or a value. The broker calls it when the
 * answer is ready (at once, or later for a parked JoinGroup/SyncGroup or a long-polling Fetch); the transport
 * delivers it to the subscriber on the scheduler, after the configured latency. Calls after the first, or after
 * the subscriber went away, are ignored: like a real broker writing to a closed socket.
 */
export type Reply<T> = (result: E.Either<KafkaClientError, T>) => void;
