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
import { assertNever, isNeutral, isSuccess, type ProbeClass, type ProbeResult, type TargetHealth, type TargetStatus } from "./types.ts";

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
      // A neutral answer (a 429) is still what the last check saw.
      if (isNeutral(cls)) {
        next.lastClassification = cls;
        next.lastError = sanitizeError(probe.error ?? cls);
      }
      break;
    default:
      assertNever(outcome);
  }

  const to = nextStatus(health, next, outcome, policy);
  // A flapping target's score decays only while it is steady: each new failure holds it.
  if (outcome === "failure" && isDamped(health, now, policy)) next.flapAt = now;

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
    recordDirection(next, prev, to, now, policy);
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
  if (isNeutral(cls)) return "ignored";
  if (!isSuccess(cls)) return "failure";
  // A live request that happened to succeed does not bring an offline target back:
  // only the monitor's own probes do (the gateway sends offline targets no traffic).
  if (probe.source === "passive" && prev === "offline") return "ignored";
  return "success";
}

/** Reversals of direction (decayed) at which a target counts as flapping. */
export const FLAP_REVERSALS = 2;
/** A flapping target needs this many times recoveryThreshold successes to improve. */
export const DAMPED_RECOVERY_FACTOR = 3;

/** Half-life of the flap score: 30 probe intervals (5 minutes at the default 10 s). */
function flapHalfLifeMs(policy: HealthPolicy): number {
  return policy.intervalS * 30_000;
}

export function flapScoreAt(health: TargetHealth, now: number, policy: HealthPolicy): number {
  const score = health.flapScore ?? 0;
  if (score === 0 || health.flapAt === null || health.flapAt === undefined) return score;
  return score * 0.5 ** (Math.max(0, now - health.flapAt) / flapHalfLifeMs(policy));
}

/** True when the target reversed direction FLAP_REVERSALS times recently: improvements are damped. */
export function isDamped(health: TargetHealth, now: number, policy: HealthPolicy): boolean {
  // Scores decay between reversals, so "2 recent reversals" is read as more than 1.5.
  return flapScoreAt(health, now, policy) > FLAP_REVERSALS - 0.5;
}

/** How bad a status is, for telling a worsening from an improvement. */
const BADNESS: Partial<Record<TargetStatus, number>> = { unknown: 0, healthy: 0, degraded: 1, failing: 2, recovering: 2.5, offline: 3 };

function recordDirection(next: TargetHealth, from: TargetStatus, to: TargetStatus, now: number, policy: HealthPolicy): void {
  const a = BADNESS[from];
  const b = BADNESS[to];
  if (a === undefined || b === undefined || a === b) return;
  const direction = b > a ? "down" : "up";
  // An outage that gets worse and then better is one reversal; flapping is many.
  if (next.lastDirection !== null && next.lastDirection !== undefined && next.lastDirection !== direction) {
    next.flapScore = flapScoreAt(next, now, policy) + 1;
    next.flapAt = now;
  }
  next.lastDirection = direction;
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
  // A flapping target must prove itself for longer before it is trusted again.
  const needed = isDamped(before, after.lastCheckAt ?? 0, policy) ? policy.recoveryThreshold * DAMPED_RECOVERY_FACTOR : policy.recoveryThreshold;
  const recovered = cs >= needed;

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
