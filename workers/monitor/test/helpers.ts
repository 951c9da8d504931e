/** Shared helpers for the monitor tests: fresh hubs, admin calls, sim chaos. */
import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { z } from "zod";

export const TOKEN = "test-admin-token";
const TestEnv = z.object({ SIM_CONTROL_URL: z.string() }).loose();

export function controlUrl(): string {
  return TestEnv.parse(env).SIM_CONTROL_URL;
}

function newStub() {
  return env.HUB.get(env.HUB.idFromName(`test-${crypto.randomUUID()}`));
}
export type Hub = ReturnType<typeof newStub>;


/**
 * A hub of its own (own storage), seeded from TARGETS like the real one, but
 * quiet: its schedule is pushed out so that no real alarm fires mid-test. Tests
 * drive rounds with forced checks, or `makeDue` + `runDurableObjectAlarm`.
 */
export async function freshHub(): Promise<Hub> {
  const hub = newStub();
  const far = Date.now() + 30 * 86_400_000;
  await runInDurableObject(hub, async (_instance, state) => {
    state.storage.sql.exec("UPDATE targets SET next_check = ?", far);
    await state.storage.setAlarm(far);
  });
  return hub;
}

export async function api(
  hub: Hub,
  method: string,
  path: string,
  opts: { body?: unknown; raw?: string; token?: string | null; contentType?: string } = {},
): Promise<{ status: number; json: unknown }> {
  const headers: Record<string, string> = {};
  const token = opts.token === undefined ? TOKEN : opts.token;
  if (token !== null) headers["authorization"] = `Bearer ${token}`;
  let body: string | undefined;
  if (opts.raw !== undefined) body = opts.raw;
  else if (opts.body !== undefined) body = JSON.stringify(opts.body);
  if (body !== undefined) headers["content-type"] = opts.contentType ?? "application/json";
  const res = await hub.fetch(`https://monitor.test${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.status, json };
}

const Summary = z.object({ classification: z.string(), latency_ms: z.number().nullable(), error: z.string().nullable(), status: z.string(), ttft_ms: z.number().nullable() });
export type Summary = z.infer<typeof Summary>;

/** A forced probe of one target through the admin API. */
export async function check(hub: Hub, name: string): Promise<Summary> {
  const res = await api(hub, "POST", `/api/check/${name}`);
  if (res.status !== 200) throw new Error(`check ${name}: ${res.status} ${JSON.stringify(res.json)}`);
  return z.object({ result: Summary }).parse(res.json).result;
}

export async function chaos(target: string, fault: string, ...args: (string | number)[]): Promise<void> {
  const res = await fetch(`${controlUrl()}/chaos`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ target, fault, args }),
    signal: AbortSignal.timeout(10_000),
  });
  if (!res.ok) throw new Error(`chaos ${target} ${fault}: ${res.status} ${await res.text()}`);
}

export async function resetSim(): Promise<void> {
  const res = await fetch(`${controlUrl()}/reset`, { method: "POST", signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`sim reset: ${res.status}`);
}

/** Makes every target's schedule (and synthetic check) due now. */
export async function makeDue(hub: Hub): Promise<void> {
  await runInDurableObject(hub, (_instance, state) => {
    state.storage.sql.exec("UPDATE targets SET next_check = 0, next_synthetic = 0");
  });
}

export async function sql<T extends Record<string, SqlStorageValue>>(hub: Hub, query: string, ...args: SqlStorageValue[]): Promise<T[]> {
  return runInDurableObject(hub, (_instance, state) => state.storage.sql.exec<T>(query, ...args).toArray());
}

export const StatusDoc = z.object({
  manager: z.object({ running: z.boolean(), last_event_id: z.number(), auto_recovery: z.boolean() }).loose(),
  targets: z.record(z.string(), z.object({ status: z.string(), total_checks: z.number(), last_classification: z.string().nullable(), node_id: z.string().nullable(), next_check: z.string().nullable() }).loose()),
});

export async function status(hub: Hub): Promise<z.infer<typeof StatusDoc>> {
  const res = await api(hub, "GET", "/api/status");
  return StatusDoc.parse(res.json);
}

export const EventList = z.object({
  events: z.array(z.object({ id: z.number(), type: z.string(), target: z.string().nullable(), message: z.string(), severity: z.string(), data: z.record(z.string(), z.unknown()) })),
  last_event_id: z.number(),
  truncated: z.boolean(),
});

export async function events(hub: Hub, query = ""): Promise<z.infer<typeof EventList>["events"]> {
  const res = await api(hub, "GET", `/api/events?limit=1000${query}`);
  return EventList.parse(res.json).events;
}
