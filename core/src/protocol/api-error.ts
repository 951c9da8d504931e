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
