/**
 * The event log and the recovery log: append (ids strictly increasing), read
 * back in pages, prune to a bounded size.
 */
import {
  EventType,
  MonitorEvent,
  RecoveryActionKind,
  severityOf,
  type EventDraft,
  type RecoveryAction,
  type RecoveryDraft,
} from "@exo-bridge/core/protocol/events";
import { LIMITS } from "./schema.ts";

type EventRow = { id: number; ts: string; type: string; target: string | null; severity: string; message: string; data: string };
type RecoveryRow = { id: number; ts: string; action: string; target: string; success: number; error: string | null; detail: string | null };

export function appendEvent(sql: SqlStorage, draft: EventDraft, now: number): MonitorEvent {
  const ts = new Date(now).toISOString();
  const severity = draft.severity;
  const row = sql
    .exec<{ id: number }>(
      "INSERT INTO events (ts, type, target, severity, message, data) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
      ts,
      draft.type,
      draft.target,
      severity,
      draft.message,
      JSON.stringify(draft.data),
    )
    .one();
  return { id: row.id, ts, ...draft, severity };
}

/** Shorthand for events the hub itself raises (config changes, manager start). */
export function draft(type: EventType, target: string | null, message: string, data: Record<string, unknown> = {}): EventDraft {
  return { type, target, severity: severityOf(type, data), message, data };
}

function eventFromRow(row: EventRow): MonitorEvent | null {
  const parsed = MonitorEvent.safeParse({ ...row, data: JSON.parse(row.data) });
  return parsed.success ? parsed.data : null;
}

export interface EventQuery {
  afterId?: number;
  sinceTs?: string;
  type?: EventType;
  target?: string;
  limit: number;
}

/** Events matching the query, oldest first. Without a lower bound, the newest `limit`. */
export function queryEvents(sql: SqlStorage, q: EventQuery): MonitorEvent[] {
  const where: string[] = [];
  const args: (string | number)[] = [];
  if (q.afterId !== undefined) {
    where.push("id > ?");
    args.push(q.afterId);
  }
  if (q.sinceTs !== undefined) {
    where.push("ts >= ?");
    args.push(q.sinceTs);
  }
  if (q.type !== undefined) {
    where.push("type = ?");
    args.push(q.type);
  }
  if (q.target !== undefined) {
    where.push("target = ?");
    args.push(q.target);
  }
  const clause = where.length > 0 ? `WHERE ${where.join(" AND ")}` : "";
  const bounded = q.afterId !== undefined || q.sinceTs !== undefined;
  const sqlText = bounded
    ? `SELECT * FROM events ${clause} ORDER BY id ASC LIMIT ?`
    : `SELECT * FROM (SELECT * FROM events ${clause} ORDER BY id DESC LIMIT ?) ORDER BY id ASC`;
  const out: MonitorEvent[] = [];
  for (const row of sql.exec<EventRow>(sqlText, ...args, q.limit)) {
    const ev = eventFromRow(row);
    if (ev !== null) out.push(ev);
  }
  return out;
}

export function lastEventId(sql: SqlStorage): number {
  return sql.exec<{ id: number }>("SELECT COALESCE(MAX(id), 0) AS id FROM events").one().id;
}

export function firstEventId(sql: SqlStorage): number | null {
  const row = sql.exec<{ id: number | null }>("SELECT MIN(id) AS id FROM events").one();
  return row.id;
}

/** True when events after `afterId` were pruned before the client could see them. */
export function wasTruncated(sql: SqlStorage, afterId: number): boolean {
  const first = firstEventId(sql);
  const last = lastEventId(sql);
  if (afterId >= last) return false;
  return first === null ? afterId < last : first > afterId + 1;
}

export function appendRecovery(sql: SqlStorage, d: RecoveryDraft, now: number): RecoveryAction {
  const ts = new Date(now).toISOString();
  const row = sql
    .exec<{ id: number }>(
      "INSERT INTO recovery (ts, action, target, success, error, detail) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
      ts,
      d.action,
      d.target,
      d.success ? 1 : 0,
      d.error,
      d.detail,
    )
    .one();
  return { id: row.id, ts, ...d };
}

/** Recovery actions, newest first. */
export function listRecovery(sql: SqlStorage, limit: number): RecoveryAction[] {
  const out: RecoveryAction[] = [];
  for (const row of sql.exec<RecoveryRow>("SELECT * FROM recovery ORDER BY id DESC LIMIT ?", limit)) {
    const action = RecoveryActionKind.safeParse(row.action);
    if (!action.success) continue;
    out.push({ ...row, action: action.data, success: row.success === 1 });
  }
  return out;
}

export function pruneLogs(sql: SqlStorage): void {
  sql.exec("DELETE FROM events WHERE id <= (SELECT MAX(id) FROM events) - ?", LIMITS.events);
  sql.exec("DELETE FROM recovery WHERE id <= (SELECT MAX(id) FROM recovery) - ?", LIMITS.recovery);
}
