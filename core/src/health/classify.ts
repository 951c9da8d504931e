/**
 * What a probe saw, put into words the state machine understands: an HTTP answer
 * or a fetch error becomes a ProbeClass plus a short error line; Exo's liveness
 * and readiness bodies become values. Pure: the monitor does the I/O and hands the
 * status, headers and the first bytes of the body over. Errors never echo more
 * than a short, sanitized excerpt of a body (see exo-api.md §3 and §7 for the
 * edge behaviours recognised here).
 */
import { z } from "zod";
import { sanitizeError } from "./redact.ts";
import type { ProbeClass } from "./types.ts";

export interface ResponseFacts {
  status: number;
  headers?: Record<string, string>;
  /** The first bytes of the body (the whole of it is never needed). */
  bodySnippet?: string;
  /** Same as bodySnippet, for callers that hold a capped body. */
  body?: string;
  /** The Location header, when the caller read it separately. */
  location?: string | null;
}

export interface Classified {
  classification: ProbeClass;
  /** Short and secret-free; null when the answer was a success. */
  error: string | null;
}

/** Longest body excerpt quoted in an error. */
const EXCERPT_CHARS = 120;

export function classifyResponse(input: ResponseFacts): Classified {
  const { status } = input;
  const body = (input.bodySnippet ?? input.body ?? "").slice(0, 8_192);
  if (status >= 200 && status < 300) return { classification: "ok", error: null };

  const location = input.location ?? header(input.headers, "location");
  const tunnelPage = /error code:?\s*1033|argo tunnel|cloudflare tunnel error/i.test(body);
  if (status === 530 || tunnelPage) {
    const why = /1033/.test(body) ? " (Cloudflare error 1033: no tunnel connector)" : "";
    return { classification: "tunnel_down", error: `tunnel down: HTTP ${status}${why}` };
  }
  if (status === 502) {
    return { classification: "origin_down", error: withExcerpt(`origin down: HTTP 502`, body) };
  }
  if (status === 401 || status === 403) {
    return { classification: "access_denied", error: withExcerpt(`access denied: HTTP ${status}, credentials refused`, body) };
  }
  if (status >= 300 && status < 400) {
    if (location !== null && location !== undefined && isAccessLogin(location)) {
      return { classification: "access_denied", error: `access denied: HTTP ${status} redirect to the Cloudflare Access login` };
    }
    return { classification: "http_error", error: `HTTP ${status} redirect${location ? ` to ${sanitizeError(location, 80)}` : ""}` };
  }
  if (status === 429) {
    const retry = header(input.headers, "retry-after");
    const after = retry !== undefined && /^\d{1,6}$/.test(retry.trim()) ? ` (retry after ${retry.trim()} s)` : "";
    return { classification: "rate_limited", error: `rate limited: HTTP 429${after}` };
  }
  if (status === 404 && /no instance found/i.test(body)) {
    return { classification: "no_instance", error: `no instance: ${excerpt(body) ?? "HTTP 404"}` };
  }
  return { classification: "http_error", error: withExcerpt(`HTTP ${status}`, body) };
}

/**
 * A fetch that threw: timeouts (our AbortSignal, "timed out"), connections that
 * never happened or died ("Network connection lost." is workerd's word for a dead
 * port), and anything else, which means the answer could not be read.
 */
export function classifyFetchError(input: string | { message: string; timedOut?: boolean }): Classified & { error: string } {
  const message = typeof input === "string" ? input : input.message;
  const timedOut = typeof input === "string" ? false : input.timedOut === true;
  const text = sanitizeError(message, EXCERPT_CHARS);
  if (timedOut || /abort|timed?\s?out|timeout|deadline|ETIMEDOUT/i.test(message)) {
    return { classification: "timeout", error: `timeout: ${text || "no answer in time"}` };
  }
  if (/network connection lost|ECONNREFUSED|ECONNRESET|EPIPE|refused|connect|reset|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|socket hang up|fetch failed|dns/i.test(message)) {
    return { classification: "refused", error: `refused: ${text}` };
  }
  return { classification: "malformed", error: `malformed: ${text || "unreadable answer"}` };
}

