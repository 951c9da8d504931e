/** Rows of the `targets` table: config, durable health, drain flag and schedule. */
import { TargetConfigSchema, type TargetConfig } from "@exo-bridge/core/config/target";
import { TargetHealth } from "@exo-bridge/core/health/types";
import { z } from "zod";

/** Re-placement bookkeeping per upstream model id (see replace.ts). */
export const ReplaceState = z.record(
  z.string(),
  z.object({ attempts: z.number().int(), nextAttemptAt: z.number(), exhausted: z.boolean() }),
);
export type ReplaceState = z.infer<typeof ReplaceState>;

export interface TargetRecord {
  config: TargetConfig;
  health: TargetHealth;
  drained: boolean;
  nextCheck: number;
  nextSynthetic: number;
  replace: ReplaceState;
}

type Row = {
  name: string;
  config: string;
  health: string;
  drained: number;
  next_check: number;
  next_synthetic: number;
  replace_state: string;
};

function fromRow(row: Row): TargetRecord | null {
  const config = TargetConfigSchema.safeParse(JSON.parse(row.config));
  const health = TargetHealth.safeParse(JSON.parse(row.health));
  const replace = ReplaceState.safeParse(JSON.parse(row.replace_state));
  if (!config.success || !health.success) return null;
  return {
    config: config.data,
    health: health.data,
    drained: row.drained === 1,
    nextCheck: row.next_check,
    nextSynthetic: row.next_synthetic,
    replace: replace.success ? replace.data : {},
  };
}

const COLUMNS = "name, config, health, drained, next_check, next_synthetic, replace_state";

export function listTargets(sql: SqlStorage): TargetRecord[] {
  const out: TargetRecord[] = [];
  for (const row of sql.exec<Row>(`SELECT ${COLUMNS} FROM targets ORDER BY position`)) {
    const rec = fromRow(row);
    if (rec !== null) out.push(rec);
  }
  return out;
}

export function getTarget(sql: SqlStorage, name: string): TargetRecord | null {
  const row = sql.exec<Row>(`SELECT ${COLUMNS} FROM targets WHERE name = ?`, name).toArray()[0];
  return row === undefined ? null : fromRow(row);
}

export function insertTarget(sql: SqlStorage, rec: TargetRecord): void {
  const position = sql.exec<{ p: number }>("SELECT COALESCE(MAX(position), -1) + 1 AS p FROM targets").one().p;
  sql.exec(
    `INSERT INTO targets (name, position, config, health, drained, next_check, next_synthetic, replace_state)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    rec.config.name,
    position,
    JSON.stringify(rec.config),
    JSON.stringify(rec.health),
    rec.drained ? 1 : 0,
    rec.nextCheck,
    rec.nextSynthetic,
    JSON.stringify(rec.replace),
  );
}

export function updateTarget(sql: SqlStorage, rec: TargetRecord): void {
  sql.exec(
    `UPDATE targets SET config = ?, health = ?, drained = ?, next_check = ?, next_synthetic = ?, replace_state = ?
     WHERE name = ?`,
    JSON.stringify(rec.config),
    JSON.stringify(rec.health),
    rec.drained ? 1 : 0,
    rec.nextCheck,
    rec.nextSynthetic,
    JSON.stringify(rec.replace),
    rec.config.name,
  );
}

export function deleteTarget(sql: SqlStorage, name: string): void {
  sql.exec("DELETE FROM targets WHERE name = ?", name);
  sql.exec("DELETE FROM checks WHERE target = ?", name);
  sql.exec("DELETE FROM check_hours WHERE target = ?", name);
}

/** The earliest next check among enabled targets, for arming the alarm. */
export function earliestDue(sql: SqlStorage): number | null {
  let min: number | null = null;
  for (const rec of listTargets(sql)) {
    if (!rec.config.enabled) continue;
    if (min === null || rec.nextCheck < min) min = rec.nextCheck;
  }
  return min;
}
