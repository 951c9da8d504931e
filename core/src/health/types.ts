/**
 * The vocabulary of target health: statuses, probe classifications and the
 * per-target record the state machine (machine.ts) reduces probe results into.
 */
import { z } from "zod";

export const TargetStatus = z.enum([
  /** No probe result yet. */
  "unknown",
  "healthy",
  /** Up but slow, or the first failure(s) seen. Still routable. */
  "degraded",
  /** Several consecutive failures, below the failure threshold. Not routable. */
  "failing",
  /** failureThreshold consecutive failures. Gets no traffic. */
  "offline",
  /** Came back from offline; needs recoveryThreshold consecutive successes. Gets traffic gradually. */
  "recovering",
  /** Cloudflare Access refused the monitor's credentials: an operator problem, not an outage. */
  "misconfigured",
  /** Set by an operator; probes are recorded but the status does not move. */
  "maintenance",
]);
export type TargetStatus = z.infer<typeof TargetStatus>;

/** What a probe (or a live request, for passive health) found. */
export const ProbeClass = z.enum([
  "ok",
  /** Answered correctly but slower than degradedLatencyMs. */
  "slow",
  /** Cloudflare edge 530 / error 1033: no tunnel connector. */
  "tunnel_down",
  /** 502 from cloudflared: Exo behind the tunnel is not answering. */
  "origin_down",
  /** 401/403 or a redirect to a Cloudflare Access login: credentials are wrong. */
  "access_denied",
  /** TCP connection refused / network connection lost. */
  "refused",
  "timeout",
  /** Any other unexpected HTTP status. */
  "http_error",
  /** The node is up but a configured model has no running instance. */
  "no_instance",
  /** The body was not what the API promises (not JSON, wrong shape). */
  "malformed",
  /** A streamed completion sent an error frame. */
  "stream_error",
  /** A streamed completion ended without [DONE]. */
  "stream_cut",
  /** A provider answered 429. */
  "rate_limited",
]);
export type ProbeClass = z.infer<typeof ProbeClass>;

export const ProbeResult = z.object({
  /** When the probe finished (epoch ms). */
  at: z.number(),
  classification: ProbeClass,
  latencyMs: z.number().nullable(),
  /** Human-readable and free of secrets and credentials. */
  error: z.string().max(500).optional(),
  httpStatus: z.number().int().optional(),
  /** Exo's /node_id; a change means the node restarted. */
  nodeId: z.string().max(200).optional(),
  /** Time to first token of a synthetic streamed completion. */
  ttftMs: z.number().optional(),
  /** Configured upstream model ids that have no live instance. */
  missingModels: z.array(z.string()).optional(),
  /** "probe" = active check by the monitor; "passive" = observed on live gateway traffic. */
  source: z.enum(["probe", "passive"]).default("probe"),
});
export type ProbeResult = z.infer<typeof ProbeResult>;

/** True when a classification means the target answered usefully. */
export function isSuccess(c: ProbeClass): boolean {
  return c === "ok" || c === "slow";
}

/**
 * True for answers that say nothing about the target's health: a provider's 429 is
 * about one API key's quota (the gateway rotates keys and honours Retry-After), not
 * an outage.
 */
export function isNeutral(c: ProbeClass): boolean {
  return c === "rate_limited";
}

/** The durable per-target record. */
export const TargetHealth = z.object({
  status: TargetStatus,
  /** When the current status was entered (epoch ms). */
  since: z.number(),
  consecutiveFailures: z.number().int(),
  consecutiveSuccesses: z.number().int(),
  consecutiveSlow: z.number().int(),
  totalChecks: z.number().int(),
  totalFailures: z.number().int(),
  lastCheckAt: z.number().nullable(),
  lastLatencyMs: z.number().nullable(),
  lastError: z.string().nullable(),
  lastClassification: ProbeClass.nullable(),
  nodeId: z.string().nullable(),
  /** When the target last went offline (for downtime in recovery events). */
  offlineSince: z.number().nullable(),
  /**
   * Flap damping: recent reversals of direction (worse after better, or better after
   * worse), decaying with time, and the direction of the last status change.
   */
  flapScore: z.number().default(0),
  flapAt: z.number().nullable().default(null),
  lastDirection: z.enum(["up", "down"]).nullable().default(null),
});
export type TargetHealth = z.infer<typeof TargetHealth>;

export function initialHealth(now: number): TargetHealth {
  return {
    status: "unknown",
    since: now,
    consecutiveFailures: 0,
    consecutiveSuccesses: 0,
    consecutiveSlow: 0,
    totalChecks: 0,
    totalFailures: 0,
    lastCheckAt: null,
    lastLatencyMs: null,
    lastError: null,
    lastClassification: null,
    nodeId: null,
    offlineSince: null,
    flapScore: 0,
    flapAt: null,
    lastDirection: null,
  };
}

/** Statuses that may receive traffic (recovering: gradually). */
export function isRoutable(s: TargetStatus): boolean {
  return s === "healthy" || s === "degraded" || s === "recovering" || s === "unknown";
}

export function assertNever(x: never): never {
  throw new Error(`unhandled case: ${JSON.stringify(x)}`);
}
