/**
 * Builders of valid protocol values for the HUD's Node tests. Every value is
 * checked against the core zod schemas, so a contract change breaks the tests
 * instead of leaving them testing a shape the server no longer sends.
 */
import { DEFAULT_POLICY } from "@exo-bridge/core/config/target";
import type { TargetStatus } from "@exo-bridge/core/health/types";
import { MonitorEvent, RecoveryAction, severityOf, type EventType } from "@exo-bridge/core/protocol/events";
import { ServerMessage } from "@exo-bridge/core/protocol/messages";
import { CheckSample, SystemStatus, TargetStatusDoc } from "@exo-bridge/core/protocol/status";

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

export function event(id: number, type: EventType = "status_change", target: string | null = "exo_primary", data: Record<string, unknown> = {}): MonitorEvent {
  return MonitorEvent.parse({
    id,
    ts: new Date(T0 + id * 1000).toISOString(),
    type,
    target,
    severity: severityOf(type, data),
    message: `${type} #${id}`,
    data,
  });
}

export function events(from: number, to: number): MonitorEvent[] {
  const out: MonitorEvent[] = [];
  for (let id = from; id <= to; id++) out.push(event(id));
  return out;
}

export function recovery(id: number, success = true): RecoveryAction {
  return RecoveryAction.parse({
    id,
    ts: new Date(T0 + id * 1000).toISOString(),
    action: "failover",
    target: "exo_primary",
    success,
    error: success ? null : "connection refused",
    detail: "to openrouter",
  });
}

export function targetDoc(name: string, over: Partial<TargetStatusDoc> = {}): TargetStatusDoc {
  const kind = over.kind ?? (name.startsWith("exo") ? "exo" : "cloud");
  return TargetStatusDoc.parse({
    name,
    kind,
    url: `http://127.0.0.1:9${name.length}00`,
    priority: kind === "exo" ? 0 : 1,
    status: "healthy" satisfies TargetStatus,
    status_since: new Date(T0).toISOString(),
    recent_success_rate: 1,
    avg_latency_ms: 12,
    last_latency_ms: 11,
    consecutive_failures: 0,
    consecutive_successes: 5,
    total_checks: 5,
    total_failures: 0,
    last_check: new Date(T0).toISOString(),
    next_check: null,
    last_error: null,
    last_classification: "ok",
    node_id: null,
    uptime_1h: 1,
    uptime_24h: 1,
    drained: false,
    enabled: true,
    models: {},
    policy: DEFAULT_POLICY,
    ...over,
  });
}

export function status(lastEventId: number, targets: TargetStatusDoc[] = [targetDoc("exo_primary"), targetDoc("openrouter")], over: Partial<SystemStatus["manager"]> = {}): SystemStatus {
  return SystemStatus.parse({
    manager: {
      running: true,
      auto_recovery: true,
      targets: targets.length,
      check_interval_s: 10,
      started_at: new Date(T0).toISOString(),
      last_round_at: null,
      pinned_to_cloud: false,
      last_event_id: lastEventId,
      ...over,
    },
    targets: Object.fromEntries(targets.map((t) => [t.name, t])),
  });
}

export function check(target: string, at: number, ok = true, latencyMs: number | null = 10): CheckSample {
  return CheckSample.parse({ target, at: T0 + at, ok, classification: ok ? "ok" : "refused", latencyMs });
}

export function snapshot(evs: MonitorEvent[], opts: { truncated?: boolean; lastEventId?: number; recovery?: RecoveryAction[]; checks?: CheckSample[]; status?: SystemStatus } = {}): ServerMessage {
  const last = opts.lastEventId ?? evs.reduce((m, e) => Math.max(m, e.id), 0);
  return ServerMessage.parse({
    type: "snapshot",
    status: opts.status ?? status(last),
    events: evs,
    truncated: opts.truncated ?? false,
    recovery: opts.recovery ?? [],
    checks: opts.checks ?? [],
  });
}

export function eventMsg(e: MonitorEvent): ServerMessage {
  return ServerMessage.parse({ type: "event", event: e });
}
