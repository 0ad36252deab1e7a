import type { Observable } from 'rxjs';
import type { Transport } from './port';

/** The same transport with another `close()` (e.g. a shared one whose users must not close it). */
export const withClose = (t: Transport, close: () => Observable<void>): Transport => {
  const decompress = t.decompress?.bind(t);
  return {
    metadata: (r) => t.metadata(r),
    findCoordinator: (r) => t.findCoordinator(r),
    joinGroup: (r) => t.joinGroup(r),
    syncGroup: (r) => t.syncGroup(r),
    heartbeat: (r) => t.heartbeat(r),
    leaveGroup: (r) => t.leaveGroup(r),
    offsetFetch: (r) => t.offsetFetch(r),
    offsetCommit: (r) => t.offsetCommit(r),
    listOffsets: (r) => t.listOffsets(r),
    fetch: (r) => t.fetch(r),
    close,
    ...(decompress ? { decompress } : {}),
  };
};
