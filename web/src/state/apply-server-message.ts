/**
 * The one reducer for everything the HealthHub pushes over the WebSocket:
 * snapshot first (on every connect and resume), then events, recovery actions and
 * probe rounds. Pure: same model and message in, same model out.
 */
import type { MonitorEvent } from "@exo-bridge/core/protocol/events";
import type { ServerMessage } from "@exo-bridge/core/protocol/messages";
import type { SystemStatus } from "@exo-bridge/core/protocol/status";
import { assertNever } from "@exo-bridge/core/health/types";
import { mergeChecks, mergeEvents, mergeRecovery, pruneChecks } from "./merge.ts";
import { LIMITS, emptyModel, type EventGap, type HudModel } from "./model.ts";

export function applyServerMessage(model: HudModel, msg: ServerMessage): HudModel {
  switch (msg.type) {
    case "snapshot":
      return applySnapshot(model, msg);
    case "event": {
      const events = mergeEvents(model.events, [msg.event], LIMITS.events);
      const lastEventId = Math.max(model.lastEventId, msg.event.id);
      if (events === model.events && lastEventId === model.lastEventId) return model;
      return { ...model, events, lastEventId };
    }
    case "recovery": {
      const recovery = mergeRecovery(model.recovery, [msg.action], LIMITS.recovery);
      return recovery === model.recovery ? model : { ...model, recovery };
    }
    case "round":
      return withStatus({ ...model, checks: mergeChecks(model.checks, msg.checks, LIMITS.checksPerTarget) }, msg.status);
    case "pong":
      return model;
    case "error": {
      const protocolErrors = [...model.protocolErrors, { code: msg.code, message: msg.message }].slice(-LIMITS.protocolErrors);
      return { ...model, protocolErrors };
    }
    default:
      return assertNever(msg);
  }
}

type Snapshot = Extract<ServerMessage, { type: "snapshot" }>;

function applySnapshot(model: HudModel, msg: Snapshot): HudModel {
  // The server's event log restarted below what we hold (storage was reset):
  // our history no longer matches its ids, so start over rather than mix the two.
  const base = msg.status.manager.last_event_id < model.lastEventId ? { ...emptyModel(), snapshots: model.snapshots } : model;
  const maxIncoming = msg.events.reduce((m, e) => Math.max(m, e.id), 0);
  const gaps = msg.truncated && base.lastEventId > 0 ? [...base.gaps, gapAfter(base.lastEventId, msg.events)] : base.gaps;
  const next: HudModel = {
    ...base,
    events: mergeEvents(base.events, msg.events, LIMITS.events),
    lastEventId: Math.max(base.lastEventId, maxIncoming),
    gaps,
    recovery: mergeRecovery(base.recovery, msg.recovery, LIMITS.recovery),
    checks: mergeChecks(base.checks, msg.checks, LIMITS.checksPerTarget),
    snapshots: base.snapshots + 1,
  };
  return withStatus(next, msg.status);
}

function gapAfter(afterId: number, events: readonly MonitorEvent[]): EventGap {
  const first = events[0];
  return { afterId, beforeId: first === undefined ? null : first.id };
}

function withStatus(model: HudModel, status: SystemStatus): HudModel {
  return { ...model, status, checks: pruneChecks(model.checks, new Set(Object.keys(status.targets))) };
}

/**
 * Older events fetched on demand (GET /api/events) go through the same merge, so
 * an event already pushed live is never shown twice. `exhausted` marks the start
 * of the retained history.
 */
export function applyOlderEvents(model: HudModel, events: readonly MonitorEvent[], exhausted: boolean): HudModel {
  const merged = mergeEvents(model.events, events, LIMITS.events);
  if (merged === model.events && exhausted === model.oldestReached) return model;
  return { ...model, events: merged, oldestReached: exhausted || model.oldestReached };
}
