/** Admin API failures as values with their HTTP status; app.onError turns them into the one envelope. */
import { errorBody, type ApiErrorBody } from "@exo-bridge/core/protocol/api-error";

export type ApiStatus = 400 | 401 | 404 | 409 | 413 | 415 | 500 | 503;

function typeFor(status: ApiStatus): string {
  switch (status) {
    case 400:
    case 413:
    case 415:
      return "invalid_request_error";
    case 401:
      return "authentication_error";
    case 404:
      return "not_found_error";
    case 409:
      return "conflict_error";
    case 503:
      return "service_unavailable";
    case 500:
      return "server_error";
  }
}

export class ApiError extends Error {
  constructor(
    readonly status: ApiStatus,
    message: string,
    readonly code: string,
    readonly param: string | null = null,
  ) {
    super(message);
  }

  body(): ApiErrorBody {
    return errorBody(this.message, typeFor(this.status), this.code, this.param);
  }
}

export function notFoundTarget(name: string): ApiError {
  return new ApiError(404, `target ${name} does not exist`, "target_not_found", "name");
}
