/**
 * The gateway's configuration, read once from its env (vars and secrets) and
 * validated. Errors name the variable and the constraint, never a value, since
 * some of these variables hold secrets.
 */
import { z } from "zod";

export interface GatewayConfig {
  env: "production" | "development" | "test";
  /** A cached routing snapshot older than this is refreshed in the background. */
  routingMaxStalenessMs: number;
  /** A snapshot older than this is not used: the request waits for a fresh one. */
  routingHardStalenessMs: number;
  /** Upstream attempts per request, failovers and key rotations included. */
  maxAttempts: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** The longest a request waits for a Retry-After when every candidate is cooling down. */
  maxRetryWaitMs: number;
  /** Upper bound on time to first token (a target's own budget may be lower). */
  ttftBudgetMs: number;
  /** Longest silence between stream frames once streaming to the client. */
  streamStallMs: number;
  /** Whole-request bound for non-streamed requests. */
  requestTimeoutMs: number;
  maxBodyBytes: number;
  /** How long a target that failed on live traffic is avoided. */
  penaltyMs: number;
  recoveryRampMs: number;
  /** Cooldown of a provider key that got 429 without Retry-After. */
  keyCooldownMs: number;
  cloudSpendCapUsd: number | null;
  rateLimitPerMinute: number | null;
  tokenBudgetPerDay: number | null;
  reportFlushMs: number;
  reportMaxBatch: number;
  /** Client key digests (lowercase SHA-256 hex). */
  keyHashes: string[];
  /** Client keys in plaintext (local development), hashed by the adapter at load. */
  plaintextKeys: string[];
}

export type ConfigResult = { ok: true; config: GatewayConfig } | { ok: false; errors: string[] };

type NumberSpec = { key: string; def: number | null; min: number; max: number; int: boolean };

const NUMBERS = {
  routingMaxStalenessMs: { key: "ROUTING_MAX_STALENESS_MS", def: 1_500, min: 0, max: 600_000, int: true },
  routingHardStalenessMs: { key: "ROUTING_HARD_STALENESS_MS", def: 5_000, min: 0, max: 3_600_000, int: true },
  maxAttempts: { key: "GATEWAY_MAX_ATTEMPTS", def: 4, min: 1, max: 10, int: true },
  backoffBaseMs: { key: "GATEWAY_BACKOFF_BASE_MS", def: 25, min: 0, max: 10_000, int: true },
  backoffMaxMs: { key: "GATEWAY_BACKOFF_MAX_MS", def: 500, min: 0, max: 60_000, int: true },
  maxRetryWaitMs: { key: "GATEWAY_MAX_RETRY_WAIT_MS", def: 2_000, min: 0, max: 60_000, int: true },
  ttftBudgetMs: { key: "GATEWAY_TTFT_BUDGET_MS", def: 30_000, min: 100, max: 600_000, int: true },
  streamStallMs: { key: "GATEWAY_STREAM_STALL_MS", def: 30_000, min: 100, max: 600_000, int: true },
  requestTimeoutMs: { key: "GATEWAY_REQUEST_TIMEOUT_MS", def: 120_000, min: 100, max: 900_000, int: true },
  maxBodyBytes: { key: "GATEWAY_MAX_BODY_BYTES", def: 4 * 1024 * 1024, min: 1_024, max: 100 * 1024 * 1024, int: true },
  penaltyMs: { key: "GATEWAY_PENALTY_MS", def: 5_000, min: 0, max: 600_000, int: true },
  recoveryRampMs: { key: "GATEWAY_RECOVERY_RAMP_MS", def: 60_000, min: 0, max: 3_600_000, int: true },
  keyCooldownMs: { key: "GATEWAY_KEY_COOLDOWN_MS", def: 30_000, min: 0, max: 3_600_000, int: true },
  cloudSpendCapUsd: { key: "CLOUD_SPEND_CAP_USD", def: null, min: 0, max: 1_000_000, int: false },
  rateLimitPerMinute: { key: "RATE_LIMIT_RPM", def: null, min: 1, max: 1_000_000, int: true },
  tokenBudgetPerDay: { key: "TOKEN_BUDGET_PER_DAY", def: null, min: 1, max: 1e12, int: true },
  reportFlushMs: { key: "GATEWAY_REPORT_FLUSH_MS", def: 1_000, min: 0, max: 60_000, int: true },
  reportMaxBatch: { key: "GATEWAY_REPORT_MAX_BATCH", def: 1_000, min: 1, max: 1_000, int: true },
} as const satisfies Record<string, NumberSpec>;

