/** Exponential backoff without jitter (deterministic, so virtual-time tests can predict it). */
export const backoffDelay = (failures: number, initialMs: number, maxMs: number): number =>
  Math.min(maxMs, initialMs * 2 ** Math.max(0, failures - 1));
