import { describe, expect, it } from "vitest";
import { LatencyTracker } from "./latency.ts";
import { PenaltyBox } from "./penalty-box.ts";

describe("PenaltyBox", () => {
  it("holds a penalty until it expires, never shortens a longer one, and clears on success", () => {
    const box = new PenaltyBox();
    box.penalize("a", 1_000, "rate_limited");
    box.penalize("a", 500, "refused");
    expect(box.get("a", 0)).toEqual({ until: 1_000, reason: "rate_limited" });
    expect(box.isPenalized("a", 999)).toBe(true);
    expect(box.isPenalized("a", 1_000)).toBe(false);
    box.penalize("b", 2_000, "timeout");
    expect(Object.keys(box.active(0))).toEqual(["b"]);
    box.clear("b");
    expect(box.untilOf("b", 0)).toBeNull();
  });
});

describe("LatencyTracker", () => {
  it("smooths with an EWMA and ignores nonsense", () => {
    const t = new LatencyTracker(0.5);
    expect(t.get("x")).toBeNull();
    t.observe("x", 100);
    t.observe("x", 200);
    t.observe("x", Number.NaN);
    t.observe("x", -5);
    expect(t.get("x")).toBe(150);
  });
});
