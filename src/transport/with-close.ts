import type { Observable } from 'rxjs';
import type { Transport } from './port';

/**
 * The same transport with some requests replaced (test spies, fault wrappers, a shared transport's close).
 * Delegates by method, so it also works for class-based transports, whose methods a spread would lose.
 */
const OPTIONAL = ['decompress', 'consumerGroupHeartbeat', 'describeGroups', 'consumerGroupDescribe', 'listGroupOffsets', 'initProducerId', 'produce', 'compress', 'findTransactionCoordinator', 'addPartitionsToTxn', 'addOffsetsToTxn', 'txnOffsetCommit', 'endTxn'] as const;
type OptionalMethod = (typeof OPTIONAL)[number];

export const overriding = (t: Transport, overrides: Partial<Transport>): Transport => {
  const optional: Partial<Pick<Transport, OptionalMethod>> = {};
  for (const name of OPTIONAL) {
    const method = overrides[name] ?? (t[name] as ((...args: never[]) => unknown) | undefined)?.bind(t);
    if (method) Object.assign(optional, { [name]: method });
  }
  return {
    metadata: overrides.metadata ?? ((r) => t.metadata(r)),
    findCoordinator: overrides.findCoordinator ?? ((r) => t.findCoordinator(r)),
    joinGroup: overrides.joinGroup ?? ((r) => t.joinGroup(r)),
    syncGroup: overrides.syncGroup ?? ((r) => t.syncGroup(r)),
    heartbeat: overrides.heartbeat ?? ((r) => t.heartbeat(r)),
    leaveGroup: overrides.leaveGroup ?? ((r) => t.leaveGroup(r)),
    offsetFetch: overrides.offsetFetch ?? ((r) => t.offsetFetch(r)),
    offsetCommit: overrides.offsetCommit ?? ((r) => t.offsetCommit(r)),
    listOffsets: overrides.listOffsets ?? ((r) => t.listOffsets(r)),
    fetch: overrides.fetch ?? ((r) => t.fetch(r)),
    close: overrides.close ?? (() => t.close()),
    ...optional,
  };
};

/** The same transport with another `close()` (e.g. a shared one whose users must not close it). */
export const withClose = (t: Transport, close: () => Observable<void>): Transport => overriding(t, { close });
