/**
 * What the hub's parts (rounds, admin operations, sockets) need from the Durable
 * Object: storage, the committed-write primitive and the alarm. Keeping it an
 * interface keeps those parts out of the class body.
 */
import type { SystemStatus } from "@exo-bridge/core/protocol/status";
import type { MonitorConfig } from "./env.ts";
import type { Meta } from "./store/meta.ts";
import type { Tx } from "./store/tx.ts";

export interface Counters {
  routingSnapshot: number;
  report: number;
  reportedItems: number;
  rounds: number;
  probes: number;
  /** When these in-memory counters started (they reset on eviction). */
  since: number;
}

export interface HubCore {
  readonly sql: SqlStorage;
  readonly workerEnv: Env;
  readonly config: MonitorConfig;
  /** Targets with a probe in flight: neither the alarm nor the cron probes them again. */
  readonly inFlight: Set<string>;
  readonly counters: Counters;
  meta(): Meta;
  /**
   * Runs `fn` in one storage transaction with a mutable copy of the meta, bumps the
   * routing version, commits, then broadcasts what was appended (and, for a round,
   * the new status). A throw rolls everything back and broadcasts nothing.
   */
  write<T>(fn: (tx: Tx, meta: Meta) => T, opts?: { round?: boolean }): T;
  status(now?: number): SystemStatus;
  /** Arms the alarm for the earliest due target (or clears it when stopped). */
  armAlarm(): Promise<void>;
}
