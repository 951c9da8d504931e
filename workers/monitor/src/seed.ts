/**
 * First start: seed targets from the TARGETS variable. A bad TARGETS is recorded
 * as a failure event (once per distinct error) and logged; the hub still starts.
 */
import { TargetListSchema, type TargetConfig } from "@exo-bridge/core/config/target";
import { initialHealth } from "@exo-bridge/core/health/types";
import { z } from "zod";
import { draft } from "./store/log.ts";
import { insertTarget } from "./store/targets.ts";
import type { Tx } from "./store/tx.ts";

export type SeedResult = { ok: true; targets: TargetConfig[] } | { ok: false; error: string };

export function parseTargets(raw: string): SeedResult {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { ok: false, error: "TARGETS is not valid JSON" };
  }
  const parsed = TargetListSchema.safeParse(json);
  if (!parsed.success) return { ok: false, error: `TARGETS is invalid: ${z.prettifyError(parsed.error).slice(0, 400)}` };
  return { ok: true, targets: parsed.data };
}

export function addTargetRows(tx: Tx, config: TargetConfig): void {
  insertTarget(tx.sql, {
    config,
    health: initialHealth(tx.now),
    drained: false,
    nextCheck: tx.now,
    nextSynthetic: tx.now,
    replace: {},
  });
  tx.event(
    draft("target_added", config.name, `target ${config.name} added (${config.kind}, ${config.url})`, {
      kind: config.kind,
      url: config.url,
    }),
  );
}

/** Applies the seed inside `tx`; returns the error message to remember when TARGETS was bad. */
export function seedTargets(tx: Tx, raw: string, previousError: string | null): string | null {
  const result = parseTargets(raw);
  if (!result.ok) {
    if (result.error !== previousError) {
      console.error(`exo-bridge-monitor: ${result.error}`);
      tx.event({ type: "config_changed", target: null, severity: "failure", message: result.error, data: { source: "TARGETS" } });
    }
    return result.error;
  }
  for (const config of result.targets) addTargetRows(tx, config);
  return null;
}
