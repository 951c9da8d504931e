/**
 * The synthetic check: a streamed one-token completion. Measures time to the first
 * data frame (keep-alive and progress comments do not count) and fails on an error
 * frame, on EOF without `[DONE]` (v1), or when the first token misses its budget.
 */
import { classifyFrame } from "@exo-bridge/core/openai/normalize";
import { SseParser } from "@exo-bridge/core/openai/sse-parser";
import { probeFetch, type HttpOutcome } from "./http.ts";

export type StreamClass = "ok" | "stream_error" | "stream_cut" | "timeout" | "malformed";

export type SyntheticOutcome =
  | { kind: "http"; outcome: HttpOutcome }
  | { kind: "stream"; classification: StreamClass; ttftMs: number | null; latencyMs: number; error: string | null };

export interface SyntheticRequest {
  url: string;
  model: string;
  headers: Record<string, string>;
  ttftBudgetMs: number;
  timeoutMs: number;
  /** Legacy Exo ends streams without `[DONE]`; a finish_reason is its end. */
  legacy: boolean;
}

export async function runSynthetic(req: SyntheticRequest): Promise<SyntheticOutcome> {
  const started = Date.now();
  const controller = new AbortController();
  let phase: "ttft" | "rest" = "ttft";
  let timer = setTimeout(() => controller.abort(new Error("first token missed its budget")), req.ttftBudgetMs);
  const stream = (classification: StreamClass, ttftMs: number | null, error: string | null): SyntheticOutcome => ({
    kind: "stream",
    classification,
    ttftMs,
    latencyMs: Date.now() - started,
    error,
  });
  let ttftMs: number | null = null;
  try {
    const res = await fetch(`${req.url}/v1/chat/completions`, {
      method: "POST",
      headers: { ...req.headers, "content-type": "application/json", accept: "text/event-stream" },
      body: JSON.stringify({ model: req.model, messages: [{ role: "user", content: "ping" }], max_tokens: 1, stream: true }),
      redirect: "manual",
      signal: controller.signal,
    });
    if (res.status !== 200 || res.body === null) {
      const body = await res.text().catch(() => "");
      return { kind: "http", outcome: { kind: "response", status: res.status, location: res.headers.get("location"), body, latencyMs: Date.now() - started } };
    }
    const parser = new SseParser();
    const reader = res.body.getReader();
    let finished = false;
    for (;;) {
      const { done, value } = await reader.read();
      const items = done ? parser.end() : parser.pushBytes(value);
      for (const item of items) {
        if (item.type !== "event") continue;
        const frame = classifyFrame(item.data);
        switch (frame.type) {
          case "done":
            await reader.cancel().catch(() => undefined);
            return stream("ok", ttftMs, null);
          case "error":
            await reader.cancel().catch(() => undefined);
            return stream("stream_error", ttftMs, `error frame: ${frame.message}`);
          case "malformed":
            await reader.cancel().catch(() => undefined);
            return stream("malformed", ttftMs, frame.reason);
          case "chunk":
            if (ttftMs === null) {
              ttftMs = Date.now() - started;
              phase = "rest";
              clearTimeout(timer);
              timer = setTimeout(() => controller.abort(new Error("stream stalled")), req.timeoutMs);
            }
            if (hasFinishReason(frame.chunk)) finished = true;
            break;
        }
      }
      if (done) break;
    }
    if (req.legacy && finished) return stream("ok", ttftMs, null);
    return stream("stream_cut", ttftMs, "stream ended without [DONE]");
  } catch (err) {
    if (controller.signal.aborted) {
      return stream("timeout", ttftMs, phase === "ttft" ? `no first token within ${req.ttftBudgetMs} ms` : "stream stalled");
    }
    const message = err instanceof Error ? err.message : String(err);
    if (ttftMs !== null) return stream("stream_cut", ttftMs, `stream broke: ${message}`);
    return { kind: "http", outcome: { kind: "error", message, timedOut: false, latencyMs: Date.now() - started } };
  } finally {
    clearTimeout(timer);
  }
}

function hasFinishReason(chunk: Record<string, unknown>): boolean {
  const choices = chunk["choices"];
  if (!Array.isArray(choices)) return false;
  return choices.some((c: unknown) => typeof c === "object" && c !== null && typeof (c as Record<string, unknown>)["finish_reason"] === "string");
}
