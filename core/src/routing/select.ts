/**
 * Choosing the ordered list of upstreams to try for one request, from the
 * monitor's routing snapshot and what this isolate saw on live traffic.
 *
 * Order: Exo targets that may take traffic (by priority tier, power-of-two-choices
 * over latency inside a tier), then cloud providers by priority, then last
 * resorts (recovering targets not picked by their ramp this time, and targets
 * in the penalty box). Pure: time and randomness come in as arguments.
 */
import { assertNever, type TargetStatus } from "../health/types.ts";
import type { RoutingSnapshot, RoutingTarget } from "../protocol/routing.ts";
import type { PenaltyBox } from "./penalty-box.ts";
import type { Random } from "./prng.ts";

export interface SelectOptions {
  now: number;
  random: Random;
  penalties: PenaltyBox;
  /** Live-traffic latency (EWMA) of a target, if this isolate has seen any. */
  latencyOf?: (target: string) => number | null;
  /** Time over which a recovering target's share of traffic ramps from ~0 to all. */
  recoveryRampMs: number;
  /** True when the cloud spending cap is reached: cloud targets are left out. */
  cloudBlocked: boolean;
}

export interface Selection {
  candidates: RoutingTarget[];
  /** Whether the request would have gone to Exo if Exo had been available (for exo_failover facts). */
  wantsExo: boolean;
  /** Targets that serve the alias but were left out, with why (for error messages and tests). */
  excluded: Array<{ name: string; reason: string }>;
}

/** Latency assumed for a target nobody has measured yet: neither favoured nor shunned. */
const UNKNOWN_LATENCY_MS = 1_000;

export function servesAlias(t: RoutingTarget, alias: string): boolean {
  return Object.prototype.hasOwnProperty.call(t.models, alias);
}

/** Whether a status may get traffic at all, and whether it is ramped. */
export function trafficShare(status: TargetStatus): "full" | "ramp" | "none" {
  switch (status) {
    case "healthy":
    case "degraded":
    case "unknown":
      return "full";
    case "recovering":
      return "ramp";
    case "failing":
    case "offline":
    case "misconfigured":
    case "maintenance":
      return "none";
    default:
      return assertNever(status);
  }
}

/** Share of requests a recovering target gets, growing linearly from 5% to 100% over the ramp. */
export function recoveryWeight(since: number, now: number, rampMs: number): number {
  if (rampMs <= 0) return 1;
  const f = (now - since) / rampMs;
  return Math.min(1, Math.max(0.05, f));
}

export function selectCandidates(snapshot: RoutingSnapshot, alias: string, opts: SelectOptions): Selection {
  const excluded: Selection["excluded"] = [];
  const primary: RoutingTarget[] = [];
  const lastResort: RoutingTarget[] = [];
  const penalized: RoutingTarget[] = [];
  let wantsExo = false;

  for (const t of snapshot.targets) {
    if (!servesAlias(t, alias)) continue;
    if (t.kind === "exo") wantsExo = wantsExo || !snapshot.pinnedToCloud;
    const reason = exclusionReason(t, snapshot, opts);
    if (reason !== null) {
      excluded.push({ name: t.name, reason });
      continue;
    }
    if (opts.penalties.isPenalized(t.name, opts.now)) {
      penalized.push(t);
      continue;
    }
    if (trafficShare(t.status) === "ramp" && opts.random() >= recoveryWeight(t.since, opts.now, opts.recoveryRampMs)) {
      lastResort.push(t);
      continue;
    }
    primary.push(t);
  }

  const score = (t: RoutingTarget): number => {
    const measured = opts.latencyOf?.(t.name) ?? t.latencyMs ?? UNKNOWN_LATENCY_MS;
    // Degraded targets still serve, but a healthy peer of similar speed should win.
    return t.status === "degraded" ? measured * 2 + 1 : measured;
  };
  const exo = orderByTier(primary.filter((t) => t.kind === "exo"), score, opts.random);
  const cloud = [...primary.filter((t) => t.kind === "cloud")].sort((a, b) => a.priority - b.priority || score(a) - score(b));
  const resort = [...lastResort, ...penalized.sort((a, b) => (opts.penalties.untilOf(a.name, opts.now) ?? 0) - (opts.penalties.untilOf(b.name, opts.now) ?? 0))];
  return { candidates: [...exo, ...cloud, ...resort], wantsExo, excluded };
}

function exclusionReason(t: RoutingTarget, snapshot: RoutingSnapshot, opts: SelectOptions): string | null {
  if (!t.enabled) return "disabled";
  if (t.drained) return "drained";
  if (trafficShare(t.status) === "none") return t.status;
  if (t.kind === "exo" && snapshot.pinnedToCloud) return "pinned_to_cloud";
  if (t.kind === "cloud" && opts.cloudBlocked) return "spend_cap_reached";
  return null;
}

/** Priority tiers ascending; inside a tier, repeated power-of-two-choices. */
function orderByTier(targets: RoutingTarget[], score: (t: RoutingTarget) => number, random: Random): RoutingTarget[] {
  const tiers = new Map<number, RoutingTarget[]>();
  for (const t of targets) tiers.set(t.priority, [...(tiers.get(t.priority) ?? []), t]);
  return [...tiers.keys()].sort((a, b) => a - b).flatMap((p) => powerOfTwoOrder(tiers.get(p) ?? [], score, random));
}

/**
 * Order targets by drawing two at random and taking the faster, until none are
 * left. The fastest is usually first, but not always, so load spreads and a
 * stale latency figure cannot pin all traffic to one node.
 */
export function powerOfTwoOrder<T>(items: readonly T[], score: (t: T) => number, random: Random): T[] {
  const pool = [...items];
  const out: T[] = [];
  while (pool.length > 0) {
    if (pool.length === 1) {
      out.push(...pool.splice(0, 1));
      break;
    }
    const i = Math.floor(random() * pool.length);
    let j = Math.floor(random() * (pool.length - 1));
    if (j >= i) j++;
    const a = pool[i];
    const b = pool[j];
    if (a === undefined || b === undefined) break;
    const pick = score(b) < score(a) ? j : i;
    out.push(...pool.splice(pick, 1));
  }
  return out;
}
