/**
 * The failover loop: walk the ordered candidates, rotating provider keys on 429
 * and 401, backing off with jitter before asking the same target again, honouring Retry-After, until
 * an attempt commits or the attempt budget is spent. Every failure becomes passive
 * health for the monitor and a penalty that steers the isolate's next requests.
 */
import { backoffDelay } from "@exo-bridge/core/routing/gateway-config";
import { selectCandidates } from "@exo-bridge/core/routing/select";
import type { RoutingTarget } from "@exo-bridge/core/protocol/routing";
import { counters } from "./counters.ts";
import { GatewayError, retryAfterSeconds } from "./http-error.ts";
import { attemptJson } from "./json-attempt.ts";
import { latencies, observe, penalties, type AttemptOutcome, type ProxyContext } from "./proxy-context.ts";
import { providerKeys, type PickedKey } from "./provider-keys.ts";
import { reporter } from "./reporter.ts";
import { attemptStream } from "./stream-attempt.ts";
import type { AttemptFailure } from "./upstream.ts";

const DEFAULT_RETRY_AFTER_MS = 5_000;
/** How long a target that lacks an endpoint (Exo has no embeddings) is not asked for it again. */
const UNSUPPORTED_TTL_MS = 300_000;
const unsupported = new Map<string, number>();

export function spendCapReached(p: Pick<ProxyContext, "config" | "snapshot">): boolean {
  const cap = p.config.cloudSpendCapUsd;
  return cap !== null && p.snapshot.spend.costUsd >= cap;
}

export async function proxy(p: ProxyContext): Promise<Response> {
  const cloudBlocked = spendCapReached(p);
  const selection = selectCandidates(p.snapshot, p.alias, {
    now: Date.now(),
    random: Math.random,
    penalties,
    latencyOf: (name) => latencies.get(name),
    recoveryRampMs: p.config.recoveryRampMs,
    cloudBlocked,
  });
  const failures: AttemptFailure[] = [];
  const skipped: string[] = [];
  let attempts = 0;
  let lastTarget: string | null = null;
  let soonestRetry: number | null = null;
  const noteRetry = (at: number): void => {
    soonestRetry = soonestRetry === null ? at : Math.min(soonestRetry, at);
  };

  for (const target of selection.candidates) {
    if (attempts >= p.config.maxAttempts) break;
    const lacks = unsupported.get(`${target.name}:${p.endpoint}`);
    if (lacks !== undefined && lacks > Date.now()) continue;
    // A target that asked us to wait (429 + Retry-After) is tried only if the wait is short;
    // one that merely failed recently is tried at once, as a last resort.
    const penalty = penalties.get(target.name, Date.now());
    if (penalty !== null && penalty.reason === "rate_limited") {
      const wait = penalty.until - Date.now();
      if (wait > p.config.maxRetryWaitMs) {
        skipped.push(`${target.name}: rate-limited`);
        noteRetry(penalty.until);
        continue;
      }
      await scheduler.wait(wait);
    }
    for (;;) {
      if (attempts >= p.config.maxAttempts) break;
      const key = await pickKey(p, target, skipped, noteRetry);
      if (key === "skip") break;
      // Back off only before asking the same target again (another key of one provider):
      // moving on to a different target costs that target nothing, so it happens at once.
      if (lastTarget === target.name) await scheduler.wait(backoffDelay(attempts - 1, p.config, Math.random));
      lastTarget = target.name;
      attempts++;
      counters.upstreamAttempts++;
      const headers = { "x-exo-bridge-upstream": target.name, "x-exo-bridge-attempts": String(attempts) };
      const attempt = { target, key, number: attempts, headers };
      const outcome: AttemptOutcome = p.stream ? await attemptStream(p, attempt) : await attemptJson(p, attempt);
      if (outcome.ok) {
        if (attempts > 1) counters.failovers++;
        if (selection.wantsExo && target.kind === "cloud") {
          reporter.fact({
            at: Date.now(),
            type: "exo_failover",
            target: target.name,
            message: `Requests for ${p.alias} are being served by ${target.name}: no Exo node could serve them`,
            data: { model: p.alias, attempts, tried: failures.map((f) => f.target).join(",") },
          });
        }
        return outcome.response;
      }
      const f = outcome.failure;
      failures.push(f);
      if (f.key !== undefined) {
        const keyUntil = handleKeyFailure(p, target, f, f.key);
        if (keyUntil !== null) noteRetry(keyUntil);
        continue;
      }
      if (!f.healthSignal && f.key === undefined && (f.httpStatus === 404 || f.httpStatus === 405 || f.httpStatus === 501)) {
        unsupported.set(`${target.name}:${p.endpoint}`, Date.now() + UNSUPPORTED_TTL_MS);
      }
      if (f.healthSignal) {
        const penaltyUntil = Date.now() + (f.retryAfterMs ?? p.config.penaltyMs);
        penalties.penalize(target.name, penaltyUntil, f.classification);
        noteRetry(penaltyUntil);
        observe(target.name, f.classification, f.latencyMs, { error: f.message, ...(f.httpStatus === undefined ? {} : { httpStatus: f.httpStatus }) });
        if (target.kind === "cloud") {
          reporter.fact({ at: Date.now(), type: "cloud_provider_failure", target: target.name, message: `${target.name} failed a live request: ${f.message}`.slice(0, 500), data: { classification: f.classification } });
        }
      }
      break;
    }
  }
  throw exhausted(p, selection.excluded, failures, skipped, soonestRetry, cloudBlocked);
}

