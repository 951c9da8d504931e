import { describe, expect, it } from "vitest";
import { TargetStatus } from "../health/types.ts";
import type { RoutingSnapshot, RoutingTarget } from "../protocol/routing.ts";
import { PenaltyBox } from "./penalty-box.ts";
import { seededRandom, type Random } from "./prng.ts";
import { powerOfTwoOrder, recoveryWeight, selectCandidates, trafficShare } from "./select.ts";

const NOW = 1_800_000_000_000;
const ALIAS = "llama";

function target(over: Partial<RoutingTarget> & { name: string }): RoutingTarget {
  return {
    kind: "exo",
    url: `http://127.0.0.1/${over.name}`,
    priority: over.kind === "cloud" ? 1 : 0,
    status: "healthy",
    since: NOW - 3_600_000,
    drained: false,
    enabled: true,
    latencyMs: 100,
    models: { [ALIAS]: "up/llama" },
    api: "v1",
    pricing: null,
    secrets: { apiKeys: "K", accessClientId: "I", accessClientSecret: "S" },
    ttftBudgetMs: 30_000,
    ...over,
  };
}

function snapshot(targets: RoutingTarget[], over: Partial<RoutingSnapshot> = {}): RoutingSnapshot {
  return { version: 1, generatedAt: NOW, autoRecovery: true, running: true, pinnedToCloud: false, targets, spend: { periodStart: NOW, costUsd: 0, tokens: 0 }, ...over };
}

/** A random fleet drawn from a seeded PRNG. */
function randomFleet(rand: Random): RoutingTarget[] {
  const n = 1 + Math.floor(rand() * 8);
  const statuses = TargetStatus.options;
  return Array.from({ length: n }, (_, i) => {
    const kind = rand() < 0.6 ? "exo" : "cloud";
    return target({
      name: `t${i}`,
      kind,
      priority: kind === "exo" ? Math.floor(rand() * 2) : 1 + Math.floor(rand() * 3),
      status: statuses[Math.floor(rand() * statuses.length)] ?? "healthy",
      since: NOW - Math.floor(rand() * 120_000),
      drained: rand() < 0.1,
      enabled: rand() > 0.1,
      latencyMs: rand() < 0.2 ? null : Math.floor(rand() * 2_000),
      models: rand() < 0.85 ? { [ALIAS]: "x" } : { other: "y" },
    });
  });
}

describe("selectCandidates (property tests, seeded)", () => {
  it("holds its invariants over 2,000 random fleets", () => {
    const rand = seededRandom(20_261_201);
    for (let run = 0; run < 2_000; run++) {
      const fleet = randomFleet(rand);
      const pinned = rand() < 0.2;
      const cloudBlocked = rand() < 0.2;
      const penalties = new PenaltyBox();
      for (const t of fleet) if (rand() < 0.2) penalties.penalize(t.name, NOW + 1_000, "test");
      const sel = selectCandidates(snapshot(fleet, { pinnedToCloud: pinned }), ALIAS, { now: NOW, random: rand, penalties, recoveryRampMs: 60_000, cloudBlocked });
      const names = sel.candidates.map((c) => c.name);
      expect(new Set(names).size).toBe(names.length);
      for (const c of sel.candidates) {
        expect(c.models[ALIAS]).toBeDefined();
        expect(c.enabled && !c.drained).toBe(true);
        expect(trafficShare(c.status)).not.toBe("none");
        if (pinned) expect(c.kind).toBe("cloud");
        if (cloudBlocked) expect(c.kind).toBe("exo");
      }
      // Every eligible target is somewhere in the list: nothing usable is lost.
      const eligible = fleet.filter(
        (t) => t.models[ALIAS] !== undefined && t.enabled && !t.drained && trafficShare(t.status) !== "none" && !(pinned && t.kind === "exo") && !(cloudBlocked && t.kind === "cloud"),
      );
      expect(names.sort()).toEqual(eligible.map((t) => t.name).sort());
      // Penalised targets come after every unpenalised one.
      const firstPenalised = sel.candidates.findIndex((c) => penalties.isPenalized(c.name, NOW));
      if (firstPenalised >= 0) expect(sel.candidates.slice(firstPenalised).every((c) => penalties.isPenalized(c.name, NOW))).toBe(true);
      // Among full-share, unpenalised targets: Exo before cloud, cloud by priority.
      const main = sel.candidates.filter((c) => !penalties.isPenalized(c.name, NOW) && trafficShare(c.status) === "full");
      const lastExo = main.map((c) => c.kind).lastIndexOf("exo");
      const firstCloud = main.findIndex((c) => c.kind === "cloud");
      if (lastExo >= 0 && firstCloud >= 0) expect(lastExo).toBeLessThan(firstCloud);
      const cloudPriorities = main.filter((c) => c.kind === "cloud").map((c) => c.priority);
      expect(cloudPriorities).toEqual([...cloudPriorities].sort((a, b) => a - b));
    }
  });

  it("is deterministic for a given seed", () => {
    const fleet = [target({ name: "a" }), target({ name: "b" }), target({ name: "c" }), target({ name: "cloud", kind: "cloud" })];
    const run = (seed: number) =>
      selectCandidates(snapshot(fleet), ALIAS, { now: NOW, random: seededRandom(seed), penalties: new PenaltyBox(), recoveryRampMs: 1, cloudBlocked: false }).candidates.map((c) => c.name);
    expect(run(7)).toEqual(run(7));
  });

  it("reports wantsExo unless pinned to cloud, and says why targets were left out", () => {
    const fleet = [target({ name: "exo", status: "offline" }), target({ name: "d", drained: true }), target({ name: "cloud", kind: "cloud" })];
    const opts = { now: NOW, random: seededRandom(1), penalties: new PenaltyBox(), recoveryRampMs: 1, cloudBlocked: false };
    const sel = selectCandidates(snapshot(fleet), ALIAS, opts);
    expect(sel.wantsExo).toBe(true);
    expect(sel.candidates.map((c) => c.name)).toEqual(["cloud"]);
    expect(sel.excluded).toEqual([{ name: "exo", reason: "offline" }, { name: "d", reason: "drained" }]);
    expect(selectCandidates(snapshot(fleet, { pinnedToCloud: true }), ALIAS, opts).wantsExo).toBe(false);
  });

  it("avoids a target penalised on live traffic, then uses it again when the penalty ends", () => {
    const fleet = [target({ name: "fast", latencyMs: 10 }), target({ name: "slow", latencyMs: 500 })];
    const penalties = new PenaltyBox();
    penalties.penalize("fast", NOW + 5_000, "refused");
    const at = (now: number) => selectCandidates(snapshot(fleet), ALIAS, { now, random: seededRandom(3), penalties, recoveryRampMs: 1, cloudBlocked: false }).candidates.map((c) => c.name);
    expect(at(NOW)).toEqual(["slow", "fast"]);
    expect(at(NOW + 5_001)).toEqual(["fast", "slow"]);
  });
});

