/**
 * The system status document (GET /api/status, and the snapshot sent to the HUD).
 * Field names follow the original ReliaKit `get_system_status()` (snake_case).
 */
import { z } from "zod";
import { TargetKind } from "../config/target.ts";
import { HealthPolicySchema } from "../config/target.ts";
import { ProbeClass, TargetStatus } from "../health/types.ts";

export const TargetStatusDoc = z.object({
  name: z.string(),
  kind: TargetKind,
  /** The URL with nothing secret in it (URLs never carry credentials). */
  url: z.string(),
  priority: z.number(),
  status: TargetStatus,
  status_since: z.string(),
  recent_success_rate: z.number().nullable(),
  avg_latency_ms: z.number().nullable(),
  last_latency_ms: z.number().nullable(),
  consecutive_failures: z.number(),
  consecutive_successes: z.number(),
  total_checks: z.number(),
  total_failures: z.number(),
  last_check: z.string().nullable(),
  next_check: z.string().nullable(),
  last_error: z.string().nullable(),
  last_classification: ProbeClass.nullable(),
  node_id: z.string().nullable(),
  uptime_1h: z.number().nullable(),
  uptime_24h: z.number().nullable(),
  drained: z.boolean(),
  enabled: z.boolean(),
  models: z.record(z.string(), z.string()),
  policy: HealthPolicySchema,
});
export type TargetStatusDoc = z.infer<typeof TargetStatusDoc>;

export const SystemStatus = z.object({
  manager: z.object({
    running: z.boolean(),
    auto_recovery: z.boolean(),
    targets: z.number(),
    check_interval_s: z.number(),
    started_at: z.string().nullable(),
    last_round_at: z.string().nullable(),
    pinned_to_cloud: z.boolean(),
    last_event_id: z.number(),
  }),
  targets: z.record(z.string(), TargetStatusDoc),
});
export type SystemStatus = z.infer<typeof SystemStatus>;

/** One check, as kept in the bounded history (for latency and success-rate charts). */
export const CheckSample = z.object({
  target: z.string(),
  /** epoch ms */
  at: z.number(),
  ok: z.boolean(),
  classification: ProbeClass,
  latencyMs: z.number().nullable(),
});
export type CheckSample = z.infer<typeof CheckSample>;

/** Usage totals for one key (upstream, model or client key) over a period. */
export const UsageRow = z.object({
  dimension: z.enum(["upstream", "model", "client"]),
  key: z.string(),
  /** Start of the hour bucket (epoch ms). */
  bucket: z.number(),
  requests: z.number(),
  errors: z.number(),
  promptTokens: z.number(),
  completionTokens: z.number(),
  costUsd: z.number(),
});
export type UsageRow = z.infer<typeof UsageRow>;
