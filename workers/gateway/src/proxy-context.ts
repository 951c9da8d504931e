/**
 * What one proxied request carries through its attempts, and the bookkeeping
 * every attempt ends with: passive-health observations, usage and cost, the
 * client's token budget, the routing penalty box and latency EWMA.
 */
import type { EndpointKind, Usage } from "@exo-bridge/core/openai/schemas";
import type { ProbeClass } from "@exo-bridge/core/health/types";
import type { RoutingSnapshot, RoutingTarget } from "@exo-bridge/core/protocol/routing";
import type { GatewayConfig } from "@exo-bridge/core/routing/gateway-config";
import { LatencyTracker } from "@exo-bridge/core/routing/latency";
import { PenaltyBox } from "@exo-bridge/core/routing/penalty-box";
import { clientLimits, type Client } from "./client-auth.ts";
import type { PickedKey } from "./provider-keys.ts";
import { reporter } from "./reporter.ts";
import type { AttemptFailure } from "./upstream.ts";

export interface ProxyContext {
  env: Env;
  ctx: Pick<ExecutionContext, "waitUntil">;
  config: GatewayConfig;
  client: Client;
  snapshot: RoutingSnapshot;
  endpoint: EndpointKind;
  /** The model alias the client asked for; responses name it, never the upstream's id. */
  alias: string;
  body: Record<string, unknown>;
  stream: boolean;
  /** The client asked for a usage chunk at the end of the stream. */
  includeUsage: boolean;
}

export interface Attempt {
  target: RoutingTarget;
  key: PickedKey | null;
  /** 1-based, across targets and key rotations. */
  number: number;
  /** Headers every successful answer carries. */
  headers: Record<string, string>;
}

export type AttemptOutcome = { ok: true; response: Response } | { ok: false; failure: AttemptFailure };

/** Per-isolate routing memory fed by live traffic. */
export const penalties = new PenaltyBox();
export const latencies = new LatencyTracker();

export function observe(target: string, classification: ProbeClass, latencyMs: number | null, extra: { error?: string; httpStatus?: number } = {}): void {
  reporter.add({ kind: "observation", target, at: Date.now(), classification, latencyMs, ...extra });
}

/** Usage and cost of one served request (also on failure: tokens may have been generated). */
export function recordUsage(p: ProxyContext, target: RoutingTarget, usage: Usage | null, ok: boolean): void {
  const promptTokens = usage?.prompt_tokens ?? 0;
  const completionTokens = usage?.completion_tokens ?? 0;
  const pricing = target.pricing;
  const costUsd = pricing === null ? 0 : (promptTokens * pricing.inputPerMTok + completionTokens * pricing.outputPerMTok) / 1_000_000;
  const now = Date.now();
  clientLimits.addTokens(p.client, promptTokens + completionTokens, now);
  reporter.add({ kind: "usage", at: now, upstream: target.name, model: p.alias, client: p.client.id, promptTokens, completionTokens, costUsd, ok, requests: 1 });
}

/** A stream that failed after bytes reached the client: the client was told; the monitor hears of it. */
export function recordStreamFailure(p: ProxyContext, attempt: Attempt, failure: AttemptFailure): void {
  observe(attempt.target.name, failure.classification, failure.latencyMs, { error: failure.message });
  penalties.penalize(attempt.target.name, Date.now() + p.config.penaltyMs, failure.classification);
  reporter.fact({
    at: Date.now(),
    type: "stream_failed",
    target: attempt.target.name,
    message: `A stream from ${attempt.target.name} failed after it started: ${failure.message}`.slice(0, 500),
    data: { classification: failure.classification, model: p.alias },
  }, `stream_failed:${attempt.target.name}:${failure.classification}`);
}
