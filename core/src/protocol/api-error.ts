/**
 * The one error envelope on the wire, OpenAI's shape, used by the OpenAI surface
 * and the admin API alike.
 */
export interface ApiErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

export function errorBody(message: string, type: string, code: string | null = null, param: string | null = null): ApiErrorBody {
  return { error: { message, type, param, code } };
}

/** Every status the gateway and the admin API answer errors with. */
export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 429 | 500 | 502 | 503 | 504;

/** OpenAI's `type` for each error status: one table for both surfaces. */
export function errorTypeFor(status: ErrorStatus): string {
  switch (status) {
    case 400:
    case 413:
    case 415:
      return "invalid_request_error";
    case 401:
      return "authentication_error";
    case 403:
      return "permission_error";
    case 404:
      return "not_found_error";
    case 409:
      return "conflict_error";
    case 429:
      return "rate_limit_error";
    case 500:
    case 502:
    case 504:
      return "server_error";
    case 503:
      return "service_unavailable";
  }
}
