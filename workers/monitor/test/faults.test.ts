/**
 * Every simulator fault, probed for real from inside workerd, must produce the right
 * classification and walk the right path through the state machine.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { TEST_CLOUD_KEY } from "./node/global-setup.ts";
import { api, chaos, check, events, freshHub, makeDue, resetSim, status, type Hub } from "./helpers.ts";

async function path(hub: Hub, name: string, n: number): Promise<{ classes: string[]; statuses: string[] }> {
  const classes: string[] = [];
  const statuses: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = await check(hub, name);
    classes.push(r.classification);
    statuses.push(r.status);
  }
  return { classes, statuses };
}

async function healthy(hub: Hub, name: string): Promise<void> {
  const r = await check(hub, name);
  expect(r.status).toBe("healthy");
}

describe("faults", () => {
  beforeEach(async () => {
    await resetSim();
  });

  it("down: refused, degraded → failing → offline; up: recovering → healthy with a recovery event", async () => {
    const hub = await freshHub();
    await healthy(hub, "exo_a");
    await chaos("exo_a", "down");
    expect(await path(hub, "exo_a", 3)).toEqual({ classes: ["refused", "refused", "refused"], statuses: ["degraded", "failing", "offline"] });
    await chaos("exo_a", "up");
    expect((await path(hub, "exo_a", 2)).statuses).toEqual(["recovering", "healthy"]);
    const evs = await events(hub, "&target=exo_a");
    const types = evs.map((e) => e.type);
    expect(types).toContain("target_failure");
    expect(types).toContain("target_recovery");
    const changes = evs.filter((e) => e.type === "status_change").map((e) => e.data["to"]);
    expect(changes).toEqual(["healthy", "degraded", "failing", "offline", "recovering", "healthy"]);
    // Recovery planning ran on both edges of the outage.
    const actions = ((await api(hub, "GET", "/api/recovery")).json as { actions: { action: string; target: string }[] }).actions;
    expect(actions.filter((a) => a.target === "exo_a").map((a) => a.action).reverse()).toEqual(["failover", "node_restored"]);
  });

  it("hang: timeout within the probe's deadline", async () => {
    const hub = await freshHub();
    await healthy(hub, "exo_a");
    await chaos("exo_a", "hang");
    const started = Date.now();
    const r = await check(hub, "exo_a");
    expect(r.classification).toBe("timeout");
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it("slow: one slow sample is noise, two make the target degraded, a fast one heals it", async () => {
    const hub = await freshHub();
    await healthy(hub, "exo_a");
    await chaos("exo_a", "slow", 400);
    expect((await path(hub, "exo_a", 2)).statuses).toEqual(["healthy", "degraded"]);
    await chaos("exo_a", "slow", 0);
    expect((await check(hub, "exo_a")).status).toBe("healthy");
  });

  it.each([
    ["502", "origin_down"],
    ["530", "tunnel_down"],
  ])("http %s: %s", async (code, cls) => {
    const hub = await freshHub();
    await healthy(hub, "exo_a");
    await chaos("exo_a", "http", code);
    const p = await path(hub, "exo_a", 3);
    expect(p.classes).toEqual([cls, cls, cls]);
    expect(p.statuses).toEqual(["degraded", "failing", "offline"]);
  });

  it.each([["http", "403"], ["redirect", "myteam"]])("Access refusal (%s): access_denied → misconfigured, not an outage", async (fault, arg) => {
    const hub = await freshHub();
    await healthy(hub, "exo_a");
    await chaos("exo_a", fault, arg);
    const p = await path(hub, "exo_a", 3);
    expect(p.classes).toEqual(["access_denied", "access_denied", "access_denied"]);
    expect(p.statuses).toEqual(["misconfigured", "misconfigured", "misconfigured"]);
    expect((await events(hub, "&target=exo_a&type=target_failure")).length).toBe(0);
  });

  it("cut stream: the synthetic completion reports stream_cut", async () => {
    const hub = await freshHub();
    await healthy(hub, "exo_b");
    await chaos("exo_b", "cut-stream", 0);
    await makeDue(hub);
    const r = await check(hub, "exo_b");
    expect(r.classification).toBe("stream_cut");
    expect(r.status).toBe("degraded");
  });

  it("error frame: the synthetic completion reports stream_error", async () => {
    const hub = await freshHub();
    await healthy(hub, "exo_b");
    await chaos("exo_b", "error-frame", 0, "runner crashed");
    await makeDue(hub);
    const r = await check(hub, "exo_b");
    expect(r.classification).toBe("stream_error");
    expect(r.error).toContain("runner crashed");
  });

  it("synthetic TTFT beyond budget is a timeout; within budget it is ok and measured", async () => {
    const hub = await freshHub();
    await makeDue(hub);
    const ok = await check(hub, "exo_b");
    expect(ok.classification).toBe("ok");
    expect(ok.ttft_ms).not.toBeNull();
    expect(ok.ttft_ms ?? Infinity).toBeLessThan(500);
    // Without a due synthetic check no completion runs.
    expect((await check(hub, "exo_b")).ttft_ms).toBeNull();
    await chaos("exo_b", "election", 900);
    await makeDue(hub);
    const late = await check(hub, "exo_b");
    expect(late.classification).toBe("timeout");
    expect(late.error).toContain("first token");
  });

  it("restart: a new node id is a target_restarted event, not a failure", async () => {
    const hub = await freshHub();
    await healthy(hub, "exo_a");
    const before = (await status(hub)).targets["exo_a"]?.node_id;
    await chaos("exo_a", "restart", 50);
    await new Promise((r) => setTimeout(r, 200));
    const r = await check(hub, "exo_a");
    expect(r.status).toBe("healthy");
    const after = (await status(hub)).targets["exo_a"]?.node_id;
    expect(after).not.toBe(before);
    const restarted = await events(hub, "&target=exo_a&type=target_restarted");
    expect(restarted.length).toBe(1);
  });

  it("no instance: no_instance, then the model is re-placed through Exo's API", async () => {
    const hub = await freshHub();
    await healthy(hub, "exo_a");
    await chaos("exo_a", "no-instance");
    const r = await check(hub, "exo_a");
    expect(r.classification).toBe("no_instance");
    const actions = await api(hub, "GET", "/api/recovery");
    const list = (actions.json as { actions: { action: string; success: boolean; detail: string | null }[] }).actions;
    const replace = list.filter((a) => a.action === "replace_instance");
    expect(replace.length).toBe(1);
    expect(replace[0]?.success).toBe(true);
    expect(replace[0]?.detail).toContain("attempt 1/");
    expect((await check(hub, "exo_a")).classification).toBe("ok");
  });

  it("no instance with auto-recovery off: nothing is re-placed", async () => {
    const hub = await freshHub();
    await healthy(hub, "exo_a");
    expect((await api(hub, "POST", "/api/auto-recovery", { body: { enabled: false } })).status).toBe(200);
    await chaos("exo_a", "no-instance");
    expect((await check(hub, "exo_a")).classification).toBe("no_instance");
    expect((await check(hub, "exo_a")).classification).toBe("no_instance");
    const list = (await api(hub, "GET", "/api/recovery")).json as { actions: { action: string }[] };
    expect(list.actions.filter((a) => a.action === "replace_instance")).toEqual([]);
  });

  it("flap: both answers are seen, and damping keeps status changes well below the probe count", async () => {
    const hub = await freshHub();
    await healthy(hub, "exo_a");
    await chaos("exo_a", "flap", 250, "refused");
    const classes = new Set<string>();
    for (let i = 0; i < 16; i++) {
      classes.add((await check(hub, "exo_a")).classification);
      await new Promise((r) => setTimeout(r, 130));
    }
    expect(classes).toEqual(new Set(["ok", "refused"]));
    const changes = await events(hub, "&target=exo_a&type=status_change");
    expect(changes.length).toBeLessThan(10);
  });

  it("legacy Exo is probed on /healthcheck", async () => {
    const hub = await freshHub();
    const r = await check(hub, "exo_legacy");
    expect(r.classification).toBe("ok");
    expect(r.status).toBe("healthy");
  });

  it("Access service token from secrets is sent (the node refuses requests without it)", async () => {
    const hub = await freshHub();
    expect((await check(hub, "exo_access")).classification).toBe("ok");
  });

  it("cloud: /v1/models with the first key; a rate-limited key is rate_limited", async () => {
    const hub = await freshHub();
    expect((await check(hub, "cloud_a")).status).toBe("healthy");
    await chaos("cloud_a", "rate-limit-key", TEST_CLOUD_KEY);
    expect((await check(hub, "cloud_a")).classification).toBe("rate_limited");
  });
});
