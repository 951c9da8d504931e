/**
 * Where traffic goes right now, derived from the status document the same way
 * the gateway decides: routable, enabled, undrained Exo nodes first (lowest
 * priority value wins); otherwise the first routable cloud provider; everything
 * to cloud when an operator pinned it there.
 */
import { isRoutable } from "@exo-bridge/core/health/types";
import type { SystemStatus, TargetStatusDoc } from "@exo-bridge/core/protocol/status";

export type RoutingView =
  | { kind: "unknown" }
  | { kind: "exo"; nodes: string[]; fallback: string | null }
  | { kind: "cloud"; provider: string; reason: "pinned" | "exo_unavailable"; others: string[] }
  | { kind: "none"; reason: "pinned" | "exo_unavailable" };

export function takesTraffic(t: TargetStatusDoc): boolean {
  return t.enabled && !t.drained && isRoutable(t.status);
}

export function deriveRouting(status: SystemStatus | null): RoutingView {
  if (status === null) return { kind: "unknown" };
  const live = Object.values(status.targets)
    .filter(takesTraffic)
    .sort((a, b) => a.priority - b.priority || a.name.localeCompare(b.name));
  const exo = live.filter((t) => t.kind === "exo");
  const cloud = live.filter((t) => t.kind === "cloud").map((t) => t.name);
  const pinned = status.manager.pinned_to_cloud;
  if (!pinned && exo.length > 0) {
    const best = exo[0]?.priority ?? 0;
    return { kind: "exo", nodes: exo.filter((t) => t.priority === best).map((t) => t.name), fallback: cloud[0] ?? null };
  }
  const reason = pinned ? "pinned" : "exo_unavailable";
  const [provider, ...others] = cloud;
  return provider === undefined ? { kind: "none", reason } : { kind: "cloud", provider, reason, others };
}
