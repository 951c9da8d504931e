/**
 * Exo's two error shapes: the HTTPException envelope (`type` is the reason phrase,
 * `code` an int) and FastAPI's default 422 `{"detail": [...]}` for validation errors.
 */
import type { ServerResponse } from "node:http";
import type { z } from "zod";
import { lookupPath } from "./exo-state.ts";
import { sendJson } from "./http-io.ts";

export const REASONS: Record<number, string> = {
  400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 408: "Request Timeout", 409: "Conflict",
  422: "Unprocessable Entity", 429: "Too Many Requests", 500: "Internal Server Error", 502: "Bad Gateway",
  503: "Service Unavailable", 504: "Gateway Timeout",
};

/** Exo's HTTPException envelope: `type` is the reason phrase, `code` an int. */
export function exoError(res: ServerResponse, status: number, message: string): void {
  sendJson(res, status, { error: { message, type: REASONS[status] ?? "Error", param: null, code: status } });
}

/** FastAPI's default 422 for request validation. */
export function validationError(res: ServerResponse, raw: unknown, issues: z.core.$ZodIssue[], where: "body" | "query"): void {
  const detail = issues.map((issue) => {
    const path = issue.path.map((p) => (typeof p === "symbol" ? String(p) : p));
    const missing = issue.code === "invalid_type" && lookupPath(raw, path.map(String)) === undefined;
    return missing
      ? { type: "missing", loc: [where, ...path], msg: "Field required", input: raw }
      : { type: issue.code, loc: [where, ...path], msg: issue.message, input: lookupPath(raw, path.map(String)) ?? null };
  });
  sendJson(res, 422, { detail });
}
