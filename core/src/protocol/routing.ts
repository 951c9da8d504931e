/**
 * What the gateway reads from the monitor (a routing snapshot, cached per isolate)
 * and what it reports back (passive health, usage, failover facts), over the
 * HealthHub Durable Object's RPC methods `routingSnapshot()` and `report(batch)`.
 */
import { z } from "zod";
import { Pricing, SecretRefs, TargetKind } from "../config/target.ts";
import { ProbeClass, TargetStatus } from "../health/types.ts";

export const RoutingTarget = z.object({
  name: z.string(),
  kind: TargetKind,
  url: z.string(),
  priority: z.number(),
  status: TargetStatus,
  /** When the current status was entered (epoch ms): ramps traffic to recovering targets. */
  since: z.number(),
  drained: z.boolean(),
  enabled: z.boolean(),
  /** Smoothed probe latency, for load balancing. */
  latencyMs: z.number().nullable(),
  models: z.record(z.string(), z.string()),
  api: z.enum(["v1", "legacy"]),
  pricing: Pricing.nullable(),
  /** Secret names (never values) resolved against the gateway's own env. */
  secrets: SecretRefs.required(),
  /** Time-to-first-token budget for requests to this target. */
  ttftBudgetMs: z.number(),
});
export type RoutingTarget = z.infer<typeof RoutingTarget>;

export const RoutingSnapshot = z.object({
  /** Increases with every change the monitor makes; lets the gateway skip work. */
  version: z.number(),
  generatedAt: z.number(),
  autoRecovery: z.boolean(),
  running: z.boolean(),
  /** Operator override: send everything to cloud providers. */
  pinnedToCloud: z.boolean(),
  targets: z.array(RoutingTarget),
  /** Cloud spend in the current cap period, for the optional spending cap. */
  spend: z.object({ periodStart: z.number(), costUsd: z.number(), tokens: z.number() }),
});
export type RoutingSnapshot = z.infer<typeof RoutingSnapshot>;

/** One observation from live traffic. */
export const PassiveObservation = z.object({
  kind: z.literal("observation"),
  target: z.string(),
  at: z.number(),
  classification: ProbeClass,
  latencyMs: z.number().nullable(),
  error: z.string().max(500).optional(),
  httpStatus: z.number().int().optional(),
});

/** Usage of one served request. */
export const UsageReport = z.object({
  kind: z.literal("usage"),
  at: z.number(),
  upstream: z.string(),
  model: z.string(),
  /** A short, non-secret id of the client key (a prefix of its hash). */
  client: z.string(),
  promptTokens: z.number().int().min(0),
  completionTokens: z.number().int().min(0),
  costUsd: z.number().min(0),
  ok: z.boolean(),
  /** Requests this report sums up (the gateway merges a flush window's usage by key). */
  requests: z.number().int().min(1).max(1_000_000).default(1),
});

/** A fact the gateway wants recorded as an event. */
export const GatewayFact = z.object({
  kind: z.literal("fact"),
  at: z.number(),
  type: z.enum(["exo_failover", "cloud_provider_failure", "provider_key_state", "spend_cap_reached", "stream_failed"]),
  target: z.string().nullable(),
  message: z.string().max(500),
  data: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
});

export const GatewayReport = z.discriminatedUnion("kind", [PassiveObservation, UsageReport, GatewayFact]);
export type GatewayReport = z.infer<typeof GatewayReport>;
export const GatewayReportBatch = z.array(GatewayReport).max(1000);
