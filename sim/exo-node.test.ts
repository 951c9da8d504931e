/**
 * The Exo simulator's API surface over real sockets: routes, JSON shapes, and the exact
 * SSE framing of v1 and legacy chat completions.
 */
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SimCluster, spawnCluster } from "./spawn.ts";
import { EXO_MODEL, chatBody, dataFrames, raw } from "./test-support.ts";

const OTHER_MODEL = "mlx-community/Qwen3-0.6B-4bit";
let sim: SimCluster;
let v1: string;
let slowKeepAlive: string;
let legacy: string;

beforeAll(async () => {
  sim = await spawnCluster({
    control: { port: 57620 },
    nodes: [
      { name: "exo_v1", kind: "exo", port: 57615, models: [EXO_MODEL], catalogue: [OTHER_MODEL], placementDelayMs: 300, peers: 1 },
      { name: "exo_ka", kind: "exo", port: 57616, models: [EXO_MODEL], keepAliveMs: 60, ttftMs: 400 },
      { name: "exo_legacy", kind: "exo", port: 57617, api: "legacy", models: ["llama-3.2-1b"] },
    ],
  });
  v1 = sim.url("exo_v1");
  slowKeepAlive = sim.url("exo_ka");
  legacy = sim.url("exo_legacy");
}, 30_000);

afterAll(async () => {
  await sim.stop();
});

describe("exo v1 read routes", () => {
  it("GET /node_id is a bare JSON string of hex", async () => {
    const res = await raw(v1, "/node_id");
    expect(res.status).toBe(200);
    expect(res.body).toMatch(/^"[0-9a-f]{1,32}"$/);
    const state = await sim.state();
    expect(JSON.parse(res.body)).toBe(state.targets["exo_v1"]?.nodeId);
  });

  it("GET /state has camelCase sections and tagged unions; sub-paths by / or .", async () => {
    const whole = JSON.parse((await raw(v1, "/state")).body) as Record<string, unknown>;
    expect(Object.keys(whole)).toEqual(expect.arrayContaining(["instances", "runners", "topology", "lastSeen", "nodeMemory", "lastEventAppliedIdx"]));
    const nodes = JSON.parse((await raw(v1, "/state/topology/nodes")).body) as string[];
    expect(nodes).toHaveLength(2);
    expect(JSON.parse((await raw(v1, "/state/topology.nodes")).body)).toEqual(nodes);
    const instances = JSON.parse((await raw(v1, "/state/instances")).body) as Record<string, Record<string, { shardAssignments: { modelId: string } }>>;
    const first = Object.values(instances)[0];
    expect(first?.["MlxRingInstance"]?.shardAssignments.modelId).toBe(EXO_MODEL);
    const runners = JSON.parse((await raw(v1, "/state/runners")).body) as Record<string, Record<string, unknown>>;
    expect(Object.values(runners).map((r) => Object.keys(r)[0])).toEqual(["RunnerReady"]);
    const lastSeen = JSON.parse((await raw(v1, "/state/lastSeen")).body) as Record<string, string>;
    expect(Object.keys(lastSeen).sort()).toEqual([...nodes].sort());
  });

  it("unknown state paths get Exo's 404 envelope", async () => {
    const res = await raw(v1, "/state/nope/deeper");
    expect(res.status).toBe(404);
    expect(JSON.parse(res.body)).toEqual({
      error: { message: "unable to find path 'nope.deeper' in state json", type: "Not Found", param: null, code: 404 },
    });
  });

  it("/v1/models is the catalogue (placed or not); /ollama/api/ps only placed models", async () => {
    const models = JSON.parse((await raw(v1, "/v1/models")).body) as { object: string; data: Array<{ id: string; owned_by: string }> };
    expect(models.object).toBe("list");
    expect(models.data.map((m) => m.id).sort()).toEqual([EXO_MODEL, OTHER_MODEL].sort());
    expect(JSON.parse((await raw(v1, "/models")).body)).toMatchObject({ object: "list" });
    const ps = JSON.parse((await raw(v1, "/ollama/api/ps")).body) as { models: Array<{ name: string }> };
    expect(ps.models.map((m) => m.name)).toEqual([EXO_MODEL]);
  });

  it("has no health route: unknown GETs fall into the dashboard (200 HTML)", async () => {
    const res = await raw(v1, "/healthcheck");
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toContain("text/html");
    const post = await raw(v1, "/v1/completions", { body: { model: EXO_MODEL, prompt: "x" } });
    expect(post.status).toBe(404);
  });
});

