/**
 * The admin API (docs/api.md), served by the HealthHub's fetch. Bearer ADMIN_TOKEN
 * on every route, one error envelope, strict bodies and queries; the WebSocket
 * upgrade itself is handled by the hub (its auth is the `hello` message).
 */
import { TARGET_NAME, TargetConfigSchema, TargetPatchSchema } from "@exo-bridge/core/config/target";
import { EventType } from "@exo-bridge/core/protocol/events";
import { Hono } from "hono";
import { z } from "zod";
import { addTarget, patchTarget, removeTarget, setAutoRecovery, setDrained, setPinned, setRunning, setTargetMaintenance } from "../admin.ts";
import type { HubCore } from "../hub-core.ts";
import { runRound } from "../rounds.ts";
import { listChecks } from "../store/checks.ts";
import { lastEventId, listRecovery, queryEvents, wasTruncated } from "../store/log.ts";
import { getTarget, listTargets } from "../store/targets.ts";
import { listUsage } from "../store/usage.ts";
import { bearerToken, tokenMatches } from "./auth.ts";
import { readBody } from "./body.ts";
import { ApiError, notFoundTarget } from "./errors.ts";

const Flag = <K extends string>(key: K) => z.object({ [key]: z.boolean() } as Record<K, z.ZodBoolean>).strict();

const IntParam = (name: string, min: number, max: number) =>
  z
    .string()
    .regex(/^\d{1,16}$/, `${name} must be a non-negative integer`)
    .transform(Number)
    .pipe(z.number().int().min(min, `${name} must be at least ${min}`).max(max, `${name} must be at most ${max}`));

function query<S extends z.ZodType>(schema: S, raw: Record<string, string>): z.infer<S> {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const param = issue === undefined ? null : issue.path.map(String).join(".") || null;
  const what = issue?.code === "unrecognized_keys" ? `unknown parameter(s): ${issue.keys.join(", ")}` : (issue?.message ?? "invalid query");
  throw new ApiError(400, param === null ? what : `${param}: ${what}`, "invalid_query", param);
}

function targetName(hub: HubCore, raw: string): string {
  if (!TARGET_NAME.test(raw)) throw new ApiError(400, "target names match [a-z0-9_-]{1,64}", "invalid_target_name", "name");
  if (getTarget(hub.sql, raw) === null) throw notFoundTarget(raw);
  return raw;
}

function knownOrHistoric(hub: HubCore, raw: string): string {
  if (TARGET_NAME.test(raw) && hub.sql.exec("SELECT 1 FROM events WHERE target = ? LIMIT 1", raw).toArray().length > 0) return raw;
  return targetName(hub, raw);
}

