import { describe, expect, it } from "vitest";
import { deriveRouting } from "./routing-view.ts";
import { summariseUsage } from "./usage-view.ts";
import { filterEvents } from "./event-filter.ts";
import { event, status, targetDoc } from "../test-fixtures.ts";

describe("deriveRouting", () => {
  const fleet = (over: Parameters<typeof targetDoc>[1] = {}, pinned = false) =>
    status(0, [targetDoc("exo_primary", over), targetDoc("exo_node_2", { priority: 1 }), targetDoc("openrouter", { priority: 5 }), targetDoc("groq", { priority: 2 })], {
      pinned_to_cloud: pinned,
    });

  it("sends traffic to the best routable Exo nodes, with the first cloud provider as fallback", () => {
    expect(deriveRouting(fleet())).toEqual({ kind: "exo", nodes: ["exo_primary"], fallback: "groq" });
  });
  it("skips offline, drained and disabled nodes", () => {
    expect(deriveRouting(fleet({ status: "offline" }))).toEqual({ kind: "exo", nodes: ["exo_node_2"], fallback: "groq" });
    expect(deriveRouting(fleet({ drained: true }))).toMatchObject({ nodes: ["exo_node_2"] });
    expect(deriveRouting(fleet({ enabled: false }))).toMatchObject({ nodes: ["exo_node_2"] });
  });
  it("goes to cloud when no Exo node is routable, and when pinned", () => {
    const s = status(0, [targetDoc("exo_primary", { status: "offline" }), targetDoc("openrouter", { priority: 5 }), targetDoc("groq", { priority: 2 })]);
    expect(deriveRouting(s)).toEqual({ kind: "cloud", provider: "groq", reason: "exo_unavailable", others: ["openrouter"] });
    expect(deriveRouting(fleet({}, true))).toMatchObject({ kind: "cloud", provider: "groq", reason: "pinned" });
  });
  it("says when nothing can take traffic", () => {
    const s = status(0, [targetDoc("exo_primary", { status: "failing" }), targetDoc("openrouter", { status: "misconfigured" })]);
    expect(deriveRouting(s)).toEqual({ kind: "none", reason: "exo_unavailable" });
    expect(deriveRouting(null)).toEqual({ kind: "unknown" });
  });
});

describe("summariseUsage", () => {
  it("sums rows per upstream and counts only cloud spend", () => {
    const row = (key: string, requests: number, costUsd: number, dimension: "upstream" | "model" = "upstream") => ({
      dimension, key, bucket: 0, requests, errors: 1, promptTokens: 10 * requests, completionTokens: 5 * requests, costUsd,
    });
    const s = summariseUsage(
      [row("exo_primary", 10, 0), row("openrouter", 2, 0.5), row("openrouter", 3, 0.25), row("gpt-x", 99, 9, "model"), row("gone", 1, 1)],
      status(0),
    );
    expect(s.upstreams.map((u) => [u.upstream, u.requests, u.kind])).toEqual([
      ["exo_primary", 10, "exo"],
      ["openrouter", 5, "cloud"],
      ["gone", 1, "unknown"],
    ]);
    expect(s.requests).toBe(16);
    expect(s.tokens).toBe(16 * 15);
    expect(s.cloudSpendUsd).toBeCloseTo(1.75);
  });
});

describe("filterEvents", () => {
  const evs = [event(1, "target_added", "a"), event(2, "target_failure", "b"), event(3, "status_change", "a", { to: "offline" }), event(4, "target_failure", "a")];
  it("returns newest first, filtered and capped", () => {
    expect(filterEvents(evs, { target: null, type: null }, 10).map((e) => e.id)).toEqual([4, 3, 2, 1]);
    expect(filterEvents(evs, { target: "a", type: null }, 10).map((e) => e.id)).toEqual([4, 3, 1]);
    expect(filterEvents(evs, { target: "a", type: "target_failure" }, 10).map((e) => e.id)).toEqual([4]);
    expect(filterEvents(evs, { target: null, type: null }, 2).map((e) => e.id)).toEqual([4, 3]);
    expect(evs[2]?.severity).toBe("failure");
  });
});
