/**
 * Calls to the admin API with `Authorization: Bearer`. Every answer is parsed with
 * zod: a success body against the route's schema, a failure against the one
 * error envelope, so the page can show the API's own message and the field it names.
 */
import { z } from "zod";

export const ApiErrorSchema = z.object({
  error: z.object({ message: z.string(), type: z.string(), param: z.string().nullable().optional(), code: z.string().nullable().optional() }),
});

export interface ApiFailure {
  ok: false;
  /** HTTP status, or 0 when the request never got an answer. */
  status: number;
  message: string;
  type: string;
  param: string | null;
  code: string | null;
}
export type ApiResult<T> = { ok: true; status: number; data: T } | ApiFailure;

export type Method = "GET" | "POST" | "PATCH" | "DELETE";

export interface ApiRequest<T> {
  token: string;
  method: Method;
  path: string;
  body?: unknown;
  schema: z.ZodType<T>;
  fetchImpl?: typeof fetch;
  timeoutMs?: number;
}

export async function callApi<T>(req: ApiRequest<T>): Promise<ApiResult<T>> {
  const doFetch = req.fetchImpl ?? fetch;
  const headers: Record<string, string> = { authorization: `Bearer ${req.token}`, accept: "application/json" };
  if (req.body !== undefined) headers["content-type"] = "application/json";
  let res: Response;
  try {
    res = await doFetch(req.path, {
      method: req.method,
      headers,
      body: req.body === undefined ? null : JSON.stringify(req.body),
      signal: AbortSignal.timeout(req.timeoutMs ?? 30_000),
      credentials: "same-origin",
    });
  } catch (err) {
    const timeout = err instanceof DOMException && err.name === "TimeoutError";
    return failure(0, timeout ? "The request timed out." : "The request failed: the gateway is unreachable.", "network_error");
  }
  let json: unknown = null;
  const text = await res.text().catch(() => "");
  try {
    json = text === "" ? null : JSON.parse(text);
  } catch {
    json = null;
  }
  if (!res.ok) {
    const env = ApiErrorSchema.safeParse(json);
    if (env.success) {
      const e = env.data.error;
      return { ok: false, status: res.status, message: e.message, type: e.type, param: e.param ?? null, code: e.code ?? null };
    }
    return failure(res.status, `HTTP ${res.status} ${res.statusText}`.trim(), "http_error");
  }
  const parsed = req.schema.safeParse(json);
  if (!parsed.success) {
    return failure(res.status, `Unexpected answer from ${req.method} ${req.path}: ${parsed.error.issues[0]?.message ?? "invalid"}`, "malformed");
  }
  return { ok: true, status: res.status, data: parsed.data };
}

function failure(status: number, message: string, type: string): ApiFailure {
  return { ok: false, status, message, type, param: null, code: null };
}
