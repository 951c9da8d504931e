/**
 * Per-isolate behaviour: the routing snapshot is cached (DO calls ≪ requests),
 * /healthz reports counters, /api/* (WebSocket included) is forwarded to the
 * monitor's Durable Object, and a quick overhead measurement against the sim.
 */
import { env } from "cloudflare:workers";
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { app } from "../src/app.ts";
import { counters } from "../src/counters.ts";
import { beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { ALIAS, authed, gw, healthz, postJson, resetWorld } from "./helpers.ts";

beforeAll(async () => {
  await resetWorld();
});

describe("routing snapshot cache", () => {
  it("200 requests make far fewer than 200 snapshot calls to the Durable Object", async () => {
    const before = await healthz();
    const started = Date.now();
    const N = 200;
    for (let i = 0; i < N; i += 10) {
      const batch = await Promise.all(
        Array.from({ length: 10 }, () => postJson("/v1/chat/completions", { model: ALIAS, messages: [{ role: "user", content: "x" }], max_tokens: 2 })),
      );
      for (const r of batch) {
        expect(r.status).toBe(200);
        await r.body?.cancel();
      }
    }
    const elapsed = Date.now() - started;
    await scheduler.wait(100);
    const after = await healthz();
    const snapshotCalls = after.isolate.snapshot_calls - before.isolate.snapshot_calls;
    const reportCalls = after.isolate.report_calls - before.isolate.report_calls;
    expect(after.isolate.requests - before.isolate.requests).toBe(N);
    // One refresh per staleness window (250 ms in tests) at most, plus slack.
    expect(snapshotCalls).toBeLessThanOrEqual(Math.ceil(elapsed / 250) + 2);
    expect(snapshotCalls / N).toBeLessThan(0.2);
    expect(reportCalls / N).toBeLessThan(0.5);
    console.log(`DO calls over ${N} requests in ${elapsed} ms: ${snapshotCalls} snapshot, ${reportCalls} report → ${(((snapshotCalls + reportCalls) / N) * 1000).toFixed(0)} per 1,000 requests`);
  });

  it("at production settings (1.5 s staleness, 1 s report flush): DO calls per 1,000 requests", async () => {
    const e = { ...env, ROUTING_MAX_STALENESS_MS: "1500", GATEWAY_REPORT_FLUSH_MS: "1000" };
    const body = JSON.stringify({ model: ALIAS, messages: [{ role: "user", content: "x" }], max_tokens: 2 });
    const before = { snapshot: counters.snapshotCalls, report: counters.reportCalls };
    const contexts: ExecutionContext[] = [];
    const started = Date.now();
    const N = 1_000;
    for (let i = 0; i < N; i += 20) {
      const batch = await Promise.all(
        Array.from({ length: 20 }, () => {
          const ctx = createExecutionContext();
          contexts.push(ctx);
          return app.fetch(new Request("http://gw/v1/chat/completions", { method: "POST", headers: authed(), body }), e, ctx);
        }),
      );
      for (const r of batch) {
        expect(r.status).toBe(200);
        await r.body?.cancel();
      }
    }
    const elapsed = Date.now() - started;
    await Promise.all(contexts.map((c) => waitOnExecutionContext(c)));
    const snapshotCalls = counters.snapshotCalls - before.snapshot;
    const reportCalls = counters.reportCalls - before.report;
    console.log(`production settings: ${N} requests in ${elapsed} ms (${Math.round((N * 1000) / elapsed)} req/s): ${snapshotCalls} snapshot + ${reportCalls} report DO calls → ${(((snapshotCalls + reportCalls) / N) * 1000).toFixed(1)} per 1,000 requests`);
    expect(snapshotCalls).toBeLessThanOrEqual(Math.ceil(elapsed / 1_500) + 2);
    // One flush per interval, plus one per full batch (1,000 reports: each request sends a usage report).
    expect(reportCalls).toBeLessThanOrEqual(Math.ceil(elapsed / 1_000) + Math.ceil(N / 1_000) + 2);
  });

  it("/healthz reports ok, counters and the snapshot's age", async () => {
    const h = await healthz();
    expect(h.ok).toBe(true);
    expect(h.snapshot.version).not.toBeNull();
    expect(h.snapshot.age_ms).toBeGreaterThanOrEqual(0);
    expect(h.isolate.do_calls).toBe(h.isolate.snapshot_calls + h.isolate.report_calls + h.isolate.api_forwards);
    expect(h.isolate.api_forwards).toBeGreaterThan(0);
    expect(JSON.stringify(h)).not.toMatch(/sk-|test-access-secret-value/);
  });
});

describe("/api forwarding", () => {
  it("forwards admin requests unchanged, auth included", async () => {
    expect((await gw("/api/status")).status).toBe(401);
    const res = await gw("/api/status", { headers: { authorization: "Bearer test-admin-token" } });
    expect(res.status).toBe(200);
    expect(await res.json()).toHaveProperty("targets");
  });

  it("forwards the live-events WebSocket upgrade", async () => {
    const res = await gw("/api/events/ws", { headers: { upgrade: "websocket" } });
    expect(res.status).toBe(101);
    const ws = res.webSocket;
    expect(ws).not.toBeNull();
    if (ws === null) return;
    ws.accept();
    const first = new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("no snapshot within 5 s")), 5_000);
      ws.addEventListener("message", (ev) => {
        clearTimeout(timer);
        resolve(typeof ev.data === "string" ? ev.data : "");
      });
    });
    ws.send(JSON.stringify({ type: "hello", token: "test-admin-token" }));
    expect(JSON.parse(await first)).toMatchObject({ type: "snapshot" });
    ws.close(1000, "done");
  });
});

