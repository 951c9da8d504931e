/** Admin API failures as values with their HTTP status; app.onError turns them into the one envelope. */
import { errorBody, errorTypeFor, type ApiErrorBody, type ErrorStatus } from "@exo-bridge/core/protocol/api-error";

export type ApiStatus = Extract<ErrorStatus, 400 | 401 | 404 | 409 | 413 | 415 | 500 | 503>;

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
    return errorBody(this.message, errorTypeFor(this.status), this.code, this.param);
  }
}

export function notFoundTarget(name: string): ApiError {
  return new ApiError(404, `target ${name} does not exist`, "target_not_found", "name");
}