describe("exo v1 chat", () => {
  it("streams with Exo's exact framing", async () => {
    const res = await raw(v1, "/v1/chat/completions", { body: chatBody("alpha beta gamma", { stream: true }) });
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toBe("text/event-stream");
    expect(res.headers["x-accel-buffering"]).toBe("no");
    expect(res.body.startsWith(": keep-alive\n\n")).toBe(true);
    const blocks = res.body.split("\n\n");
    expect(blocks.at(-1)).toBe("");
    expect(blocks.at(-2)).toBe("data: [DONE]");
    expect(blocks.at(-3)).toMatch(/^: generation_stats \{/);
    const frames = dataFrames(res.body);
    const chunks = frames.slice(0, -1).map((f) => JSON.parse(f) as Record<string, unknown>);
    expect(chunks).toHaveLength(4);
    const id = chunks[0]?.["id"];
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    for (const chunk of chunks) {
      expect(chunk).toMatchObject({ id, object: "chat.completion", model: EXO_MODEL });
      expect(chunk).toHaveProperty("choices.0.delta.role", "assistant");
    }
    expect(chunks.map((c) => (c["choices"] as Array<{ delta: { content: string } }>)[0]?.delta.content).join("")).toBe("alpha beta gamma");
    expect(chunks.slice(0, 3).every((c) => !("usage" in c))).toBe(true);
    expect(chunks[3]).toMatchObject({ choices: [{ finish_reason: "stop" }], usage: { prompt_tokens: 3, completion_tokens: 3, total_tokens: 6 } });
  });

  it("honours max_tokens (one word per token) with finish_reason length", async () => {
    const res = await raw(v1, "/v1/chat/completions", { body: chatBody("one two three four five", { max_tokens: 2 }) });
    expect(res.status).toBe(200);
    const body = JSON.parse(res.body) as Record<string, unknown>;
    expect(body).toMatchObject({
      object: "chat.completion",
      model: EXO_MODEL,
      choices: [{ index: 0, message: { role: "assistant", content: "one two" }, finish_reason: "length" }],
      usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 },
    });
    expect(String(body["id"])).not.toMatch(/^chatcmpl-/);
  });

  it("repeats ': keep-alive' during silence and reports prefill progress", async () => {
    const res = await raw(slowKeepAlive, "/v1/chat/completions", { body: chatBody("hi", { stream: true }) });
    const beforeData = res.body.slice(0, res.body.indexOf("data: "));
    expect(beforeData.startsWith(": keep-alive\n\n: prefill_progress ")).toBe(true);
    // 400 ms of prefill with a 60 ms keep-alive interval: at least two more comments, even on a busy machine.
    expect(beforeData.split(": keep-alive\n\n").length - 1).toBeGreaterThanOrEqual(3);
    expect(dataFrames(res.body).at(-1)).toBe("[DONE]");
  });

  it("404s a model without an instance, 422s a bad body like FastAPI", async () => {
    const missing = await raw(v1, "/v1/chat/completions", { body: { ...chatBody("x"), model: OTHER_MODEL } });
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.body)).toEqual({
      error: { message: `No instance found for model ${OTHER_MODEL}`, type: "Not Found", param: null, code: 404 },
    });
    const noMessages = await raw(v1, "/v1/chat/completions", { body: { model: EXO_MODEL } });
    expect(noMessages.status).toBe(422);
    expect(JSON.parse(noMessages.body)).toMatchObject({ detail: [{ type: "missing", loc: ["body", "messages"], msg: "Field required" }] });
    const notJson = await raw(v1, "/v1/chat/completions", { body: "{nope" });
    expect(notJson.status).toBe(422);
    expect(JSON.parse(notJson.body)).toMatchObject({ detail: [{ type: "json_invalid" }] });
  });
});

describe("exo v1 with the openai SDK (Exo ignores the key)", () => {
  it("streams through keep-alive and generation_stats comments, and completes without streaming", async () => {
    const client = new OpenAI({ apiKey: "unused", baseURL: `${v1}/v1`, maxRetries: 0, timeout: 5_000 });
    const stream = await client.chat.completions.create({ model: EXO_MODEL, messages: [{ role: "user", content: "sdk over exo" }], stream: true });
    let text = "";
    let usage: OpenAI.CompletionUsage | null | undefined = null;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? "";
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe("sdk over exo");
    expect(usage).toMatchObject({ prompt_tokens: 3, completion_tokens: 3 });
    const res = await client.chat.completions.create({ model: EXO_MODEL, messages: [{ role: "user", content: "plain" }] });
    expect(res.choices[0]?.message.content).toBe("plain");
    await expect(client.chat.completions.create({ model: "unplaced/model", messages: [{ role: "user", content: "x" }] })).rejects.toBeInstanceOf(
      OpenAI.NotFoundError,
    );
  });
});