describe("overhead (quick measurement; the benchmark does it properly)", () => {
  it("adds little latency over calling the Exo simulator directly", async () => {
    const snap = await (await gw("/api/targets", { headers: { authorization: "Bearer test-admin-token" } })).json() as { targets: Array<{ name: string; url: string }> };
    const exoUrl = snap.targets.find((t) => t.name === "exo_primary")?.url ?? "";
    const body = JSON.stringify({ model: "mlx-community/Llama-3.2-1B-Instruct-4bit", messages: [{ role: "user", content: "x" }], max_tokens: 1 });
    const aliasBody = JSON.stringify({ model: ALIAS, messages: [{ role: "user", content: "x" }], max_tokens: 1 });
    // The node sits behind (simulated) Access: the direct call carries the same service token.
    const access = z.object({ ACCESS_CLIENT_ID: z.string(), ACCESS_CLIENT_SECRET: z.string() }).parse(env);
    const directHeaders = { "content-type": "application/json", "cf-access-client-id": access.ACCESS_CLIENT_ID, "cf-access-client-secret": access.ACCESS_CLIENT_SECRET };
    const direct: number[] = [];
    const via: number[] = [];
    for (let i = 0; i < 120; i++) {
      let t = performance.now();
      let r = await fetch(`${exoUrl}/v1/chat/completions`, { method: "POST", headers: directHeaders, body });
      expect(r.status).toBe(200);
      await r.text();
      direct.push(performance.now() - t);
      t = performance.now();
      r = await gw("/v1/chat/completions", { method: "POST", headers: authed(), body: aliasBody });
      expect(r.headers.get("x-exo-bridge-upstream")).toBe("exo_primary");
      await r.text();
      via.push(performance.now() - t);
    }
    const pct = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))] ?? NaN;
    const report = { direct_p50: pct(direct, 0.5), direct_p99: pct(direct, 0.99), gateway_p50: pct(via, 0.5), gateway_p99: pct(via, 0.99) };
    console.log(`overhead (ms, timer resolution of workerd applies): ${JSON.stringify(report)}; added p50 ${(report.gateway_p50 - report.direct_p50).toFixed(2)} ms`);
    expect(report.gateway_p50).toBeLessThan(report.direct_p50 + 50);
  });
});
