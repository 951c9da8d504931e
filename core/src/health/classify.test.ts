/**
 * Classification of what probes see, with the bodies and statuses the edge, the
 * tunnel, Access, Exo and providers really send (exo-api.md §2–§7).
 */
import { describe, expect, it } from "vitest";
import { classifyFetchError, classifyResponse, excerpt, missingModels, parseLiveness, parseNodeId, parsePsModels } from "./classify.ts";

const CF_1033 = `<!DOCTYPE html><html><head><title>Cloudflare Tunnel error | exo.example.com | Cloudflare</title></head>
<body><span class="cf-error-code">1033</span> ... error code: 1033 ... Argo Tunnel error</body></html>`;
const EXO_404 = JSON.stringify({ error: { message: "No instance found for model mlx-community/Llama-3.2-1B-Instruct-4bit", type: "Not Found", param: null, code: 404 } });

describe("classifyResponse", () => {
  it.each([
    [{ status: 200, headers: {}, bodySnippet: '"3f9c0a"' }, "ok"],
    [{ status: 204, headers: {}, bodySnippet: "" }, "ok"],
    [{ status: 530, headers: {}, bodySnippet: CF_1033 }, "tunnel_down"],
    [{ status: 530, headers: {}, bodySnippet: "" }, "tunnel_down"],
    [{ status: 404, headers: {}, bodySnippet: "error code: 1033" }, "tunnel_down"],
    [{ status: 502, headers: {}, bodySnippet: "<html><title>502 Bad Gateway</title></html>" }, "origin_down"],
    [{ status: 401, headers: {}, bodySnippet: '{"error":{"message":"Incorrect API key provided"}}' }, "access_denied"],
    [{ status: 403, headers: {}, bodySnippet: "Forbidden" }, "access_denied"],
    [{ status: 302, headers: { Location: "https://team.cloudflareaccess.com/cdn-cgi/access/login/exo.example.com?kid=1" }, bodySnippet: "" }, "access_denied"],
    [{ status: 302, headers: {}, bodySnippet: "", location: "https://exo.example.com/cdn-cgi/access/login/exo.example.com" }, "access_denied"],
    [{ status: 301, headers: { location: "https://exo.example.com/v1/" }, bodySnippet: "" }, "http_error"],
    [{ status: 302, headers: { location: "https://evilcloudflareaccess.com/" }, bodySnippet: "" }, "http_error"],
    [{ status: 429, headers: { "Retry-After": "20" }, bodySnippet: "" }, "rate_limited"],
    [{ status: 404, headers: {}, bodySnippet: EXO_404 }, "no_instance"],
    [{ status: 404, headers: {}, bodySnippet: '{"detail":"Not Found"}' }, "http_error"],
    [{ status: 500, headers: {}, bodySnippet: "boom" }, "http_error"],
    [{ status: 503, headers: {}, bodySnippet: "" }, "http_error"],
  ] as const)("%j → %s", (input, expected) => {
    const out = classifyResponse(input);
    expect(out.classification).toBe(expected);
    if (expected === "ok") expect(out.error).toBeNull();
    else expect(out.error?.length ?? 0).toBeGreaterThan(0);
  });

  it("writes errors an operator can act on", () => {
    expect(classifyResponse({ status: 530, headers: {}, bodySnippet: CF_1033 }).error).toBe(
      "tunnel down: HTTP 530 (Cloudflare error 1033: no tunnel connector)",
    );
    expect(classifyResponse({ status: 429, headers: { "retry-after": "20" }, bodySnippet: "" }).error).toBe("rate limited: HTTP 429 (retry after 20 s)");
    expect(classifyResponse({ status: 404, headers: {}, bodySnippet: EXO_404 }).error).toBe(
      "no instance: No instance found for model mlx-community/Llama-3.2-1B-Instruct-4bit",
    );
    expect(classifyResponse({ status: 502, headers: {}, bodySnippet: "<html><title>502 Bad Gateway</title><body>...</body></html>" }).error).toBe(
      "origin down: HTTP 502: 502 Bad Gateway",
    );
    expect(classifyResponse({ status: 302, headers: {}, bodySnippet: "", location: "https://t.cloudflareaccess.com/x" }).error).toBe(
      "access denied: HTTP 302 redirect to the Cloudflare Access login",
    );
  });

  it("accepts a capped body under either name", () => {
    expect(classifyResponse({ status: 404, body: EXO_404, location: null }).classification).toBe("no_instance");
  });

  it("never echoes a large body or a credential", () => {
    const huge = `{"error":{"message":"${"A".repeat(100_000)}"}}`;
    expect(classifyResponse({ status: 500, headers: {}, bodySnippet: huge }).error?.length).toBeLessThanOrEqual(140);
    const leaky = "<pre>received headers: Authorization: Bearer sk-abcdef0123456789abcdef</pre>";
    const out = classifyResponse({ status: 500, headers: {}, bodySnippet: leaky }).error ?? "";
    expect(out).not.toContain("sk-abcdef0123456789abcdef");
  });
});

