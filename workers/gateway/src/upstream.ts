/**
 * One upstream call: the request sent to a target (its own model id, its
 * credentials, nothing of the client's headers) and the classification of a
 * failed answer in the monitor's vocabulary, so passive health speaks the same
 * language as the probes.
 */
import { sanitizeUpstreamMessage, upstreamErrorMessage } from "@exo-bridge/core/openai/errors";
import type { EndpointKind } from "@exo-bridge/core/openai/schemas";
import { ENDPOINTS } from "@exo-bridge/core/openai/schemas";
import type { ProbeClass } from "@exo-bridge/core/health/types";
import type { RoutingTarget } from "@exo-bridge/core/protocol/routing";
import { envString } from "./config.ts";
import type { PickedKey } from "./provider-keys.ts";

/** Why an attempt failed; everything in it is safe to log, report and show. */
export interface AttemptFailure {
  target: string;
  classification: ProbeClass;
  message: string;
  httpStatus?: number;
  /** From Retry-After on a 429. */
  retryAfterMs?: number;
  /** A provider key problem: the target may still serve with another key. */
  key?: { action: "cooldown" | "disable"; key: PickedKey };
  /** False when the failure says nothing about the target's health (e.g. an unsupported endpoint). */
  healthSignal: boolean;
  /** The upstream called the request itself invalid (400/413/422). */
  clientError?: boolean;
  latencyMs: number | null;
}

export interface UpstreamCall {
  /** What `fetch(url, init)` needs: handing the runtime one plain init is cheaper than building a Request first. */
  url: string;
  init: RequestInit;
  /** Strings to scrub from anything the upstream says. */
  secrets: string[];
}

export function buildUpstreamRequest(opts: {
  env: Env;
  target: RoutingTarget;
  endpoint: EndpointKind;
  body: Record<string, unknown>;
  alias: string;
  stream: boolean;
  key: PickedKey | null;
  signal: AbortSignal;
}): UpstreamCall {
  const { target, env } = opts;
  const headers: Record<string, string> = { "content-type": "application/json", accept: opts.stream ? "text/event-stream" : "application/json" };
  const secrets: string[] = [];
  if (target.kind === "exo") {
    const id = envString(env, target.secrets.accessClientId);
    const secret = envString(env, target.secrets.accessClientSecret);
    if (id !== null && secret !== null) {
      headers["cf-access-client-id"] = id;
      headers["cf-access-client-secret"] = secret;
      secrets.push(id, secret);
    }
  }
  if (opts.key !== null) {
    headers["authorization"] = `Bearer ${opts.key.value}`;
    secrets.push(opts.key.value);
  }
  const payload: Record<string, unknown> = { ...opts.body, model: target.models[opts.alias] ?? opts.alias };
  if (opts.endpoint !== "embeddings") payload["stream"] = opts.stream;
  // Cloud providers only report usage on streams when asked; the gateway needs it for cost accounting.
  if (opts.stream && target.kind === "cloud") payload["stream_options"] = { ...asRecord(opts.body["stream_options"]), include_usage: true };
  const init: RequestInit = { method: "POST", headers, body: JSON.stringify(payload), redirect: "manual", signal: opts.signal };
  return { url: `${target.url}${ENDPOINTS[opts.endpoint].path}`, init, secrets };
}

function asRecord(v: unknown): Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

/** Parse Retry-After (seconds or an HTTP date) into ms from now. */
export function parseRetryAfter(value: string | null, now: number): number | null {
  if (value === null) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds * 1000, 86_400_000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

/** Classify a non-2xx answer. Reads (and bounds) the body for a message. */
export async function classifyHttpFailure(
  res: Response,
  ctx: { target: RoutingTarget; key: PickedKey | null; secrets: string[]; started: number },
): Promise<AttemptFailure> {
  const now = Date.now();
  const text = await readBounded(res, 8_192);
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Edge pages and proxies answer HTML or plain text.
  }
  const message = sanitizeUpstreamMessage(upstreamErrorMessage(parsed) ?? res.statusText ?? `HTTP ${res.status}`, ctx.secrets);
  const base = { target: ctx.target.name, httpStatus: res.status, message: `HTTP ${res.status}${message === "" ? "" : `: ${message}`}`, healthSignal: true, latencyMs: now - ctx.started };
  const status = res.status;
  if (status === 429) {
    const retryAfterMs = parseRetryAfter(res.headers.get("retry-after"), now) ?? undefined;
    if (ctx.key !== null) return { ...base, classification: "rate_limited", retryAfterMs, key: { action: "cooldown", key: ctx.key } };
    return { ...base, classification: "rate_limited", retryAfterMs };
  }
  if (status === 401 && ctx.key !== null) return { ...base, classification: "access_denied", key: { action: "disable", key: ctx.key }, healthSignal: false };
  if (status === 401 || status === 403) return { ...base, classification: "access_denied" };
  if (status >= 300 && status < 400) {
    const location = res.headers.get("location") ?? "";
    return { ...base, message: `HTTP ${status} redirect`, classification: location.includes("cloudflareaccess.com") ? "access_denied" : "http_error" };
  }
  if (status === 404) {
    if (/no instance/i.test(message)) return { ...base, classification: "no_instance" };
    // A route this upstream lacks (e.g. embeddings on Exo) says nothing about its health.
    return { ...base, classification: "http_error", healthSignal: false };
  }
  if (status === 405 || status === 501) return { ...base, classification: "http_error", healthSignal: false };
  // The request passed our validation but this upstream refuses it: not an outage, maybe another upstream accepts it.
  if (status === 400 || status === 413 || status === 422) return { ...base, classification: "http_error", healthSignal: false, clientError: true };
  if (status === 408 || status === 504 || status === 524) return { ...base, classification: "timeout" };
  if (status === 530) return { ...base, classification: "tunnel_down" };
  if (status === 502) return { ...base, classification: "origin_down" };
  return { ...base, classification: "http_error" };
}

/** Failures of fetch itself: our own timeout, or the connection. */
export function classifyFetchError(err: unknown, ctx: { target: RoutingTarget; started: number; timedOut: boolean; secrets: string[] }): AttemptFailure {
  const latencyMs = Date.now() - ctx.started;
  if (ctx.timedOut) return { target: ctx.target.name, classification: "timeout", message: "no response within the time-to-first-token budget", healthSignal: true, latencyMs };
  const raw = err instanceof Error ? err.message : "connection failed";
  return { target: ctx.target.name, classification: "refused", message: sanitizeUpstreamMessage(raw, ctx.secrets) || "connection failed", healthSignal: true, latencyMs };
}

/** Read at most `limit` bytes of a body as text (error bodies can be huge HTML pages). */
export async function readBounded(res: Response, limit: number): Promise<string> {
  if (res.body === null) return "";
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < limit) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } catch {
    // A cut error body still tells us the status.
  } finally {
    reader.cancel().catch(() => undefined);
  }
  const all = new Uint8Array(Math.min(size, limit));
  let offset = 0;
  for (const c of chunks) {
    const take = c.subarray(0, Math.min(c.byteLength, all.byteLength - offset));
    all.set(take, offset);
    offset += take.byteLength;
  }
  return new TextDecoder().decode(all);
}
