/**
 * Load generation for the benchmark: wrk (Debian's, installed by the bench script when
 * missing) for throughput and latency percentiles, and a small Node client for
 * streaming timings where wrk cannot see chunk boundaries.
 */
import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

export interface WrkResult {
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  requests: number;
  non2xx: number;
  errors: number;
}

/** Writes a wrk Lua script that POSTs one JSON body with the given headers. */
export function wrkScript(dir: string, name: string, body: unknown, headers: Record<string, string>): string {
  const path = join(dir, `${name}.lua`);
  const lines = [
    `wrk.method = "POST"`,
    `wrk.body = ${JSON.stringify(JSON.stringify(body))}`,
    `wrk.headers["Content-Type"] = "application/json"`,
    ...Object.entries(headers).map(([k, v]) => `wrk.headers[${JSON.stringify(k)}] = ${JSON.stringify(v)}`),
  ];
  writeFileSync(path, lines.join("\n") + "\n");
  return path;
}

function toMs(value: string, unit: string): number {
  const v = Number(value);
  switch (unit) {
    case "us":
      return v / 1000;
    case "ms":
      return v;
    case "s":
      return v * 1000;
    case "m":
      return v * 60_000;
    default:
      return Number.NaN;
  }
}

export function parseWrk(out: string): WrkResult {
  const pct = (p: string): number => {
    const m = new RegExp(`\\s${p}%\\s+([\\d.]+)(us|ms|s|m)\\b`).exec(out);
    return m?.[1] !== undefined && m[2] !== undefined ? toMs(m[1], m[2]) : Number.NaN;
  };
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? "NaN");
  const requests = Number(/(\d+) requests in/.exec(out)?.[1] ?? "0");
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? "0");
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const errors = sock === null ? 0 : sock.slice(1).reduce((a, b) => a + Number(b), 0);
  return { rps, p50: pct("50"), p90: pct("90"), p99: pct("99"), requests, non2xx, errors };
}

export function wrk(url: string, script: string, connections: number, seconds: number): Promise<WrkResult> {
  return new Promise((resolve, reject) => {
    execFile(
      "wrk",
      ["-t", connections > 1 ? "2" : "1", "-c", String(connections), "-d", `${seconds}s`, "--latency", "--timeout", "10s", "-s", script, url],
      { timeout: (seconds + 30) * 1000 },
      (err, stdout) => (err === null ? resolve(parseWrk(stdout)) : reject(err)),
    );
  });
}

export interface StreamTiming {
  ttfbMs: number;
  totalMs: number;
  chunks: number;
}

/** One streamed request: time to the first data byte and to the end of the body. */
export async function streamOnce(url: string, body: unknown, headers: Record<string, string>): Promise<StreamTiming> {
  const t0 = performance.now();
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
  if (!res.ok || res.body === null) throw new Error(`stream request failed: ${res.status}`);
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let ttfb = Number.NaN;
  let chunks = 0;
  let text = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
    // The first byte of the first data event, not of a keep-alive comment.
    if (Number.isNaN(ttfb) && text.includes("data:")) ttfb = performance.now() - t0;
  }
  chunks = text.split("\n").filter((l) => l.startsWith("data:") && !l.includes("[DONE]")).length;
  return { ttfbMs: ttfb, totalMs: performance.now() - t0, chunks };
}

export function median(values: number[]): number {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return Number.NaN;
  const mid = Math.floor(v.length / 2);
  return v.length % 2 === 1 ? (v[mid] ?? Number.NaN) : ((v[mid - 1] ?? 0) + (v[mid] ?? 0)) / 2;
}

export function percentile(values: number[], p: number): number {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return Number.NaN;
  return v[Math.min(v.length - 1, Math.max(0, Math.ceil((p / 100) * v.length) - 1))] ?? Number.NaN;
}
