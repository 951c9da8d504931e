import { describe, expect, it } from "vitest";
import { invalidRequestFromIssues, sanitizeUpstreamMessage, upstreamErrorMessage } from "./errors.ts";
import { ChatCompletionRequest, CompletionRequest, EmbeddingRequest } from "./schemas.ts";

const ok = { model: "llama-3.2-1b", messages: [{ role: "user", content: "hi" }] };

describe("request schemas", () => {
  it("accepts a minimal chat request and passes unknown fields through", () => {
    const r = ChatCompletionRequest.safeParse({ ...ok, tools: [{ type: "function" }], seed: 4, max_tokens: null });
    expect(r.success).toBe(true);
    expect(r.data).toMatchObject({ tools: [{ type: "function" }], seed: 4 });
  });

  it.each([
    [{ messages: ok.messages }, "model"],
    [{ ...ok, model: "" }, "model"],
    [{ ...ok, model: 7 }, "model"],
    [{ model: "m" }, "messages"],
    [{ ...ok, messages: [] }, "messages"],
    [{ ...ok, messages: "hi" }, "messages"],
    [{ ...ok, messages: [{ content: "x" }] }, "messages.0.role"],
    [{ ...ok, n: 0 }, "n"],
    [{ ...ok, n: 9 }, "n"],
    [{ ...ok, n: 1.5 }, "n"],
    [{ ...ok, max_tokens: 0 }, "max_tokens"],
    [{ ...ok, max_tokens: 1_000_001 }, "max_tokens"],
    [{ ...ok, temperature: 3 }, "temperature"],
    [{ ...ok, stream: "yes" }, "stream"],
  ])("rejects %j naming param %s", (body, param) => {
    const r = ChatCompletionRequest.safeParse(body);
    expect(r.success).toBe(false);
    if (!r.success) expect(invalidRequestFromIssues(r.error.issues).error.param).toBe(param);
  });

  it("bounds completions and embeddings inputs", () => {
    expect(CompletionRequest.safeParse({ model: "m", prompt: "x" }).success).toBe(true);
    expect(CompletionRequest.safeParse({ model: "m", prompt: [] }).success).toBe(false);
    expect(EmbeddingRequest.safeParse({ model: "m", input: ["a", "b"] }).success).toBe(true);
    expect(EmbeddingRequest.safeParse({ model: "m", input: [[1, 2]] }).success).toBe(true);
    expect(EmbeddingRequest.safeParse({ model: "m" }).success).toBe(false);
    expect(EmbeddingRequest.safeParse({ model: "m", input: "x", encoding_format: "hex" }).success).toBe(false);
  });
});

describe("upstream error messages", () => {
  it("removes URLs, addresses, bearer tokens, key-like strings and known secrets", () => {
    const raw = "Incorrect API key sk-sim-cloud-key-1 for http://127.0.0.1:52420/v1/chat (Bearer abc.def) via 10.0.0.4:8080 token MYSECRETVALUE";
    const clean = sanitizeUpstreamMessage(raw, ["MYSECRETVALUE"]);
    expect(clean).not.toMatch(/sk-sim|127\.0\.0\.1|10\.0\.0\.4|abc\.def|MYSECRETVALUE|http/);
    expect(clean).toContain("Incorrect API key");
    expect(sanitizeUpstreamMessage("x".repeat(1000)).length).toBeLessThanOrEqual(200);
  });

  it("reads OpenAI, FastAPI and plain-text error bodies", () => {
    expect(upstreamErrorMessage({ error: { message: "No instance found for model X" } })).toBe("No instance found for model X");
    expect(upstreamErrorMessage({ detail: "Request timed out" })).toBe("Request timed out");
    expect(upstreamErrorMessage({ detail: [{ loc: ["body"] }] })).toBe("upstream rejected the request body");
    expect(upstreamErrorMessage("Bad Gateway")).toBe("Bad Gateway");
    expect(upstreamErrorMessage(42)).toBeNull();
  });
});
