/**
 * The HealthHub's SQLite schema. Created idempotently in the Durable Object's
 * constructor (under blockConcurrencyWhile), so a fresh or evicted object is
 * always ready before its first event.
 */
export const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS targets (
     name TEXT PRIMARY KEY,
     position INTEGER NOT NULL,
     config TEXT NOT NULL,
     health TEXT NOT NULL,
     drained INTEGER NOT NULL DEFAULT 0,
     next_check INTEGER NOT NULL,
     next_synthetic INTEGER NOT NULL,
     replace_state TEXT NOT NULL DEFAULT '{}'
   )`,
  `CREATE TABLE IF NOT EXISTS events (
     id INTEGER PRIMARY KEY,
     ts TEXT NOT NULL,
     type TEXT NOT NULL,
     target TEXT,
     severity TEXT NOT NULL,
     message TEXT NOT NULL,
     data TEXT NOT NULL
   )`,
  `CREATE INDEX IF NOT EXISTS events_by_target ON events (target, id)`,
  `CREATE TABLE IF NOT EXISTS recovery (
     id INTEGER PRIMARY KEY,
     ts TEXT NOT NULL,
     action TEXT NOT NULL,
     target TEXT NOT NULL,
     success INTEGER NOT NULL,
     error TEXT,
     detail TEXT
   )`,
  `CREATE TABLE IF NOT EXISTS checks (
     id INTEGER PRIMARY KEY,
     target TEXT NOT NULL,
     at INTEGER NOT NULL,
     ok INTEGER NOT NULL,
     classification TEXT NOT NULL,
     latency_ms REAL
   )`,
  `CREATE INDEX IF NOT EXISTS checks_by_target ON checks (target, at)`,
  `CREATE TABLE IF NOT EXISTS check_hours (
     target TEXT NOT NULL,
     bucket INTEGER NOT NULL,
     total INTEGER NOT NULL,
     ok INTEGER NOT NULL,
     PRIMARY KEY (target, bucket)
   ) WITHOUT ROWID`,
  `CREATE TABLE IF NOT EXISTS usage (
     dimension TEXT NOT NULL,
     key TEXT NOT NULL,
     bucket INTEGER NOT NULL,
     requests INTEGER NOT NULL,
     errors INTEGER NOT NULL,
     prompt_tokens INTEGER NOT NULL,
     completion_tokens INTEGER NOT NULL,
     cost_usd REAL NOT NULL,
     PRIMARY KEY (dimension, key, bucket)
   ) WITHOUT ROWID`,
];

/** Retention bounds: what keeps the object's storage flat over months. */
export const LIMITS = {
  events: 20_000,
  recovery: 2_000,
  /** Raw check samples (charts, 1 h uptime, recent success rate). */
  rawChecksMs: 3 * 3_600_000,
  /** Hourly rollups (24 h uptime and longer). */
  hourlyMs: 35 * 24 * 3_600_000,
  usageMs: 400 * 24 * 3_600_000,
} as const;

export const HOUR_MS = 3_600_000;

export function hourBucket(at: number): number {
  return Math.floor(at / HOUR_MS) * HOUR_MS;
}
