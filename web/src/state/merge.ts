/**
 * Order-preserving, de-duplicating, bounded merges of events, recovery actions
 * and check samples. Every function returns its input unchanged (same reference)
 * when nothing new arrived, so computed signals downstream do not fire.
 */
import type { MonitorEvent, RecoveryAction } from "@exo-bridge/core/protocol/events";
import type { CheckSample } from "@exo-bridge/core/protocol/status";

/** Merge events into an ascending list, dropping duplicate ids, keeping the newest `max`. */
export function mergeEvents(current: readonly MonitorEvent[], incoming: readonly MonitorEvent[], max: number): readonly MonitorEvent[] {
  if (incoming.length === 0) return current;
  const last = current[current.length - 1];
  // The common live case: one event newer than everything we have.
  if (incoming.length === 1) {
    const only = incoming[0];
    if (only === undefined) return current;
    if (last === undefined || only.id > last.id) return trimOldest([...current, only], max);
  }
  const byId = new Map<number, MonitorEvent>();
  for (const e of current) byId.set(e.id, e);
  let added = false;
  for (const e of incoming) {
    if (!byId.has(e.id)) {
      byId.set(e.id, e);
      added = true;
    }
  }
  if (!added) return current;
  const merged = [...byId.values()].sort((a, b) => a.id - b.id);
  return trimOldest(merged, max);
}

/** Merge recovery actions into a newest-first list, dropping duplicate ids. */
export function mergeRecovery(current: readonly RecoveryAction[], incoming: readonly RecoveryAction[], max: number): readonly RecoveryAction[] {
  if (incoming.length === 0) return current;
  const byId = new Map<number, RecoveryAction>();
  for (const a of current) byId.set(a.id, a);
  let added = false;
  for (const a of incoming) {
    if (!byId.has(a.id)) {
      byId.set(a.id, a);
      added = true;
    }
  }
  if (!added) return current;
  return [...byId.values()].sort((a, b) => b.id - a.id).slice(0, max);
}

/**
 * Merge check samples into per-target ascending series. Samples are keyed by
 * (target, time): a resent round does not draw a point twice.
 */
export function mergeChecks(
  current: Readonly<Record<string, readonly CheckSample[]>>,
  incoming: readonly CheckSample[],
  maxPerTarget: number,
): Readonly<Record<string, readonly CheckSample[]>> {
  if (incoming.length === 0) return current;
  const grouped = new Map<string, CheckSample[]>();
  for (const s of incoming) {
    const list = grouped.get(s.target) ?? [];
    list.push(s);
    grouped.set(s.target, list);
  }
  let next: Record<string, readonly CheckSample[]> | null = null;
  for (const [target, samples] of grouped) {
    const have = current[target] ?? [];
    const merged = mergeSeries(have, samples, maxPerTarget);
    if (merged !== have) {
      next ??= { ...current };
      next[target] = merged;
    }
  }
  return next ?? current;
}

function mergeSeries(have: readonly CheckSample[], samples: readonly CheckSample[], max: number): readonly CheckSample[] {
  const seen = new Set(have.map((s) => s.at));
  const fresh = samples.filter((s) => {
    if (seen.has(s.at)) return false;
    seen.add(s.at);
    return true;
  });
  if (fresh.length === 0) return have;
  const merged = [...have, ...fresh].sort((a, b) => a.at - b.at);
  return trimOldest(merged, max);
}

/** Keep only the entries for targets that still exist. */
export function pruneChecks(
  current: Readonly<Record<string, readonly CheckSample[]>>,
  targets: ReadonlySet<string>,
): Readonly<Record<string, readonly CheckSample[]>> {
  const stale = Object.keys(current).filter((t) => !targets.has(t));
  if (stale.length === 0) return current;
  const next: Record<string, readonly CheckSample[]> = {};
  for (const [t, list] of Object.entries(current)) if (targets.has(t)) next[t] = list;
  return next;
}

function trimOldest<T>(list: T[], max: number): T[] {
  return list.length > max ? list.slice(list.length - max) : list;
}
