/**
 * The state machine's transition table as data: each row is one (from status,
 * input) pair with the status it leads to and the events it emits. The same rows
 * render the table in docs/state-machine.md and drive a test that replays each
 * one through `transition`, so the documentation cannot drift from the code.
 * Rows use the default policy (failureThreshold F = 3, recoveryThreshold R = 2,
 * slowThreshold S = 2, degradedLatencyMs = 2000) unless they say otherwise.
 */
import type { HealthPolicy } from "../config/target.ts";
import type { EventType } from "../protocol/events.ts";
import type { ProbeClass, TargetHealth, TargetStatus } from "./types.ts";

/** Record fields a row sets before its input, beyond `status`. */
export type RowGiven = Partial<
  Pick<
    TargetHealth,
    "consecutiveFailures" | "consecutiveSuccesses" | "consecutiveSlow" | "lastClassification" | "nodeId" | "offlineSince" | "since"
  >
>;

export interface ProbeRow {
  kind: "probe";
  from: TargetStatus;
  /** What happens, for people. */
  input: string;
  given?: RowGiven;
  policy?: Partial<HealthPolicy>;
  probe: { classification: ProbeClass; latencyMs?: number; source?: "probe" | "passive"; nodeId?: string };
  to: TargetStatus;
  events: EventType[];
}

export interface OperatorRow {
  kind: "operator";
  from: TargetStatus;
  input: string;
  maintenance: boolean;
  to: TargetStatus;
  events: EventType[];
}

export type TableRow = ProbeRow | OperatorRow;

/** Time the rows' records were last changed; inputs arrive 10 s later. */
export const TABLE_T0 = 1_700_000_000_000;

const ok = { classification: "ok", latencyMs: 40 } as const;
const slow = { classification: "ok", latencyMs: 3_000 } as const;
const timeout = { classification: "timeout", latencyMs: null } as const;
const denied = { classification: "access_denied", latencyMs: 12 } as const;
const SC = "status_change";
const TF = "target_failure";
const TR = "target_recovery";

/** Shorthand for probe rows; `latencyMs: null` means "no answer". */
function p(
  from: TargetStatus,
  input: string,
  probe: { classification: ProbeClass; latencyMs: number | null; source?: "probe" | "passive"; nodeId?: string },
  to: TargetStatus,
  events: EventType[],
  given?: RowGiven,
  policy?: Partial<HealthPolicy>,
): ProbeRow {
  const { latencyMs, ...rest } = probe;
  const row: ProbeRow = { kind: "probe", from, input, probe: latencyMs === null ? rest : { ...rest, latencyMs }, to, events };
  if (given !== undefined) row.given = given;
  if (policy !== undefined) row.policy = policy;
  return row;
}

const relapsed: RowGiven = { since: TABLE_T0, offlineSince: TABLE_T0 - 120_000, consecutiveFailures: 1 };

