/**
 * Events and recovery actions: what the monitor records durably and pushes live.
 * Every event has a strictly increasing id so that a subscriber can resume.
 */
import { z } from "zod";

export const EventType = z.enum([
  // The seed's nine.
  "target_added",
  "target_failure",
  "target_recovery",
  "status_change",
  "exo_failover",
  "cloud_provider_failure",
  "recovery_failed",
  "manager_started",
  "manager_stopped",
  // Added by Exo Bridge.
  /** A target's /node_id changed: Exo restarted. Not a failure by itself. */
  "target_restarted",
  "target_removed",
  /** Thresholds, priority, models or drain state changed through the admin API. */
  "target_updated",
  /** A recovery action succeeded (failover, node restored, provider reset, instance re-placed). */
  "recovery_action",
  /** Auto-recovery switched on or off, traffic pinned to cloud or unpinned. */
  "config_changed",
  /** A provider API key was disabled (401) or cooled down (429) by the gateway. */
  "provider_key_state",
  /** The gateway refused cloud traffic because the spending cap was reached. */
  "spend_cap_reached",
  /** A stream already being delivered to a client failed (the client was told). */
  "stream_failed",
]);
export type EventType = z.infer<typeof EventType>;

/** How the HUD colours an event: failures red, recoveries green, state changes yellow, info blue. */
export const Severity = z.enum(["failure", "recovery", "change", "info"]);
export type Severity = z.infer<typeof Severity>;

export const MonitorEvent = z.object({
  id: z.number().int().positive(),
  /** ISO 8601 UTC. */
  ts: z.string(),
  type: EventType,
  target: z.string().nullable(),
  severity: Severity,
  /** One line, human-readable, secret-free. */
  message: z.string(),
  data: z.record(z.string(), z.unknown()),
});
export type MonitorEvent = z.infer<typeof MonitorEvent>;

/** An event before it is stored (no id or time yet). */
export type EventDraft = Omit<MonitorEvent, "id" | "ts">;

export function severityOf(type: EventType, data: Record<string, unknown> = {}): Severity {
  switch (type) {
    case "target_failure":
    case "cloud_provider_failure":
    case "recovery_failed":
    case "stream_failed":
    case "spend_cap_reached":
      return "failure";
    case "target_recovery":
    case "recovery_action":
      return "recovery";
    case "status_change": {
      const to = data["to"];
      if (to === "offline" || to === "failing" || to === "misconfigured") return "failure";
      if (to === "healthy") return "recovery";
      return "change";
    }
    case "exo_failover":
    case "target_restarted":
    case "provider_key_state":
    case "target_updated":
    case "config_changed":
      return "change";
    case "target_added":
    case "target_removed":
    case "manager_started":
    case "manager_stopped":
      return "info";
  }
}

export const RecoveryActionKind = z.enum(["failover", "node_restored", "reset", "replace_instance"]);
export type RecoveryActionKind = z.infer<typeof RecoveryActionKind>;

export const RecoveryAction = z.object({
  id: z.number().int().positive(),
  ts: z.string(),
  action: RecoveryActionKind,
  target: z.string(),
  success: z.boolean(),
  error: z.string().nullable(),
  /** e.g. where traffic went on failover, the attempt number of a re-placement. */
  detail: z.string().nullable(),
});
export type RecoveryAction = z.infer<typeof RecoveryAction>;
export type RecoveryDraft = Omit<RecoveryAction, "id" | "ts">;
