/**
 * One storage transaction's worth of writes, remembering what it appended so the
 * hub can broadcast exactly what was committed, after the commit.
 */
import type { ProbeResult } from "@exo-bridge/core/health/types";
import type { EventDraft, MonitorEvent, RecoveryAction, RecoveryDraft } from "@exo-bridge/core/protocol/events";
import type { CheckSample } from "@exo-bridge/core/protocol/status";
import { recordCheck } from "./checks.ts";
import { appendEvent, appendRecovery } from "./log.ts";

export class Tx {
  readonly events: MonitorEvent[] = [];
  readonly actions: RecoveryAction[] = [];
  readonly checks: CheckSample[] = [];

  constructor(
    readonly sql: SqlStorage,
    readonly now: number,
  ) {}

  event(d: EventDraft): void {
    this.events.push(appendEvent(this.sql, d, this.now));
  }

  recovery(d: RecoveryDraft): void {
    this.actions.push(appendRecovery(this.sql, d, this.now));
  }

  check(target: string, probe: ProbeResult): void {
    this.checks.push(recordCheck(this.sql, target, probe));
  }
}
