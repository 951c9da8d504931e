/**
 * Raw-socket HTTP helpers for the simulator tests: they observe what a client on the
 * wire sees (exact bytes, refused connections, resets after headers, silence), which
 * fetch would hide or retry.
 */
import { request as httpRequest } from "node:http";
import { connect } from "node:net";

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** Set when the connection failed or was cut before the body ended. */
  error: string | null;
  /** Milliseconds until the response headers arrived. */
  headersMs: number;
  totalMs: number;
}

export interface RawOptions {
  method?: string;
  body?: unknown;
  headers?: Record<string, string>;
  timeoutMs?: number;
}

/** One HTTP/1.1 request with no agent, no retries; failures come back as values. */
export function raw(baseUrl: string, path: string, options: RawOptions = {}): Promise<RawResponse> {
  const started = Date.now();
  const payload = options.body === undefined ? undefined : typeof options.body === "string" ? options.body : JSON.stringify(options.body);
  return new Promise((resolve) => {
    let status = 0;
    let headers: RawResponse["headers"] = {};
    let headersMs = -1;
    const chunks: Buffer[] = [];
    let done = false;
    const finish = (error: string | null): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve({ status, headers, body: Buffer.concat(chunks).toString("utf8"), error, headersMs, totalMs: Date.now() - started });
    };
    const req = httpRequest(
      `${baseUrl}${path}`,
      {
        method: options.method ?? (payload === undefined ? "GET" : "POST"),
        agent: false,
        headers: { ...(payload === undefined ? {} : { "content-type": "application/json" }), ...options.headers },
      },
      (res) => {
        status = res.statusCode ?? 0;
        headers = res.headers;
        headersMs = Date.now() - started;
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => finish(null));
        res.on("aborted", () => finish("aborted"));
        res.on("error", (err) => finish(err.message));
      },
    );
    const timer = setTimeout(() => {
      finish("timeout");
      req.destroy();
    }, options.timeoutMs ?? 5_000);
    req.on("error", (err: NodeJS.ErrnoException) => finish(err.code ?? err.message));
    req.end(payload);
  });
}

/** Resolves to "connected" or the socket error code (ECONNREFUSED when nothing listens). */
export function tcpProbe(port: number, timeoutMs = 2_000): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve("timeout");
    }, timeoutMs);
    socket.once("connect", () => {
      clearTimeout(timer);
      socket.destroy();
      resolve("connected");
    });
    socket.once("error", (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve(err.code ?? err.message);
    });
  });
}

/** SSE `data:` payloads of a body, in order. */
export function dataFrames(body: string): string[] {
  return body
    .split("\n\n")
    .filter((block) => block.startsWith("data: "))
    .map((block) => block.slice("data: ".length));
}

export async function until<T>(what: string, probe: () => Promise<T | null>, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export const EXO_MODEL = "mlx-community/Llama-3.2-1B-Instruct-4bit";

export function chatBody(content: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { model: EXO_MODEL, messages: [{ role: "user", content }], ...extra };
}