async function pickKey(p: ProxyContext, target: RoutingTarget, skipped: string[], noteRetry: (at: number) => void): Promise<PickedKey | null | "skip"> {
  if (target.kind !== "cloud") return null;
  for (;;) {
    const now = Date.now();
    const pick = providerKeys.pick(p.env, target.secrets.apiKeys, now);
    if (pick.ok) return pick.key;
    if (pick.reason === "cooling" && pick.until !== null && pick.until - now <= p.config.maxRetryWaitMs) {
      await scheduler.wait(Math.max(0, pick.until - now));
      continue;
    }
    if (pick.until !== null) noteRetry(pick.until);
    skipped.push(`${target.name}: ${pick.reason === "none_configured" ? "no API keys configured" : pick.reason === "all_disabled" ? "every API key was rejected" : "every API key is rate-limited"}`);
    return "skip";
  }
}

/** Cools down or disables the key; returns when a cooled key is usable again. */
function handleKeyFailure(p: ProxyContext, target: RoutingTarget, f: AttemptFailure, k: NonNullable<AttemptFailure["key"]>): number | null {
  const now = Date.now();
  const label = `key ${k.key.position} of ${k.key.count}`;
  if (k.action === "disable") {
    providerKeys.disable(k.key);
    reporter.fact(
      { at: now, type: "provider_key_state", target: target.name, message: `${target.name} rejected ${label} (401): disabled`, data: { key: k.key.position, state: "disabled", secret: k.key.secret } },
      `key:${k.key.secret}:${k.key.position}:disabled`,
    );
    return null;
  }
  const until = now + (f.retryAfterMs ?? p.config.keyCooldownMs);
  providerKeys.cooldown(k.key, until);
  observe(target.name, "rate_limited", f.latencyMs, { httpStatus: 429, error: f.message });
  reporter.fact(
    { at: now, type: "provider_key_state", target: target.name, message: `${target.name} rate-limited ${label}: cooling down for ${Math.ceil((until - now) / 1000)} s`, data: { key: k.key.position, state: "cooling", until, secret: k.key.secret } },
    `key:${k.key.secret}:${k.key.position}:cooling`,
  );
  return until;
}

function exhausted(
  p: ProxyContext,
  excluded: Array<{ name: string; reason: string }>,
  failures: AttemptFailure[],
  skipped: string[],
  soonestRetry: number | null,
  cloudBlocked: boolean,
): GatewayError {
  const now = Date.now();
  const retryAfter = retryAfterSeconds(Math.min(60_000, Math.max(1_000, (soonestRetry ?? now + DEFAULT_RETRY_AFTER_MS) - now)));
  if (cloudBlocked && excluded.some((e) => e.reason === "spend_cap_reached")) {
    reporter.fact({ at: now, type: "spend_cap_reached", target: null, message: `Cloud spending cap of $${p.config.cloudSpendCapUsd ?? 0} reached; cloud requests refused`, data: { costUsd: p.snapshot.spend.costUsd } });
    return new GatewayError(503, "No Exo node is available and the cloud spending cap has been reached.", { code: "spend_cap_reached", headers: { "retry-after": "60" } });
  }
  const first = failures[0];
  if (first !== undefined && failures.every((f) => f.clientError === true)) {
    return new GatewayError(400, `The upstream rejected the request: ${first.message}`, { code: "upstream_rejected_request", headers: { "x-exo-bridge-attempts": String(failures.length) } });
  }
  const details = [...failures.map((f) => `${f.target}: ${f.classification}`), ...skipped, ...excluded.map((e) => `${e.name}: ${e.reason}`)];
  const suffix = details.length > 0 ? ` (${details.join("; ")})` : "";
  const headers = { "retry-after": retryAfter, "x-exo-bridge-attempts": String(failures.length) };
  if (failures.length > 0 && failures.every((f) => f.classification === "timeout")) {
    return new GatewayError(504, `Every upstream for '${p.alias}' timed out${suffix}.`, { code: "upstream_timeout", headers });
  }
  return new GatewayError(503, `No upstream could serve '${p.alias}' right now${suffix}.`, { code: "no_upstream_available", headers });
}
