/**
 * A probe round: claim the due targets (synchronously, so the alarm and the cron
 * never probe one twice for the same due time), probe them concurrently, fold the
 * results into state in one transaction, then try re-placements.
 */
import { effectivePolicy } from "@exo-bridge/core/config/target";
import { isSuccess, type ProbeClass, type ProbeResult, type TargetStatus } from "@exo-bridge/core/health/types";
import { applyResults } from "./apply.ts";
import type { HubCore } from "./hub-core.ts";
import { probeTarget } from "./probes/run.ts";
import { replaceMissing } from "./replace.ts";
import { listTargets } from "./store/targets.ts";

export interface ProbeSummary {
  classification: ProbeClass;
  latency_ms: number | null;
  error: string | null;
  status: TargetStatus;
  /** Time to first token when this probe ran the synthetic completion. */
  ttft_ms: number | null;
}

export interface RoundSummary {
  results: Record<string, ProbeSummary>;
}

export interface RoundOptions {
  /** Probe regardless of schedule and of the manager being stopped (an operator's forced check). */
  force: boolean;
  only?: string;
}

interface Claim {
  name: string;
  synthetic: boolean;
}

function claimDue(hub: HubCore, opts: RoundOptions, now: number): Claim[] {
  const claims: Claim[] = [];
  for (const rec of listTargets(hub.sql)) {
    const name = rec.config.name;
    if (opts.only !== undefined && name !== opts.only) continue;
    if (hub.inFlight.has(name)) continue;
    if (!opts.force && (!rec.config.enabled || rec.nextCheck > now)) continue;
    const policy = effectivePolicy(rec.config);
    const interval = policy.intervalS * 1000;
    // Keep the cadence anchored to the due time; after a gap, restart it from now.
    let next = opts.force ? now + interval : rec.nextCheck + interval;
    if (next <= now) next = now + interval;
    const synthetic = rec.config.kind === "exo" && policy.syntheticIntervalS > 0 && rec.nextSynthetic <= now;
    const nextSynthetic = synthetic ? now + policy.syntheticIntervalS * 1000 : rec.nextSynthetic;
    hub.sql.exec("UPDATE targets SET next_check = ?, next_synthetic = ? WHERE name = ?", next, nextSynthetic, name);
    hub.inFlight.add(name);
    claims.push({ name, synthetic });
  }
  return claims;
}

export async function runRound(hub: HubCore, opts: RoundOptions): Promise<RoundSummary> {
  if (!opts.force && !hub.meta().running) return { results: {} };
  const claims = claimDue(hub, opts, Date.now());
  if (claims.length === 0) return { results: {} };
  const configs = new Map(listTargets(hub.sql).map((r) => [r.config.name, r.config]));
  let probes: { name: string; probe: ProbeResult }[];
  try {
    probes = await Promise.all(
      claims.flatMap((c) => {
        const config = configs.get(c.name);
        if (config === undefined) return [];
        return [probeTarget(hub.workerEnv, config, { synthetic: c.synthetic }).then((run) => ({ name: c.name, probe: run.result }))];
      }),
    );
  } finally {
    for (const c of claims) hub.inFlight.delete(c.name);
  }
  hub.counters.rounds += 1;
  hub.counters.probes += probes.length;
  const applied = hub.write(
    (tx, meta) =>
      applyResults(
        tx,
        meta,
        probes.map(({ name, probe }) => ({
          name,
          probe,
          touch: (rec) => {
            // Seen whole again: a later loss of the instance gets a fresh re-placement budget.
            if (isSuccess(probe.classification)) rec.replace = {};
          },
        })),
      ),
    { round: true },
  );
  const results: Record<string, ProbeSummary> = {};
  for (const a of applied) {
    const probe = probes.find((p) => p.name === a.name)?.probe;
    if (probe === undefined) continue;
    results[a.name] = {
      // What the machine acted on: an "ok" slower than degradedLatencyMs reads as "slow".
      classification: a.record.health.lastClassification ?? probe.classification,
      latency_ms: probe.latencyMs,
      error: probe.error ?? null,
      status: a.to,
      ttft_ms: probe.ttftMs ?? null,
    };
  }
  await replaceMissing(hub, probes);
  return { results };
}
