/**
 * Re-placing a model instance on a live Exo node that has none (`no_instance`):
 * `POST /instance`, wait on `GET /instance/await`, then check `/ollama/api/ps`,
 * because Exo acknowledges placements that never materialise (exo#2047). Attempts
 * are budgeted with exponential backoff; each one is a `replace_instance` action.
 */
import { effectivePolicy, type TargetConfig } from "@exo-bridge/core/config/target";
import { parsePsModels } from "@exo-bridge/core/health/classify";
import { sanitizeError } from "@exo-bridge/core/health/redact";
import type { ProbeResult } from "@exo-bridge/core/health/types";
import type { HubCore } from "./hub-core.ts";
import { targetHeaders } from "./probes/headers.ts";
import { probeFetch } from "./probes/http.ts";
import { draft } from "./store/log.ts";
import { getTarget, updateTarget } from "./store/targets.ts";

export const REPLACE_MAX_ATTEMPTS = 3;
/** How long Exo is asked to wait for the instance (seconds). */
export const REPLACE_AWAIT_S = 30;
const BACKOFF_CAP_MS = 10 * 60_000;

export function replaceBackoffMs(config: TargetConfig, attempt: number): number {
  const base = effectivePolicy(config).intervalS * 1000;
  return Math.min(BACKOFF_CAP_MS, base * 2 ** (attempt - 1));
}

export async function placeInstance(env: Env, config: TargetConfig, model: string): Promise<{ ok: boolean; error: string | null }> {
  const headers = { ...targetHeaders(env, config), "content-type": "application/json" };
  const timeoutMs = effectivePolicy(config).timeoutMs;
  const post = await probeFetch({ url: `${config.url}/instance`, method: "POST", headers, body: JSON.stringify({ model_id: model }), timeoutMs });
  if (post.kind === "error") return { ok: false, error: `POST /instance failed: ${post.message}` };
  if (post.status < 200 || post.status >= 300) return { ok: false, error: `POST /instance answered ${post.status}` };
  const q = new URLSearchParams({ model_id: model, timeout_seconds: String(REPLACE_AWAIT_S) });
  const wait = await probeFetch({ url: `${config.url}/instance/await?${q.toString()}`, headers, timeoutMs: REPLACE_AWAIT_S * 1000 + timeoutMs });
  if (wait.kind === "error") return { ok: false, error: `waiting for the instance failed: ${wait.message}` };
  if (wait.status !== 200) return { ok: false, error: `/instance/await answered ${wait.status}` };
  const ps = await probeFetch({ url: `${config.url}/ollama/api/ps`, headers, timeoutMs });
  if (ps.kind === "error" || ps.status !== 200) return { ok: false, error: "could not verify the instance" };
  const loaded = parsePsModels(ps.body);
  if (loaded === null || !loaded.includes(model)) return { ok: false, error: "the placement was acknowledged but no instance appeared" };
  return { ok: true, error: null };
}

/** After a round: one re-placement attempt per missing model whose backoff has passed. */
export async function replaceMissing(hub: HubCore, results: { name: string; probe: ProbeResult }[]): Promise<void> {
  const meta = hub.meta();
  if (!meta.autoRecovery || !meta.running) return;
  for (const { name, probe } of results) {
    if (probe.classification !== "no_instance" || probe.missingModels === undefined) continue;
    for (const model of probe.missingModels) {
      const rec = getTarget(hub.sql, name);
      if (rec === null || rec.config.kind !== "exo" || rec.drained) break;
      const state = rec.replace[model] ?? { attempts: 0, nextAttemptAt: 0, exhausted: false };
      if (state.exhausted || state.nextAttemptAt > Date.now()) continue;
      const attempt = state.attempts + 1;
      const outcome = await placeInstance(hub.workerEnv, rec.config, model);
      hub.write((tx) => {
        const fresh = getTarget(tx.sql, name);
        if (fresh === null) return;
        const exhausted = !outcome.ok && attempt >= REPLACE_MAX_ATTEMPTS;
        fresh.replace[model] = { attempts: attempt, nextAttemptAt: tx.now + replaceBackoffMs(fresh.config, attempt), exhausted };
        // A placed instance is worth checking right away rather than a full interval later.
        if (outcome.ok) fresh.nextCheck = tx.now;
        updateTarget(tx.sql, fresh);
        const error = outcome.error === null ? null : sanitizeError(outcome.error);
        const detail = `${model} attempt ${attempt}/${REPLACE_MAX_ATTEMPTS}`;
        tx.recovery({ action: "replace_instance", target: name, success: outcome.ok, error, detail });
        if (outcome.ok) {
          tx.event(draft("recovery_action", name, `instance of ${model} re-placed on ${name}`, { action: "replace_instance", model, attempt }));
        } else {
          const msg = exhausted
            ? `re-placing ${model} on ${name} failed ${attempt} times; giving up until it is seen again`
            : `re-placing ${model} on ${name} failed (attempt ${attempt}): ${error ?? "unknown"}`;
          tx.event(draft("recovery_failed", name, msg, { action: "replace_instance", model, attempt, exhausted }));
        }
      });
    }
  }
}
