/**
 * One streamed attempt. Until the first frame with content arrives nothing is
 * sent to the client, so any failure (status, timeout, garbage, error frame, cut)
 * is free to fail over. From the first content frame on, the stream is the
 * client's: frames are normalised and relayed, and a later failure ends it with
 * an SSE error event in OpenAI's shape and no [DONE].
 */
import { openAiError } from "@exo-bridge/core/openai/errors";
import { sanitizeUpstreamMessage } from "@exo-bridge/core/openai/errors";
import { ChunkNormalizer, classifyFrame } from "@exo-bridge/core/openai/normalize";
import type { Usage } from "@exo-bridge/core/openai/schemas";
import { sseComment, sseData } from "@exo-bridge/core/openai/sse-parser";
import { counters } from "./counters.ts";
import { FrameReader } from "./frame-reader.ts";
import { reporter } from "./reporter.ts";
import { latencies, observe, penalties, recordStreamFailure, recordUsage, type Attempt, type AttemptOutcome, type ProxyContext } from "./proxy-context.ts";
import { buildUpstreamRequest, classifyFetchError, classifyHttpFailure, type AttemptFailure } from "./upstream.ts";

const encoder = new TextEncoder();

export async function attemptStream(p: ProxyContext, attempt: Attempt): Promise<AttemptOutcome> {
  const { target } = attempt;
  const started = Date.now();
  const budget = Math.min(p.config.ttftBudgetMs, target.ttftBudgetMs > 0 ? target.ttftBudgetMs : p.config.ttftBudgetMs);
  const deadline = started + budget;
  const abort = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    abort.abort();
  }, budget);
  const call = buildUpstreamRequest({ env: p.env, target, endpoint: p.endpoint, body: p.body, alias: p.alias, stream: true, key: attempt.key, signal: abort.signal });
  const fail = (f: Omit<AttemptFailure, "target" | "healthSignal" | "latencyMs"> & { healthSignal?: boolean }): AttemptOutcome => {
    clearTimeout(timer);
    abort.abort();
    return { ok: false, failure: { target: target.name, healthSignal: true, latencyMs: Date.now() - started, ...f } };
  };

  let res: Response;
  try {
    res = await fetch(call.url, call.init);
  } catch (err) {
    clearTimeout(timer);
    return { ok: false, failure: classifyFetchError(err, { target, started, timedOut, secrets: call.secrets }) };
  }
  if (!res.ok || res.status === 204) {
    clearTimeout(timer);
    return { ok: false, failure: await classifyHttpFailure(res, { target, key: attempt.key, secrets: call.secrets, started }) };
  }
  const contentType = res.headers.get("content-type") ?? "";
  if (res.body === null || !contentType.includes("text/event-stream")) {
    res.body?.cancel().catch(() => undefined);
    return fail({ classification: "malformed", message: `expected an event stream, got '${contentType.split(";")[0] ?? ""}'`, httpStatus: res.status });
  }

  const frames = new FrameReader(res.body, abort);
  const normalizer = new ChunkNormalizer({ model: p.alias, kind: p.endpoint === "completions" ? "completions" : "chat", nowMs: started });
  const pending: string[] = [];
  let usage: Usage | null = null;
  let finished = false;
  // Before the first content frame: collect, decide, or fail over.
  for (;;) {
    const item = await frames.next(deadline - Date.now());
    if (timedOut || item.type === "timeout") {
      frames.cancel();
      return fail({ classification: "timeout", message: "no content within the time-to-first-token budget" });
    }
    if (item.type === "eof") return fail({ classification: "stream_cut", message: "stream ended before any content" });
    if (item.type === "broken") return fail({ classification: "stream_cut", message: item.message });
    if (item.type === "comment") continue;
    const frame = classifyFrame(item.data);
    if (frame.type === "done") return fail({ classification: "stream_cut", message: "stream finished without any content" });
    if (frame.type === "error") {
      frames.cancel();
      return fail({ classification: "stream_error", message: `error frame: ${sanitizeUpstreamMessage(frame.message, call.secrets)}` });
    }
    if (frame.type === "malformed") {
      frames.cancel();
      return fail({ classification: "malformed", message: frame.reason });
    }
    if (frame.usage !== null) usage = frame.usage;
    if (hasFinish(frame.chunk)) finished = true;
    if (keepChunk(frame.chunk, p.includeUsage)) pending.push(sseData(JSON.stringify(normalizer.normalize(frame.chunk))));
    if (frame.hasContent) break;
  }
  clearTimeout(timer);
  const ttftMs = Date.now() - started;
  latencies.observe(target.name, ttftMs);
  penalties.clear(target.name);
  observe(target.name, "ok", ttftMs);

  // The runtime's native byte pipe: no JavaScript transform between our writes and the client.
  const { readable, writable } = new IdentityTransformStream();
  const relay = async (): Promise<void> => {
    const writer = writable.getWriter();
    const send = async (text: string): Promise<boolean> => {
      try {
        await writer.write(encoder.encode(text));
        return true;
      } catch {
        return false;
      }
    };
    const failAfterCommit = async (failure: AttemptFailure): Promise<void> => {
      counters.streamFailures++;
      recordStreamFailure(p, attempt, failure);
      const body = openAiError(502, `The upstream stream failed: ${failure.message}`, "upstream_stream_failed");
      await send(sseData(JSON.stringify(body)));
    };
    for (const text of pending) if (!(await send(text))) return frames.cancel();
    let clientGone = false;
    let ended = false;
    let succeeded = false;
    // The stall clock runs from the last data frame: Exo keeps sending keep-alive comments
    // while a hung runner produces nothing, and those must not keep a dead stream alive.
    let lastDataAt = Date.now();
    while (!ended) {
      const item = await frames.next(lastDataAt + p.config.streamStallMs - Date.now());
      if (item.type === "event") lastDataAt = Date.now();
      const failure = (classification: AttemptFailure["classification"], message: string): AttemptFailure => ({
        target: target.name,
        classification,
        message,
        healthSignal: true,
        latencyMs: Date.now() - started,
      });
      switch (item.type) {
        case "comment":
          // Exo's comments carry internal detail (memory, node ids); clients only need the keep-alive.
          clientGone = !(await send(sseComment("keep-alive")));
          break;
        case "timeout":
          await failAfterCommit(failure("timeout", `no data for ${p.config.streamStallMs} ms`));
          ended = true;
          break;
        case "broken":
          await failAfterCommit(failure("stream_cut", item.message));
          ended = true;
          break;
        case "eof":
          // Legacy Exo never sends [DONE]: a finished legacy stream is complete.
          if (finished && target.api === "legacy") {
            await send(sseData("[DONE]"));
            succeeded = true;
          } else {
            await failAfterCommit(failure("stream_cut", "the upstream closed the stream before it finished"));
          }
          ended = true;
          break;
        case "event": {
          const frame = classifyFrame(item.data);
          if (frame.type === "done") {
            await send(sseData("[DONE]"));
            succeeded = true;
            ended = true;
          } else if (frame.type === "error") {
            await failAfterCommit(failure("stream_error", `error frame: ${sanitizeUpstreamMessage(frame.message, call.secrets)}`));
            ended = true;
          } else if (frame.type === "malformed") {
            await failAfterCommit(failure("malformed", frame.reason));
            ended = true;
          } else {
            if (frame.usage !== null) usage = frame.usage;
            if (hasFinish(frame.chunk)) finished = true;
            if (keepChunk(frame.chunk, p.includeUsage)) clientGone = !(await send(sseData(JSON.stringify(normalizer.normalize(frame.chunk)))));
          }
          break;
        }
      }
      if (clientGone) break;
    }
    frames.cancel();
    recordUsage(p, target, usage, succeeded);
    // The request's own flush may have run before the stream ended.
    reporter.schedule(p.env, p.ctx, p.config);
    await writer.close().catch(() => undefined);
  };
  p.ctx.waitUntil(relay());
  return {
    ok: true,
    response: new Response(readable, {
      status: 200,
      headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", "x-accel-buffering": "no", ...attempt.headers },
    }),
  };
}

function hasFinish(chunk: Record<string, unknown>): boolean {
  const choices = chunk["choices"];
  return Array.isArray(choices) && choices.some((c) => typeof c === "object" && c !== null && typeof (c as Record<string, unknown>)["finish_reason"] === "string");
}

/** A usage-only chunk (no choices) is OpenAI's answer to include_usage; other clients don't expect it. */
function keepChunk(chunk: Record<string, unknown>, includeUsage: boolean): boolean {
  const choices = chunk["choices"];
  return includeUsage || !Array.isArray(choices) || choices.length > 0;
}
