/**
 * What the monitor records when a target's status changes in a way that matters
 * for traffic: failover when an Exo node goes offline, restoration when it comes
 * back, provider failure and reset for cloud targets. Pure: the Durable Object
 * calls it after `transition`, with the rest of the fleet, and stores the actions
 * and events it returns. Each recorded action has exactly one event beside it
 * (failover to a cloud provider → `exo_failover`, to another Exo node → `recovery_action`,
 * none possible → `recovery_failed`; node_restored and reset → `recovery_action`). With auto-recovery off nothing is acted on; the facts that
 * still hold (where routing now sends traffic, a provider failure) become events.
 */
import type { TargetKind } from "../config/target.ts";
import { severityOf, type EventDraft, type EventType, type RecoveryDraft } from "../protocol/events.ts";
import { assertNever, isRoutable, type TargetStatus } from "./types.ts";

export interface RecoveryAlternative {
  name: string;
  kind: TargetKind;
  status: TargetStatus;
  drained: boolean;
  /** Lower is preferred (effectivePriority); defaults to 0 for Exo, 1 for cloud. Ties keep input order. */
  priority?: number;
}

export interface RecoveryInput {
  target: string;
  kind: TargetKind;
  from: TargetStatus;
  to: TargetStatus;
  autoRecovery: boolean;
  alternatives: RecoveryAlternative[];
}

export interface RecoveryPlan {
  actions: RecoveryDraft[];
  events: EventDraft[];
}

export const NO_HEALTHY_UPSTREAM = "no healthy upstream";

export function planRecovery(input: RecoveryInput): RecoveryPlan {
  const { from, to } = input;
  const wentOffline = to === "offline" && from !== "offline";
  const outageEnded = (from === "offline" || from === "recovering") && (to === "healthy" || to === "degraded");
  switch (input.kind) {
    case "exo":
      if (wentOffline) return exoOffline(input);
      if (outageEnded) return restored(input, "node_restored");
      return { actions: [], events: [] };
    case "cloud":
      if (wentOffline) return cloudOffline(input);
      if (outageEnded) return restored(input, "reset");
      return { actions: [], events: [] };
    default:
      return assertNever(input.kind);
  }
}

/** Where traffic for an offline target goes now: another Exo node first, then the preferred cloud provider. */
export function chooseFailover(target: string, alternatives: readonly RecoveryAlternative[]): RecoveryAlternative | null {
  const usable = alternatives
    .map((a, index) => ({ a, index }))
    .filter(({ a }) => a.name !== target && !a.drained && isRoutable(a.status));
  const best = (kind: TargetKind) =>
    usable
      .filter(({ a }) => a.kind === kind)
      .sort(
        (x, y) =>
          priorityOf(x.a) - priorityOf(y.a) || STATUS_PREFERENCE[x.a.status] - STATUS_PREFERENCE[y.a.status] || x.index - y.index,
      )[0]?.a ?? null;
  return best("exo") ?? best("cloud");
}

/** Among routable statuses, the surest first. */
const STATUS_PREFERENCE: Record<TargetStatus, number> = {
  healthy: 0,
  degraded: 1,
  recovering: 2,
  unknown: 3,
  failing: 9,
  offline: 9,
  misconfigured: 9,
  maintenance: 9,
};

function priorityOf(a: RecoveryAlternative): number {
  return a.priority ?? (a.kind === "exo" ? 0 : 1);
}

function exoOffline(input: RecoveryInput): RecoveryPlan {
  const next = chooseFailover(input.target, input.alternatives);
  const auto = input.autoRecovery;
  if (next === null) {
    const data = { action: "failover", error: NO_HEALTHY_UPSTREAM, auto_recovery: auto };
    const suffix = auto ? "failover failed" : "auto-recovery is off";
    return {
      actions: auto ? [{ action: "failover", target: input.target, success: false, error: NO_HEALTHY_UPSTREAM, detail: null }] : [],
      events: [event("recovery_failed", input.target, `${input.target}: offline and ${NO_HEALTHY_UPSTREAM} (${suffix})`, data)],
    };
  }
  const where = `${next.name} (${next.kind})`;
  const data = { action: "failover", failover_to: next.name, failover_kind: next.kind, auto_recovery: auto };
  // `exo_failover` means traffic leaves Exo for a (paid) cloud provider; another Exo node
  // taking over keeps it on Exo and is an ordinary recovery action.
  const type: EventType = next.kind === "cloud" ? "exo_failover" : "recovery_action";
  if (!auto) {
    return {
      actions: [],
      events: next.kind === "cloud" ? [event(type, input.target, `${input.target}: offline, traffic goes to ${where}; auto-recovery is off`, data)] : [],
    };
  }
  return {
    actions: [{ action: "failover", target: input.target, success: true, error: null, detail: `traffic now goes to ${where}` }],
    events: [event(type, input.target, `${input.target}: offline, failover to ${where}`, data)],
  };
}

function cloudOffline(input: RecoveryInput): RecoveryPlan {
  const next = chooseFailover(input.target, input.alternatives);
  const where = next === null ? NO_HEALTHY_UPSTREAM : `traffic goes to ${next.name} (${next.kind})`;
  const data = { failover_to: next?.name ?? null, auto_recovery: input.autoRecovery };
  return { actions: [], events: [event("cloud_provider_failure", input.target, `${input.target}: provider offline, ${where}`, data)] };
}

function restored(input: RecoveryInput, action: "node_restored" | "reset"): RecoveryPlan {
  // With auto-recovery off the machine's target_recovery event already records the fact.
  if (!input.autoRecovery) return { actions: [], events: [] };
  const detail =
    action === "node_restored" ? `${input.target} back in rotation (${input.to})` : `${input.target} back in rotation, failure state reset (${input.to})`;
  return {
    actions: [{ action, target: input.target, success: true, error: null, detail }],
    events: [event("recovery_action", input.target, `${input.target}: ${action === "node_restored" ? "node restored" : "provider reset"}`, { action, status: input.to })],
  };
}

function event(type: EventType, target: string, message: string, data: Record<string, unknown>): EventDraft {
  return { type, target, severity: severityOf(type, data), message, data };
}