describe("power-of-two-choices", () => {
  it("with two nodes always puts the faster first; with five the slowest is never first and load spreads", () => {
    const rand = seededRandom(42);
    const score = (x: number) => x;
    for (let i = 0; i < 200; i++) expect(powerOfTwoOrder([300, 100], score, rand)[0]).toBe(100);
    const firsts = new Map<number, number>();
    const N = 10_000;
    for (let i = 0; i < N; i++) {
      const first = powerOfTwoOrder([10, 20, 30, 40, 50], score, rand)[0] ?? -1;
      firsts.set(first, (firsts.get(first) ?? 0) + 1);
    }
    expect(firsts.get(50) ?? 0).toBe(0);
    // Rank r of n is first with probability 2(n-r)/(n(n-1)): 40%, 30%, 20%, 10%.
    expect((firsts.get(10) ?? 0) / N).toBeCloseTo(0.4, 1);
    expect((firsts.get(40) ?? 0) / N).toBeCloseTo(0.1, 1);
  });

  it("uses live-traffic latency over the snapshot's when the isolate has measured it", () => {
    const fleet = [target({ name: "a", latencyMs: 10 }), target({ name: "b", latencyMs: 500 })];
    const sel = selectCandidates(snapshot(fleet), ALIAS, {
      now: NOW,
      random: seededRandom(9),
      penalties: new PenaltyBox(),
      recoveryRampMs: 1,
      cloudBlocked: false,
      latencyOf: (n) => (n === "a" ? 2_000 : 50),
    });
    expect(sel.candidates.map((c) => c.name)).toEqual(["b", "a"]);
  });
});

describe("recovering targets ramp up", () => {
  it("get a share of first places that grows with time since they started recovering", () => {
    const share = (sinceAgo: number): number => {
      const rand = seededRandom(11);
      const fleet = [target({ name: "rec", status: "recovering", since: NOW - sinceAgo, latencyMs: 1 }), target({ name: "cloud", kind: "cloud" })];
      let first = 0;
      for (let i = 0; i < 2_000; i++) {
        const sel = selectCandidates(snapshot(fleet), ALIAS, { now: NOW, random: rand, penalties: new PenaltyBox(), recoveryRampMs: 60_000, cloudBlocked: false });
        if (sel.candidates[0]?.name === "rec") first++;
        // Never dropped: it stays a last resort.
        expect(sel.candidates.map((c) => c.name).sort()).toEqual(["cloud", "rec"]);
      }
      return first / 2_000;
    };
    const shares = [0, 15_000, 30_000, 60_000].map(share);
    expect(shares[0]).toBeLessThan(0.1);
    expect(shares[1]).toBeCloseTo(0.25, 1);
    expect(shares[2]).toBeCloseTo(0.5, 1);
    expect(shares[3]).toBe(1);
    expect(recoveryWeight(NOW, NOW, 0)).toBe(1);
  });
});
