/**
 * Whole-story tests of the state machine: the seed's outage and recovery, event
 * wording, secrets, restarts and passive observations, step by step.
 */
import { describe, expect, it } from "vitest";
import { DEFAULT_POLICY } from "../config/target.ts";
import type { EventDraft } from "../protocol/events.ts";
import { setMaintenance, transition } from "./machine.ts";
import { initialHealth, type ProbeResult, type TargetHealth } from "./types.ts";

const target = { name: "exo_primary", kind: "exo" } as const;
const T0 = Date.UTC(2026, 5, 22, 16, 30, 0);

function run(probes: Omit<ProbeResult, "source">[], start: TargetHealth = initialHealth(T0)) {
  let h = start;
  const log: { status: string; events: EventDraft[] }[] = [];
  for (const p of probes) {
    const res = transition(h, { source: "probe", ...p }, DEFAULT_POLICY, target);
    h = res.health;
    log.push({ status: h.status, events: res.events });
  }
  return { health: h, log, events: log.flatMap((l) => l.events) };
}

const ok = (at: number, latencyMs = 12) => ({ at, classification: "ok" as const, latencyMs });
const timeout = (at: number) => ({ at, classification: "timeout" as const, latencyMs: null, error: "timed out after 5000 ms" });

describe("transition", () => {
  it("walks the seed's outage: healthy → degraded → failing → offline → recovering → healthy", () => {
    const s = 1_000;
    const { health, log, events } = run([
      ok(T0), ok(T0 + 10 * s),
      timeout(T0 + 20 * s), timeout(T0 + 30 * s), timeout(T0 + 40 * s), timeout(T0 + 50 * s), timeout(T0 + 60 * s),
      ok(T0 + 300 * s), ok(T0 + 310 * s),
    ]);
    expect(log.map((l) => l.status)).toEqual([
      "healthy", "healthy", "degraded", "failing", "offline", "offline", "offline", "recovering", "healthy",
    ]);
    const changes = events.filter((e) => e.type === "status_change").map((e) => e.message);
    expect(changes).toEqual([
      "exo_primary: unknown → healthy (ok)",
      "exo_primary: healthy → degraded (timeout)",
      "exo_primary: degraded → failing (timeout)",
      "exo_primary: failing → offline (timeout)",
      "exo_primary: offline → recovering (ok)",
      "exo_primary: recovering → healthy (ok)",
    ]);
    // Three failure events on the way down, none for the repeats while offline.
    expect(events.filter((e) => e.type === "target_failure")).toHaveLength(3);
    const recovery = events.find((e) => e.type === "target_recovery");
    expect(recovery?.data["downtime_ms"]).toBe(270 * s);
    expect(recovery?.message).toBe("exo_primary: recovered after 4m 30s down");
    expect(recovery?.severity).toBe("recovery");
    expect(events.find((e) => e.message.includes("→ offline"))?.severity).toBe("failure");
    expect(health).toMatchObject({
      status: "healthy",
      totalChecks: 9,
      totalFailures: 5,
      consecutiveSuccesses: 2,
      consecutiveFailures: 0,
      lastError: null,
      lastLatencyMs: 12,
      lastCheckAt: T0 + 310 * s,
      since: T0 + 310 * s,
      offlineSince: T0 + 40 * s,
    });
  });

  it("records failure details and keeps a later, different failure newsworthy while offline", () => {
    const { log } = run([
      timeout(T0), timeout(T0 + 1), timeout(T0 + 2),
      { at: T0 + 3, classification: "tunnel_down", latencyMs: 40, httpStatus: 530, error: "tunnel down: HTTP 530 (error 1033)" },
    ]);
    const last = log[3]?.events[0];
    expect(last?.type).toBe("target_failure");
    expect(last?.data).toMatchObject({ classification: "tunnel_down", http_status: 530, consecutive_failures: 4, source: "probe" });
    expect(last?.message).toBe("exo_primary: health check failed (tunnel down: HTTP 530 (error 1033))");
  });

  it("never lets a credential into the record or the events", () => {
    const error = 'HTTP 500: {"error":"bad header Authorization: Bearer sk-proj-abcdefghijklmnop0123 and cf-access-client-secret: 5ec2e7ab"}';
    const { health, events } = run([{ at: T0, classification: "http_error", latencyMs: 30, error }]);
    const all = JSON.stringify({ health, events });
    expect(all).not.toContain("sk-proj-abcdefghijklmnop0123");
    expect(all).not.toContain("5ec2e7ab");
    expect(health.lastError).toContain("[redacted");
  });

  it("keeps errors short", () => {
    const { health, events } = run([{ at: T0, classification: "malformed", latencyMs: 30, error: "x".repeat(500) }]);
    expect(health.lastError?.length).toBeLessThanOrEqual(200);
    expect(events[0]?.message.length).toBeLessThan(300);
  });

  it("treats a new node id as a restart, not a failure", () => {
    const { health, events } = run([
      { ...ok(T0), nodeId: "3f9c0a11e1" },
      { ...ok(T0 + 1), nodeId: "3f9c0a11e1" },
      { ...ok(T0 + 2), nodeId: "77aa01" },
    ]);
    expect(events.map((e) => e.type)).toEqual(["status_change", "target_restarted"]);
    expect(events[1]?.data).toEqual({ previous: "3f9c0a11e1", new: "77aa01" });
    expect(health).toMatchObject({ status: "healthy", nodeId: "77aa01", totalFailures: 0 });
  });

  it("computes slowness from probe latency, not from passive (whole-completion) latency", () => {
    const healthy = run([ok(T0)]).health;
    let h = healthy;
    for (let i = 1; i <= 3; i++) {
      h = transition(h, { at: T0 + i, classification: "ok", latencyMs: 25_000, source: "passive" }, DEFAULT_POLICY, target).health;
    }
    expect(h).toMatchObject({ status: "healthy", consecutiveSlow: 0, lastLatencyMs: 12 });
    const slow = run([ok(T0 + 10, 2_500), ok(T0 + 11, 2_600)], h);
    expect(slow.log.map((l) => l.status)).toEqual(["healthy", "degraded"]);
    expect(slow.health.lastClassification).toBe("slow");
    expect(slow.events[0]?.message).toBe("exo_primary: healthy → degraded (slow)");
  });

  it("counts passive failures toward offline, and says they came from live traffic", () => {
    let h = run([ok(T0)]).health;
    const events: EventDraft[] = [];
    for (let i = 1; i <= 3; i++) {
      const res = transition(h, { at: T0 + i, classification: "stream_cut", latencyMs: 900, source: "passive", error: "stream ended without [DONE]" }, DEFAULT_POLICY, target);
      h = res.health;
      events.push(...res.events);
    }
    expect(h.status).toBe("offline");
    expect(events[0]?.message).toBe("exo_primary: live request failed (stream_cut: stream ended without [DONE])");
  });

  it("leaves maintenance to unknown, and the next probe decides", () => {
    const down = run([timeout(T0), timeout(T0 + 1), timeout(T0 + 2)]).health;
    const m = setMaintenance(down, true, T0 + 3, target);
    expect(m.events[0]?.message).toBe("exo_primary: offline → maintenance (maintenance)");
    const still = run([ok(T0 + 4), timeout(T0 + 5)], m.health);
    expect(still.events).toEqual([]);
    expect(still.health.status).toBe("maintenance");
    const out = setMaintenance(still.health, false, T0 + 6, target);
    expect(out.health).toMatchObject({ status: "unknown", consecutiveFailures: 0, consecutiveSuccesses: 0, totalChecks: 5 });
    expect(run([ok(T0 + 7)], out.health).health.status).toBe("healthy");
  });
});

