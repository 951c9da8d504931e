/**
 * One non-streamed attempt. Exo commits 200 before generating and cuts the
 * connection if the runner fails, so the whole body is read and validated before
 * the client sees anything: a cut, garbage or an error object fails over.
 */
import { sanitizeUpstreamMessage, upstreamErrorMessage } from "@exo-bridge/core/openai/errors";
import { normalizeResponse } from "@exo-bridge/core/openai/normalize";
import { CompletionResponse, EmbeddingResponse, type Usage } from "@exo-bridge/core/openai/schemas";
import { latencies, observe, penalties, recordUsage, type Attempt, type AttemptOutcome, type ProxyContext } from "./proxy-context.ts";
import { buildUpstreamRequest, classifyFetchError, classifyHttpFailure, type AttemptFailure } from "./upstream.ts";

const MAX_RESPONSE_BYTES = 32 * 1024 * 1024;

export async function attemptJson(p: ProxyContext, attempt: Attempt): Promise<AttemptOutcome> {
  const { target } = attempt;
  const started = Date.now();
  // The runtime's own timer aborts the call; nothing to clear when it answers in time.
  const signal = AbortSignal.timeout(p.config.requestTimeoutMs);
  const call = buildUpstreamRequest({ env: p.env, target, endpoint: p.endpoint, body: p.body, alias: p.alias, stream: false, key: attempt.key, signal });
  const fail = (f: Omit<AttemptFailure, "target" | "healthSignal" | "latencyMs">): AttemptOutcome => ({
    ok: false,
    failure: { target: target.name, healthSignal: true, latencyMs: Date.now() - started, ...f },
  });
  let res: Response;
  try {
    res = await fetch(call.url, call.init);
  } catch (err) {
    return { ok: false, failure: classifyFetchError(err, { target, started, timedOut: signal.aborted, secrets: call.secrets }) };
  }
  if (!res.ok) return { ok: false, failure: await classifyHttpFailure(res, { target, key: attempt.key, secrets: call.secrets, started }) };
  const declared = Number(res.headers.get("content-length") ?? "0");
  if (declared > MAX_RESPONSE_BYTES) return fail({ classification: "malformed", message: "response too large", httpStatus: res.status });
  let json: unknown;
  try {
    // The runtime reads and parses in one step; a SyntaxError is garbage, anything else a cut.
    json = await res.json();
  } catch (err) {
    if (err instanceof SyntaxError) return fail({ classification: "malformed", message: "200 with a body that is not JSON", httpStatus: res.status });
    return signal.aborted
      ? fail({ classification: "timeout", message: `no complete response within ${p.config.requestTimeoutMs} ms` })
      : fail({ classification: "stream_cut", message: "connection cut before the response was complete", httpStatus: res.status });
  }
  const errorMessage = typeof json === "object" && json !== null && "error" in json ? upstreamErrorMessage(json) : null;
  if (errorMessage !== null) return fail({ classification: "stream_error", message: sanitizeUpstreamMessage(errorMessage, call.secrets), httpStatus: res.status });

  let body: Record<string, unknown>;
  let usage: Usage | null;
  if (p.endpoint === "embeddings") {
    const parsed = EmbeddingResponse.safeParse(json);
    if (!parsed.success) return fail({ classification: "malformed", message: "200 with a body that is not an embeddings response", httpStatus: res.status });
    body = { ...parsed.data, model: p.alias };
    usage = parsed.data.usage ?? null;
  } else {
    const parsed = CompletionResponse.safeParse(json);
    if (!parsed.success) return fail({ classification: "malformed", message: "200 with a body that is not a completion", httpStatus: res.status });
    body = normalizeResponse(parsed.data, { model: p.alias, kind: p.endpoint === "chat" ? "chat" : "completions", nowMs: started });
    usage = parsed.data.usage ?? null;
  }
  const latencyMs = Date.now() - started;
  latencies.observe(target.name, latencyMs);
  penalties.clear(target.name);
  observe(target.name, "ok", latencyMs);
  recordUsage(p, target, usage, true);
  return { ok: true, response: Response.json(body, { headers: attempt.headers }) };
}
