/**
 * `POST /v1/chat/completions` as Exo v1 serves it (and the legacy aiohttp variant):
 * `: keep-alive` first, `"object":"chat.completion"` chunks that all repeat the role,
 * usage on the finish_reason chunk, a `: generation_stats` comment, `data: [DONE]`;
 * non-streaming answers commit 200 before generating (so a crash is "200 then reset").
 */
import { randomUUID } from "node:crypto";
import type { ServerResponse } from "node:http";
import { z } from "zod";
import type { ExoNodeConfig } from "./config.ts";
import type { ExoClusterState, ExoInstance } from "./exo-state.ts";
import type { Faults } from "./faults.ts";
import { SseWriter, isOpen, sleepUnlessClosed } from "./http-io.ts";
import { ChatMessage, type Reply, planChatReply, tokenDelayMs, usage } from "./reply.ts";

export const ChatRequest = z
  .object({
    model: z.string(),
    messages: z.array(ChatMessage),
    stream: z.boolean().nullable().optional(),
    max_tokens: z.number().int().min(0).nullable().optional(),
    max_completion_tokens: z.number().int().min(0).nullable().optional(),
  })
  .loose();
export type ChatRequest = z.infer<typeof ChatRequest>;

export interface ExoChatContext {
  config: ExoNodeConfig;
  faults: Faults;
  cluster: ExoClusterState;
}

/** How a generation ended early, if it did. */
type Interruption = "cut" | "error" | "stall" | "deleted" | "closed" | null;

function interruption(ctx: ExoChatContext, index: number, instance: ExoInstance | null, res: ServerResponse): Interruption {
  if (!isOpen(res)) return "closed";
  if (instance?.deleted === true) return "deleted";
  if (ctx.faults.cutStream !== null && index >= ctx.faults.cutStream.afterChunks) return "cut";
  if (ctx.faults.errorFrame !== null && index >= ctx.faults.errorFrame.afterChunks) return "error";
  if (ctx.faults.stallStream !== null && index >= ctx.faults.stallStream.afterChunks) return "stall";
  return null;
}

/** A placed-but-loading instance makes requests wait, as in Exo (no 503). */
async function waitReady(instance: ExoInstance, res: ServerResponse): Promise<boolean> {
  while (instance.readyAt > Date.now() && !instance.deleted) {
    if (!(await sleepUnlessClosed(res, Math.min(50, instance.readyAt - Date.now())))) return false;
  }
  return !instance.deleted;
}

function fullUsage(reply: Reply): Record<string, unknown> {
  return {
    ...usage(reply),
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
}

export async function streamV1(ctx: ExoChatContext, res: ServerResponse, body: ChatRequest, instance: ExoInstance): Promise<void> {
  const reply = planChatReply(body.messages, body.max_tokens ?? body.max_completion_tokens ?? undefined);
  const id = randomUUID();
  const created = Math.floor(Date.now() / 1000);
  const sse = new SseWriter(res, ctx.config.keepAliveMs, { connection: "close", "x-accel-buffering": "no" });
  sse.comment("keep-alive");
  if (!(await waitReady(instance, res))) return sse.end();
  const started = Date.now();
  if (ctx.config.ttftMs > 0) {
    sse.comment(
      `prefill_progress ${JSON.stringify({ PrefillProgressChunk: { model: body.model, processed_tokens: 0, total_tokens: reply.promptTokens } })}`,
    );
    if (!(await sleepUnlessClosed(res, ctx.config.ttftMs))) return;
  }
  const delay = tokenDelayMs(ctx.config.tokensPerSecond);
  const chunk = (delta: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
    id,
    object: "chat.completion",
    created,
    model: body.model,
    choices: [{ index: 0, delta: { role: "assistant", ...delta }, ...extra }],
  });
  for (let i = 0; i <= reply.tokens.length; i++) {
    const stop = interruption(ctx, i, instance, res);
    if (stop === "error") {
      const message = ctx.faults.errorFrame?.message ?? "Runner crashed";
      sse.data({ error: { message, type: "InternalServerError", code: 500 } });
      sse.data("[DONE]");
      return sse.end();
    }
    if (stop === "stall") {
      // A hung runner: Exo's API keeps the stream open and sends only its keep-alive comments.
      while (await sleepUnlessClosed(res, 1_000));
      return sse.end();
    }
    if (stop !== null) return sse.end();
    const token = reply.tokens[i];
    if (token === undefined) break;
    if (i > 0 && !(await sleepUnlessClosed(res, delay))) return;
    sse.data(chunk({ content: token }));
  }
  sse.data({ ...chunk({ content: "" }, { finish_reason: reply.finishReason }), usage: fullUsage(reply) });
  const elapsed = Math.max((Date.now() - started) / 1000, 0.001);
  sse.comment(
    `generation_stats ${JSON.stringify({
      prompt_tps: Math.round((reply.promptTokens / Math.max(ctx.config.ttftMs / 1000, 0.001)) * 10) / 10,
      generation_tps: Math.round((reply.tokens.length / elapsed) * 10) / 10,
      prompt_tokens: reply.promptTokens,
      generation_tokens: reply.tokens.length,
      peak_memory_usage: { in_bytes: 1_234_567_890 },
      prefix_cache_hit: "none",
    })}`,
  );
  sse.data("[DONE]");
  sse.end();
}

