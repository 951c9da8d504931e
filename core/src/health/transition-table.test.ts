/**
 * Replays every row of the documented transition table through the machine, and
 * keeps docs/state-machine.md identical to what the table renders.
 */
import { describe, expect, it } from "vitest";
import { DEFAULT_POLICY } from "../config/target.ts";
import { setMaintenance, transition } from "./machine.ts";
import { renderStateMachineDoc } from "./state-machine-doc.ts";
import { TABLE_T0, TRANSITION_TABLE, type TableRow } from "./transition-table.ts";
import { initialHealth, type TargetHealth } from "./types.ts";

const target = { name: "exo_primary", kind: "exo" } as const;

function recordFor(row: TableRow): TargetHealth {
  const base: TargetHealth = { ...initialHealth(TABLE_T0 - 600_000), status: row.from, since: TABLE_T0, totalChecks: 20, totalFailures: 4 };
  return row.kind === "probe" ? { ...base, ...row.given } : base;
}

function apply(row: TableRow, at: number) {
  const before = recordFor(row);
  if (row.kind === "operator") return { before, ...setMaintenance(before, row.maintenance, at, target) };
  const policy = { ...DEFAULT_POLICY, ...row.policy };
  const probe = { at, latencyMs: null, source: "probe" as const, ...row.probe };
  return { before, ...transition(before, probe, policy, target) };
}

describe("transition table", () => {
  it("covers every status as a starting point", () => {
    const froms = new Set(TRANSITION_TABLE.map((r) => r.from));
    expect([...froms].sort()).toEqual(
      ["degraded", "failing", "healthy", "maintenance", "misconfigured", "offline", "recovering", "unknown"],
    );
  });

  it.each(TRANSITION_TABLE.map((row) => [`${row.from} + ${row.input} → ${row.to}`, row] as const))("%s", (_label, row) => {
    const at = TABLE_T0 + 10_000;
    const { before, health, events } = apply(row, at);
    expect(health.status).toBe(row.to);
    expect(events.map((e) => e.type)).toEqual(row.events);
    for (const e of events) {
      expect(e.target).toBe(target.name);
      expect(e.message.startsWith(`${target.name}: `)).toBe(true);
    }
    const change = events.find((e) => e.type === "status_change");
    if (row.to === row.from) {
      expect(change).toBeUndefined();
      expect(health.since).toBe(before.since);
    } else {
      expect(change?.data).toMatchObject({ from: row.from, to: row.to });
      expect(change?.message).toContain(`${row.from} → ${row.to}`);
      expect(health.since).toBe(at);
    }
    const recovery = events.find((e) => e.type === "target_recovery");
    if (recovery !== undefined) {
      const start = before.offlineSince ?? before.since;
      expect(recovery.data["downtime_ms"]).toBe(at - start);
    }
    if (row.kind === "probe") {
      expect(health.totalChecks).toBe(before.totalChecks + 1);
      expect(health.lastCheckAt).toBe(at);
    }
  });

  it("docs/state-machine.md is the rendered table", async () => {
    await expect(renderStateMachineDoc()).toMatchFileSnapshot("../../../docs/state-machine.md");
  });
});
