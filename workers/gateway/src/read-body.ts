/**
 * Reading a client's JSON body within the size bound, with the status OpenAI
 * clients expect for each way it can be wrong (415, 413, 400).
 */
import { invalidRequestFromIssues } from "@exo-bridge/core/openai/errors";
import type { z } from "zod";
import { GatewayError } from "./http-error.ts";

export async function readJsonBody<S extends z.ZodType>(request: Request, schema: S, maxBytes: number): Promise<z.infer<S>> {
  const type = (request.headers.get("content-type") ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  if (type !== "application/json" && !type.endsWith("+json")) {
    throw new GatewayError(415, "Content-Type must be application/json.", { code: "unsupported_media_type" });
  }
  const length = request.headers.get("content-length");
  const declared = length === null ? Number.NaN : Number(length);
  if (declared > maxBytes) throw tooLarge(maxBytes);
  // With a declared length the runtime reads exactly that much: the native read is the cheap
  // one. Only a chunked body (no length) has to be counted as it arrives.
  const text = Number.isInteger(declared) && declared >= 0 ? await request.text() : await readLimited(request, maxBytes);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new GatewayError(400, "The request body is not valid JSON.", { code: "invalid_json" });
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new GatewayError(400, "The request body must be a JSON object.", { code: "invalid_json" });
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const body = invalidRequestFromIssues(parsed.error.issues);
    throw new GatewayError(400, body.error.message, { code: body.error.code, param: body.error.param });
  }
  return parsed.data;
}

function tooLarge(maxBytes: number): GatewayError {
  return new GatewayError(413, `The request body is larger than ${maxBytes} bytes.`, { code: "request_too_large" });
}

/** A body sent without Content-Length (chunked) is counted as it arrives. */
async function readLimited(request: Request, maxBytes: number): Promise<string> {
  if (request.body === null) return "";
  const reader = request.body.getReader();
  const decoder = new TextDecoder();
  let size = 0;
  let text = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(maxBytes);
    }
    text += decoder.decode(value, { stream: true });
  }
  return text + decoder.decode();
}