export async function completeV1(ctx: ExoChatContext, res: ServerResponse, body: ChatRequest, instance: ExoInstance): Promise<void> {
  const reply = planChatReply(body.messages, body.max_tokens ?? body.max_completion_tokens ?? undefined);
  const id = randomUUID();
  const created = Math.floor(Date.now() / 1000);
  res.writeHead(200, { "content-type": "application/json" });
  res.flushHeaders();
  if (!(await waitReady(instance, res))) return void res.destroy();
  const generation = ctx.config.ttftMs + tokenDelayMs(ctx.config.tokensPerSecond) * Math.max(reply.tokens.length - 1, 0);
  if (!(await sleepUnlessClosed(res, generation))) return;
  // A runner crash or a deleted instance after 200 is committed: the body is cut, no JSON error.
  if (ctx.faults.cutStream !== null || ctx.faults.errorFrame !== null || instance.deleted) {
    res.destroy();
    return;
  }
  res.end(
    JSON.stringify({
      id,
      object: "chat.completion",
      created,
      model: body.model,
      choices: [{ index: 0, message: { role: "assistant", content: reply.tokens.join("") }, finish_reason: reply.finishReason }],
      usage: fullUsage(reply),
    }),
  );
}

/** Legacy (aiohttp) chat: chatcmpl- ids, system_fingerprint, no usage in chunks, no [DONE]. */
export async function streamLegacy(ctx: ExoChatContext, res: ServerResponse, body: ChatRequest, model: string): Promise<void> {
  const reply = planChatReply(body.messages, body.max_tokens ?? body.max_completion_tokens ?? undefined);
  const id = `chatcmpl-${randomUUID()}`;
  const created = Math.floor(Date.now() / 1000);
  const sse = new SseWriter(res, null);
  if (!(await sleepUnlessClosed(res, ctx.config.ttftMs))) return;
  const chunk = (content: string, finish: string | null): Record<string, unknown> => ({
    id,
    object: "chat.completion",
    created,
    model,
    system_fingerprint: "exo_0.0.1",
    choices: [{ index: 0, delta: { role: "assistant", content }, logprobs: null, finish_reason: finish }],
  });
  const delay = tokenDelayMs(ctx.config.tokensPerSecond);
  for (let i = 0; i <= reply.tokens.length; i++) {
    const stop = interruption(ctx, i, null, res);
    if (stop === "error") {
      sse.data({ detail: ctx.faults.errorFrame?.message ?? "Runner crashed" });
      return sse.end();
    }
    if (stop !== null) return sse.end();
    const token = reply.tokens[i];
    if (token === undefined) break;
    if (i > 0 && !(await sleepUnlessClosed(res, delay))) return;
    sse.data(chunk(token, null));
  }
  sse.data(chunk("", reply.finishReason));
  sse.end();
}

export async function completeLegacy(ctx: ExoChatContext, res: ServerResponse, body: ChatRequest, model: string): Promise<void> {
  const reply = planChatReply(body.messages, body.max_tokens ?? body.max_completion_tokens ?? undefined);
  const generation = ctx.config.ttftMs + tokenDelayMs(ctx.config.tokensPerSecond) * Math.max(reply.tokens.length - 1, 0);
  if (!(await sleepUnlessClosed(res, generation))) return;
  if (ctx.faults.cutStream !== null || ctx.faults.errorFrame !== null) {
    res.destroy();
    return;
  }
  const text = JSON.stringify({
    id: `chatcmpl-${randomUUID()}`,
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{ index: 0, message: { role: "assistant", content: reply.tokens.join("") }, logprobs: null, finish_reason: reply.finishReason }],
    usage: usage(reply),
  });
  res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}
