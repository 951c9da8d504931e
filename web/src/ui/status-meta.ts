/**
 * How each target status is shown: a word, an icon and a colour class, so state is
 * never conveyed by colour alone.
 */
import { assertNever, type ProbeClass, type TargetStatus } from "@exo-bridge/core/health/types";
import type { Severity } from "@exo-bridge/core/protocol/events";

export interface StatusMeta {
  label: string;
  icon: string;
  tone: "ok" | "warn" | "bad" | "info" | "muted";
}

export function statusMeta(s: TargetStatus): StatusMeta {
  switch (s) {
    case "healthy":
      return { label: "Healthy", icon: "✔", tone: "ok" };
    case "degraded":
      return { label: "Degraded", icon: "◐", tone: "warn" };
    case "failing":
      return { label: "Failing", icon: "▲", tone: "bad" };
    case "offline":
      return { label: "Offline", icon: "✖", tone: "bad" };
    case "recovering":
      return { label: "Recovering", icon: "↻", tone: "warn" };
    case "misconfigured":
      return { label: "Misconfigured", icon: "⚠", tone: "bad" };
    case "maintenance":
      return { label: "Maintenance", icon: "‖", tone: "info" };
    case "unknown":
      return { label: "Unknown", icon: "?", tone: "muted" };
    default:
      return assertNever(s);
  }
}

export function severityMeta(s: Severity): { label: string; icon: string } {
  switch (s) {
    case "failure":
      return { label: "failure", icon: "✖" };
    case "recovery":
      return { label: "recovery", icon: "✔" };
    case "change":
      return { label: "change", icon: "◆" };
    case "info":
      return { label: "info", icon: "ℹ" };
    default:
      return assertNever(s);
  }
}

/** Plain words for a probe classification, for the "last error" line. */
export function classificationLabel(c: ProbeClass): string {
  switch (c) {
    case "ok":
      return "OK";
    case "slow":
      return "slow answer";
    case "tunnel_down":
      return "tunnel down (no connector)";
    case "origin_down":
      return "Exo behind the tunnel not answering";
    case "access_denied":
      return "Access refused the credentials";
    case "refused":
      return "connection refused";
    case "timeout":
      return "timed out";
    case "http_error":
      return "unexpected HTTP status";
    case "no_instance":
      return "model has no running instance";
    case "malformed":
      return "malformed answer";
    case "stream_error":
      return "stream error frame";
    case "stream_cut":
      return "stream cut before [DONE]";
    case "rate_limited":
      return "rate limited (429)";
    default:
      return assertNever(c);
  }
}
