/**
 * Failover through real simulator faults: invisible before the first byte,
 * loud (an error, never a clean end) after it.
 */
import { APIError } from "openai";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { ALIAS, authed, chaos, client, gw, resetWorld, waitForEvents } from "./helpers.ts";

const messages = [{ role: "user" as const, content: "hello there" }];

beforeEach(async () => {
  await resetWorld();
});
afterAll(async () => {
  await resetWorld();
});

describe("before the first byte: failover is invisible", () => {
  it("Exo down between requests: served by the cloud simulator, attempts > 1, no error", async () => {
    const first = await client().chat.completions.create({ model: ALIAS, messages }).withResponse();
    expect(first.response.headers.get("x-exo-bridge-upstream")).toBe("exo_primary");
    await chaos("exo_primary", "down");
    const second = await client().chat.completions.create({ model: ALIAS, messages }).withResponse();
    expect(second.response.headers.get("x-exo-bridge-upstream")).toBe("sim_cloud");
    expect(Number(second.response.headers.get("x-exo-bridge-attempts"))).toBeGreaterThan(1);
    expect(second.data.model).toBe(ALIAS);
    // The next request avoids the node that just failed (penalty box): one attempt.
    const third = await client().chat.completions.create({ model: ALIAS, messages, stream: true }).withResponse();
    expect(third.response.headers.get("x-exo-bridge-upstream")).toBe("sim_cloud");
    expect(third.response.headers.get("x-exo-bridge-attempts")).toBe("1");
    let text = "";
    for await (const c of third.data) text += c.choices[0]?.delta.content ?? "";
    expect(text.length).toBeGreaterThan(0);
    // The monitor hears of it: an exo_failover fact.
    const events = await waitForEvents((ev) => ev.some((e) => e.type === "exo_failover"));
    expect(events.some((e) => e.type === "exo_failover")).toBe(true);
  });

  it("a stream cut or an error frame before any content fails over silently", async () => {
    await chaos("exo_primary", "cut-stream", 0);
    const cut = await client().chat.completions.create({ model: ALIAS, messages, stream: true }).withResponse();
    let text = "";
    for await (const c of cut.data) text += c.choices[0]?.delta.content ?? "";
    expect(cut.response.headers.get("x-exo-bridge-upstream")).toBe("sim_cloud");
    expect(text.length).toBeGreaterThan(0);

    await resetWorld();
    await chaos("exo_primary", "error-frame", 0, "Runner OOM at http://10.1.2.3:9999/internal");
    const errored = await client().chat.completions.create({ model: ALIAS, messages, stream: true }).withResponse();
    for await (const c of errored.data) void c;
    expect(errored.response.headers.get("x-exo-bridge-upstream")).toBe("sim_cloud");
  });

  it("a hanging Exo node is abandoned at the TTFT budget and the cloud answers", async () => {
    await chaos("exo_primary", "hang");
    const started = Date.now();
    const res = await client().chat.completions.create({ model: ALIAS, messages, stream: true }).withResponse();
    for await (const c of res.data) void c;
    expect(res.response.headers.get("x-exo-bridge-upstream")).toBe("sim_cloud");
    expect(Date.now() - started).toBeLessThan(8_000);
  });

  it("non-streamed: Exo's 200-then-reset is read in full, rejected and failed over", async () => {
    await chaos("exo_primary", "cut-stream", 1);
    const res = await client().chat.completions.create({ model: ALIAS, messages }).withResponse();
    expect(res.response.headers.get("x-exo-bridge-upstream")).toBe("sim_cloud");
    expect(res.data.choices[0]?.message.content?.length ?? 0).toBeGreaterThan(0);
  });

  it.each([
    ["404 no instance", ["no-instance"]],
    ["502 from cloudflared", ["http", 502]],
    ["530 tunnel down (HTML page)", ["http", 530]],
    ["403 from Access", ["http", 403]],
    ["redirect to the Access login", ["redirect"]],
    ["slow past the TTFT budget", ["slow", 4_000]],
  ] as const)("Exo %s: fails over to the cloud", async (_label, [fault, ...args]) => {
    await chaos("exo_primary", fault, ...args);
    const res = await client().chat.completions.create({ model: ALIAS, messages, stream: true }).withResponse();
    let text = "";
    for await (const c of res.data) text += c.choices[0]?.delta.content ?? "";
    expect(res.response.headers.get("x-exo-bridge-upstream")).toBe("sim_cloud");
    expect(res.response.headers.get("x-exo-bridge-attempts")).toBe("2");
    expect(text.length).toBeGreaterThan(0);
  });
});