describe("exo v1 instances", () => {
  it("POST /instance acks at once; /instance/await streams until ready; DELETE removes it", async () => {
    const ack = await raw(v1, "/place_instance", { body: { model_id: OTHER_MODEL } });
    expect(ack.status).toBe(200);
    const ackBody = JSON.parse(ack.body) as { message: string; command_id: string };
    expect(ackBody.message).toBe("Command received.");
    expect(ackBody.command_id).toMatch(/^[0-9a-f-]{36}$/);
    // Not ready yet: the placement takes 300 ms.
    const early = await raw(v1, "/v1/chat/completions", { body: { ...chatBody("x"), model: OTHER_MODEL } });
    expect(early.status).toBe(404);
    const waited = await raw(v1, `/instance/await?model_id=${encodeURIComponent(OTHER_MODEL)}&timeout_seconds=5`);
    expect(waited.body.startsWith(": keep-alive\n\n")).toBe(true);
    const ready = JSON.parse(dataFrames(waited.body)[0] ?? "null") as { type: string; instance_id: string };
    expect(ready.type).toBe("ready");
    expect(waited.totalMs).toBeGreaterThanOrEqual(150);
    const chat = await raw(v1, "/v1/chat/completions", { body: { ...chatBody("placed"), model: OTHER_MODEL } });
    expect(chat.status).toBe(200);
    const instance = await raw(v1, `/instance/${ready.instance_id}`);
    expect(JSON.parse(instance.body)).toHaveProperty("MlxRingInstance.shardAssignments.modelId", OTHER_MODEL);
    const deleted = await raw(v1, `/instance/${ready.instance_id}`, { method: "DELETE" });
    expect(JSON.parse(deleted.body)).toMatchObject({ message: "Command received.", instance_id: ready.instance_id });
    expect((await raw(v1, `/instance/${ready.instance_id}`)).status).toBe(404);
    const after = await raw(v1, "/v1/chat/completions", { body: { ...chatBody("x"), model: OTHER_MODEL } });
    expect(after.status).toBe(404);
  });

  it("/instance/await reports a timeout and validates its query", async () => {
    const res = await raw(v1, "/instance/await?model_id=never%2Fplaced&timeout_seconds=1", { timeoutMs: 4_000 });
    expect(dataFrames(res.body).map((f) => JSON.parse(f) as { type: string })[0]?.type).toBe("timeout");
    expect(res.totalMs).toBeGreaterThanOrEqual(900);
    const bad = await raw(v1, "/instance/await");
    expect(bad.status).toBe(422);
    expect(JSON.parse(bad.body)).toMatchObject({ detail: [{ type: "missing", loc: ["query", "model_id"] }] });
  });
});

describe("exo legacy", () => {
  it("has /healthcheck and the legacy model list", async () => {
    expect(JSON.parse((await raw(legacy, "/healthcheck")).body)).toEqual({ status: "ok" });
    expect(JSON.parse((await raw(legacy, "/v1/models")).body)).toEqual({
      object: "list",
      data: [{ id: "llama-3.2-1b", object: "model", owned_by: "exo", ready: true }],
    });
    expect((await raw(legacy, "/node_id")).status).toBe(404);
  });

  it("streams chatcmpl- chunks without usage and without [DONE]; unknown models fall back", async () => {
    const res = await raw(legacy, "/chat/completions", { body: { model: "gpt-4o", messages: [{ role: "user", content: "legacy words" }], stream: true } });
    expect(res.status).toBe(200);
    expect(res.body).not.toContain("[DONE]");
    expect(res.body).not.toContain("keep-alive");
    const chunks = dataFrames(res.body).map((f) => JSON.parse(f) as Record<string, unknown>);
    expect(chunks).toHaveLength(3);
    for (const c of chunks) {
      expect(c).toMatchObject({ object: "chat.completion", model: "llama-3.2-1b", system_fingerprint: "exo_0.0.1" });
      expect(String(c["id"])).toMatch(/^chatcmpl-/);
      expect(c).not.toHaveProperty("usage");
    }
    expect(chunks.at(-1)).toMatchObject({ choices: [{ finish_reason: "stop", delta: { content: "" } }] });
  });
});
