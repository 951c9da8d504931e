/** The admin API: auth, every kind of bad input, and nothing stored half-way. */
import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { HealthHub } from "../src/hub.ts";
import { api, events, freshHub, sql } from "./helpers.ts";

const good = { name: "exo_new", kind: "exo", url: "http://127.0.0.1:9" };

function errorOf(json: unknown): { type: string; code: string | null; param: string | null; message: string } {
  const e = (json as { error: { type: string; code: string | null; param: string | null; message: string } }).error;
  expect(typeof e.message).toBe("string");
  return e;
}

describe("admin API", () => {
  it("needs the bearer token (timing-safe compare) and uses the one envelope", async () => {
    const hub = await freshHub();
    for (const token of [null, "wrong", "test-admin-token-x"]) {
      const res = await api(hub, "GET", "/api/status", { token });
      expect(res.status).toBe(401);
      expect(errorOf(res.json).type).toBe("authentication_error");
    }
    expect((await api(hub, "GET", "/api/status")).status).toBe(200);
    const missing = await api(hub, "GET", "/api/nope");
    expect(missing.status).toBe(404);
    expect(errorOf(missing.json).type).toBe("not_found_error");
  });

  it("refuses to run open in production without ADMIN_TOKEN (503)", async () => {
    const hub = await freshHub();
    const res = await runInDurableObject(hub, async (_i, state) => {
      const bare = { ...env, EXO_BRIDGE_ENV: "production", ADMIN_TOKEN: undefined } as unknown as Env;
      const open = new HealthHub(state, bare);
      return open.fetch(new Request("https://monitor.test/api/status"));
    });
    expect(res.status).toBe(503);
    expect(errorOf(await res.json()).type).toBe("service_unavailable");
  });

  it("adds, patches, drains, puts in maintenance and removes a target, each with an event", async () => {
    const hub = await freshHub();
    const created = await api(hub, "POST", "/api/targets", { body: { ...good, url: "http://127.0.0.1:9/" } });
    expect(created.status).toBe(201);
    expect((created.json as { target: { url: string } }).target.url).toBe("http://127.0.0.1:9");
    const patched = await api(hub, "PATCH", "/api/targets/exo_new", { body: { policy: { failureThreshold: 5 }, priority: 3 } });
    expect(patched.status).toBe(200);
    expect((patched.json as { target: { policy: { failureThreshold: number }; priority: number } }).target).toMatchObject({ policy: { failureThreshold: 5 }, priority: 3 });
    expect((await api(hub, "POST", "/api/targets/exo_new/drain", { body: { drained: true } })).json).toEqual({ target: "exo_new", drained: true });
    expect((await api(hub, "POST", "/api/targets/exo_new/maintenance", { body: { enabled: true } })).json).toEqual({ target: "exo_new", status: "maintenance" });
    expect((await api(hub, "DELETE", "/api/targets/exo_new")).json).toEqual({ removed: "exo_new" });
    const types = (await events(hub, "&target=exo_new")).map((e) => e.type);
    expect(types).toEqual(["target_added", "target_updated", "target_updated", "status_change", "target_removed"]);
  });

  it.each([
    ["invalid JSON", { raw: "{nope" }, 400, "invalid_json"],
    ["unknown field", { body: { ...good, colour: "red" } }, 400, "invalid_body"],
    ["wrong type", { body: { ...good, priority: "high" } }, 400, "invalid_body"],
    ["bad name", { body: { ...good, name: "Bad Name!" } }, 400, "invalid_body"],
    ["non-http URL", { body: { ...good, url: "ftp://example.com" } }, 400, "invalid_body"],
    ["relative URL", { body: { ...good, url: "/v1" } }, 400, "invalid_body"],
    ["URL with credentials", { body: { ...good, url: "https://user:pw@example.com" } }, 400, "invalid_body"],
    ["threshold out of range", { body: { ...good, policy: { failureThreshold: 0 } } }, 400, "invalid_body"],
    ["interval out of range", { body: { ...good, policy: { intervalS: 100000 } } }, 400, "invalid_body"],
    ["duplicate name", { body: { ...good, name: "exo_a" } }, 409, "target_exists"],
    ["wrong content type", { raw: JSON.stringify(good), contentType: "text/plain" }, 415, "unsupported_media_type"],
    ["huge body", { raw: JSON.stringify({ ...good, models: { a: "x".repeat(70_000) } }) }, 413, "body_too_large"],
  ])("POST /api/targets rejects %s", async (_what, opts, code, errCode) => {
    const hub = await freshHub();
    const before = await sql(hub, "SELECT name FROM targets ORDER BY name");
    const eventsBefore = (await events(hub)).length;
    const res = await api(hub, "POST", "/api/targets", opts);
    expect(res.status).toBe(code);
    expect(errorOf(res.json).code).toBe(errCode);
    expect(await sql(hub, "SELECT name FROM targets ORDER BY name")).toEqual(before);
    expect((await events(hub)).length).toBe(eventsBefore);
  });

  it.each([
    ["PATCH", "/api/targets/exo_zz", { policy: {} }],
    ["DELETE", "/api/targets/exo_zz", undefined],
    ["POST", "/api/targets/exo_zz/drain", { drained: true }],
    ["POST", "/api/targets/exo_zz/maintenance", { enabled: true }],
    ["POST", "/api/check/exo_zz", undefined],
    ["GET", "/api/events?target=exo_zz", undefined],
    ["GET", "/api/checks?target=exo_zz", undefined],
  ])("%s %s on an unknown target is 404", async (method, path, body) => {
    const res = await api(await freshHub(), method, path, body === undefined ? {} : { body });
    expect(res.status).toBe(404);
    expect(errorOf(res.json).code).toBe("target_not_found");
  });

  it.each([
    ["PATCH", "/api/targets/exo_a", { policy: { recoveryThreshold: 101 } }],
    ["PATCH", "/api/targets/exo_a", { url: "http://elsewhere" }],
    ["PATCH", "/api/targets/BAD!", { priority: 1 }],
    ["POST", "/api/targets/exo_a/drain", { drained: "yes" }],
    ["POST", "/api/targets/exo_a/maintenance", { enabled: true, extra: 1 }],
    ["POST", "/api/auto-recovery", {}],
    ["POST", "/api/routing/pin", { pinned: 1 }],
    ["GET", "/api/events?limit=0", undefined],
    ["GET", "/api/events?limit=abc", undefined],
    ["GET", "/api/events?since=yesterday", undefined],
    ["GET", "/api/events?type=not_a_type", undefined],
    ["GET", "/api/events?bogus=1", undefined],
    ["GET", "/api/recovery?limit=5000", undefined],
    ["GET", "/api/checks?since=-5", undefined],
    ["GET", "/api/usage?since=soon", undefined],
  ])("%s %s is a 400", async (method, path, body) => {
    const hub = await freshHub();
    const res = await api(hub, method, path, body === undefined ? {} : { body });
    expect(res.status).toBe(400);
    expect(errorOf(res.json).type).toBe("invalid_request_error");
    const s = (await api(hub, "GET", "/api/targets")).json as { targets: { name: string; priority?: number; policy: object }[] };
    expect(s.targets.find((t) => t.name === "exo_a")?.policy).toEqual({ intervalS: 1, timeoutMs: 600, failureThreshold: 3, recoveryThreshold: 2, degradedLatencyMs: 300, slowThreshold: 2, syntheticIntervalS: 0, ttftBudgetMs: 500 });
  });

  it("switches auto-recovery and the cloud pin, reported in status and the routing snapshot", async () => {
    const hub = await freshHub();
    expect((await api(hub, "POST", "/api/auto-recovery", { body: { enabled: false } })).json).toEqual({ auto_recovery: false });
    expect((await api(hub, "POST", "/api/routing/pin", { body: { pinned: true } })).json).toEqual({ pinned_to_cloud: true });
    const snap = await hub.routingSnapshot();
    expect(snap.autoRecovery).toBe(false);
    expect(snap.pinnedToCloud).toBe(true);
    expect((await events(hub, "&type=config_changed")).length).toBe(2);
  });

  it("GET /api/events pages by id and by ISO time, oldest first", async () => {
    const hub = await freshHub();
    const all = await events(hub);
    expect(all.length).toBeGreaterThanOrEqual(6);
    const firstId = all[0]?.id ?? 0;
    const page = await api(hub, "GET", `/api/events?since=${firstId}&limit=2`);
    const body = page.json as { events: { id: number }[]; last_event_id: number; truncated: boolean };
    expect(body.events.map((e) => e.id)).toEqual([firstId + 1, firstId + 2]);
    expect(body.truncated).toBe(false);
    const byTime = await api(hub, "GET", `/api/events?since=${encodeURIComponent("2000-01-01T00:00:00Z")}`);
    expect((byTime.json as { events: unknown[] }).events.length).toBe(all.length);
  });
});
