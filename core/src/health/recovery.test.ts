/**
 * Recovery planning: failover choices, the seed's "failover to cloud" and "node
 * restored" actions, cloud provider failure/reset, and auto-recovery switched off.
 */
import { describe, expect, it } from "vitest";
import { chooseFailover, planRecovery, type RecoveryAlternative, type RecoveryInput } from "./recovery.ts";

const fleet: RecoveryAlternative[] = [
  { name: "exo_primary", kind: "exo", status: "offline", drained: false },
  { name: "groq", kind: "cloud", status: "healthy", drained: false, priority: 2 },
  { name: "openai", kind: "cloud", status: "healthy", drained: false, priority: 1 },
];

function plan(over: Partial<RecoveryInput>) {
  return planRecovery({ target: "exo_primary", kind: "exo", from: "failing", to: "offline", autoRecovery: true, alternatives: fleet, ...over });
}

describe("planRecovery", () => {
  it("fails an Exo node over to the highest-priority healthy provider", () => {
    const p = plan({});
    expect(p.actions).toEqual([
      { action: "failover", target: "exo_primary", success: true, error: null, detail: "traffic now goes to openai (cloud)" },
    ]);
    expect(p.events).toHaveLength(1);
    expect(p.events[0]).toMatchObject({
      type: "exo_failover",
      target: "exo_primary",
      severity: "change",
      message: "exo_primary: offline, failover to openai (cloud)",
      data: { failover_to: "openai", failover_kind: "cloud", auto_recovery: true },
    });
  });

  it("prefers another routable Exo node over any cloud provider, and that is no exo_failover", () => {
    const alternatives = [...fleet, { name: "exo_node_2", kind: "exo", status: "degraded", drained: false } as const];
    const p = plan({ alternatives });
    expect(p.actions[0]?.detail).toBe("traffic now goes to exo_node_2 (exo)");
    expect(p.events.map((e) => e.type)).toEqual(["recovery_action"]);
    expect(plan({ alternatives, autoRecovery: false }).events).toEqual([]);
  });

  it("skips drained, unroutable and self entries", () => {
    const alternatives: RecoveryAlternative[] = [
      { name: "exo_primary", kind: "exo", status: "healthy", drained: false },
      { name: "exo_b", kind: "exo", status: "healthy", drained: true },
      { name: "exo_c", kind: "exo", status: "failing", drained: false },
      { name: "exo_d", kind: "exo", status: "maintenance", drained: false },
      { name: "cloud_a", kind: "cloud", status: "misconfigured", drained: false },
      { name: "cloud_b", kind: "cloud", status: "recovering", drained: false },
    ];
    expect(chooseFailover("exo_primary", alternatives)?.name).toBe("cloud_b");
  });

  it("orders equal priorities by health, then by the given order", () => {
    const alternatives: RecoveryAlternative[] = [
      { name: "a", kind: "cloud", status: "recovering", drained: false },
      { name: "b", kind: "cloud", status: "healthy", drained: false },
      { name: "c", kind: "cloud", status: "healthy", drained: false },
    ];
    expect(chooseFailover("x", alternatives)?.name).toBe("b");
  });

  it("records a failed failover when nothing is routable", () => {
    const p = plan({ alternatives: fleet.map((a) => ({ ...a, status: "offline" as const })) });
    expect(p.actions).toEqual([{ action: "failover", target: "exo_primary", success: false, error: "no healthy upstream", detail: null }]);
    expect(p.events.map((e) => [e.type, e.severity])).toEqual([["recovery_failed", "failure"]]);
    expect(p.events[0]?.message).toBe("exo_primary: offline and no healthy upstream (failover failed)");
  });

  it("fails over again after a relapse (recovering → offline)", () => {
    expect(plan({ from: "recovering" }).actions.map((a) => a.action)).toEqual(["failover"]);
  });

  it("records the node restored when an Exo node is back", () => {
    for (const from of ["offline", "recovering"] as const) {
      const p = plan({ from, to: "healthy" });
      expect(p.actions).toEqual([
        { action: "node_restored", target: "exo_primary", success: true, error: null, detail: "exo_primary back in rotation (healthy)" },
      ]);
      expect(p.events.map((e) => [e.type, e.severity])).toEqual([["recovery_action", "recovery"]]);
    }
  });

  it("handles cloud providers: failure event on offline, reset when back", () => {
    const down = plan({ target: "openai", kind: "cloud" });
    expect(down.actions).toEqual([]);
    expect(down.events.map((e) => [e.type, e.severity, e.message])).toEqual([
      ["cloud_provider_failure", "failure", "openai: provider offline, traffic goes to groq (cloud)"],
    ]);
    const back = plan({ target: "openai", kind: "cloud", from: "recovering", to: "healthy" });
    expect(back.actions.map((a) => [a.action, a.success])).toEqual([["reset", true]]);
    expect(back.events.map((e) => e.type)).toEqual(["recovery_action"]);
  });

  it("acts on nothing with auto-recovery off, but records the facts", () => {
    const down = plan({ autoRecovery: false });
    expect(down.actions).toEqual([]);
    expect(down.events.map((e) => [e.type, e.data["auto_recovery"]])).toEqual([["exo_failover", false]]);
    expect(down.events[0]?.message).toBe("exo_primary: offline, traffic goes to openai (cloud); auto-recovery is off");
    const none = plan({ autoRecovery: false, alternatives: [] });
    expect(none.actions).toEqual([]);
    expect(none.events.map((e) => e.type)).toEqual(["recovery_failed"]);
    expect(plan({ autoRecovery: false, from: "recovering", to: "healthy" })).toEqual({ actions: [], events: [] });
    expect(plan({ autoRecovery: false, kind: "cloud", target: "openai" }).events.map((e) => e.type)).toEqual(["cloud_provider_failure"]);
  });

  it("ignores changes that do not matter for traffic", () => {
    for (const [from, to] of [["healthy", "degraded"], ["degraded", "failing"], ["offline", "offline"], ["offline", "misconfigured"], ["healthy", "maintenance"], ["unknown", "healthy"]] as const) {
      expect(plan({ from, to })).toEqual({ actions: [], events: [] });
      expect(plan({ from, to, kind: "cloud", target: "openai" })).toEqual({ actions: [], events: [] });
    }
  });
});
