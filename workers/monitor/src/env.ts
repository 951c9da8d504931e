/**
 * The monitor's view of its environment: the declared vars plus the secrets that
 * `wrangler types` cannot see (ADMIN_TOKEN, Access service token, provider keys).
 * Secrets are only ever read through `secret()`, so their values stay in this
 * adapter and never reach events, status or logs.
 */
import { z } from "zod";

const EnvShape = z
  .object({
    EXO_BRIDGE_ENV: z.string().default("production"),
    TARGETS: z.string().default("[]"),
    ADMIN_TOKEN: z.string().min(1).optional(),
  })
  .loose();

export interface MonitorConfig {
  environment: string;
  /** Raw TARGETS JSON, parsed (and possibly rejected) when the hub seeds itself. */
  targetsJson: string;
  adminToken: string | null;
}

export function readConfig(env: Env): MonitorConfig {
  const parsed = EnvShape.safeParse(env);
  if (!parsed.success) return { environment: "production", targetsJson: "[]", adminToken: null };
  return {
    environment: parsed.data.EXO_BRIDGE_ENV,
    targetsJson: parsed.data.TARGETS,
    adminToken: parsed.data.ADMIN_TOKEN ?? null,
  };
}

/** A secret (or var) by name, or null when unset or empty. */
export function secret(env: Env, name: string): string | null {
  const value: unknown = (env as unknown as Record<string, unknown>)[name];
  return typeof value === "string" && value.length > 0 ? value : null;
}
