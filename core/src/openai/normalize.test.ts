import { describe, expect, it } from "vitest";
import { ChunkNormalizer, classifyFrame, normalizeResponse } from "./normalize.ts";

const NOW = 1_750_600_200_000;

describe("classifyFrame", () => {
  it("recognises [DONE], error frames, chunks with and without content, garbage", () => {
    expect(classifyFrame("[DONE]")).toEqual({ type: "done" });
    expect(classifyFrame('{"error":{"message":"OOM","type":"InternalServerError","code":500}}')).toEqual({
      type: "error",
      message: "OOM",
      code: 500,
    });
    const role = classifyFrame('{"choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}');
    expect(role).toMatchObject({ type: "chunk", hasContent: false });
    const text = classifyFrame('{"choices":[{"index":0,"delta":{"content":"hi"}}]}');
    expect(text).toMatchObject({ type: "chunk", hasContent: true });
    const finish = classifyFrame('{"choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}');
    expect(finish).toMatchObject({ type: "chunk", hasContent: true, usage: { prompt_tokens: 3, completion_tokens: 2 } });
    const tools = classifyFrame('{"choices":[{"index":0,"delta":{"tool_calls":[{"id":"t"}]}}]}');
    expect(tools).toMatchObject({ type: "chunk", hasContent: true });
    expect(classifyFrame("<html>")).toMatchObject({ type: "malformed" });
    expect(classifyFrame("[1,2]")).toMatchObject({ type: "malformed" });
    expect(classifyFrame('{"id":"x"}')).toMatchObject({ type: "malformed" });
  });
});

describe("ChunkNormalizer", () => {
  it("turns Exo chunks into chat.completion.chunk with a stable chatcmpl- id, created and the alias", () => {
    const n = new ChunkNormalizer({ model: "llama-3.2-1b", kind: "chat", nowMs: NOW });
    const a = n.normalize({ id: "6b0e-uuid", object: "chat.completion", created: 1750600124, model: "mlx-community/X", choices: [{ delta: { content: "a" } }] });
    const b = n.normalize({ id: "other", object: "chat.completion", model: "mlx-community/X", choices: [{ index: 0, delta: {} }], usage: { prompt_tokens: 1 } });
    expect(a).toMatchObject({ id: "chatcmpl-6b0e-uuid", object: "chat.completion.chunk", created: 1750600124, model: "llama-3.2-1b" });
    expect(a["choices"]).toEqual([{ index: 0, delta: { content: "a" } }]);
    expect(b).toMatchObject({ id: "chatcmpl-6b0e-uuid", created: 1750600124, usage: { prompt_tokens: 1 } });
  });

  it("keeps an id that already has the prefix and fills a missing created", () => {
    const n = new ChunkNormalizer({ model: "m", kind: "completions", nowMs: NOW });
    expect(n.normalize({ id: "cmpl-1", choices: [] })).toMatchObject({ id: "cmpl-1", object: "text_completion", created: Math.floor(NOW / 1000) });
  });
});

describe("normalizeResponse", () => {
  it("rewrites id, object and model of a non-streamed body, keeping usage and unknown fields", () => {
    const out = normalizeResponse(
      { id: "u", object: "chat.completion", model: "up/x", choices: [{ index: 0 }], usage: { total_tokens: 3 }, system_fingerprint: "fp" },
      { model: "alias", kind: "chat", nowMs: NOW },
    );
    expect(out).toMatchObject({ id: "chatcmpl-u", object: "chat.completion", model: "alias", usage: { total_tokens: 3 }, system_fingerprint: "fp" });
  });
});