export const TRANSITION_TABLE: readonly TableRow[] = [
  p("unknown", "fast success", ok, "healthy", [SC]),
  p("unknown", "slow success (1st slow sample)", slow, "healthy", [SC]),
  p("unknown", "failure", timeout, "degraded", [TF, SC]),
  p("unknown", "failure, F = 1", timeout, "offline", [TF, SC], undefined, { failureThreshold: 1 }),
  p("unknown", "access_denied", denied, "misconfigured", [SC]),

  p("healthy", "fast success", ok, "healthy", []),
  p("healthy", "slow success, slow streak below S", slow, "healthy", [], { consecutiveSuccesses: 5 }),
  p("healthy", "slow success, slow streak reaches S", slow, "degraded", [SC], { consecutiveSuccesses: 5, consecutiveSlow: 1 }),
  p("healthy", "1st failure", timeout, "degraded", [TF, SC], { consecutiveSuccesses: 5 }),
  p("healthy", "1st failure seen on live traffic (passive)", { ...timeout, classification: "stream_cut", source: "passive" }, "degraded", [TF, SC]),
  p("healthy", "success from a new node id", { ...ok, nodeId: "b7e1" }, "healthy", ["target_restarted"], { nodeId: "a3f0" }),
  p("healthy", "access_denied", denied, "misconfigured", [SC]),

  p("degraded", "2nd failure in a row", timeout, "failing", [TF, SC], { consecutiveFailures: 1 }),
  p("degraded", "success, streak below R", ok, "degraded", [], { consecutiveFailures: 1 }),
  p("degraded", "fast success, streak reaches R", ok, "healthy", [SC], { consecutiveSuccesses: 1 }),
  p("degraded", "slow success, slow streak still ≥ S", slow, "degraded", [], { consecutiveSuccesses: 5, consecutiveSlow: 2 }),
  p("degraded", "fast success after slowness", ok, "healthy", [SC], { consecutiveSuccesses: 5, consecutiveSlow: 2 }),
  p("degraded", "1st failure while degraded by slowness", timeout, "degraded", [TF], { consecutiveSuccesses: 5, consecutiveSlow: 2 }),

  p("failing", "failure, streak still below F (F = 4)", timeout, "failing", [TF], { consecutiveFailures: 2 }, { failureThreshold: 4 }),
  p("failing", "failure right after a success (never improves)", timeout, "failing", [TF], { consecutiveSuccesses: 1 }),
  p("failing", "failure, streak reaches F", timeout, "offline", [TF, SC], { consecutiveFailures: 2 }),
  p("failing", "success, streak below R", ok, "failing", [], { consecutiveFailures: 2 }),
  p("failing", "fast success, streak reaches R", ok, "healthy", [SC], { consecutiveSuccesses: 1 }),
  p("failing", "slow success, streaks reach R and S", slow, "degraded", [SC], { consecutiveSuccesses: 1, consecutiveSlow: 1 }),

  p("offline", "failure, same classification as before", timeout, "offline", [], { consecutiveFailures: 3, lastClassification: "timeout", offlineSince: TABLE_T0 }),
  p("offline", "failure, new classification", { classification: "refused", latencyMs: 3 }, "offline", [TF], { consecutiveFailures: 3, lastClassification: "timeout", offlineSince: TABLE_T0 }),
  p("offline", "success", ok, "recovering", [SC], { consecutiveFailures: 3, offlineSince: TABLE_T0 }),
  p("offline", "success, R = 1", ok, "healthy", [SC, TR], { consecutiveFailures: 3, offlineSince: TABLE_T0 }, { recoveryThreshold: 1 }),
  p("offline", "success seen on live traffic (passive)", { ...ok, source: "passive" }, "offline", [], { consecutiveFailures: 3, offlineSince: TABLE_T0 }),
  p("offline", "success after a relapse, streak below R", ok, "offline", [], relapsed),
  p("offline", "success after a relapse, streak reaches R", ok, "recovering", [SC], { ...relapsed, consecutiveFailures: 0, consecutiveSuccesses: 1 }),
  p("offline", "access_denied", denied, "misconfigured", [SC], { consecutiveFailures: 3, offlineSince: TABLE_T0 }),

  p("recovering", "success, streak reaches R", ok, "healthy", [SC, TR], { consecutiveSuccesses: 1, offlineSince: TABLE_T0 - 300_000 }),
  p("recovering", "slow success, streaks reach R and S", slow, "degraded", [SC, TR], { consecutiveSuccesses: 1, consecutiveSlow: 1, offlineSince: TABLE_T0 - 300_000 }),
  p("recovering", "success, streak below R (R = 3)", ok, "recovering", [], { consecutiveSuccesses: 1, offlineSince: TABLE_T0 - 300_000 }, { recoveryThreshold: 3 }),
  p("recovering", "any failure (a relapse)", timeout, "offline", [TF, SC], { consecutiveSuccesses: 1, offlineSince: TABLE_T0 - 300_000 }),

  p("misconfigured", "access_denied again", denied, "misconfigured", []),
  p("misconfigured", "success (read as from unknown)", ok, "healthy", [SC]),
  p("misconfigured", "failure (read as from unknown)", timeout, "degraded", [TF, SC]),

  p("maintenance", "success", ok, "maintenance", []),
  p("maintenance", "failure", timeout, "maintenance", [], { consecutiveFailures: 7 }),
  p("maintenance", "access_denied", denied, "maintenance", []),
  p("maintenance", "success from a new node id", { ...ok, nodeId: "b7e1" }, "maintenance", ["target_restarted"], { nodeId: "a3f0" }),

  { kind: "operator", from: "healthy", input: "operator starts maintenance", maintenance: true, to: "maintenance", events: [SC] },
  { kind: "operator", from: "offline", input: "operator starts maintenance", maintenance: true, to: "maintenance", events: [SC] },
  { kind: "operator", from: "maintenance", input: "operator ends maintenance", maintenance: false, to: "unknown", events: [SC] },
  { kind: "operator", from: "healthy", input: "operator ends maintenance (not in it)", maintenance: false, to: "healthy", events: [] },
];
