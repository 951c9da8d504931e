/**
 * The shapes of the admin API's answers (docs/api.md) that the HUD reads. Lenient
 * where the page only needs a confirmation, strict where it renders the data.
 */
import { z } from "zod";
import { ProbeClass, TargetStatus } from "@exo-bridge/core/health/types";
import { MonitorEvent } from "@exo-bridge/core/protocol/events";
import { UsageRow } from "@exo-bridge/core/protocol/status";

export const ProbeSummary = z.object({
  classification: ProbeClass,
  latency_ms: z.number().nullable(),
  error: z.string().nullable().optional(),
  status: TargetStatus,
});
export type ProbeSummary = z.infer<typeof ProbeSummary>;

export const CheckAllAnswer = z.object({ results: z.record(z.string(), ProbeSummary) });
export const CheckOneAnswer = z.object({ result: ProbeSummary });
export const EventsAnswer = z.object({ events: z.array(MonitorEvent), last_event_id: z.number(), truncated: z.boolean() });
export const UsageAnswer = z.object({ rows: z.array(UsageRow), totals: z.unknown().optional() });
export const AutoRecoveryAnswer = z.object({ auto_recovery: z.boolean() });
export const PinAnswer = z.object({ pinned_to_cloud: z.boolean() });
export const DrainAnswer = z.object({ target: z.string(), drained: z.boolean() });
export const TargetAnswer = z.object({ target: z.looseObject({ name: z.string() }) });
export const RemovedAnswer = z.object({ removed: z.string() });
export const RunningAnswer = z.object({ running: z.boolean() });
export const AnyObject = z.looseObject({});
