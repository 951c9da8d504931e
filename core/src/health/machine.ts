/**
 * The target health state machine: a pure reducer from (record, probe result,
 * policy) to (new record, event drafts). The monitor's Durable Object loads the
 * record, calls `transition`, and stores both results in one transaction; nothing
 * else decides a status. Time comes in as `probe.at`. The rules, and the table
 * users read (docs/state-machine.md), are in state-machine-doc.ts and tested
 * row by row.
 */
import type { HealthPolicy } from "../config/target.ts";
import type { EventDraft } from "../protocol/events.ts";
import { failureEvent, recoveryEvent, restartEvent, statusChangeEvent, type TargetRef } from "./machine-events.ts";
import { sanitizeError } from "./redact.ts";
import { assertNever, isSuccess, type ProbeClass, type ProbeResult, type TargetHealth, type TargetStatus } from "./types.ts";

export type { TargetRef } from "./machine-events.ts";

export interface TransitionResult {
  health: TargetHealth;
  events: EventDraft[];
}

/** What one observation means for the streaks. */
type Outcome = "success" | "failure" | "denied" | "ignored";

/**
 * The classification the machine acts on. An active probe that answered "ok" but
 * slower than degradedLatencyMs is "slow". Passive observations keep theirs: the
 * latency of a live completion measures generation, not health.
 */
export function effectiveClassification(probe: ProbeResult, policy: HealthPolicy): ProbeClass {
  if (
    probe.classification === "ok" &&
    probe.source === "probe" &&
    probe.latencyMs !== null &&
    probe.latencyMs > policy.degradedLatencyMs
  ) {
    return "slow";
  }
  return probe.classification;
}

export function transition(
  health: TargetHealth,
  probe: ProbeResult,
  policy: HealthPolicy,
  target: TargetRef,
): TransitionResult {
  const now = probe.at;
  const prev = health.status;
  const cls = effectiveClassification(probe, policy);
  const outcome = outcomeOf(cls, probe, prev);
  const events: EventDraft[] = [];

  // Restart detection is independent of the outcome: a restarted node that answers is healthy.
  if (probe.nodeId !== undefined && health.nodeId !== null && probe.nodeId !== health.nodeId) {
    events.push(restartEvent(target, health.nodeId, probe.nodeId));
  }

  const next: TargetHealth = {
    ...health,
    totalChecks: health.totalChecks + 1,
    lastCheckAt: now,
    nodeId: probe.nodeId ?? health.nodeId,
  };
  // Passive latency is a whole completion, not a health signal (see effectiveClassification).
  if (probe.source === "probe") next.lastLatencyMs = probe.latencyMs;

  switch (outcome) {
    case "success":
      next.consecutiveSuccesses = health.consecutiveSuccesses + 1;
      next.consecutiveFailures = 0;
      next.consecutiveSlow = cls === "slow" ? health.consecutiveSlow + 1 : 0;
      next.lastError = null;
      next.lastClassification = cls;
      break;
    case "failure":
    case "denied":
      // An Access refusal is an operator problem: recorded as a failed check, but it builds no streak toward offline.
      next.consecutiveFailures = outcome === "failure" ? health.consecutiveFailures + 1 : 0;
      next.consecutiveSuccesses = 0;
      next.consecutiveSlow = 0;
      next.totalFailures = health.totalFailures + 1;
      next.lastError = sanitizeError(probe.error ?? cls);
      next.lastClassification = cls;
      break;
    case "ignored":
      // Counted as an observation; the streaks and the reason for the outage stay as they were.
      break;
    default:
      assertNever(outcome);
  }

  const to = nextStatus(health, next, outcome, policy);

  if (outcome === "failure" && prev !== "maintenance") {
    // During a long outage the first failure of each kind is news; repeats are not.
    const repeat = prev === "offline" && health.lastClassification === cls;
    if (!repeat) {
      events.push(
        failureEvent(target, {
          classification: cls,
          error: next.lastError ?? cls,
          consecutiveFailures: next.consecutiveFailures,
          httpStatus: probe.httpStatus,
          source: probe.source,
        }),
      );
    }
  }

  if (to !== prev) {
    next.status = to;
    next.since = now;
    const outageContinues = prev === "offline" || prev === "recovering";
    if (to === "offline" && !outageContinues) next.offlineSince = now;
    events.push(
      statusChangeEvent(target, prev, to, cls, {
        classification: cls,
        consecutiveFailures: next.consecutiveFailures,
        consecutiveSuccesses: next.consecutiveSuccesses,
      }),
    );
    if (outageContinues && (to === "healthy" || to === "degraded")) {
      const downtime = Math.max(0, now - (health.offlineSince ?? health.since));
      events.push(recoveryEvent(target, downtime, to));
    }
  }

  return { health: next, events };
}

