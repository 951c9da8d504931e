/**
 * Upstream stream frames to OpenAI's shape. Exo calls its chunks
 * `"object":"chat.completion"`, uses bare UUIDs as ids, reports the upstream model
 * id, and signals a runner crash with an `{"error":…}` data frame after a 200;
 * clients should see exactly what OpenAI would send instead.
 */
import { Usage } from "./schemas.ts";

/** What one SSE data payload from an upstream turned out to be. */
export type UpstreamFrame =
  | { type: "done" }
  | { type: "error"; message: string; code: string | number | null }
  | { type: "chunk"; chunk: Record<string, unknown>; hasContent: boolean; usage: Usage | null }
  | { type: "malformed"; reason: string };

export function classifyFrame(data: string): UpstreamFrame {
  const trimmed = data.trim();
  if (trimmed === "[DONE]") return { type: "done" };
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch {
    return { type: "malformed", reason: "data frame is not JSON" };
  }
  if (!isRecord(parsed)) return { type: "malformed", reason: "data frame is not an object" };
  const error = parsed["error"];
  if (error !== undefined && error !== null) {
    const rec = isRecord(error) ? error : {};
    const message = typeof rec["message"] === "string" ? rec["message"] : typeof error === "string" ? error : "upstream error";
    const code = typeof rec["code"] === "string" || typeof rec["code"] === "number" ? rec["code"] : null;
    return { type: "error", message, code };
  }
  const choices = parsed["choices"];
  if (!Array.isArray(choices)) return { type: "malformed", reason: "chunk has no choices" };
  const usageParsed = Usage.safeParse(parsed["usage"]);
  const usage = usageParsed.success ? usageParsed.data : null;
  return { type: "chunk", chunk: parsed, hasContent: choices.some(choiceHasContent) || usage !== null, usage };
}

/** Content means something a client would act on: text, reasoning, tool calls, or a finish. */
function choiceHasContent(choice: unknown): boolean {
  if (!isRecord(choice)) return false;
  if (typeof choice["finish_reason"] === "string") return true;
  if (typeof choice["text"] === "string" && choice["text"] !== "") return true;
  const delta = choice["delta"];
  if (!isRecord(delta)) return false;
  const content = delta["content"];
  if (typeof content === "string" && content !== "") return true;
  const reasoning = delta["reasoning_content"];
  if (typeof reasoning === "string" && reasoning !== "") return true;
  return Array.isArray(delta["tool_calls"]) && delta["tool_calls"].length > 0;
}

export type ResponseKind = "chat" | "completions";

/**
 * Rewrites the chunks of one streamed response. The id and `created` are fixed
 * by the first chunk so every chunk of a response agrees, as OpenAI's do.
 */
export class ChunkNormalizer {
  #id: string | null = null;
  #created: number | null = null;
  readonly #model: string;
  readonly #kind: ResponseKind;
  readonly #nowS: number;

  constructor(opts: { model: string; kind: ResponseKind; nowMs: number }) {
    this.#model = opts.model;
    this.#kind = opts.kind;
    this.#nowS = Math.floor(opts.nowMs / 1000);
  }

  normalize(chunk: Record<string, unknown>): Record<string, unknown> {
    if (this.#id === null) this.#id = normalizeId(chunk["id"], this.#kind, this.#nowS);
    if (this.#created === null) this.#created = typeof chunk["created"] === "number" ? Math.floor(chunk["created"]) : this.#nowS;
    const out: Record<string, unknown> = {
      ...chunk,
      id: this.#id,
      object: this.#kind === "chat" ? "chat.completion.chunk" : "text_completion",
      created: this.#created,
      model: this.#model,
    };
    if (Array.isArray(chunk["choices"])) out["choices"] = chunk["choices"].map((c, i) => withIndex(c, i));
    return out;
  }
}

/** A non-streamed response body in OpenAI's shape (the alias as the model). */
export function normalizeResponse(body: Record<string, unknown>, opts: { model: string; kind: ResponseKind; nowMs: number }): Record<string, unknown> {
  const nowS = Math.floor(opts.nowMs / 1000);
  return {
    ...body,
    id: normalizeId(body["id"], opts.kind, nowS),
    object: opts.kind === "chat" ? "chat.completion" : "text_completion",
    created: typeof body["created"] === "number" ? Math.floor(body["created"]) : nowS,
    model: opts.model,
  };
}

function normalizeId(raw: unknown, kind: ResponseKind, nowS: number): string {
  const prefix = kind === "chat" ? "chatcmpl-" : "cmpl-";
  const base = typeof raw === "string" && raw !== "" ? raw : typeof raw === "number" ? String(raw) : `${nowS.toString(36)}`;
  return base.startsWith(prefix) ? base : `${prefix}${base}`;
}

function withIndex(choice: unknown, i: number): unknown {
  if (!isRecord(choice)) return choice;
  return typeof choice["index"] === "number" ? choice : { ...choice, index: i };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
