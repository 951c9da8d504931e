/**
 * Helpers for the gateway's workerd tests: the real `openai` SDK pointed at the
 * Worker, the admin API through the gateway, and the simulated cluster's chaos
 * control API (a real process on 127.0.0.1).
 */
import { env, exports } from "cloudflare:workers";
import OpenAI from "openai";
import { z } from "zod";
import { snapshots } from "../src/hub.ts";
import { penalties } from "../src/proxy-context.ts";

export const ALIAS = "llama-3.2-1b";
export const CLIENT_KEY = "sk-exo-bridge-test";
export const ADMIN_TOKEN = "test-admin-token";
export const CLOUD_KEYS = ["sk-sim-test-key-1", "sk-sim-test-key-2", "sk-sim-test-key-3"];

const TestEnv = z.object({ SIM_CONTROL_URL: z.string().url() });
const testEnv = TestEnv.parse(env);

export function gw(path: string, init?: RequestInit): Promise<Response> {
  return exports.default.fetch(new Request(`http://gateway.test${path}`, init));
}

export function authed(extra: Record<string, string> = {}): Record<string, string> {
  return { authorization: `Bearer ${CLIENT_KEY}`, "content-type": "application/json", ...extra };
}

export function postJson(path: string, body: unknown, headers: Record<string, string> = authed()): Promise<Response> {
  return gw(path, { method: "POST", headers, body: JSON.stringify(body) });
}

export function client(): OpenAI {
  return new OpenAI({
    baseURL: "http://gateway.test/v1",
    apiKey: CLIENT_KEY,
    maxRetries: 0,
    timeout: 20_000,
    fetch: (url, init) => exports.default.fetch(new Request(url, init)),
  });
}

export async function admin(path: string, method = "GET", body?: unknown): Promise<Response> {
  return gw(path, {
    method,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

export async function chaos(target: string, fault: string, ...args: Array<string | number>): Promise<void> {
  const res = await fetch(`${testEnv.SIM_CONTROL_URL}/chaos`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ target, fault, args }),
  });
  if (!res.ok) throw new Error(`chaos ${target} ${fault} failed: ${res.status} ${await res.text()}`);
  await res.body?.cancel();
}

const StatusDoc = z.object({ targets: z.record(z.string(), z.object({ status: z.string() })) });

/**
 * Clear every fault, forget this isolate's penalties, and force monitor rounds
 * until every target is healthy again (passive failures from the previous test
 * may have moved them), then route by that state.
 */
export async function resetWorld(): Promise<void> {
  const res = await fetch(`${testEnv.SIM_CONTROL_URL}/reset`, { method: "POST" });
  await res.body?.cancel();
  for (const name of ["exo_primary", "exo_legacy", "sim_cloud"]) penalties.clear(name);
  for (let round = 0; round < 8; round++) {
    await forceRound();
    const status = StatusDoc.parse(await (await admin("/api/status")).json());
    if (Object.values(status.targets).every((t) => t.status === "healthy")) return;
  }
  throw new Error("targets did not become healthy after 8 forced rounds");
}

/** Force a probe round (POST /api/check) and load the resulting snapshot now. */
export async function forceRound(): Promise<void> {
  const res = await admin("/api/check", "POST");
  if (!res.ok) throw new Error(`POST /api/check failed: ${res.status} ${await res.text()}`);
  await res.body?.cancel();
  await snapshots.refresh(env);
}

export async function setPinned(pinned: boolean): Promise<void> {
  const res = await admin("/api/routing/pin", "POST", { pinned });
  if (!res.ok) throw new Error(`pin failed: ${res.status}`);
  await res.body?.cancel();
  await snapshots.refresh(env);
}

export const Healthz = z.object({
  ok: z.boolean(),
  isolate: z.object({ requests: z.number(), do_calls: z.number(), snapshot_calls: z.number(), report_calls: z.number(), api_forwards: z.number(), failovers: z.number() }),
  snapshot: z.object({ version: z.number().nullable(), age_ms: z.number().nullable() }),
  provider_keys: z.record(z.string(), z.object({ total: z.number(), cooling: z.number(), disabled: z.number() })),
});

export async function healthz(): Promise<z.infer<typeof Healthz>> {
  return Healthz.parse(await (await gw("/healthz")).json());
}

const EventsBody = z.object({ events: z.array(z.object({ id: z.number(), type: z.string(), target: z.string().nullable(), message: z.string(), data: z.record(z.string(), z.unknown()) })) });

/** Events recorded by the monitor, polled until `predicate` holds (bounded). */
export async function waitForEvents(predicate: (events: z.infer<typeof EventsBody>["events"]) => boolean, timeoutMs = 5_000): Promise<z.infer<typeof EventsBody>["events"]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await admin("/api/events?limit=1000");
    const body = EventsBody.parse(await res.json());
    if (predicate(body.events) || Date.now() > deadline) return body.events;
    await scheduler.wait(50);
  }
}

/** Read a raw SSE response body to the end (bounded). */
export async function readAll(res: Response, timeoutMs = 10_000): Promise<string> {
  if (res.body === null) return "";
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let text = "";
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const { done, value } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
  }
  return text;
}