type NumberKey = keyof typeof NUMBERS;

const HEX_DIGEST = /^[0-9a-f]{64}$/;

function list(raw: unknown): string[] {
  if (typeof raw !== "string") return [];
  return raw
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

function readNumber(env: Record<string, unknown>, spec: NumberSpec, errors: string[]): number | null {
  const raw = env[spec.key];
  if (raw === undefined || raw === null || (typeof raw === "string" && raw.trim() === "")) return spec.def;
  let schema = z.coerce.number().min(spec.min).max(spec.max);
  if (spec.int) schema = schema.int();
  const parsed = schema.safeParse(typeof raw === "string" ? raw.trim() : raw);
  if (!parsed.success) {
    errors.push(`${spec.key}: must be ${spec.int ? "an integer" : "a number"} between ${spec.min} and ${spec.max}`);
    return spec.def;
  }
  return parsed.data;
}

/** Parse the gateway's env-like record into a typed config, or say everything wrong with it. */
export function parseGatewayConfig(env: Record<string, unknown>): ConfigResult {
  const errors: string[] = [];
  const envName = z.enum(["production", "development", "test"]).safeParse(env["EXO_BRIDGE_ENV"] ?? "production");
  if (!envName.success) errors.push("EXO_BRIDGE_ENV: must be production, development or test");

  const n = {} as Record<NumberKey, number | null>;
  for (const key of Object.keys(NUMBERS) as NumberKey[]) n[key] = readNumber(env, NUMBERS[key], errors);
  const required = (k: NumberKey): number => n[k] ?? 0;

  const keyHashes = list(env["GATEWAY_KEY_HASHES"]).map((h) => h.toLowerCase());
  if (keyHashes.some((h) => !HEX_DIGEST.test(h))) errors.push("GATEWAY_KEY_HASHES: each entry must be a SHA-256 digest in hex (64 characters)");
  const plaintextKeys = list(env["GATEWAY_API_KEYS"]);
  if (plaintextKeys.some((k) => k.length < 8 || k.length > 256)) errors.push("GATEWAY_API_KEYS: each key must be 8 to 256 characters");
  if (required("backoffMaxMs") < required("backoffBaseMs")) errors.push("GATEWAY_BACKOFF_MAX_MS: must not be below GATEWAY_BACKOFF_BASE_MS");
  if (required("routingHardStalenessMs") < required("routingMaxStalenessMs")) {
    errors.push("ROUTING_HARD_STALENESS_MS: must not be below ROUTING_MAX_STALENESS_MS");
  }

  if (errors.length > 0 || !envName.success) return { ok: false, errors };
  return {
    ok: true,
    config: {
      env: envName.data,
      routingMaxStalenessMs: required("routingMaxStalenessMs"),
      routingHardStalenessMs: required("routingHardStalenessMs"),
      maxAttempts: required("maxAttempts"),
      backoffBaseMs: required("backoffBaseMs"),
      backoffMaxMs: required("backoffMaxMs"),
      maxRetryWaitMs: required("maxRetryWaitMs"),
      ttftBudgetMs: required("ttftBudgetMs"),
      streamStallMs: required("streamStallMs"),
      requestTimeoutMs: required("requestTimeoutMs"),
      maxBodyBytes: required("maxBodyBytes"),
      penaltyMs: required("penaltyMs"),
      recoveryRampMs: required("recoveryRampMs"),
      keyCooldownMs: required("keyCooldownMs"),
      cloudSpendCapUsd: n.cloudSpendCapUsd,
      rateLimitPerMinute: n.rateLimitPerMinute,
      tokenBudgetPerDay: n.tokenBudgetPerDay,
      reportFlushMs: required("reportFlushMs"),
      reportMaxBatch: required("reportMaxBatch"),
      keyHashes,
      plaintextKeys,
    },
  };
}

/** Exponential backoff with full jitter: uniform in [0, min(max, base·2^retry)]. */
export function backoffDelay(retry: number, config: Pick<GatewayConfig, "backoffBaseMs" | "backoffMaxMs">, random: () => number): number {
  const cap = Math.min(config.backoffMaxMs, config.backoffBaseMs * 2 ** Math.max(0, retry));
  return Math.floor(random() * cap);
}