const NODE_ID = z.string().trim().regex(/^[A-Za-z0-9._:-]{1,200}$/);
const LegacyHealth = z.object({ status: z.literal("ok") });
/** Exo's docs show this shape although the code returns a bare string; accept both. */
const WrappedNodeId = z.object({ node_id: NODE_ID });

/** Exo v1 `GET /node_id`: a bare JSON string. Null when the body is anything else. */
export function parseNodeId(body: string): string | null {
  const json = parseJson(body);
  const bare = NODE_ID.safeParse(json);
  if (bare.success) return bare.data;
  const wrapped = WrappedNodeId.safeParse(json);
  return wrapped.success ? wrapped.data.node_id : null;
}

export type Liveness = { ok: true; nodeId: string | null } | { ok: false; error: string };

/** Liveness from either generation: a node id (v1 `/node_id`) or legacy `{"status":"ok"}` (no id). */
export function parseLiveness(body: string): Liveness {
  const nodeId = parseNodeId(body);
  if (nodeId !== null) return { ok: true, nodeId };
  if (LegacyHealth.safeParse(parseJson(body)).success) return { ok: true, nodeId: null };
  return { ok: false, error: withExcerpt("malformed: not a node id or health answer", body) };
}

const PsList = z.object({
  models: z.array(z.object({ name: z.string().optional(), model: z.string().optional() })),
});

/**
 * Exo `GET /ollama/api/ps`: the models that have a live instance. Accepts the body
 * text or already parsed JSON; null when it is not that shape.
 */
export function parsePsModels(json: unknown): string[] | null {
  const value = typeof json === "string" ? parseJson(json) : json;
  const parsed = PsList.safeParse(value);
  if (!parsed.success) return null;
  const ids = new Set<string>();
  for (const m of parsed.data.models) {
    const id = m.model ?? m.name;
    if (id !== undefined && id.length > 0) ids.add(id);
  }
  return [...ids];
}

/** Configured upstream model ids without a live instance (case-insensitive, as Hugging Face ids are). */
export function missingModels(configured: Iterable<string>, live: readonly string[]): string[] {
  const have = new Set(live.map((m) => m.toLowerCase()));
  return [...new Set(configured)].filter((m) => !have.has(m.toLowerCase()));
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function header(headers: Record<string, string> | undefined, name: string): string | undefined {
  if (headers === undefined) return undefined;
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === name) return v;
  return undefined;
}

function isAccessLogin(location: string): boolean {
  if (/\/cdn-cgi\/access\//i.test(location)) return true;
  try {
    const host = new URL(location).hostname.toLowerCase();
    return host === "cloudflareaccess.com" || host.endsWith(".cloudflareaccess.com");
  } catch {
    return false;
  }
}

/**
 * The most telling short piece of a body: an error envelope's message (OpenAI's,
 * Exo's, FastAPI's `detail`), an HTML page's title, or the start of the text.
 */
export function excerpt(body: string): string | null {
  const json = parseJson(body);
  const fromJson = messageOf(json);
  if (fromJson !== null) return sanitizeError(fromJson, EXCERPT_CHARS);
  const title = /<title[^>]*>([^<]{1,300})<\/title>/i.exec(body)?.[1];
  if (title !== undefined) return sanitizeError(title, EXCERPT_CHARS);
  if (/^\s*</.test(body)) return null;
  const text = sanitizeError(body, EXCERPT_CHARS);
  return text === "" ? null : text;
}

const ErrorBody = z.object({
  error: z.union([z.string(), z.object({ message: z.string() })]).optional(),
  detail: z.string().optional(),
  message: z.string().optional(),
});

function messageOf(json: unknown): string | null {
  const parsed = ErrorBody.safeParse(json);
  if (!parsed.success) return null;
  const { error, detail, message } = parsed.data;
  if (typeof error === "string") return error;
  return error?.message ?? detail ?? message ?? null;
}

function withExcerpt(head: string, body: string): string {
  const e = excerpt(body);
  return e === null ? head : `${head}: ${e}`;
}
