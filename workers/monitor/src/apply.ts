/**
 * Folding probe results (active or passive) into durable state inside one
 * transaction: the state machine decides, recovery planning follows every status
 * change, and everything lands in the same Tx so it is committed and broadcast together.
 */
import { effectivePolicy, effectivePriority } from "@exo-bridge/core/config/target";
import { transition } from "@exo-bridge/core/health/machine";
import { planRecovery } from "@exo-bridge/core/health/recovery";
import type { ProbeResult, TargetStatus } from "@exo-bridge/core/health/types";
import type { Meta } from "./store/meta.ts";
import { getTarget, listTargets, updateTarget, type TargetRecord } from "./store/targets.ts";
import type { Tx } from "./store/tx.ts";

export interface Applied {
  name: string;
  from: TargetStatus;
  to: TargetStatus;
  record: TargetRecord;
}

/**
 * Applies each result to its target's health (skipping targets removed meanwhile),
 * then plans recovery for every status change with the fleet as it is after them all.
 * `touch` lets the caller adjust the record (schedule, re-placement state) in the same write.
 */
export function applyResults(
  tx: Tx,
  meta: Meta,
  results: { name: string; probe: ProbeResult; touch?: (rec: TargetRecord) => void }[],
): Applied[] {
  const applied: Applied[] = [];
  for (const { name, probe, touch } of results) {
    const rec = getTarget(tx.sql, name);
    if (rec === null) continue;
    const from = rec.health.status;
    const out = transition(rec.health, probe, effectivePolicy(rec.config), { name, kind: rec.config.kind });
    rec.health = out.health;
    touch?.(rec);
    updateTarget(tx.sql, rec);
    tx.check(name, probe);
    for (const ev of out.events) tx.event(ev);
    applied.push({ name, from, to: out.health.status, record: rec });
  }
  const changed = applied.filter((a) => a.from !== a.to);
  if (changed.length === 0) return applied;
  const fleet = listTargets(tx.sql);
  for (const change of changed) {
    const plan = planRecovery({
      target: change.name,
      kind: change.record.config.kind,
      from: change.from,
      to: change.to,
      autoRecovery: meta.autoRecovery,
      alternatives: fleet
        .filter((t) => t.config.name !== change.name && t.config.enabled)
        .map((t) => ({
          name: t.config.name,
          kind: t.config.kind,
          status: t.health.status,
          drained: t.drained,
          priority: effectivePriority(t.config),
        })),
    });
    for (const action of plan.actions) tx.recovery(action);
    for (const ev of plan.events) tx.event(ev);
  }
  return applied;
}
