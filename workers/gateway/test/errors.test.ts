/** Every way a request can be wrong, each answered in OpenAI's envelope with the right status. */
import { env } from "cloudflare:workers";
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { app } from "../src/app.ts";
import { ALIAS, CLIENT_KEY, authed, chaos, gw, postJson, resetWorld } from "./helpers.ts";

interface Envelope {
  error: { message: string; type: string; param: string | null; code: string | null };
}

async function expectError(res: Response, status: number, code: string | null, param?: string | null): Promise<Envelope> {
  expect(res.status).toBe(status);
  const body = (await res.json()) as Envelope;
  expect(Object.keys(body)).toEqual(["error"]);
  expect(Object.keys(body.error).sort()).toEqual(["code", "message", "param", "type"]);
  if (code !== null) expect(body.error.code).toBe(code);
  if (param !== undefined) expect(body.error.param).toBe(param);
  return body;
}

/** Call the app with an env of our own (other vars), through a real execution context. */
async function withEnv(vars: Record<string, string>, request: Request): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await app.fetch(request, { ...env, ...vars }, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

const chat = { model: ALIAS, messages: [{ role: "user", content: "hi" }] };

beforeAll(async () => {
  await resetWorld();
});

describe("bad requests", () => {
  it("400 for a body that is not JSON or not an object", async () => {
    await expectError(await gw("/v1/chat/completions", { method: "POST", headers: authed(), body: "{not json" }), 400, "invalid_json");
    await expectError(await gw("/v1/chat/completions", { method: "POST", headers: authed(), body: "[1,2]" }), 400, "invalid_json");
  });

  it("415 for a wrong content type", async () => {
    await expectError(await gw("/v1/chat/completions", { method: "POST", headers: authed({ "content-type": "text/plain" }), body: JSON.stringify(chat) }), 415, "unsupported_media_type");
  });

  it.each([
    [{ messages: chat.messages }, "model"],
    [{ model: ALIAS }, "messages"],
    [{ model: ALIAS, messages: [] }, "messages"],
    [{ model: 42, messages: chat.messages }, "model"],
    [{ ...chat, stream: "yes" }, "stream"],
    [{ ...chat, n: 0 }, "n"],
    [{ ...chat, n: 9 }, "n"],
    [{ ...chat, max_tokens: 0 }, "max_tokens"],
    [{ ...chat, max_tokens: 1_000_001 }, "max_tokens"],
  ])("400 for %j naming %s", async (body, param) => {
    await expectError(await postJson("/v1/chat/completions", body), 400, "invalid_value", param);
  });

  it("400 for completions and embeddings without their inputs", async () => {
    await expectError(await postJson("/v1/completions", { model: ALIAS }), 400, "invalid_value", "prompt");
    await expectError(await postJson("/v1/embeddings", { model: ALIAS, input: [] }), 400, "invalid_value", "input");
  });

  it("404 for an unknown model and for unknown routes", async () => {
    await expectError(await postJson("/v1/chat/completions", { ...chat, model: "gpt-unknown" }), 404, "model_not_found", "model");
    await expectError(await gw("/v1/nothing-here", { headers: authed() }), 404, "route_not_found");
  });

  it("413 for a body over the bound, with or without Content-Length", async () => {
    const big = JSON.stringify({ ...chat, messages: [{ role: "user", content: "x".repeat(5 * 1024 * 1024) }] });
    await expectError(await gw("/v1/chat/completions", { method: "POST", headers: authed(), body: big }), 413, "request_too_large");
    const chunked = new ReadableStream<Uint8Array>({
      start(c) {
        const piece = new TextEncoder().encode("x".repeat(1024 * 1024));
        for (let i = 0; i < 5; i++) c.enqueue(piece);
        c.close();
      },
    });
    const res = await gw("/v1/chat/completions", { method: "POST", headers: authed(), body: chunked, duplex: "half" } as RequestInit);
    await expectError(res, 413, "request_too_large");
  });
});

describe("client authentication", () => {
  it("401 without a key and with a wrong key, never echoing it", async () => {
    await expectError(await postJson("/v1/chat/completions", chat, { "content-type": "application/json" }), 401, "missing_api_key");
    const res = await postJson("/v1/chat/completions", chat, { "content-type": "application/json", authorization: "Bearer sk-wrong-key-123456" });
    const body = await expectError(res, 401, "invalid_api_key");
    expect(JSON.stringify(body)).not.toContain("sk-wrong");
    await expectError(await gw("/v1/models", { headers: { authorization: "Bearer nope-nope-nope" } }), 401, "invalid_api_key");
  });

  it("accepts a key configured only by its SHA-256 digest", async () => {
    const digest = [...new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode("sk-hashed-only-key")))].map((b) => b.toString(16).padStart(2, "0")).join("");
    const req = () => new Request("http://gw/v1/models", { headers: { authorization: "Bearer sk-hashed-only-key" } });
    expect((await withEnv({ GATEWAY_API_KEYS: "", GATEWAY_KEY_HASHES: digest }, req())).status).toBe(200);
    expect((await withEnv({ GATEWAY_API_KEYS: CLIENT_KEY, GATEWAY_KEY_HASHES: "" }, req())).status).toBe(401);
  });

  it("production with no client keys configured: every /v1 request 503 with a clear message", async () => {
    const res = await withEnv({ EXO_BRIDGE_ENV: "production", GATEWAY_API_KEYS: "", GATEWAY_KEY_HASHES: "" }, new Request("http://gw/v1/models"));
    const body = await expectError(res, 503, "gateway_keys_missing");
    expect(body.error.message).toContain("GATEWAY_KEY_HASHES");
  });

  it("a misconfigured gateway answers 503 naming the variable, and /healthz says so", async () => {
    const res = await withEnv({ GATEWAY_MAX_ATTEMPTS: "many" }, new Request("http://gw/v1/models", { headers: authed() }));
    const body = await expectError(res, 503, "gateway_misconfigured");
    expect(body.error.message).toContain("GATEWAY_MAX_ATTEMPTS");
  });
});

