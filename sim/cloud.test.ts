/**
 * The cloud provider simulator against the official `openai` SDK and raw sockets:
 * framing, key checks, per-key counters, 429 with Retry-After, per-key faults.
 */
import OpenAI from "openai";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type SimCluster, spawnCluster } from "./spawn.ts";
import { dataFrames, raw, tcpProbe } from "./test-support.ts";

const PORT = 57650;
const MODEL = "sim/llama-3.2-1b-instruct";
const KEY1 = "sk-test-key-1";
const KEY2 = "sk-test-key-2";
let sim: SimCluster;
let base: string;

function client(apiKey: string): OpenAI {
  return new OpenAI({ apiKey, baseURL: `${base}/v1`, maxRetries: 0, timeout: 5_000 });
}

function auth(key: string): Record<string, string> {
  return { authorization: `Bearer ${key}` };
}

async function keyCounts(): Promise<Record<string, number>> {
  return (await sim.state()).targets["cloud"]?.requestsByKey ?? {};
}

beforeAll(async () => {
  sim = await spawnCluster({
    control: { port: 57659 },
    nodes: [{ name: "cloud", kind: "cloud", port: PORT, models: [MODEL], keys: [KEY1, KEY2], retryAfterS: 7 }],
  });
  base = sim.url("cloud");
}, 30_000);

afterEach(async () => {
  await sim.reset();
});

afterAll(async () => {
  await sim.stop();
});

