/**
 * Reading an admin request body: size cap (413), JSON content type (415), valid
 * JSON (400), then the route's strict schema (400 naming the first bad field).
 */
import type { z } from "zod";
import { ApiError } from "./errors.ts";

export const MAX_BODY_BYTES = 64 * 1024;

export async function readBody<S extends z.ZodType>(req: Request, schema: S): Promise<z.infer<S>> {
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (Number.isFinite(declared) && declared > MAX_BODY_BYTES) {
    throw new ApiError(413, `body larger than ${MAX_BODY_BYTES} bytes`, "body_too_large");
  }
  const type = req.headers.get("content-type") ?? "";
  if (!/^application\/json\b/i.test(type)) {
    throw new ApiError(415, "body must be application/json", "unsupported_media_type");
  }
  const bytes = await readCapped(req);
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new ApiError(400, "body is not valid JSON", "invalid_json");
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue === undefined ? "" : issue.path.map(String).join(".");
    const what = issue?.code === "unrecognized_keys" ? `unknown field(s): ${issue.keys.join(", ")}` : (issue?.message ?? "invalid body");
    throw new ApiError(400, path === "" ? what : `${path}: ${what}`, "invalid_body", path === "" ? null : path);
  }
  return parsed.data;
}

async function readCapped(req: Request): Promise<Uint8Array> {
  if (req.body === null) return new Uint8Array();
  const reader = req.body.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_BODY_BYTES) {
      await reader.cancel();
      throw new ApiError(413, `body larger than ${MAX_BODY_BYTES} bytes`, "body_too_large");
    }
    parts.push(value);
  }
  const out = new Uint8Array(size);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.byteLength;
  }
  return out;
}
