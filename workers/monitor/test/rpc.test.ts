/** The gateway's RPC surface: routing snapshots, reports, counters, and no secrets anywhere. */
import { describe, expect, it } from "vitest";
import { TEST_ACCESS, TEST_CLOUD_KEY } from "./node/global-setup.ts";
import { api, check, events, freshHub, resetSim, TOKEN } from "./helpers.ts";

describe("gateway RPC", () => {
  it("routingSnapshot lists every target with secret names, and its version moves with changes", async () => {
    await resetSim();
    const hub = await freshHub();
    const a = await hub.routingSnapshot();
    expect(a.targets.map((t) => t.name)).toEqual(["exo_a", "exo_b", "exo_legacy", "exo_access", "cloud_a"]);
    const cloud = a.targets.find((t) => t.name === "cloud_a");
    expect(cloud?.secrets.apiKeys).toBe("CLOUD_A_API_KEYS");
    expect(cloud?.priority).toBe(1);
    expect(a.targets.find((t) => t.name === "exo_access")?.secrets.accessClientId).toBe("EXO_ACCESS_ID");
    const b = await hub.routingSnapshot();
    expect(b.version).toBe(a.version);
    await check(hub, "exo_a");
    const c = await hub.routingSnapshot();
    expect(c.version).toBeGreaterThan(a.version);
    expect(c.targets.find((t) => t.name === "exo_a")?.status).toBe("healthy");
    const metrics = (await api(hub, "GET", "/api/metrics")).json as { counters: { routingSnapshot: number } };
    expect(metrics.counters.routingSnapshot).toBe(3);
  });

  it("report: passive failures move the state machine, usage is summed hourly, facts become events", async () => {
    const hub = await freshHub();
    const now = Date.now();
    const obs = (i: number) => ({ kind: "observation", target: "cloud_a", at: now + i, classification: "origin_down", latencyMs: 20, httpStatus: 502 });
    const usage = (ok: boolean) => ({ kind: "usage", at: now, upstream: "cloud_a", model: "llama-3.2-1b", client: "c0ffee", promptTokens: 10, completionTokens: 5, costUsd: 0.001, ok });
    const res = await hub.report([
      obs(0), obs(1), obs(2),
      usage(true), usage(false),
      { kind: "fact", at: now, type: "exo_failover", target: "exo_a", message: "failed over to cloud_a", data: { to: "cloud_a" } },
      { kind: "observation", target: "no_such_target", at: now, classification: "ok", latencyMs: 1 },
    ]);
    expect(res.accepted).toBe(6);
    const snap = await hub.routingSnapshot();
    expect(snap.targets.find((t) => t.name === "cloud_a")?.status).toBe("offline");
    expect(snap.spend.costUsd).toBeCloseTo(0.002, 6);
    expect(snap.spend.tokens).toBe(30);
    const u = (await api(hub, "GET", `/api/usage?since=${now - 3_600_000}`)).json as { rows: { dimension: string; key: string; requests: number; errors: number }[] };
    for (const dim of ["upstream", "model", "client"]) {
      const row = u.rows.find((r) => r.dimension === dim);
      expect(row).toMatchObject({ requests: 2, errors: 1 });
    }
    expect((await events(hub, "&type=exo_failover")).map((e) => e.message)).toEqual(["failed over to cloud_a"]);
    const changes = (await events(hub, "&target=cloud_a&type=status_change")).map((e) => e.data["to"]);
    expect(changes).toEqual(["degraded", "failing", "offline"]);
  });

  it("report: a merged usage row counts every request it sums", async () => {
    const hub = await freshHub();
    const now = Date.now();
    await hub.report([
      { kind: "usage", at: now, upstream: "cloud_a", model: "llama-3.2-1b", client: "c0ffee", promptTokens: 70, completionTokens: 35, costUsd: 0.007, ok: true, requests: 7 },
      { kind: "usage", at: now, upstream: "cloud_a", model: "llama-3.2-1b", client: "c0ffee", promptTokens: 30, completionTokens: 15, costUsd: 0.003, ok: false, requests: 3 },
    ]);
    const u = (await api(hub, "GET", `/api/usage?since=${now - 3_600_000}`)).json as { rows: { dimension: string; requests: number; errors: number; promptTokens: number }[] };
    expect(u.rows.find((r) => r.dimension === "upstream")).toMatchObject({ requests: 10, errors: 3, promptTokens: 100 });
  });

  it("report rejects a malformed batch as a whole", async () => {
    const hub = await freshHub();
    for (const bad of [[{ kind: "usage", at: "now" }], { not: "an array" }]) {
      const err = await hub.report(bad).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err instanceof Error ? err.message : String(err)).toMatch(/invalid report batch/);
    }
    expect((await events(hub, "&type=exo_failover")).length).toBe(0);
  });

  it("no secret value appears in status, targets, events, snapshots or errors", async () => {
    await resetSim();
    const hub = await freshHub();
    await check(hub, "cloud_a");
    await check(hub, "exo_access");
    await hub.report([{ kind: "observation", target: "cloud_a", at: Date.now(), classification: "http_error", latencyMs: 5, error: `upstream said Bearer ${TEST_CLOUD_KEY}` }]);
    const dump = JSON.stringify([
      (await api(hub, "GET", "/api/status")).json,
      (await api(hub, "GET", "/api/targets")).json,
      (await api(hub, "GET", "/api/events?limit=1000")).json,
      (await api(hub, "GET", "/api/recovery")).json,
      (await api(hub, "GET", "/api/metrics")).json,
      await hub.routingSnapshot(),
    ]);
    for (const secret of [TEST_CLOUD_KEY, TEST_ACCESS.clientId, TEST_ACCESS.clientSecret, TOKEN]) expect(dump).not.toContain(secret);
  });
});