describe("limits", () => {
  it("per-key rate limit: 429 with Retry-After once the minute's budget is spent", async () => {
    const vars = { RATE_LIMIT_RPM: "2" };
    const e = { ...env, ...vars };
    const call = async (): Promise<Response> => {
      const ctx = createExecutionContext();
      const res = await app.fetch(new Request("http://gw/v1/models", { headers: authed() }), e, ctx);
      await waitOnExecutionContext(ctx);
      return res;
    };
    expect((await call()).status).toBe(200);
    expect((await call()).status).toBe(200);
    const res = await call();
    const retry = Number(res.headers.get("retry-after"));
    await expectError(res, 429, "rate_limit_exceeded");
    expect(retry).toBeGreaterThanOrEqual(1);
    expect(retry).toBeLessThanOrEqual(60);
  });

  it("per-key token budget: 429 with Retry-After once the day's tokens are used", async () => {
    const e = { ...env, TOKEN_BUDGET_PER_DAY: "1" };
    const statuses: number[] = [];
    let last: Response | null = null;
    for (let i = 0; i < 2; i++) {
      const ctx = createExecutionContext();
      last = await app.fetch(new Request("http://gw/v1/chat/completions", { method: "POST", headers: authed(), body: JSON.stringify(chat) }), e, ctx);
      await waitOnExecutionContext(ctx);
      statuses.push(last.status);
      if (last.status !== 429) await last.body?.cancel();
    }
    expect(statuses[1]).toBe(429);
    if (last === null) return;
    const retry = Number(last.headers.get("retry-after"));
    await expectError(last, 429, "token_budget_exceeded");
    expect(retry).toBeGreaterThanOrEqual(1);
    expect(retry).toBeLessThanOrEqual(86_400);
  });

  it("cloud spending cap reached and Exo down: 503 spend_cap_reached instead of spending more", async () => {
    await chaos("exo_primary", "down");
    const req = new Request("http://gw/v1/chat/completions", { method: "POST", headers: authed(), body: JSON.stringify(chat) });
    const body = await expectError(await withEnv({ CLOUD_SPEND_CAP_USD: "0" }, req), 503, "spend_cap_reached");
    expect(body.error.type).toBe("service_unavailable");
    await resetWorld();
  });
});
