/**
 * zod schemas for what the control API returns, so that spawn.ts and the chaos CLI
 * parse its answers instead of trusting them. `satisfies` keeps them in step with
 * the TypeScript types the simulators produce.
 */
import { z } from "zod";
import type { Faults } from "./faults.ts";
import type { SimState } from "./simulator.ts";

const HttpOverrideSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("status"), status: z.number(), retryAfterS: z.number().nullable() }),
  z.object({ kind: z.literal("redirect"), team: z.string() }),
]);

export const FaultsSchema = z.object({
  down: z.boolean(),
  slowMs: z.number(),
  hang: z.boolean(),
  http: HttpOverrideSchema.nullable(),
  cutStream: z.object({ afterChunks: z.number() }).nullable(),
  stallStream: z.object({ afterChunks: z.number() }).nullable(),
  errorFrame: z.object({ afterChunks: z.number(), message: z.string() }).nullable(),
  flap: z.object({ periodMs: z.number(), mode: z.enum(["refused", "502"]), since: z.number() }).nullable(),
  electionMs: z.number(),
  noInstance: z.array(z.string()),
  rateLimitKeys: z.array(z.string()),
  revokedKeys: z.array(z.string()),
}) satisfies z.ZodType<Faults>;

export const SimStateSchema = z.object({
  name: z.string(),
  kind: z.enum(["exo", "cloud"]),
  url: z.string(),
  port: z.number(),
  listening: z.boolean(),
  faults: FaultsSchema,
  requests: z.object({ total: z.number(), byRoute: z.record(z.string(), z.number()) }),
  api: z.enum(["v1", "legacy"]).optional(),
  nodeId: z.string().optional(),
  instances: z.array(z.object({ modelId: z.string(), instanceId: z.string(), ready: z.boolean() })).optional(),
  requestsByKey: z.record(z.string(), z.number()).optional(),
}) satisfies z.ZodType<SimState>;

export const ControlStateSchema = z.object({ targets: z.record(z.string(), SimStateSchema) });
export type ControlState = z.infer<typeof ControlStateSchema>;

export const ControlErrorSchema = z.object({ error: z.string() });