describe("classifyFetchError", () => {
  it.each([
    ["Network connection lost.", "refused"],
    ["connect ECONNREFUSED 127.0.0.1:9", "refused"],
    ["fetch failed", "refused"],
    ["The operation was aborted due to timeout", "timeout"],
    ["AbortError: The user aborted a request.", "timeout"],
    ["probe timed out", "timeout"],
    ["Unexpected token < in JSON at position 0", "malformed"],
  ] as const)("%s → %s", (message, expected) => {
    expect(classifyFetchError(message).classification).toBe(expected);
  });

  it("trusts the caller's own deadline", () => {
    expect(classifyFetchError({ message: "The operation was cancelled", timedOut: true }).classification).toBe("timeout");
    expect(classifyFetchError({ message: "Network connection lost.", timedOut: false })).toEqual({
      classification: "refused",
      error: "refused: Network connection lost.",
    });
  });
});

describe("Exo bodies", () => {
  it("reads /node_id as a bare JSON string", () => {
    expect(parseNodeId('"3f9c0a7be1"')).toBe("3f9c0a7be1");
    expect(parseNodeId('"12D3KooWQ1xyz"')).toBe("12D3KooWQ1xyz");
    expect(parseNodeId('{"node_id":"abc123"}')).toBe("abc123");
    expect(parseNodeId('{"status":"ok"}')).toBeNull();
    expect(parseNodeId("<!doctype html><title>exo</title>")).toBeNull();
    expect(parseNodeId('""')).toBeNull();
    expect(parseNodeId(`"${"a".repeat(201)}"`)).toBeNull();
    expect(parseNodeId('"has spaces and <html>"')).toBeNull();
  });

  it("reads liveness of both generations", () => {
    expect(parseLiveness('"3f9c"')).toEqual({ ok: true, nodeId: "3f9c" });
    expect(parseLiveness('{"status":"ok"}')).toEqual({ ok: true, nodeId: null });
    const bad = parseLiveness("<html><title>exo dashboard</title></html>");
    expect(bad).toEqual({ ok: false, error: "malformed: not a node id or health answer: exo dashboard" });
  });

  it("reads /ollama/api/ps", () => {
    const body = JSON.stringify({
      models: [
        { name: "mlx-community/Llama-3.2-1B-Instruct-4bit", model: "mlx-community/Llama-3.2-1B-Instruct-4bit", size: 0 },
        { name: "mlx-community/Qwen3-0.6B-4bit" },
      ],
    });
    expect(parsePsModels(body)).toEqual(["mlx-community/Llama-3.2-1B-Instruct-4bit", "mlx-community/Qwen3-0.6B-4bit"]);
    expect(parsePsModels({ models: [] })).toEqual([]);
    expect(parsePsModels('{"models":"nope"}')).toBeNull();
    expect(parsePsModels("not json")).toBeNull();
  });

  it("finds configured models without a live instance", () => {
    expect(missingModels(["mlx-community/Llama-3.2-1B-Instruct-4bit", "a/b", "a/b"], ["MLX-community/llama-3.2-1b-instruct-4bit"])).toEqual(["a/b"]);
  });

  it("quotes error envelopes, titles or plain text, never markup", () => {
    expect(excerpt('{"detail":"Request timed out"}')).toBe("Request timed out");
    expect(excerpt('{"error":"rate limit"}')).toBe("rate limit");
    expect(excerpt("<html><body>big page</body></html>")).toBeNull();
    expect(excerpt("  plain\n text ")).toBe("plain text");
  });
});
