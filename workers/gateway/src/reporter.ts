/**
 * Passive health, usage and facts from live traffic, batched per isolate and
 * sent to HealthHub.report() off the hot path. Under load one call carries many
 * requests' reports: successes are coalesced to the latest per target, usage is
 * summed per upstream, model and client, repeated
 * facts are throttled, and the queue is bounded so a slow monitor cannot grow
 * the isolate's memory.
 */
import type { GatewayReport } from "@exo-bridge/core/protocol/routing";
import type { GatewayConfig } from "@exo-bridge/core/routing/gateway-config";
import { counters } from "./counters.ts";
import { hubStub } from "./hub.ts";

const MAX_QUEUE = 5_000;
const FACT_THROTTLE_MS = 30_000;

type Fact = Extract<GatewayReport, { kind: "fact" }>;
type Usage = Extract<GatewayReport, { kind: "usage" }>;

class Reporter {
  #queue: GatewayReport[] = [];
  /** Latest success per target since the last flush (failures are all kept). */
  #okByTarget = new Map<string, GatewayReport>();
  /** Usage summed per (upstream, model, client, ok) since the last flush: one row per key, not per request. */
  #usage = new Map<string, Usage>();
  #factSentAt = new Map<string, number>();
  #factHeld = new Map<string, number>();
  #scheduled = false;

  get queued(): number {
    return this.#queue.length + this.#okByTarget.size + this.#usage.size;
  }

  add(report: GatewayReport): void {
    if (report.kind === "observation" && (report.classification === "ok" || report.classification === "slow")) {
      this.#okByTarget.set(report.target, report);
      return;
    }
    if (report.kind === "usage") {
      const key = `${report.upstream}\u0000${report.model}\u0000${report.client}\u0000${String(report.ok)}`;
      const sum = this.#usage.get(key);
      if (sum === undefined) {
        this.#usage.set(key, { ...report });
      } else {
        sum.requests += report.requests;
        sum.promptTokens += report.promptTokens;
        sum.completionTokens += report.completionTokens;
        sum.costUsd += report.costUsd;
        sum.at = Math.max(sum.at, report.at);
      }
      return;
    }
    if (this.#queue.length >= MAX_QUEUE) {
      this.#queue.shift();
      counters.reportsDropped++;
    }
    this.#queue.push(report);
  }

  /**
   * Facts of one kind about one target are sent at most once per throttle window; the
   * next one sent says how many were held back, so the record stays complete in count.
   */
  fact(fact: Omit<Fact, "kind">, throttleKey: string = `${fact.type}:${fact.target ?? ""}`): void {
    const last = this.#factSentAt.get(throttleKey);
    if (last !== undefined && fact.at - last < FACT_THROTTLE_MS) {
      this.#factHeld.set(throttleKey, (this.#factHeld.get(throttleKey) ?? 0) + 1);
      return;
    }
    this.#factSentAt.set(throttleKey, fact.at);
    const held = this.#factHeld.get(throttleKey) ?? 0;
    this.#factHeld.delete(throttleKey);
    this.add({ kind: "fact", ...fact, data: held > 0 ? { ...fact.data, held_back_since_last: held } : fact.data });
  }

  /** Make sure a flush will happen within the flush interval. */
  schedule(env: Env, ctx: Pick<ExecutionContext, "waitUntil">, config: GatewayConfig): void {
    if (this.queued === 0) return;
    if (this.queued >= config.reportMaxBatch) {
      ctx.waitUntil(this.flush(env, config));
      return;
    }
    if (this.#scheduled) return;
    this.#scheduled = true;
    ctx.waitUntil(
      (async () => {
        if (config.reportFlushMs > 0) await scheduler.wait(config.reportFlushMs);
        this.#scheduled = false;
        await this.flush(env, config);
      })(),
    );
  }

  async flush(env: Env, config: GatewayConfig): Promise<void> {
    const merged = [...this.#okByTarget.values(), ...this.#usage.values()];
    const batch = [...merged, ...this.#queue].slice(0, Math.min(1_000, Math.max(config.reportMaxBatch, 1)));
    if (batch.length === 0) return;
    this.#okByTarget.clear();
    this.#usage.clear();
    this.#queue = this.#queue.slice(Math.max(0, batch.length - merged.length));
    counters.reportCalls++;
    try {
      await hubStub(env).report(batch);
    } catch {
      // The monitor may be redeploying; failures are worth retrying once, successes are not.
      for (const r of batch) if (r.kind !== "observation" || r.classification !== "ok") this.add(r);
    }
  }
}

export const reporter = new Reporter();
