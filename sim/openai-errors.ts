/**
 * OpenAI's error envelope `{"error": {message, type, param, code}}` as the cloud
 * simulator sends it, with OpenAI's `type` for each status.
 */
import type { ServerResponse } from "node:http";
import { sendJson } from "./http-io.ts";

const ERROR_TYPES: Record<number, string> = {
  400: "invalid_request_error", 401: "invalid_request_error", 403: "permission_error", 404: "invalid_request_error",
  409: "conflict_error", 422: "invalid_request_error", 429: "requests", 500: "server_error", 502: "server_error",
  503: "server_error", 504: "server_error",
};

export function openAiError(res: ServerResponse, status: number, message: string, code: string | null, param: string | null = null, headers: Record<string, string> = {}): void {
  sendJson(res, status, { error: { message, type: ERROR_TYPES[status] ?? "api_error", param, code } }, headers);
}
