/**
 * Reconnect delays: exponential, capped, with "equal jitter" (half fixed, half
 * random) so that many pages dropped by one deploy do not reconnect in lockstep,
 * yet no page retries sooner than half the nominal delay.
 */
export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 500, maxMs: 30_000 };

/** Delay before reconnect attempt `attempt` (1-based); `random` is in [0, 1). */
export function backoffDelay(attempt: number, random: number, policy: BackoffPolicy = DEFAULT_BACKOFF): number {
  const exp = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, Math.min(attempt - 1, 30)));
  const r = Math.min(Math.max(random, 0), 1);
  return Math.round(exp / 2 + (exp / 2) * r);
}
