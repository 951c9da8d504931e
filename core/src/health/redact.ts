/**
 * Making an error text safe to store, log and show: one short line with anything
 * that looks like a credential masked. Probes are supposed to hand over secret-free
 * errors already; this is the second fence, because an upstream error body can echo
 * the request headers it received (some proxies do) and events live forever.
 */

/** Longest error kept in health records and event messages. */
export const MAX_ERROR_CHARS = 200;

const REDACTIONS: readonly (readonly [RegExp, string])[] = [
  // Authorization headers and bearer tokens, however they were quoted.
  [/\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{6,}/gi, "$1 [redacted]"],
  // Cloudflare Access service-token headers.
  [/(cf-access-client-(?:id|secret)["']?\s*[:=]\s*["']?)[^\s"',}]+/gi, "$1[redacted]"],
  // Generic key=value / "key": "value" credentials.
  [/((?:api[_-]?key|access[_-]?token|token|secret|password|authorization)["']?\s*[:=]\s*["']?)[^\s"',}]+/gi, "$1[redacted]"],
  // Well-known provider key shapes (OpenAI, Anthropic, Groq, Google, GitHub...).
  [/\b(?:sk|pk|rk|gsk|xai)-[A-Za-z0-9_-]{8,}/g, "[redacted-key]"],
  [/\bAIza[0-9A-Za-z_-]{20,}/g, "[redacted-key]"],
  [/\bgh[pousr]_[A-Za-z0-9]{20,}/g, "[redacted-key]"],
  // Credentials embedded in a URL.
  [/(https?:\/\/)[^/\s:@]+:[^/\s@]+@/gi, "$1[redacted]@"],
];

/** One line, at most `max` characters, credentials masked. */
export function sanitizeError(raw: string, max: number = MAX_ERROR_CHARS): string {
  // Cut early so a megabyte body costs nothing; the masks still see any partial secret.
  let text = raw.slice(0, max * 4).replace(/\s+/g, " ").trim();
  for (const [pattern, replacement] of REDACTIONS) text = text.replace(pattern, replacement);
  if (text.length > max) text = `${text.slice(0, Math.max(0, max - 1))}…`;
  return text;
}
