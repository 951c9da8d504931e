/**
 * Read models built from storage: the system status document (GET /api/status,
 * WebSocket snapshots and rounds) and the gateway's routing snapshot.
 */
import { effectivePolicy, effectivePriority, secretNames } from "@exo-bridge/core/config/target";
import type { RoutingSnapshot } from "@exo-bridge/core/protocol/routing";
import type { SystemStatus, TargetStatusDoc } from "@exo-bridge/core/protocol/status";
import { checkStats } from "./store/checks.ts";
import { lastEventId } from "./store/log.ts";
import type { Meta } from "./store/meta.ts";
import type { TargetRecord } from "./store/targets.ts";
import { spendSince } from "./store/usage.ts";

const DAY_MS = 86_400_000;

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

export function targetDoc(sql: SqlStorage, rec: TargetRecord, now: number, running: boolean): TargetStatusDoc {
  const stats = checkStats(sql, rec.config.name, now);
  const h = rec.health;
  return {
    name: rec.config.name,
    kind: rec.config.kind,
    url: rec.config.url,
    priority: effectivePriority(rec.config),
    status: h.status,
    status_since: new Date(h.since).toISOString(),
    recent_success_rate: stats.recentSuccessRate,
    avg_latency_ms: stats.avgLatencyMs,
    last_latency_ms: h.lastLatencyMs,
    consecutive_failures: h.consecutiveFailures,
    consecutive_successes: h.consecutiveSuccesses,
    total_checks: h.totalChecks,
    total_failures: h.totalFailures,
    last_check: iso(h.lastCheckAt),
    next_check: running && rec.config.enabled ? iso(rec.nextCheck) : null,
    last_error: h.lastError,
    last_classification: h.lastClassification,
    node_id: h.nodeId,
    uptime_1h: stats.uptime1h,
    uptime_24h: stats.uptime24h,
    drained: rec.drained,
    enabled: rec.config.enabled,
    models: rec.config.models,
    policy: effectivePolicy(rec.config),
  };
}

export function buildStatus(sql: SqlStorage, meta: Meta, records: TargetRecord[], now: number): SystemStatus {
  const targets: Record<string, TargetStatusDoc> = {};
  let minInterval: number | null = null;
  for (const rec of records) {
    targets[rec.config.name] = targetDoc(sql, rec, now, meta.running);
    const i = effectivePolicy(rec.config).intervalS;
    if (minInterval === null || i < minInterval) minInterval = i;
  }
  return {
    manager: {
      running: meta.running,
      auto_recovery: meta.autoRecovery,
      targets: records.length,
      check_interval_s: minInterval ?? effectivePolicy({ policy: {} }).intervalS,
      started_at: iso(meta.startedAt),
      last_round_at: iso(meta.lastRoundAt),
      pinned_to_cloud: meta.pinnedToCloud,
      last_event_id: lastEventId(sql),
    },
    targets,
  };
}

/** Start of the spending-cap period: the current UTC day. */
export function spendPeriodStart(now: number): number {
  return Math.floor(now / DAY_MS) * DAY_MS;
}

export function buildRoutingSnapshot(sql: SqlStorage, meta: Meta, records: TargetRecord[], now: number): RoutingSnapshot {
  const periodStart = spendPeriodStart(now);
  const cloud = records.filter((r) => r.config.kind === "cloud").map((r) => r.config.name);
  const spend = spendSince(sql, periodStart, cloud);
  return {
    version: meta.version,
    generatedAt: now,
    autoRecovery: meta.autoRecovery,
    running: meta.running,
    pinnedToCloud: meta.pinnedToCloud,
    targets: records.map((rec) => ({
      name: rec.config.name,
      kind: rec.config.kind,
      url: rec.config.url,
      priority: effectivePriority(rec.config),
      status: rec.health.status,
      since: rec.health.since,
      drained: rec.drained,
      enabled: rec.config.enabled,
      latencyMs: checkStats(sql, rec.config.name, now).avgLatencyMs ?? rec.health.lastLatencyMs,
      models: rec.config.models,
      api: rec.config.api,
      pricing: rec.config.pricing ?? null,
      secrets: secretNames(rec.config),
      ttftBudgetMs: effectivePolicy(rec.config).ttftBudgetMs,
    })),
    spend: { periodStart, ...spend },
  };
}
