/**
 * Probing one target, layer by layer (exo-api.md §4): liveness (`/node_id`, legacy
 * `/healthcheck`), readiness per configured model (`/ollama/api/ps`), and when due
 * a synthetic streamed completion; cloud targets answer `GET /v1/models` with a key.
 * The first failing layer decides the result. Never throws.
 */
import { effectivePolicy, type TargetConfig } from "@exo-bridge/core/config/target";
import { classifyFetchError, classifyResponse, missingModels, parseLiveness, parseNodeId, parsePsModels } from "@exo-bridge/core/health/classify";
import { sanitizeError } from "@exo-bridge/core/health/redact";
import type { ProbeClass, ProbeResult } from "@exo-bridge/core/health/types";
import { targetHeaders, targetSecretValues } from "./headers.ts";
import { probeFetch, type HttpOutcome } from "./http.ts";
import { runSynthetic } from "./synthetic.ts";

export interface ProbeOptions {
  /** Run the synthetic completion in this probe. */
  synthetic: boolean;
}

export interface ProbeRun {
  result: ProbeResult;
  /** Whether a synthetic completion ran (its schedule then advances). */
  syntheticRan: boolean;
}

function scrub(text: string, secrets: string[]): string {
  let out = text;
  for (const s of secrets) if (s.length > 0) out = out.split(s).join("[redacted]");
  return sanitizeError(out);
}

function fromOutcome(outcome: HttpOutcome, at: number, secrets: string[]): ProbeResult {
  if (outcome.kind === "error") {
    const c = classifyFetchError({ message: outcome.message, timedOut: outcome.timedOut });
    return { at, classification: c.classification, latencyMs: null, error: scrub(c.error, secrets), source: "probe" };
  }
  const c = classifyResponse({ status: outcome.status, location: outcome.location, body: outcome.body });
  const result: ProbeResult = { at, classification: c.classification, latencyMs: outcome.latencyMs, httpStatus: outcome.status, source: "probe" };
  if (c.error !== null) result.error = scrub(c.error, secrets);
  return result;
}

function failed(c: ProbeClass): boolean {
  return c !== "ok" && c !== "slow";
}

export async function probeTarget(env: Env, config: TargetConfig, opts: ProbeOptions): Promise<ProbeRun> {
  const policy = effectivePolicy(config);
  const headers = targetHeaders(env, config);
  const secrets = targetSecretValues(env, config);
  const get = (path: string): Promise<HttpOutcome> => probeFetch({ url: `${config.url}${path}`, headers, timeoutMs: policy.timeoutMs });

  if (config.kind === "cloud") {
    const outcome = await get("/v1/models");
    return { result: fromOutcome(outcome, Date.now(), secrets), syntheticRan: false };
  }

  // L1 liveness.
  const live = await get(config.api === "v1" ? "/node_id" : "/healthcheck");
  const liveness = fromOutcome(live, Date.now(), secrets);
  if (failed(liveness.classification) || live.kind !== "response") return { result: liveness, syntheticRan: false };
  if (config.api === "v1") {
    const nodeId = parseNodeId(live.body);
    if (nodeId === null) {
      return { result: { ...liveness, classification: "malformed", error: "/node_id did not return a node id" }, syntheticRan: false };
    }
    liveness.nodeId = nodeId;
  } else {
    // A v1 node answers /healthcheck with its dashboard page: only {"status":"ok"} is alive.
    const legacy = parseLiveness(live.body);
    if (!legacy.ok) return { result: { ...liveness, classification: "malformed", error: scrub(legacy.error, secrets) }, syntheticRan: false };
  }

  // L3 readiness per configured model (legacy Exo has no /ollama/api/ps).
  const wanted = [...new Set(Object.values(config.models))];
  if (config.api === "v1" && wanted.length > 0) {
    const ps = await get("/ollama/api/ps");
    const psResult = fromOutcome(ps, Date.now(), secrets);
    if (failed(psResult.classification) || ps.kind !== "response") return { result: { ...psResult, nodeId: liveness.nodeId }, syntheticRan: false };
    const loaded = parsePsModels(ps.body);
    if (loaded === null) {
      return { result: { ...liveness, classification: "malformed", error: "/ollama/api/ps did not list models" }, syntheticRan: false };
    }
    const missing = missingModels(wanted, loaded);
    if (missing.length > 0) {
      return {
        result: { ...liveness, at: Date.now(), classification: "no_instance", missingModels: missing, error: `no instance for ${missing.join(", ")}` },
        syntheticRan: false,
      };
    }
  }

  // L4 synthetic completion, sparingly.
  const model = wanted[0];
  if (!opts.synthetic || model === undefined) return { result: liveness, syntheticRan: false };
  const syn = await runSynthetic({
    url: config.url,
    model,
    headers,
    ttftBudgetMs: policy.ttftBudgetMs,
    timeoutMs: policy.timeoutMs,
    legacy: config.api === "legacy",
  });
  if (syn.kind === "http") return { result: { ...fromOutcome(syn.outcome, Date.now(), secrets), nodeId: liveness.nodeId }, syntheticRan: true };
  const result: ProbeResult = { ...liveness, at: Date.now() };
  if (syn.ttftMs !== null) result.ttftMs = syn.ttftMs;
  if (syn.classification !== "ok") {
    result.classification = syn.classification;
    result.error = scrub(syn.error ?? syn.classification, secrets);
  }
  return { result, syntheticRan: true };
}
