/** Per-isolate counters, shown by /healthz and used by tests to bound DO traffic. */
export const counters = {
  requests: 0,
  /** Calls to HealthHub.routingSnapshot(). */
  snapshotCalls: 0,
  /** Calls to HealthHub.report(). */
  reportCalls: 0,
  /** /api/* requests forwarded to the Durable Object. */
  apiForwards: 0,
  upstreamAttempts: 0,
  failovers: 0,
  streamFailures: 0,
  reportsDropped: 0,
};

/** Workers' clock reads 0 at module load, so the isolate's start is taken at its first request. */
let startedAt: number | null = null;
export function isolateUptimeMs(now: number): number {
  startedAt ??= now;
  return now - startedAt;
}
