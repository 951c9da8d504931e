/**
 * The OpenAI error envelope and the one place upstream failures and invalid
 * requests are mapped to it. Upstream messages are sanitised here: they may
 * carry internal URLs, provider keys echoed back, or stack traces.
 */
import { errorBody, errorTypeFor, type ApiErrorBody, type ErrorStatus } from "../protocol/api-error.ts";

export { errorTypeFor, type ErrorStatus } from "../protocol/api-error.ts";

export function openAiError(status: ErrorStatus, message: string, code: string | null = null, param: string | null = null): ApiErrorBody {
  return errorBody(message, errorTypeFor(status), code, param);
}

/** The shape zod issues have that we need (kept structural so core needs no zod internals). */
export interface IssueLike {
  path: readonly PropertyKey[];
  message: string;
}

/** Turn the first validation issue into a 400 body naming the offending parameter. */
export function invalidRequestFromIssues(issues: readonly IssueLike[]): ApiErrorBody {
  const first = issues[0];
  if (first === undefined) return openAiError(400, "Invalid request body.", "invalid_request");
  const param = first.path.map((p) => String(p)).join(".") || null;
  const where = param === null ? "" : ` at '${param}'`;
  return openAiError(400, `Invalid request body${where}: ${first.message}`, "invalid_value", param);
}

const URL_PATTERN = /\b(?:https?|wss?):\/\/[^\s"'<>]+/gi;
/** Bearer tokens and the common shapes of provider keys. */
const KEY_PATTERN = /\b(?:Bearer\s+[A-Za-z0-9._~+/=-]+|sk-[A-Za-z0-9_-]{4,}|[A-Za-z0-9_-]{32,})/g;
const IP_PATTERN = /\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b/g;

/**
 * Make an upstream error message safe to show a client or store in an event:
 * known secrets and anything key-like are masked, URLs and addresses removed,
 * whitespace collapsed, length bounded.
 */
export function sanitizeUpstreamMessage(raw: string, secrets: readonly string[] = [], maxLength = 200): string {
  let text = raw;
  for (const secret of secrets) {
    if (secret.length >= 4) text = text.split(secret).join("[redacted]");
  }
  text = text.replace(URL_PATTERN, "[url]").replace(IP_PATTERN, "[address]").replace(KEY_PATTERN, "[redacted]");
  text = text.replace(/\s+/g, " ").trim();
  if (text.length > maxLength) text = `${text.slice(0, maxLength - 1)}…`;
  return text;
}

/**
 * Pull a human message out of whatever an upstream sent as an error body:
 * OpenAI's envelope, Exo's FastAPI `{"detail": ...}`, or plain text.
 */
export function upstreamErrorMessage(body: unknown): string | null {
  if (typeof body === "string") return body.length > 0 ? body : null;
  if (typeof body !== "object" || body === null) return null;
  const record = body as Record<string, unknown>;
  const error = record["error"];
  if (typeof error === "string") return error;
  if (typeof error === "object" && error !== null) {
    const message = (error as Record<string, unknown>)["message"];
    if (typeof message === "string") return message;
  }
  const detail = record["detail"];
  if (typeof detail === "string") return detail;
  if (Array.isArray(detail)) return "upstream rejected the request body";
  return null;
}
