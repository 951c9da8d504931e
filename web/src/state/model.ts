/**
 * The HUD's data model: plain, immutable values that the reducer
 * (apply-server-message.ts) turns into new values. Signals wrap it in app-state.ts;
 * nothing here touches the DOM or the network, so it is tested in Node.
 */
import type { MonitorEvent, RecoveryAction } from "@exo-bridge/core/protocol/events";
import type { CheckSample, SystemStatus } from "@exo-bridge/core/protocol/status";

/** Bounds that keep a page open for days from growing without limit. */
export const LIMITS = {
  events: 1000,
  recovery: 200,
  checksPerTarget: 240,
  protocolErrors: 20,
} as const;

/** Events that the server had already pruned when we resumed: shown, never hidden. */
export interface EventGap {
  /** The last id we had before the gap. */
  afterId: number;
  /** The first id the server still had (null if it sent none). */
  beforeId: number | null;
}

export interface ProtocolError {
  code: string;
  message: string;
}

export interface HudModel {
  status: SystemStatus | null;
  /** Ascending by id, unique ids, at most LIMITS.events. */
  events: readonly MonitorEvent[];
  /** Highest event id received from the server: the `since` of the next hello. */
  lastEventId: number;
  gaps: readonly EventGap[];
  /** Newest first, unique ids. */
  recovery: readonly RecoveryAction[];
  /** Per target, ascending by time, unique times. */
  checks: Readonly<Record<string, readonly CheckSample[]>>;
  /** True when "older events" found nothing further back (start of history or pruned). */
  oldestReached: boolean;
  protocolErrors: readonly ProtocolError[];
  /** How many snapshots were applied (first connect plus every resume). */
  snapshots: number;
}

export function emptyModel(): HudModel {
  return {
    status: null,
    events: [],
    lastEventId: 0,
    gaps: [],
    recovery: [],
    checks: {},
    oldestReached: false,
    protocolErrors: [],
    snapshots: 0,
  };
}