describe("with the openai SDK", () => {
  it("lists models and completes a chat without streaming", async () => {
    const models = await client(KEY1).models.list();
    expect(models.data.map((m) => m.id)).toEqual([MODEL]);
    const res = await client(KEY1).chat.completions.create({ model: MODEL, messages: [{ role: "user", content: "hello from the sdk" }], max_tokens: 3 });
    expect(res.id).toMatch(/^chatcmpl-/);
    expect(res.object).toBe("chat.completion");
    expect(res.choices[0]?.message.content).toBe("hello from the");
    expect(res.choices[0]?.finish_reason).toBe("length");
    expect(res.usage).toEqual({ prompt_tokens: 4, completion_tokens: 3, total_tokens: 7 });
  });

  it("streams chat.completion.chunk frames with usage when asked", async () => {
    const stream = await client(KEY2).chat.completions.create({
      model: MODEL,
      messages: [{ role: "user", content: "stream these words" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = "";
    let finish: string | null = null;
    let usage: OpenAI.CompletionUsage | null | undefined = null;
    for await (const chunk of stream) {
      expect(chunk.object).toBe("chat.completion.chunk");
      expect(chunk.id).toMatch(/^chatcmpl-/);
      text += chunk.choices[0]?.delta.content ?? "";
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe("stream these words");
    expect(finish).toBe("stop");
    expect(usage).toEqual({ prompt_tokens: 3, completion_tokens: 3, total_tokens: 6 });
  });

  it("serves completions and base64 embeddings (the SDK default)", async () => {
    const completion = await client(KEY1).completions.create({ model: MODEL, prompt: "complete me please", max_tokens: 2 });
    expect(completion.object).toBe("text_completion");
    expect(completion.choices[0]?.text).toBe("complete me");
    const emb = await client(KEY1).embeddings.create({ model: MODEL, input: ["same", "same", "other"] });
    const [a, b, c] = emb.data.map((d) => d.embedding);
    expect(a).toHaveLength(16);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(Math.hypot(...(a ?? []))).toBeCloseTo(1, 4);
  });

  it("raises the SDK's typed errors for bad keys, 429s and unknown models", async () => {
    await expect(client("sk-wrong").models.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
    await sim.chaos("cloud", "http", 429);
    const err: unknown = await client(KEY1).chat.completions.create({ model: MODEL, messages: [{ role: "user", content: "x" }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    await sim.reset();
    await expect(client(KEY1).chat.completions.create({ model: "nope", messages: [{ role: "user", content: "x" }] })).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });
});

describe("framing on the wire", () => {
  it("ends a stream with data: [DONE] and no usage unless asked", async () => {
    const res = await raw(base, "/v1/chat/completions", {
      body: { model: MODEL, messages: [{ role: "user", content: "two words" }], stream: true },
      headers: auth(KEY1),
    });
    expect(res.headers["content-type"]).toBe("text/event-stream");
    expect(res.body.startsWith("data: ")).toBe(true);
    const frames = dataFrames(res.body);
    expect(frames.at(-1)).toBe("[DONE]");
    const chunks = frames.slice(0, -1).map((f) => JSON.parse(f) as Record<string, unknown>);
    expect(chunks[0]).toMatchObject({ choices: [{ delta: { role: "assistant", content: "" }, finish_reason: null }] });
    expect(chunks.at(-1)).toMatchObject({ choices: [{ delta: {}, finish_reason: "stop" }] });
    expect(chunks.every((c) => !("usage" in c))).toBe(true);
  });

  it("cut-stream stops without [DONE]; error-frame sends an error data frame", async () => {
    await sim.chaos("cloud", "cut-stream", 1);
    const body = { model: MODEL, messages: [{ role: "user", content: "a b c d" }], stream: true };
    const cut = await raw(base, "/v1/chat/completions", { body, headers: auth(KEY1) });
    expect(cut.status).toBe(200);
    expect(cut.body).not.toContain("[DONE]");
    expect(cut.body).not.toContain('"finish_reason":"stop"');
    await sim.reset();
    await sim.chaos("cloud", "error-frame", 2);
    const errored = await raw(base, "/v1/chat/completions", { body, headers: auth(KEY1) });
    const last = JSON.parse(dataFrames(errored.body).at(-1) ?? "null") as { error?: { type: string } };
    expect(last.error?.type).toBe("server_error");
  });
});

describe("keys and rate limits", () => {
  it("401s a missing or unknown key with OpenAI's envelope", async () => {
    const missing = await raw(base, "/v1/models");
    expect(missing.status).toBe(401);
    expect(JSON.parse(missing.body)).toMatchObject({ error: { type: "invalid_request_error", param: null, code: null } });
    const wrong = await raw(base, "/v1/models", { headers: auth("sk-nope") });
    expect(JSON.parse(wrong.body)).toMatchObject({ error: { code: "invalid_api_key" } });
    expect(wrong.body).not.toContain("sk-nope");
  });

  it("http 429 carries Retry-After (configured default, or the fault's argument)", async () => {
    await sim.chaos("cloud", "http", 429);
    const res = await raw(base, "/v1/models", { headers: auth(KEY1) });
    expect(res.status).toBe(429);
    expect(res.headers["retry-after"]).toBe("7");
    expect(JSON.parse(res.body)).toMatchObject({ error: { code: "rate_limit_exceeded" } });
    await sim.chaos("cloud", "http", 429, 3);
    expect((await raw(base, "/v1/models", { headers: auth(KEY1) })).headers["retry-after"]).toBe("3");
    await sim.chaos("cloud", "http", 503);
    const unavailable = await raw(base, "/v1/models", { headers: auth(KEY1) });
    expect(unavailable.status).toBe(503);
    expect(JSON.parse(unavailable.body)).toMatchObject({ error: { type: "server_error" } });
  });

  it("rate-limit-key and revoke-key hit one key only, and requests are counted per key", async () => {
    const before = await keyCounts();
    await sim.chaos("cloud", "rate-limit-key", KEY1);
    const limited = await raw(base, "/v1/models", { headers: auth(KEY1) });
    expect(limited.status).toBe(429);
    expect(limited.headers["retry-after"]).toBe("7");
    expect((await raw(base, "/v1/models", { headers: auth(KEY2) })).status).toBe(200);
    await sim.chaos("cloud", "revoke-key", KEY2);
    expect((await raw(base, "/v1/models", { headers: auth(KEY2) })).status).toBe(401);
    const after = await keyCounts();
    expect((after[KEY1] ?? 0) - (before[KEY1] ?? 0)).toBe(1);
    expect((after[KEY2] ?? 0) - (before[KEY2] ?? 0)).toBe(2);
  });

  it("down refuses, slow delays the first byte, hang never answers", async () => {
    await sim.chaos("cloud", "down");
    expect(await tcpProbe(PORT)).toBe("ECONNREFUSED");
    await sim.chaos("cloud", "up");
    await sim.chaos("cloud", "slow", 300);
    const slow = await raw(base, "/v1/models", { headers: auth(KEY1) });
    expect(slow.status).toBe(200);
    expect(slow.headersMs).toBeGreaterThanOrEqual(280);
    await sim.chaos("cloud", "hang");
    expect((await raw(base, "/v1/models", { headers: auth(KEY1), timeoutMs: 500 })).error).toBe("timeout");
  });

  it("rejects Exo-only faults", async () => {
    await expect(sim.chaos("cloud", "restart")).rejects.toThrow(/unknown fault 'restart' for a cloud simulator/);
  });
});
