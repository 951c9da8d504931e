/**
 * The gateway's one error type. Anything thrown as a GatewayError becomes
 * OpenAI's envelope with its status in `app.onError`; anything else becomes a
 * generic 500 that reveals nothing.
 */
import { openAiError, type ErrorStatus } from "@exo-bridge/core/openai/errors";
import type { ApiErrorBody } from "@exo-bridge/core/protocol/api-error";

export class GatewayError extends Error {
  readonly status: ErrorStatus;
  readonly code: string | null;
  readonly param: string | null;
  readonly headers: Record<string, string>;

  constructor(status: ErrorStatus, message: string, opts: { code?: string | null; param?: string | null; headers?: Record<string, string> } = {}) {
    super(message);
    this.name = "GatewayError";
    this.status = status;
    this.code = opts.code ?? null;
    this.param = opts.param ?? null;
    this.headers = opts.headers ?? {};
  }

  body(): ApiErrorBody {
    return openAiError(this.status, this.message, this.code, this.param);
  }
}

export function errorResponse(err: GatewayError, extraHeaders: Record<string, string> = {}): Response {
  return Response.json(err.body(), { status: err.status, headers: { ...err.headers, ...extraHeaders } });
}

/** Retry-After in whole seconds (at least 1), from a delay in ms. */
export function retryAfterSeconds(ms: number): string {
  return String(Math.max(1, Math.ceil(ms / 1000)));
}
