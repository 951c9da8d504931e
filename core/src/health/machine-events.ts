/**
 * The event drafts the state machine emits, one builder per event type, so that
 * wording, data keys and severity are decided in one place. Messages are one short
 * line built only from the target name, statuses, classifications and sanitized
 * errors: nothing here can carry a credential.
 */
import type { TargetKind } from "../config/target.ts";
import { severityOf, type EventDraft } from "../protocol/events.ts";
import type { ProbeClass, TargetStatus } from "./types.ts";

export interface TargetRef {
  name: string;
  kind: TargetKind;
}

export function statusChangeEvent(
  target: TargetRef,
  from: TargetStatus,
  to: TargetStatus,
  reason: string,
  extra: { classification: ProbeClass | null; consecutiveFailures: number; consecutiveSuccesses: number },
): EventDraft {
  const data = {
    from,
    to,
    reason,
    classification: extra.classification,
    consecutive_failures: extra.consecutiveFailures,
    consecutive_successes: extra.consecutiveSuccesses,
    kind: target.kind,
  };
  return {
    type: "status_change",
    target: target.name,
    severity: severityOf("status_change", data),
    message: `${target.name}: ${from} → ${to} (${reason})`,
    data,
  };
}

export function failureEvent(
  target: TargetRef,
  f: {
    classification: ProbeClass;
    error: string;
    consecutiveFailures: number;
    httpStatus: number | undefined;
    source: "probe" | "passive";
  },
): EventDraft {
  const data: Record<string, unknown> = {
    error: f.error,
    classification: f.classification,
    consecutive_failures: f.consecutiveFailures,
    source: f.source,
  };
  if (f.httpStatus !== undefined) data["http_status"] = f.httpStatus;
  // The error usually restates the classification ("timeout: ..."); do not say it twice.
  const label = f.classification.replace(/_/g, " ");
  const restates = f.error.startsWith(f.classification) || f.error.startsWith(label);
  const detail = restates ? f.error : `${f.classification}: ${f.error}`;
  const what = f.source === "passive" ? "live request failed" : "health check failed";
  return {
    type: "target_failure",
    target: target.name,
    severity: severityOf("target_failure"),
    message: `${target.name}: ${what} (${detail})`,
    data,
  };
}

export function recoveryEvent(target: TargetRef, downtimeMs: number, status: TargetStatus): EventDraft {
  return {
    type: "target_recovery",
    target: target.name,
    severity: severityOf("target_recovery"),
    message: `${target.name}: recovered after ${formatDuration(downtimeMs)} down`,
    data: { downtime_ms: downtimeMs, status },
  };
}

export function restartEvent(target: TargetRef, previous: string, next: string): EventDraft {
  return {
    type: "target_restarted",
    target: target.name,
    severity: severityOf("target_restarted"),
    message: `${target.name}: node restarted (id ${shortId(previous)} → ${shortId(next)})`,
    data: { previous, new: next },
  };
}

/** "4m 05s", "2h 03m", "850ms": readable at a glance in the event log. */
export function formatDuration(ms: number): string {
  if (ms < 1_000) return `${Math.max(0, Math.round(ms))}ms`;
  const s = Math.floor(ms / 1_000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, "0")}s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ${String(m % 60).padStart(2, "0")}m`;
  return `${Math.floor(h / 24)}d ${String(h % 24).padStart(2, "0")}h`;
}

function shortId(id: string): string {
  return id.length > 12 ? `${id.slice(0, 12)}…` : id;
}
