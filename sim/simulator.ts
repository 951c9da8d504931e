/**
 * What the cluster supervisor and the control API see of any simulator: a name,
 * an address, a JSON-able state, and a chaos entry point taking the CLI's words.
 */
import type { Faults, SimKind } from "./faults.ts";
import type { RequestCounters } from "./sim-server.ts";

export interface SimState {
  name: string;
  kind: SimKind;
  url: string;
  port: number;
  listening: boolean;
  faults: Faults;
  requests: RequestCounters;
  /** Exo only. */
  api?: "v1" | "legacy";
  nodeId?: string;
  instances?: Array<{ modelId: string; instanceId: string; ready: boolean }>;
  /** Cloud only: requests per presented API key (configured keys, plus "invalid"/"missing"). */
  requestsByKey?: Record<string, number>;
}

export type ChaosOutcome = { ok: true; state: SimState } | { ok: false; error: string };

export interface Simulator {
  readonly name: string;
  readonly kind: SimKind;
  start(): Promise<void>;
  stop(): Promise<void>;
  chaos(fault: string, args: ReadonlyArray<string | number>): Promise<ChaosOutcome>;
  state(): SimState;
}