export function createAdminApp(hub: HubCore) {
  const app = new Hono();

  app.onError((err, c) => {
    if (err instanceof ApiError) return c.json(err.body(), err.status);
    console.error("exo-bridge-monitor: admin API error", err instanceof Error ? err.message : String(err));
    return c.json(new ApiError(500, "internal error", "internal_error").body(), 500);
  });
  app.notFound((c) => c.json(new ApiError(404, `no route ${c.req.method} ${new URL(c.req.url).pathname}`, "route_not_found").body(), 404));

  app.use("/api/*", async (c, next) => {
    const expected = hub.config.adminToken;
    if (expected === null) {
      throw new ApiError(503, "the admin API is disabled until the ADMIN_TOKEN secret is set", "admin_token_unset");
    }
    const given = bearerToken(c.req.header("authorization") ?? null);
    if (given === null || !(await tokenMatches(given, expected))) {
      throw new ApiError(401, "missing or wrong bearer token", "invalid_admin_token");
    }
    await next();
  });

  app.get("/api/status", (c) => c.json(hub.status()));

  app.get("/api/metrics", (c) =>
    c.json({
      counters: { ...hub.counters, since: new Date(hub.counters.since).toISOString() },
      database_bytes: hub.sql.databaseSize,
      routing_version: hub.meta().version,
    }),
  );

  app.get("/api/targets", (c) => c.json({ targets: listTargets(hub.sql).map((r) => r.config) }));

  app.post("/api/targets", async (c) => {
    const config = await readBody(c.req.raw, TargetConfigSchema);
    return c.json({ target: await addTarget(hub, config) }, 201);
  });

  app.patch("/api/targets/:name", async (c) => {
    const name = targetName(hub, c.req.param("name"));
    const patch = await readBody(c.req.raw, TargetPatchSchema);
    return c.json({ target: await patchTarget(hub, name, patch) });
  });

  app.delete("/api/targets/:name", async (c) => {
    const name = targetName(hub, c.req.param("name"));
    await removeTarget(hub, name);
    return c.json({ removed: name });
  });

  app.post("/api/targets/:name/drain", async (c) => {
    const name = targetName(hub, c.req.param("name"));
    const { drained } = await readBody(c.req.raw, Flag("drained"));
    setDrained(hub, name, drained);
    return c.json({ target: name, drained });
  });

  app.post("/api/targets/:name/maintenance", async (c) => {
    const name = targetName(hub, c.req.param("name"));
    const { enabled } = await readBody(c.req.raw, Flag("enabled"));
    const rec = setTargetMaintenance(hub, name, enabled);
    return c.json({ target: name, status: rec.health.status });
  });

  app.post("/api/check", async (c) => c.json({ results: (await runRound(hub, { force: true })).results }));

  app.post("/api/check/:name", async (c) => {
    const name = targetName(hub, c.req.param("name"));
    const { results } = await runRound(hub, { force: true, only: name });
    const result = results[name];
    if (result === undefined) throw new ApiError(409, `a probe of ${name} is already in flight`, "probe_in_flight", "name");
    return c.json({ result });
  });

  app.get("/api/events", (c) => {
    const q = query(
      z
        .object({
          since: z.string().max(64).optional(),
          limit: IntParam("limit", 1, 1000).optional(),
          type: EventType.optional(),
          target: z.string().optional(),
        })
        .strict(),
      c.req.query(),
    );
    // A removed target's history stays queryable: only a name never seen is unknown.
    const target = q.target === undefined ? undefined : knownOrHistoric(hub, q.target);
    let afterId: number | undefined;
    let sinceTs: string | undefined;
    if (q.since !== undefined) {
      if (/^\d{1,16}$/.test(q.since)) afterId = Number(q.since);
      else {
        const t = Date.parse(q.since);
        if (!/^\d{4}-\d{2}-\d{2}T/.test(q.since) || Number.isNaN(t)) {
          throw new ApiError(400, "since must be an event id or an ISO 8601 time", "invalid_query", "since");
        }
        sinceTs = new Date(t).toISOString();
      }
    }
    const events = queryEvents(hub.sql, {
      limit: q.limit ?? 100,
      ...(afterId === undefined ? {} : { afterId }),
      ...(sinceTs === undefined ? {} : { sinceTs }),
      ...(q.type === undefined ? {} : { type: q.type }),
      ...(target === undefined ? {} : { target }),
    });
    return c.json({ events, last_event_id: lastEventId(hub.sql), truncated: afterId === undefined ? false : wasTruncated(hub.sql, afterId) });
  });

  app.get("/api/recovery", (c) => {
    const q = query(z.object({ limit: IntParam("limit", 1, 1000).optional() }).strict(), c.req.query());
    return c.json({ actions: listRecovery(hub.sql, q.limit ?? 100) });
  });

  app.get("/api/checks", (c) => {
    const q = query(z.object({ target: z.string().optional(), since: IntParam("since", 0, 8.64e15).optional() }).strict(), c.req.query());
    const target = q.target === undefined ? undefined : targetName(hub, q.target);
    const since = q.since ?? Date.now() - 3_600_000;
    return c.json({ checks: listChecks(hub.sql, { since, limit: 10_000, ...(target === undefined ? {} : { target }) }) });
  });

  app.get("/api/usage", (c) => {
    const q = query(z.object({ since: IntParam("since", 0, 8.64e15).optional() }).strict(), c.req.query());
    const rows = listUsage(hub.sql, q.since ?? Date.now() - 86_400_000);
    const totals = { requests: 0, errors: 0, promptTokens: 0, completionTokens: 0, costUsd: 0 };
    for (const r of rows) {
      if (r.dimension !== "upstream") continue;
      totals.requests += r.requests;
      totals.errors += r.errors;
      totals.promptTokens += r.promptTokens;
      totals.completionTokens += r.completionTokens;
      totals.costUsd += r.costUsd;
    }
    return c.json({ rows, totals });
  });

  app.post("/api/auto-recovery", async (c) => {
    const { enabled } = await readBody(c.req.raw, Flag("enabled"));
    setAutoRecovery(hub, enabled);
    return c.json({ auto_recovery: enabled });
  });

  app.post("/api/routing/pin", async (c) => {
    const { pinned } = await readBody(c.req.raw, Flag("pinned"));
    setPinned(hub, pinned);
    return c.json({ pinned_to_cloud: pinned });
  });

  app.post("/api/manager/start", async (c) => {
    await setRunning(hub, true);
    return c.json({ running: true });
  });

  app.post("/api/manager/stop", async (c) => {
    await setRunning(hub, false);
    return c.json({ running: false });
  });

  // Reached only without an upgrade header (the hub accepts real upgrades before routing).
  app.get("/api/events/ws", () => {
    throw new ApiError(400, "this route expects a WebSocket upgrade", "upgrade_required");
  });

  return app;
}