describe("an upstream that calls the request invalid", () => {
  it("is not treated as an outage: the next upstream tries, and if all refuse the client gets 400", async () => {
    await chaos("exo_primary", "http", 422);
    const served = await client().chat.completions.create({ model: ALIAS, messages }).withResponse();
    expect(served.response.headers.get("x-exo-bridge-upstream")).toBe("sim_cloud");
    await chaos("sim_cloud", "http", 400);
    const res = await gw("/v1/chat/completions", { method: "POST", headers: authed(), body: JSON.stringify({ model: ALIAS, messages }) });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("upstream_rejected_request");
    // No penalty: once the fault clears, Exo serves the very next request.
    await chaos("all", "reset");
    const back = await client().chat.completions.create({ model: ALIAS, messages }).withResponse();
    expect(back.response.headers.get("x-exo-bridge-upstream")).toBe("exo_primary");
  });
});

describe("after the first byte: the client always learns the stream failed", () => {
  for (const fault of ["cut-stream", "error-frame"] as const) {
    it(`Exo ${fault} mid-stream ends the stream with an error, never a clean end`, async () => {
      await chaos("exo_primary", fault, 2);
      const stream = await client().chat.completions.create({ model: ALIAS, messages, stream: true, max_tokens: 50 });
      let text = "";
      const consume = async (): Promise<void> => {
        for await (const c of stream) text += c.choices[0]?.delta.content ?? "";
      };
      await expect(consume()).rejects.toBeInstanceOf(APIError);
      expect(text.length).toBeGreaterThan(0);

      // On the wire: an OpenAI error event, no [DONE], no internal address.
      await resetWorld();
      await chaos("exo_primary", fault, 2, "crash at http://10.0.0.9:5000");
      const raw = await gw("/v1/chat/completions", { method: "POST", headers: authed(), body: JSON.stringify({ model: ALIAS, messages, stream: true, max_tokens: 50 }) });
      expect(raw.status).toBe(200);
      expect(raw.headers.get("x-exo-bridge-upstream")).toBe("exo_primary");
      const body = await raw.text();
      expect(body).toMatch(/data: \{"error":\{"message":"[^"]+","type":"server_error"/);
      expect(body).not.toMatch(/^data: \[DONE\]/m);
      expect(body).not.toContain("10.0.0.9");
      const events = await waitForEvents((ev) => ev.some((e) => e.type === "stream_failed"));
      expect(events.some((e) => e.type === "stream_failed" && e.target === "exo_primary")).toBe(true);
    });
  }
});

describe("a stream that stalls after its first bytes", () => {
  it("ends with an error once no data has come for the stall budget, keep-alive comments notwithstanding", async () => {
    // The simulator keeps the stream open and sends ': keep-alive' every second, as Exo does
    // for a hung runner; the stall budget in the test config is 2 s.
    await chaos("exo_primary", "stall-stream", 2);
    const started = Date.now();
    const raw = await gw("/v1/chat/completions", { method: "POST", headers: authed(), body: JSON.stringify({ model: ALIAS, messages, stream: true, max_tokens: 50 }) });
    expect(raw.status).toBe(200);
    const body = await raw.text();
    const elapsed = Date.now() - started;
    expect(body).toContain(": keep-alive");
    expect(body).toMatch(/data: \{"error":\{"message":"[^"]*no data for 2000 ms/);
    expect(body).not.toMatch(/^data: \[DONE\]/m);
    expect(elapsed).toBeGreaterThanOrEqual(1_900);
    expect(elapsed).toBeLessThan(10_000);
  });
});

describe("nothing can serve", () => {
  it("every upstream down: 503 with Retry-After in OpenAI's envelope", async () => {
    await chaos("all", "down");
    const res = await gw("/v1/chat/completions", { method: "POST", headers: authed(), body: JSON.stringify({ model: ALIAS, messages }) });
    expect(res.status).toBe(503);
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    const body = (await res.json()) as { error: { type: string; code: string; message: string } };
    expect(body.error).toMatchObject({ type: "service_unavailable", code: "no_upstream_available" });
    expect(body.error.message).not.toMatch(/127\.0\.0\.1|sk-/);
    // The SDK surfaces it as an APIError with status 503.
    await expect(client().chat.completions.create({ model: ALIAS, messages, stream: true })).rejects.toMatchObject({ status: 503 });
  });

  it("a provider answering 429 + Retry-After on every key: 503 carrying its Retry-After, then the next request waits for the key", async () => {
    await chaos("exo_primary", "down");
    await chaos("sim_cloud", "http", 429, 1);
    const res = await gw("/v1/chat/completions", { method: "POST", headers: authed(), body: JSON.stringify({ model: ALIAS, messages }) });
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("1");
    expect(res.headers.get("x-exo-bridge-attempts")).toBe("4");
    await res.body?.cancel();
    await chaos("sim_cloud", "http", 0);
    const started = Date.now();
    const ok = await client().chat.completions.create({ model: ALIAS, messages }).withResponse();
    expect(ok.response.headers.get("x-exo-bridge-upstream")).toBe("sim_cloud");
    expect(Date.now() - started).toBeLessThan(3_000);
  });
});
