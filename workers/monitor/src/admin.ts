/**
 * Operator actions behind the admin API. Each is one committed write: the change,
 * its event and the routing version bump land together or not at all.
 */
import { effectivePolicy, TargetConfigSchema, type TargetConfig, type TargetPatch } from "@exo-bridge/core/config/target";
import { setMaintenance } from "@exo-bridge/core/health/machine";
import { ApiError, notFoundTarget } from "./api/errors.ts";
import type { HubCore } from "./hub-core.ts";
import { addTargetRows } from "./seed.ts";
import { draft } from "./store/log.ts";
import { deleteTarget, getTarget, updateTarget, type TargetRecord } from "./store/targets.ts";
import type { Tx } from "./store/tx.ts";

function mustGet(tx: Tx, name: string): TargetRecord {
  const rec = getTarget(tx.sql, name);
  if (rec === null) throw notFoundTarget(name);
  return rec;
}

export async function addTarget(hub: HubCore, config: TargetConfig): Promise<TargetConfig> {
  hub.write((tx) => {
    if (getTarget(tx.sql, config.name) !== null) {
      throw new ApiError(409, `target ${config.name} already exists`, "target_exists", "name");
    }
    addTargetRows(tx, config);
  });
  await hub.armAlarm();
  return config;
}

export async function patchTarget(hub: HubCore, name: string, patch: TargetPatch): Promise<TargetConfig> {
  const config = hub.write((tx) => {
    const rec = mustGet(tx, name);
    const merged = TargetConfigSchema.safeParse({
      ...rec.config,
      ...(patch.priority === undefined ? {} : { priority: patch.priority }),
      ...(patch.models === undefined ? {} : { models: patch.models }),
      ...(patch.pricing === undefined ? {} : { pricing: patch.pricing }),
      ...(patch.enabled === undefined ? {} : { enabled: patch.enabled }),
      policy: { ...rec.config.policy, ...(patch.policy ?? {}) },
    });
    if (!merged.success) throw new ApiError(400, "the patched target is invalid", "invalid_body");
    rec.config = merged.data;
    // A shorter interval takes effect now, not after the old one runs out.
    rec.nextCheck = Math.min(rec.nextCheck, tx.now + effectivePolicy(merged.data).intervalS * 1000);
    updateTarget(tx.sql, rec);
    tx.event(draft("target_updated", name, `target ${name} updated (${Object.keys(patch).join(", ")})`, { changed: Object.keys(patch) }));
    return rec.config;
  });
  await hub.armAlarm();
  return config;
}

export async function removeTarget(hub: HubCore, name: string): Promise<void> {
  hub.write((tx) => {
    mustGet(tx, name);
    deleteTarget(tx.sql, name);
    tx.event(draft("target_removed", name, `target ${name} removed`));
  });
  await hub.armAlarm();
}

export function setDrained(hub: HubCore, name: string, drained: boolean): void {
  hub.write((tx) => {
    const rec = mustGet(tx, name);
    if (rec.drained === drained) return;
    rec.drained = drained;
    updateTarget(tx.sql, rec);
    tx.event(draft("target_updated", name, drained ? `target ${name} drained` : `target ${name} undrained`, { drained }));
  });
}

export function setTargetMaintenance(hub: HubCore, name: string, enabled: boolean): TargetRecord {
  return hub.write((tx) => {
    const rec = mustGet(tx, name);
    const out = setMaintenance(rec.health, enabled, tx.now, { name, kind: rec.config.kind });
    rec.health = out.health;
    updateTarget(tx.sql, rec);
    for (const ev of out.events) tx.event(ev);
    return rec;
  });
}

export function setAutoRecovery(hub: HubCore, enabled: boolean): void {
  hub.write((tx, meta) => {
    if (meta.autoRecovery === enabled) return;
    meta.autoRecovery = enabled;
    tx.event(draft("config_changed", null, `auto-recovery ${enabled ? "enabled" : "disabled"}`, { auto_recovery: enabled }));
  });
}

export function setPinned(hub: HubCore, pinned: boolean): void {
  hub.write((tx, meta) => {
    if (meta.pinnedToCloud === pinned) return;
    meta.pinnedToCloud = pinned;
    tx.event(draft("config_changed", null, pinned ? "traffic pinned to cloud providers" : "traffic unpinned", { pinned_to_cloud: pinned }));
  });
}

export async function setRunning(hub: HubCore, running: boolean): Promise<void> {
  hub.write((tx, meta) => {
    if (meta.running === running) return;
    meta.running = running;
    if (running) meta.startedAt = tx.now;
    tx.event(running ? draft("manager_started", null, "monitor started") : draft("manager_stopped", null, "monitor stopped"));
  });
  await hub.armAlarm();
}