/**
 * Operator maintenance: entering freezes the status (probes are still recorded);
 * leaving starts over from unknown with fresh streaks, so the next probe decides.
 */
export function setMaintenance(
  health: TargetHealth,
  enabled: boolean,
  now: number,
  target: TargetRef,
): TransitionResult {
  const inMaintenance = health.status === "maintenance";
  if (enabled === inMaintenance) return { health, events: [] };
  const to: TargetStatus = enabled ? "maintenance" : "unknown";
  const next: TargetHealth = { ...health, status: to, since: now };
  if (!enabled) {
    next.consecutiveFailures = 0;
    next.consecutiveSuccesses = 0;
    next.consecutiveSlow = 0;
  }
  const event = statusChangeEvent(target, health.status, to, enabled ? "maintenance" : "maintenance ended", {
    classification: null,
    consecutiveFailures: next.consecutiveFailures,
    consecutiveSuccesses: next.consecutiveSuccesses,
  });
  return { health: next, events: [event] };
}

/**
 * True when an offline target has already come back once in this outage and fallen
 * again (recovering → offline keeps offlineSince but moves since). Such a target
 * must string together recoveryThreshold successes before it is tried again, so a
 * target alternating ok/fail settles in offline instead of storming state changes.
 */
export function hasRelapsed(health: TargetHealth): boolean {
  return health.status === "offline" && health.offlineSince !== null && health.since > health.offlineSince;
}

function outcomeOf(cls: ProbeClass, probe: ProbeResult, prev: TargetStatus): Outcome {
  if (cls === "access_denied") return "denied";
  if (!isSuccess(cls)) return "failure";
  // A live request that happened to succeed does not bring an offline target back:
  // only the monitor's own probes do (the gateway sends offline targets no traffic).
  if (probe.source === "passive" && prev === "offline") return "ignored";
  return "success";
}

/** Severity order used so that a failure never improves a status. */
const FAILURE_RANK: Record<"unknown" | "healthy" | "degraded" | "failing" | "offline", number> = {
  unknown: 0,
  healthy: 0,
  degraded: 1,
  failing: 2,
  offline: 3,
};

function nextStatus(before: TargetHealth, after: TargetHealth, outcome: Outcome, policy: HealthPolicy): TargetStatus {
  const prev = before.status;
  if (prev === "maintenance") return "maintenance";
  if (outcome === "ignored") return prev;
  if (outcome === "denied") return "misconfigured";
  // Leaving misconfigured: the next real answer is read as if nothing were known.
  const base = prev === "misconfigured" ? "unknown" : prev;
  const cs = after.consecutiveSuccesses;
  const recovered = cs >= policy.recoveryThreshold;

  if (outcome === "success") {
    const up: TargetStatus = after.consecutiveSlow >= policy.slowThreshold ? "degraded" : "healthy";
    switch (base) {
      case "unknown":
      case "healthy":
        return up;
      case "degraded":
      case "failing":
      case "recovering":
        return recovered ? up : base;
      case "offline":
        if (hasRelapsed(before)) {
          if (!recovered) return "offline";
          return policy.recoveryThreshold <= 1 ? up : "recovering";
        }
        return recovered ? up : "recovering";
      default:
        return assertNever(base);
    }
  }

  switch (base) {
    case "offline":
    case "recovering":
      return "offline";
    case "unknown":
    case "healthy":
    case "degraded":
    case "failing": {
      const cf = after.consecutiveFailures;
      const byStreak = cf >= policy.failureThreshold ? "offline" : cf <= 1 ? "degraded" : "failing";
      return FAILURE_RANK[byStreak] >= FAILURE_RANK[base] ? byStreak : base;
    }
    default:
      return assertNever(base);
  }
}