describe("flapping and neutral answers", () => {
  const s = 1_000;
  const refused = (at: number) => ({ at, classification: "refused" as const, latencyMs: null, error: "connection refused" });

  it("settles a target that keeps reversing instead of emitting a change for every swing", () => {
    // ok, fail, fail, ok, ok, fail, fail, ok, ok, … : each pair of successes would normally recover it.
    const probes: Omit<ProbeResult, "source">[] = [ok(T0)];
    for (let i = 0; i < 40; i++) {
      const at = T0 + (1 + i * 4) * 10 * s;
      probes.push(refused(at), refused(at + 10 * s), ok(at + 20 * s), ok(at + 30 * s));
    }
    const { log, events } = run(probes);
    const changes = events.filter((e) => e.type === "status_change");
    // Undamped this pattern changes status 3 times per cycle (120 times); damped it stops early.
    expect(changes.length).toBeLessThanOrEqual(6);
    expect(log.at(-1)?.status).not.toBe("healthy");
  });

  it("does not damp an ordinary outage and its recovery", () => {
    const { log } = run([ok(T0), refused(T0 + 10 * s), refused(T0 + 20 * s), refused(T0 + 30 * s), ok(T0 + 40 * s), ok(T0 + 50 * s)]);
    expect(log.map((l) => l.status)).toEqual(["healthy", "degraded", "failing", "offline", "recovering", "healthy"]);
  });

  it("trusts a flapping target again after 3 × R steady successes, and forgets the flapping with time", () => {
    const probes: Omit<ProbeResult, "source">[] = [ok(T0)];
    let at = T0;
    for (let i = 0; i < 3; i++) {
      probes.push(refused((at += 10 * s)), refused((at += 10 * s)), ok((at += 10 * s)), ok((at += 10 * s)));
    }
    const damped = run(probes);
    expect(damped.health.status).not.toBe("healthy");
    const steady = run([ok((at += 10 * s)), ok((at += 10 * s)), ok((at += 10 * s)), ok((at += 10 * s)), ok((at += 10 * s)), ok((at += 10 * s))], damped.health);
    expect(steady.health.status).toBe("healthy");
    // An hour later (many half-lives), a single outage recovers with R successes again.
    at += 3_600 * s;
    const later = run([refused((at += 10 * s)), ok((at += 10 * s)), ok((at += 10 * s))], steady.health);
    expect(later.health.status).toBe("healthy");
  });

  it("treats a provider's 429 as neither a failure nor a success", () => {
    const limited = (at: number) => ({ at, classification: "rate_limited" as const, latencyMs: 30, httpStatus: 429, error: "429" });
    const { log, events } = run([ok(T0), limited(T0 + 10 * s), limited(T0 + 20 * s), limited(T0 + 30 * s), limited(T0 + 40 * s)]);
    expect(log.map((l) => l.status)).toEqual(["healthy", "healthy", "healthy", "healthy", "healthy"]);
    expect(events.filter((e) => e.type === "target_failure")).toHaveLength(0);
  });
});
