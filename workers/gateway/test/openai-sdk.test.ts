/** The gateway as the official `openai` SDK sees it, served by the Exo simulator. */
import { beforeAll, describe, expect, it } from "vitest";
import { ALIAS, client, gw, authed, resetWorld } from "./helpers.ts";

beforeAll(async () => {
  await resetWorld();
});

describe("OpenAI SDK through the gateway (Exo healthy)", () => {
  it("answers a non-streamed chat completion from Exo in OpenAI's shape", async () => {
    const { data, response } = await client().chat.completions.create({ model: ALIAS, messages: [{ role: "user", content: "hello" }], max_tokens: 8 }).withResponse();
    expect(response.headers.get("x-exo-bridge-upstream")).toBe("exo_primary");
    expect(response.headers.get("x-exo-bridge-attempts")).toBe("1");
    expect(data.object).toBe("chat.completion");
    expect(data.id).toMatch(/^chatcmpl-/);
    expect(data.model).toBe(ALIAS);
    expect(data.choices[0]?.message.content?.length ?? 0).toBeGreaterThan(0);
    expect(data.usage?.completion_tokens ?? 0).toBeGreaterThan(0);
  });

  it("streams from Exo with chat.completion.chunk frames, a stable id, the alias, and a clean end", async () => {
    const stream = await client().chat.completions.create({ model: ALIAS, messages: [{ role: "user", content: "tell me a story" }], max_tokens: 16, stream: true });
    const ids = new Set<string>();
    let text = "";
    let finish: string | null = null;
    for await (const chunk of stream) {
      expect(chunk.object).toBe("chat.completion.chunk");
      expect(chunk.model).toBe(ALIAS);
      ids.add(chunk.id);
      text += chunk.choices[0]?.delta.content ?? "";
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(ids.size).toBe(1);
    expect([...ids][0]).toMatch(/^chatcmpl-/);
    expect(text.length).toBeGreaterThan(0);
    expect(finish).toBe("stop");
  });

  it("ends the raw stream with [DONE] and forwards no Exo-internal comments", async () => {
    const res = await gw("/v1/chat/completions", {
      method: "POST",
      headers: authed(),
      body: JSON.stringify({ model: ALIAS, messages: [{ role: "user", content: "hi" }], stream: true }),
    });
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const body = await res.text();
    expect(body.trimEnd().endsWith("data: [DONE]")).toBe(true);
    expect(body).not.toContain("prefill_progress");
    expect(body).not.toContain("generation_stats");
    expect(body).not.toContain('"object":"chat.completion"');
  });

  it("serves legacy completions and embeddings (embeddings fall through to the cloud provider)", async () => {
    const completion = await client().completions.create({ model: ALIAS, prompt: "Once upon", max_tokens: 5 });
    expect(completion.model).toBe(ALIAS);
    expect(completion.choices.length).toBeGreaterThan(0);
    const { data, response } = await client().embeddings.create({ model: ALIAS, input: ["a", "b"] }).withResponse();
    expect(data.data.length).toBe(2);
    expect(data.model).toBe(ALIAS);
    expect(response.headers.get("x-exo-bridge-upstream")).toBe("sim_cloud");
    // Exo has no embeddings route: after learning that once, the isolate asks the cloud directly.
    const again = await client().embeddings.create({ model: ALIAS, input: "c" }).withResponse();
    expect(again.response.headers.get("x-exo-bridge-attempts")).toBe("1");
  });

  it("lists the aliases it serves and answers 404 for others", async () => {
    const models = await client().models.list();
    const ids = models.data.map((m) => m.id);
    expect(ids).toEqual(expect.arrayContaining([ALIAS, "cloud-only"]));
    expect((await client().models.retrieve(ALIAS)).id).toBe(ALIAS);
    await expect(client().models.retrieve("gpt-nope")).rejects.toMatchObject({ status: 404 });
  });

  it("streams from a legacy Exo node (no [DONE] upstream): a clean end with [DONE] added", async () => {
    const res = await gw("/v1/chat/completions", {
      method: "POST",
      headers: authed(),
      body: JSON.stringify({ model: "legacy-llama", messages: [{ role: "user", content: "hi" }], stream: true }),
    });
    expect(res.headers.get("x-exo-bridge-upstream")).toBe("exo_legacy");
    const body = await res.text();
    expect(body.trimEnd().endsWith("data: [DONE]")).toBe(true);
    expect(body).not.toContain('"error"');
    const stream = await client().chat.completions.create({ model: "legacy-llama", messages: [{ role: "user", content: "hi" }], stream: true });
    let finish: string | null = null;
    for await (const chunk of stream) finish = chunk.choices[0]?.finish_reason ?? finish;
    expect(finish).toBe("stop");
  });
});
