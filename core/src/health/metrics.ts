/**
 * Figures derived from check samples for the status document and the HUD: recent
 * success rate, average and smoothed latency, uptime over a window. Samples are
 * taken as given (oldest first, as GET /api/checks returns them); nothing here
 * reads a clock, `now` comes in.
 */
import type { CheckSample } from "../protocol/status.ts";

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

export type Sample = Pick<CheckSample, "at" | "ok" | "latencyMs">;

/** Share of successes among the last `n` samples; null with no samples. */
export function recentSuccessRate(samples: readonly Sample[], n = 20): number | null {
  const recent = samples.slice(-n);
  if (recent.length === 0) return null;
  return recent.filter((s) => s.ok).length / recent.length;
}

/**
 * Mean latency of the successful samples among the last `n`. Failed probes are left
 * out: a timeout's "latency" is the timeout, and would drown the real figure.
 */
export function averageLatency(samples: readonly Sample[], n = 20): number | null {
  let sum = 0;
  let count = 0;
  for (const s of samples.slice(-n)) {
    if (!s.ok || s.latencyMs === null) continue;
    sum += s.latencyMs;
    count++;
  }
  return count === 0 ? null : sum / count;
}

/**
 * Exponentially weighted moving average, for a load-balancing latency that follows
 * change without jumping on one outlier. A missing sample keeps the previous value.
 */
export function ewma(prev: number | null, sample: number | null, alpha = 0.3): number | null {
  if (sample === null || !Number.isFinite(sample)) return prev;
  if (prev === null) return sample;
  const a = Math.min(1, Math.max(0, alpha));
  return prev + a * (sample - prev);
}

/** ewma over a whole series of samples' latencies (successful ones only). */
export function ewmaLatency(samples: readonly Sample[], alpha = 0.3): number | null {
  let value: number | null = null;
  for (const s of samples) if (s.ok) value = ewma(value, s.latencyMs, alpha);
  return value;
}

export interface UptimeOptions {
  /**
   * How long one sample speaks for at most. Beyond it (the manager was stopped, the
   * Durable Object slept) time counts as unknown, neither up nor down.
   */
  maxHoldMs?: number;
}

/**
 * Fraction of the window [now − windowMs, now] the target was up, weighting each
 * sample by how long it stood (until the next sample, `now`, or maxHoldMs). A burst
 * of forced checks therefore does not outweigh an hour of regular ones. Null when
 * no sample covers any of the window.
 */
export function uptime(samples: readonly Sample[], now: number, windowMs: number, opts: UptimeOptions = {}): number | null {
  const maxHold = opts.maxHoldMs ?? 5 * 60_000;
  const start = now - windowMs;
  const sorted = [...samples].filter((s) => s.at <= now).sort((a, b) => a.at - b.at);
  let up = 0;
  let covered = 0;
  let inWindow = 0;
  let okInWindow = 0;
  for (let i = 0; i < sorted.length; i++) {
    const s = sorted[i];
    if (s === undefined) continue;
    if (s.at >= start) {
      inWindow++;
      if (s.ok) okInWindow++;
    }
    const nextAt = sorted[i + 1]?.at ?? now;
    const from = Math.max(s.at, start);
    const to = Math.min(nextAt, now, s.at + maxHold);
    if (to <= from) continue;
    covered += to - from;
    if (s.ok) up += to - from;
  }
  if (covered > 0) return up / covered;
  // Only instants (e.g. a single sample taken at `now`): fall back to counting.
  return inWindow > 0 ? okInWindow / inWindow : null;
}

/** The two windows the status document shows. */
export function uptimeWindows(samples: readonly Sample[], now: number, opts: UptimeOptions = {}): { uptime1h: number | null; uptime24h: number | null } {
  return { uptime1h: uptime(samples, now, HOUR_MS, opts), uptime24h: uptime(samples, now, DAY_MS, opts) };
}

/** The p-th percentile (0..100, nearest rank) of the successful samples' latencies. */
export function latencyPercentile(samples: readonly Sample[], p: number): number | null {
  const values = samples.filter((s) => s.ok && s.latencyMs !== null).map((s) => s.latencyMs ?? 0).sort((a, b) => a - b);
  if (values.length === 0) return null;
  const rank = Math.ceil((Math.min(100, Math.max(0, p)) / 100) * values.length);
  return values[Math.max(0, rank - 1)] ?? null;
}
