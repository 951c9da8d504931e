/**
 * Generated-sequence tests: thousands of random probe sequences under random
 * policies, checked step by step against invariants computed independently of
 * the machine (a shadow count of streaks, the previous status, what was fed in).
 * A seeded PRNG keeps every run reproducible; a failure prints its seed.
 */
import { describe, expect, it } from "vitest";
import type { HealthPolicy } from "../config/target.ts";
import { DEFAULT_POLICY } from "../config/target.ts";
import type { EventDraft } from "../protocol/events.ts";
import { seededRandom } from "../routing/prng.ts";
import { setMaintenance, transition } from "./machine.ts";
import { initialHealth, isSuccess, type ProbeClass, type ProbeResult, type TargetHealth, type TargetStatus } from "./types.ts";

/** mulberry32 (shared with routing): tiny, fast, good enough to explore state spaces. */
const prng = seededRandom;

const int = (r: () => number, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
function pick<T>(r: () => number, xs: readonly T[]): T {
  const x = xs[Math.floor(r() * xs.length)];
  if (x === undefined) throw new Error("empty choice");
  return x;
}

const FAILURES: readonly ProbeClass[] = [
  "tunnel_down", "origin_down", "refused", "timeout", "http_error", "no_instance", "malformed", "stream_error", "stream_cut",
];
const SECRET = "sk-live-9f8e7d6c5b4a39281706";
const target = { name: "exo_primary", kind: "exo" } as const;

function randomPolicy(r: () => number): HealthPolicy {
  return {
    ...DEFAULT_POLICY,
    failureThreshold: int(r, 1, 6),
    recoveryThreshold: int(r, 1, 5),
    slowThreshold: int(r, 1, 4),
    degradedLatencyMs: pick(r, [300, 2_000]),
  };
}

type Step = { kind: "probe"; probe: ProbeResult } | { kind: "maintenance"; enabled: boolean };

/** A Markov walk between "up" and "down" spells, so thresholds are actually reached. */
function randomSteps(r: () => number, count: number, start: number): Step[] {
  const steps: Step[] = [];
  let at = start;
  let down = false;
  let nodeId = "a3f0c1";
  for (let i = 0; i < count; i++) {
    at += int(r, 1, 20_000);
    if (r() < 0.15) down = !down;
    if (r() < 0.02) {
      steps.push({ kind: "maintenance", enabled: r() < 0.6 });
      continue;
    }
    if (r() < 0.03) nodeId = `n${int(r, 0, 1e9).toString(16)}`;
    let classification: ProbeClass;
    if (r() < 0.04) classification = "access_denied";
    else if (down) classification = pick(r, FAILURES);
    else classification = r() < 0.1 ? "slow" : "ok";
    const probe: ProbeResult = {
      at,
      classification,
      latencyMs: classification === "timeout" ? null : int(r, 1, 4_000),
      source: r() < 0.15 ? "passive" : "probe",
    };
    if (!isSuccess(classification)) probe.error = r() < 0.3 ? `upstream said Authorization: Bearer ${SECRET}` : `${classification} after ${int(r, 1, 5000)} ms`;
    if (r() < 0.7) probe.nodeId = nodeId;
    steps.push({ kind: "probe", probe });
  }
  return steps;
}

interface Shadow {
  failStreak: number;
  okStreak: number;
  checks: number;
  failures: number;
}

/** Plain checks: `expect` per step would dominate the run time over ~300k steps. */
function check(cond: boolean, what: string, ctx: () => string): void {
  if (!cond) throw new Error(`invariant broken: ${what}\n${ctx()}`);
}

function checkEvents(events: EventDraft[], from: TargetStatus, to: TargetStatus, ctx: () => string) {
  const changes = events.filter((e) => e.type === "status_change");
  check(changes.length === (from === to ? 0 : 1), "one status_change per change, none otherwise", ctx);
  const data = changes[0]?.data;
  if (from !== to) check(data?.["from"] === from && data["to"] === to, "status_change names from and to", ctx);
  for (const e of events) {
    if (e.type !== "status_change") check(!("to" in e.data) && !("from" in e.data), "only status_change claims a change", ctx);
    check(!JSON.stringify(e).includes(SECRET), "no secret in events", ctx);
  }
  const outageEnded = (from === "offline" || from === "recovering") && (to === "healthy" || to === "degraded");
  check(events.filter((e) => e.type === "target_recovery").length === (outageEnded ? 1 : 0), "target_recovery exactly when an outage ends", ctx);
}

/** Runs one sequence, checking every invariant after every step. Returns the status changes seen. */
function runSequence(seed: number): number {
  const r = prng(seed);
  const policy = randomPolicy(r);
  const start = 1_700_000_000_000;
  let h: TargetHealth = initialHealth(start);
  const shadow: Shadow = { failStreak: 0, okStreak: 0, checks: 0, failures: 0 };
  let changes = 0;
  for (const step of randomSteps(r, int(r, 20, 200), start)) {
    const from = h.status;
    if (step.kind === "maintenance") {
      const res = setMaintenance(h, step.enabled, h.lastCheckAt ?? start, target);
      if (from === "maintenance" && !step.enabled) {
        shadow.failStreak = 0;
        shadow.okStreak = 0;
      }
      checkEvents(res.events, from, res.health.status, () => `seed ${seed} maintenance ${String(step.enabled)}`);
      if (from !== res.health.status) changes++;
      h = res.health;
      continue;
    }
    const probe = step.probe;
    const cls = probe.source === "probe" && probe.classification === "ok" && probe.latencyMs !== null && probe.latencyMs > policy.degradedLatencyMs ? "slow" : probe.classification;
    const ignored = isSuccess(cls) && probe.source === "passive" && from === "offline";
    shadow.checks++;
    if (cls === "access_denied") {
      shadow.failures++;
      shadow.failStreak = 0;
      shadow.okStreak = 0;
    } else if (!isSuccess(cls)) {
      shadow.failures++;
      shadow.failStreak++;
      shadow.okStreak = 0;
    } else if (!ignored) {
      shadow.okStreak++;
      shadow.failStreak = 0;
    }

    const res = transition(h, probe, policy, target);
    const to = res.health.status;
    const n = res.health;
    const ctx = () => `seed ${seed} policy ${JSON.stringify(policy)} ${from} + ${cls}/${probe.source} → ${to}\n${JSON.stringify(n)}`;
    const failed = !isSuccess(cls) && cls !== "access_denied";

    if (to === "offline" && from !== "offline" && from !== "recovering") {
      // A relapse from recovering is the documented exception.
      check(shadow.failStreak >= policy.failureThreshold, "never offline before F consecutive failures", ctx);
    }
    if ((from === "offline" || from === "recovering") && (to === "healthy" || to === "degraded")) {
      check(shadow.okStreak >= policy.recoveryThreshold, "never back from an outage before R consecutive successes", ctx);
    }
    if (from === "maintenance") check(to === "maintenance", "maintenance never moves", ctx);
    if (from !== "maintenance" && cls === "access_denied") check(to === "misconfigured", "access_denied means misconfigured", ctx);
    if (to === "misconfigured") check(from === "misconfigured" || cls === "access_denied", "misconfigured only from access_denied", ctx);
    if (isSuccess(cls) && to !== from) check(to !== "failing" && to !== "offline" && to !== "misconfigured", "a success never makes things worse", ctx);
    if (failed && to !== from) check(to !== "healthy", "a failure never makes a target healthy", ctx);

    checkEvents(res.events, from, to, ctx);
    const failureEvents = res.events.filter((e) => e.type === "target_failure").length;
    check(failureEvents <= (failed && from !== "maintenance" ? 1 : 0), "target_failure only for a failure", ctx);
    if (failed && from !== "maintenance" && from !== "offline") check(failureEvents === 1, "target_failure for a failure", ctx);
    if (from !== to) changes++;

    check(n.totalChecks === shadow.checks, "totalChecks", ctx);
    check(n.totalFailures === shadow.failures, "totalFailures", ctx);
    check(n.consecutiveFailures === shadow.failStreak, "consecutiveFailures", ctx);
    check(n.consecutiveSuccesses === shadow.okStreak, "consecutiveSuccesses", ctx);
    check(n.consecutiveSlow <= n.consecutiveSuccesses, "slow streak within success streak", ctx);
    check(n.lastCheckAt === probe.at, "lastCheckAt", ctx);
    if (!ignored) check((n.lastError === null) === isSuccess(cls), "lastError null exactly after a success", ctx);
    check(!(n.lastError ?? "").includes(SECRET), "no secret in lastError", ctx);
    check(n.since <= probe.at, "since not in the future", ctx);
    if (to === "offline") check(n.offlineSince !== null && n.offlineSince <= n.since, "offlineSince set", ctx);
    if (probe.nodeId !== undefined) check(n.nodeId === probe.nodeId, "nodeId recorded", ctx);
    h = n;
  }
  return changes;
}

describe("generated sequences", () => {
  it("keep every invariant over 3000 random sequences and policies", () => {
    let changes = 0;
    for (let seed = 1; seed <= 3000; seed++) changes += runSequence(seed);
    // The walk does move targets around: a vacuous run would prove nothing.
    expect(changes).toBeGreaterThan(3000);
  });

  it("reach every status", () => {
    const seen = new Set<TargetStatus>();
    for (let seed = 1; seed <= 300; seed++) {
      const r = prng(seed);
      const policy = randomPolicy(r);
      let h = initialHealth(0);
      for (const step of randomSteps(r, 150, 0)) {
        h = step.kind === "probe" ? transition(h, step.probe, policy, target).health : setMaintenance(h, step.enabled, 0, target).health;
        seen.add(h.status);
      }
    }
    expect(seen.size).toBe(8);
  });

  it("settle under ok/fail flapping: a bounded number of state changes, then none", () => {
    for (let seed = 1; seed <= 1000; seed++) {
      const r = prng(seed * 7919);
      const policy = { ...randomPolicy(r), recoveryThreshold: int(r, 2, 5) };
      // A random prefix puts the target in an arbitrary state first.
      let h = initialHealth(0);
      for (const step of randomSteps(r, int(r, 0, 60), 0)) {
        h = step.kind === "probe" ? transition(h, step.probe, policy, target).health : setMaintenance(h, step.enabled, 0, target).health;
      }
      h = setMaintenance(h, false, h.lastCheckAt ?? 0, target).health;
      let at = (h.lastCheckAt ?? 0) + 1;
      const changesAt: number[] = [];
      const firstOk = r() < 0.5;
      for (let i = 0; i < 1000; i++) {
        at += 10_000;
        const ok = (i % 2 === 0) === firstOk;
        const probe: ProbeResult = ok
          ? { at, classification: "ok", latencyMs: 20, source: "probe" }
          : { at, classification: pick(r, FAILURES), latencyMs: null, source: "probe" };
        const res = transition(h, probe, policy, target);
        if (res.health.status !== h.status) changesAt.push(i);
        h = res.health;
      }
      const ctx = `seed ${seed} policy ${JSON.stringify(policy)} changes at ${changesAt.join(",")}`;
      expect(changesAt.length, ctx).toBeLessThanOrEqual(4);
      expect(changesAt.every((i) => i < 10), ctx).toBe(true);
    }
  });

  it("do not change state while fast and slow successes alternate (S ≥ 2)", () => {
    for (let seed = 1; seed <= 300; seed++) {
      const r = prng(seed * 104_729);
      const policy = { ...randomPolicy(r), slowThreshold: int(r, 2, 4) };
      let h = transition(initialHealth(0), { at: 1, classification: "ok", latencyMs: 5, source: "probe" }, policy, target).health;
      for (let i = 0; i < 500; i++) {
        const latencyMs = i % 2 === 0 ? policy.degradedLatencyMs * 3 : 5;
        const res = transition(h, { at: 2 + i, classification: "ok", latencyMs, source: "probe" }, policy, target);
        check(res.health.status === "healthy" && res.events.length === 0, "fast/slow alternation stays healthy, silently", () => `seed ${seed} step ${i}`);
        h = res.health;
      }
    }
  });
});
