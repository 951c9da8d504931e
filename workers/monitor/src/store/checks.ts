/**
 * Check samples: a bounded raw window (charts, 1 h uptime, recent success rate)
 * and hourly rollups (24 h uptime) that stay small for months.
 */
import { isSuccess, ProbeClass, type ProbeResult } from "@exo-bridge/core/health/types";
import type { CheckSample } from "@exo-bridge/core/protocol/status";
import { hourBucket, HOUR_MS, LIMITS } from "./schema.ts";

type CheckRow = { target: string; at: number; ok: number; classification: string; latency_ms: number | null };

export function recordCheck(sql: SqlStorage, target: string, probe: ProbeResult): CheckSample {
  const ok = isSuccess(probe.classification);
  sql.exec(
    "INSERT INTO checks (target, at, ok, classification, latency_ms) VALUES (?, ?, ?, ?, ?)",
    target,
    probe.at,
    ok ? 1 : 0,
    probe.classification,
    probe.latencyMs,
  );
  sql.exec(
    `INSERT INTO check_hours (target, bucket, total, ok) VALUES (?, ?, 1, ?)
     ON CONFLICT (target, bucket) DO UPDATE SET total = total + 1, ok = ok + excluded.ok`,
    target,
    hourBucket(probe.at),
    ok ? 1 : 0,
  );
  return { target, at: probe.at, ok, classification: probe.classification, latencyMs: probe.latencyMs };
}

function sampleFromRow(row: CheckRow): CheckSample | null {
  const c = ProbeClass.safeParse(row.classification);
  if (!c.success) return null;
  return { target: row.target, at: row.at, ok: row.ok === 1, classification: c.data, latencyMs: row.latency_ms };
}

/** Samples since `since` (epoch ms), oldest first, at most `limit` (the newest ones). */
export function listChecks(sql: SqlStorage, opts: { target?: string; since: number; limit: number }): CheckSample[] {
  const rows =
    opts.target === undefined
      ? sql.exec<CheckRow>(
          "SELECT target, at, ok, classification, latency_ms FROM checks WHERE at >= ? ORDER BY id DESC LIMIT ?",
          opts.since,
          opts.limit,
        )
      : sql.exec<CheckRow>(
          "SELECT target, at, ok, classification, latency_ms FROM checks WHERE target = ? AND at >= ? ORDER BY id DESC LIMIT ?",
          opts.target,
          opts.since,
          opts.limit,
        );
  const out: CheckSample[] = [];
  for (const row of rows) {
    const s = sampleFromRow(row);
    if (s !== null) out.push(s);
  }
  return out.reverse();
}

export interface CheckStats {
  recentSuccessRate: number | null;
  avgLatencyMs: number | null;
  uptime1h: number | null;
  uptime24h: number | null;
}

/** Aggregates for the status document; `recent` is the number of latest samples the success rate covers. */
export function checkStats(sql: SqlStorage, target: string, now: number, recent = 20): CheckStats {
  const r = sql
    .exec<{ n: number; ok: number | null; lat: number | null }>(
      `SELECT COUNT(*) AS n, SUM(ok) AS ok, AVG(CASE WHEN ok = 1 THEN latency_ms END) AS lat
       FROM (SELECT ok, latency_ms FROM checks WHERE target = ? ORDER BY id DESC LIMIT ?)`,
      target,
      recent,
    )
    .one();
  const h = sql
    .exec<{ n: number; ok: number | null }>("SELECT COUNT(*) AS n, SUM(ok) AS ok FROM checks WHERE target = ? AND at >= ?", target, now - HOUR_MS)
    .one();
  const d = sql
    .exec<{ n: number | null; ok: number | null }>(
      "SELECT SUM(total) AS n, SUM(ok) AS ok FROM check_hours WHERE target = ? AND bucket >= ?",
      target,
      hourBucket(now) - 23 * HOUR_MS,
    )
    .one();
  return {
    recentSuccessRate: r.n > 0 ? (r.ok ?? 0) / r.n : null,
    avgLatencyMs: r.lat,
    uptime1h: h.n > 0 ? (h.ok ?? 0) / h.n : null,
    uptime24h: d.n !== null && d.n > 0 ? (d.ok ?? 0) / d.n : null,
  };
}

export function pruneChecks(sql: SqlStorage, now: number): void {
  sql.exec("DELETE FROM checks WHERE at < ?", now - LIMITS.rawChecksMs);
  sql.exec("DELETE FROM check_hours WHERE bucket < ?", now - LIMITS.hourlyMs);
}
