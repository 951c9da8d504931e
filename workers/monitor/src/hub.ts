/**
 * HealthHub: the one Durable Object that owns the fleet of targets. Storage, I/O
 * and fan-out only: the state machine and recovery planning live in core, probe
 * rounds in rounds.ts, admin operations in admin.ts, the HTTP API in api/.
 */
import { DurableObject } from "cloudflare:workers";
import type { RoutingSnapshot } from "@exo-bridge/core/protocol/routing";
import type { ServerMessage } from "@exo-bridge/core/protocol/messages";
import type { SystemStatus } from "@exo-bridge/core/protocol/status";
import { createAdminApp } from "./api/app.ts";
import { buildRoutingSnapshot, buildStatus, spendPeriodStart } from "./documents.ts";
import { readConfig, type MonitorConfig } from "./env.ts";
import type { Counters, HubCore } from "./hub-core.ts";
import { applyReport } from "./report.ts";
import { runRound, type RoundSummary } from "./rounds.ts";
import { pruneChecks } from "./store/checks.ts";
import { draft, pruneLogs } from "./store/log.ts";
import { DEFAULT_META, loadMeta, saveMeta, type Meta } from "./store/meta.ts";
import { SCHEMA } from "./store/schema.ts";
import { earliestDue, listTargets } from "./store/targets.ts";
import { Tx } from "./store/tx.ts";
import { pruneUsage } from "./store/usage.ts";
import { seedTargets } from "./seed.ts";
import { acceptSocket, broadcast, onSocketMessage } from "./ws.ts";

export class HealthHub extends DurableObject<Env> implements HubCore {
  readonly sql: SqlStorage;
  readonly config: MonitorConfig;
  readonly inFlight = new Set<string>();
  readonly counters: Counters = { routingSnapshot: 0, report: 0, reportedItems: 0, rounds: 0, probes: 0, since: Date.now() };
  #meta: Meta;
  #snapshot: RoutingSnapshot | null = null;
  readonly #app: ReturnType<typeof createAdminApp>;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.config = readConfig(env);
    this.#app = createAdminApp(this);
    this.#meta = { ...DEFAULT_META };
    void ctx.blockConcurrencyWhile(async () => {
      for (const stmt of SCHEMA) this.sql.exec(stmt);
      this.#meta = loadMeta(this.sql);
      if (!this.#meta.seeded) this.#seed();
      await this.armAlarm();
    });
  }

  #seed(): void {
    this.write((tx, meta) => {
      if (meta.startedAt === null) {
        meta.startedAt = tx.now;
        tx.event(draft("manager_started", null, "monitor started"));
      }
      const error = seedTargets(tx, this.config.targetsJson, meta.seedError);
      meta.seedError = error;
      if (error === null) meta.seeded = true;
    });
  }

  get workerEnv(): Env {
    return this.env;
  }

  meta(): Meta {
    return { ...this.#meta };
  }

  write<T>(fn: (tx: Tx, meta: Meta) => T, opts: { round?: boolean } = {}): T {
    const now = Date.now();
    const meta = { ...this.#meta };
    const { tx, result } = this.ctx.storage.transactionSync(() => {
      const tx = new Tx(this.sql, now);
      const result = fn(tx, meta);
      meta.version += 1;
      if (opts.round === true) meta.lastRoundAt = now;
      saveMeta(this.sql, meta);
      if (tx.events.length > 0 || tx.actions.length > 0) pruneLogs(this.sql);
      if (opts.round === true) {
        pruneChecks(this.sql, now);
        pruneUsage(this.sql, now);
      }
      return { tx, result };
    });
    this.#meta = meta;
    this.#snapshot = null;
    const msgs: ServerMessage[] = [
      ...tx.events.map((event): ServerMessage => ({ type: "event", event })),
      ...tx.actions.map((action): ServerMessage => ({ type: "recovery", action })),
    ];
    if (opts.round === true) msgs.push({ type: "round", status: this.status(now), checks: tx.checks });
    broadcast(this.ctx, msgs);
    return result;
  }

  status(now: number = Date.now()): SystemStatus {
    return buildStatus(this.sql, this.#meta, listTargets(this.sql), now);
  }

  async armAlarm(): Promise<void> {
    const due = this.#meta.running ? earliestDue(this.sql) : null;
    if (due === null) {
      await this.ctx.storage.deleteAlarm();
      return;
    }
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > due) await this.ctx.storage.setAlarm(Math.max(due, Date.now()));
  }

  // ---- RPC for the gateway -------------------------------------------------

  /** What the gateway routes by; cached until the next committed change. */
  routingSnapshot(): RoutingSnapshot {
    this.counters.routingSnapshot += 1;
    const now = Date.now();
    if (this.#snapshot === null || this.#snapshot.spend.periodStart !== spendPeriodStart(now)) {
      this.#snapshot = buildRoutingSnapshot(this.sql, this.#meta, listTargets(this.sql), now);
    }
    return { ...this.#snapshot, generatedAt: now };
  }

  /** Passive health, usage and facts from the gateway; throws on a malformed batch. */
  async report(batch: unknown): Promise<{ accepted: number }> {
    this.counters.report += 1;
    const accepted = applyReport(this, batch);
    this.counters.reportedItems += accepted;
    return { accepted };
  }

  /** Called by the cron every minute: runs what is due and makes sure the alarm is armed. */
  async cronTick(): Promise<RoundSummary> {
    const summary = await runRound(this, { force: false });
    await this.armAlarm();
    return summary;
  }

  override async alarm(): Promise<void> {
    await runRound(this, { force: false });
    await this.armAlarm();
  }

  // ---- HTTP and WebSockets ---------------------------------------------------

  override async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === "/api/events/ws" && request.headers.get("upgrade")?.toLowerCase() === "websocket") {
      if (this.config.adminToken === null) return this.#app.fetch(request);
      return acceptSocket(this.ctx);
    }
    return this.#app.fetch(request);
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    await onSocketMessage(this, ws, message);
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    try {
      ws.close(code === 1005 || code === 1006 ? 1000 : code, "closing");
    } catch {
      // Already closed.
    }
  }

  override async webSocketError(): Promise<void> {}
}
