/**
 * A monitored target: an Exo node (or the tunnel in front of a cluster) or an
 * OpenAI-compatible cloud provider. Parsed from the monitor's TARGETS variable and
 * from the admin API; stored as JSON in the Durable Object.
 */
import { z } from "zod";

export const TARGET_NAME = /^[a-z0-9_-]{1,64}$/;

/** An absolute http(s) URL without credentials, query or fragment. */
export const TargetUrl = z
  .string()
  .max(2048)
  .superRefine((raw, ctx) => {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      ctx.addIssue({ code: "custom", message: "must be an absolute URL" });
      return;
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      ctx.addIssue({ code: "custom", message: "must use http or https" });
    }
    if (url.username !== "" || url.password !== "") {
      ctx.addIssue({ code: "custom", message: "must not carry credentials; use secrets instead" });
    }
    if (url.search !== "" || url.hash !== "") {
      ctx.addIssue({ code: "custom", message: "must not have a query or fragment" });
    }
  })
  .transform((raw) => raw.replace(/\/+$/, ""));

/** Health policy knobs, each overridable per target. */
export const HealthPolicySchema = z
  .object({
    /** Seconds between liveness probes. */
    intervalS: z.number().int().min(1).max(3600),
    /** Per-probe timeout. */
    timeoutMs: z.number().int().min(100).max(60_000),
    /** Consecutive failures before a target is offline. */
    failureThreshold: z.number().int().min(1).max(100),
    /** Consecutive successes before an offline target is healthy again. */
    recoveryThreshold: z.number().int().min(1).max(100),
    /** A successful probe slower than this counts as slow. */
    degradedLatencyMs: z.number().int().min(1).max(120_000),
    /** Consecutive slow probes before a healthy target is degraded (one slow sample is noise). */
    slowThreshold: z.number().int().min(1).max(100),
    /** Seconds between synthetic one-token streamed completions (0 = never). */
    syntheticIntervalS: z.number().int().min(0).max(86_400),
    /** Time-to-first-token budget for the synthetic completion. */
    ttftBudgetMs: z.number().int().min(100).max(600_000),
  })
  .strict();
export type HealthPolicy = z.infer<typeof HealthPolicySchema>;

export const DEFAULT_POLICY: HealthPolicy = {
  intervalS: 10,
  timeoutMs: 5_000,
  failureThreshold: 3,
  recoveryThreshold: 2,
  degradedLatencyMs: 2_000,
  slowThreshold: 2,
  syntheticIntervalS: 300,
  ttftBudgetMs: 30_000,
};

export const TargetKind = z.enum(["exo", "cloud"]);
export type TargetKind = z.infer<typeof TargetKind>;

export const Pricing = z
  .object({
    /** USD per million prompt tokens. */
    inputPerMTok: z.number().min(0).max(10_000),
    /** USD per million completion tokens. */
    outputPerMTok: z.number().min(0).max(10_000),
  })
  .strict();
export type Pricing = z.infer<typeof Pricing>;

/**
 * Names of the Worker secrets (never their values) that a target uses. Defaults:
 * Exo targets use ACCESS_CLIENT_ID / ACCESS_CLIENT_SECRET when set; cloud targets
 * use `<NAME>_API_KEYS` (comma-separated, rotated).
 */
export const SecretRefs = z
  .object({
    apiKeys: z.string().regex(/^[A-Z0-9_]{1,128}$/).optional(),
    accessClientId: z.string().regex(/^[A-Z0-9_]{1,128}$/).optional(),
    accessClientSecret: z.string().regex(/^[A-Z0-9_]{1,128}$/).optional(),
  })
  .strict();
export type SecretRefs = z.infer<typeof SecretRefs>;

export const TargetConfigSchema = z
  .object({
    name: z.string().regex(TARGET_NAME, "must match [a-z0-9_-]{1,64}"),
    kind: TargetKind,
    url: TargetUrl,
    /** Lower is preferred. Exo targets default to 0, cloud targets to 1. */
    priority: z.number().int().min(0).max(1000).optional(),
    /** Client-facing model alias -> this upstream's own model id. */
    models: z.record(z.string().min(1).max(256), z.string().min(1).max(256)).default({}),
    /** Exo API generation: current (v1) or the legacy aiohttp API. */
    api: z.enum(["v1", "legacy"]).default("v1"),
    policy: HealthPolicySchema.partial().default({}),
    pricing: Pricing.optional(),
    secrets: SecretRefs.default({}),
    enabled: z.boolean().default(true),
  })
  .strict();
export type TargetConfig = z.infer<typeof TargetConfigSchema>;
export type TargetConfigInput = z.input<typeof TargetConfigSchema>;

export const TargetListSchema = z.array(TargetConfigSchema).superRefine((list, ctx) => {
  const seen = new Set<string>();
  list.forEach((t, i) => {
    if (seen.has(t.name)) ctx.addIssue({ code: "custom", path: [i, "name"], message: `duplicate target ${t.name}` });
    seen.add(t.name);
  });
});

/** A partial update of a target's thresholds and routing knobs (PATCH /api/targets/:name). */
export const TargetPatchSchema = z
  .object({
    policy: HealthPolicySchema.partial().optional(),
    priority: z.number().int().min(0).max(1000).optional(),
    models: z.record(z.string().min(1).max(256), z.string().min(1).max(256)).optional(),
    pricing: Pricing.optional(),
    enabled: z.boolean().optional(),
  })
  .strict();
export type TargetPatch = z.infer<typeof TargetPatchSchema>;

export function effectivePolicy(target: Pick<TargetConfig, "policy">, defaults: HealthPolicy = DEFAULT_POLICY): HealthPolicy {
  return { ...defaults, ...stripUndefined(target.policy) };
}

export function effectivePriority(target: Pick<TargetConfig, "priority" | "kind">): number {
  return target.priority ?? (target.kind === "exo" ? 0 : 1);
}

/** Default secret names for a target (see SecretRefs). */
export function secretNames(target: Pick<TargetConfig, "name" | "kind" | "secrets">): Required<SecretRefs> {
  const upper = target.name.toUpperCase().replace(/-/g, "_");
  return {
    apiKeys: target.secrets.apiKeys ?? `${upper}_API_KEYS`,
    accessClientId: target.secrets.accessClientId ?? "ACCESS_CLIENT_ID",
    accessClientSecret: target.secrets.accessClientSecret ?? "ACCESS_CLIENT_SECRET",
  };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}
