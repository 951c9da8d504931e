/**
 * The gateway's HTTP surface: the OpenAI-compatible API under /v1, the admin API
 * and live events under /api (forwarded untouched to the monitor's Durable
 * Object), and /healthz. Every error leaves through `onError` in one envelope.
 */
import { Hono } from "hono";
import { openAiError } from "@exo-bridge/core/openai/errors";
import { ENDPOINTS, type EndpointKind } from "@exo-bridge/core/openai/schemas";
import { authenticate, clientLimits, type Client } from "./client-auth.ts";
import { configResult, gatewayConfig } from "./config.ts";
import { counters, isolateUptimeMs } from "./counters.ts";
import { GatewayError, errorResponse } from "./http-error.ts";
import { HUB_NAME } from "@exo-bridge/core/protocol/hub";
import { snapshots } from "./hub.ts";
import { penalties } from "./proxy-context.ts";
import { providerKeys } from "./provider-keys.ts";
import { proxy } from "./proxy.ts";
import { readJsonBody } from "./read-body.ts";
import { reporter } from "./reporter.ts";

type AppEnv = { Bindings: Env; Variables: { client: Client } };

export const app = new Hono<AppEnv>();

app.onError((err, c) => {
  if (err instanceof GatewayError) return errorResponse(err);
  // Unknown errors may carry internals (URLs, stack traces): say nothing specific.
  console.error("gateway: unexpected error", err instanceof Error ? err.name : typeof err);
  return c.json(openAiError(500, "The gateway failed to handle this request.", "internal_error"), 500);
});

app.notFound((c) => c.json(openAiError(404, `No route for ${c.req.method} ${new URL(c.req.url).pathname}.`, "route_not_found"), 404));

app.get("/healthz", (c) => {
  const now = Date.now();
  const cfg = configResult(c.env);
  const snap = snapshots.snapshot;
  const secrets = new Set((snap?.targets ?? []).filter((t) => t.kind === "cloud").map((t) => t.secrets.apiKeys));
  return c.json({
    ok: cfg.ok,
    config_errors: cfg.ok ? [] : cfg.errors,
    isolate: {
      uptime_ms: isolateUptimeMs(now),
      requests: counters.requests,
      do_calls: counters.snapshotCalls + counters.reportCalls + counters.apiForwards,
      snapshot_calls: counters.snapshotCalls,
      report_calls: counters.reportCalls,
      api_forwards: counters.apiForwards,
      upstream_attempts: counters.upstreamAttempts,
      failovers: counters.failovers,
      stream_failures: counters.streamFailures,
      reports_queued: reporter.queued,
      reports_dropped: counters.reportsDropped,
    },
    snapshot: { version: snap?.version ?? null, age_ms: snapshots.ageMs(now), last_error: snapshots.lastError },
    penalties: penalties.active(now),
    provider_keys: providerKeys.summary(c.env, secrets, now),
  });
});

// The admin API and its WebSocket live in the monitor's Durable Object; forward as-is.
app.all("/api/*", (c) => hubFetch(c.env, c.req.raw));

const v1 = new Hono<AppEnv>();

v1.use("*", async (c, next) => {
  counters.requests++;
  isolateUptimeMs(Date.now());
  const config = gatewayConfig(c.env);
  const client = await authenticate(c.req.raw, config);
  clientLimits.check(client, config, Date.now());
  c.set("client", client);
  await next();
});

v1.get("/models", async (c) => {
  const snap = await snapshots.get(c.env, c.executionCtx, gatewayConfig(c.env));
  return c.json({ object: "list", data: aliases(snap.targets).map(modelEntry) });
});

v1.get("/models/:id{.+}", async (c) => {
  const snap = await snapshots.get(c.env, c.executionCtx, gatewayConfig(c.env));
  const id = c.req.param("id");
  if (!aliases(snap.targets).includes(id)) throw new GatewayError(404, `The model '${id}' does not exist.`, { code: "model_not_found", param: "model" });
  return c.json(modelEntry(id));
});

for (const kind of Object.keys(ENDPOINTS) as EndpointKind[]) {
  v1.post(ENDPOINTS[kind].path.replace(/^\/v1/, ""), async (c) => {
    const config = gatewayConfig(c.env);
    const body: Record<string, unknown> = await readJsonBody(c.req.raw, ENDPOINTS[kind].schema, config.maxBodyBytes);
    const alias = String(body["model"]);
    const snapshot = await snapshots.get(c.env, c.executionCtx, config);
    if (!aliases(snapshot.targets).includes(alias)) {
      throw new GatewayError(404, `The model '${alias}' does not exist or is not served by this gateway.`, { code: "model_not_found", param: "model" });
    }
    const client = c.get("client");
    const stream = kind !== "embeddings" && body["stream"] === true;
    const options = body["stream_options"];
    const includeUsage = typeof options === "object" && options !== null && (options as Record<string, unknown>)["include_usage"] === true;
    try {
      return await proxy({ env: c.env, ctx: c.executionCtx, config, client, snapshot, endpoint: kind, alias, body, stream, includeUsage });
    } finally {
      reporter.schedule(c.env, c.executionCtx, config);
    }
  });
}

app.route("/v1", v1);

/** Aliases any enabled target serves, sorted: what /v1/models lists and what requests may name. */
function aliases(targets: Array<{ enabled: boolean; models: Record<string, string> }>): string[] {
  let list = aliasCache.get(targets);
  if (list === undefined) {
    list = [...new Set(targets.filter((t) => t.enabled).flatMap((t) => Object.keys(t.models)))].sort();
    aliasCache.set(targets, list);
  }
  return list;
}
/** Computed once per routing snapshot rather than once per request. */
const aliasCache = new WeakMap<object, string[]>();

function modelEntry(id: string): { id: string; object: "model"; created: number; owned_by: string } {
  return { id, object: "model", created: 0, owned_by: "exo-bridge" };
}

function hubFetch(env: Env, request: Request): Promise<Response> {
  counters.apiForwards++;
  return env.HUB.get(env.HUB.idFromName(HUB_NAME)).fetch(request);
}
