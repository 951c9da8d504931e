/**
 * One bounded HTTP request for a probe: a per-request deadline (AbortSignal), no
 * redirect following (an Access login redirect must be seen, not followed), the body
 * read up to a cap. Failures come back as values, never as exceptions.
 */

export type HttpOutcome =
  | { kind: "response"; status: number; location: string | null; body: string; latencyMs: number }
  | { kind: "error"; message: string; timedOut: boolean; latencyMs: number };

const MAX_BODY_BYTES = 256 * 1024;

export interface ProbeRequest {
  url: string;
  method?: "GET" | "POST";
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
}

export async function probeFetch(req: ProbeRequest): Promise<HttpOutcome> {
  const started = Date.now();
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error("probe timed out")), req.timeoutMs);
  try {
    const res = await fetch(req.url, {
      method: req.method ?? "GET",
      headers: req.headers,
      ...(req.body === undefined ? {} : { body: req.body }),
      redirect: "manual",
      signal: controller.signal,
    });
    const body = await readCapped(res);
    return { kind: "response", status: res.status, location: res.headers.get("location"), body, latencyMs: Date.now() - started };
  } catch (err) {
    return {
      kind: "error",
      message: err instanceof Error ? err.message : String(err),
      timedOut: controller.signal.aborted,
      latencyMs: Date.now() - started,
    };
  } finally {
    clearTimeout(timer);
  }
}

async function readCapped(res: Response): Promise<string> {
  if (res.body === null) return "";
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let text = "";
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.byteLength;
    text += decoder.decode(value, { stream: true });
    if (bytes >= MAX_BODY_BYTES) {
      await reader.cancel();
      break;
    }
  }
  return text + decoder.decode();
}
