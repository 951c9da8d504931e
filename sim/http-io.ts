/**
 * Small node:http helpers shared by the simulators: body reading, JSON/text answers,
 * abortable sleeps, and an SSE writer with an idle keep-alive timer (Exo sends
 * `: keep-alive` after every 10 s of silence).
 */
import type { IncomingMessage, ServerResponse } from "node:http";

const MAX_BODY = 4 * 1024 * 1024;

export function readBody(req: IncomingMessage): Promise<Buffer | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY) chunks.push(chunk);
    });
    req.on("end", () => resolve(size > MAX_BODY ? null : Buffer.concat(chunks)));
    req.on("error", () => resolve(null));
    req.on("close", () => resolve(size > MAX_BODY ? null : Buffer.concat(chunks)));
  });
}

/** JSON.parse that reports failure as a value. */
export function parseJson(body: Buffer): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, value: JSON.parse(body.toString("utf8")) };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
}

export function isOpen(res: ServerResponse): boolean {
  return !res.destroyed && !res.writableEnded;
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (!isOpen(res)) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function sendText(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  if (!isOpen(res)) return;
  res.writeHead(status, { "content-type": "text/plain; charset=utf-8", "content-length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** Resolves after `ms`, or early (false) when the response's connection goes away. */
export function sleepUnlessClosed(res: ServerResponse, ms: number): Promise<boolean> {
  if (!isOpen(res)) return Promise.resolve(false);
  if (ms <= 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const onClose = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      res.off("close", onClose);
      resolve(isOpen(res));
    }, ms);
    res.once("close", onClose);
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Writes Server-Sent Events. With `keepAliveMs` set, a `: keep-alive` comment is
 * written whenever nothing else was written for that long.
 */
export class SseWriter {
  readonly res: ServerResponse;
  private readonly keepAliveMs: number | null;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(res: ServerResponse, keepAliveMs: number | null, headers: Record<string, string> = {}) {
    this.res = res;
    this.keepAliveMs = keepAliveMs;
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", ...headers });
    res.flushHeaders();
    res.once("close", () => this.stopTimer());
    this.arm();
  }

  get open(): boolean {
    return isOpen(this.res);
  }

  comment(text: string): void {
    this.write(`: ${text}\n\n`);
  }

  data(payload: unknown): void {
    this.write(`data: ${typeof payload === "string" ? payload : JSON.stringify(payload)}\n\n`);
  }

  /** Ends the response cleanly (chunked terminator): what a client sees as EOF. */
  end(): void {
    this.stopTimer();
    if (this.open) this.res.end();
  }

  /** Tears the connection down without a clean end. */
  destroy(): void {
    this.stopTimer();
    this.res.destroy();
  }

  private write(text: string): void {
    if (!this.open) return;
    this.res.write(text);
    this.arm();
  }

  private arm(): void {
    this.stopTimer();
    if (this.keepAliveMs === null || !this.open) return;
    this.timer = setTimeout(() => this.comment("keep-alive"), this.keepAliveMs);
  }

  private stopTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}
