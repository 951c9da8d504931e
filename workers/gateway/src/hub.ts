/**
 * The gateway's view of the monitor's HealthHub Durable Object: its two RPC
 * methods, and the per-isolate routing snapshot cache that keeps DO calls far
 * below one per request. A stale snapshot is served while a refresh runs in the
 * background; only a missing or far too old one makes a request wait.
 */
import { RoutingSnapshot, type GatewayReport } from "@exo-bridge/core/protocol/routing";
import { HUB_NAME } from "@exo-bridge/core/protocol/hub";
import type { GatewayConfig } from "@exo-bridge/core/routing/gateway-config";
import { counters } from "./counters.ts";
import { GatewayError } from "./http-error.ts";

/** The RPC surface the monitor's HealthHub exposes to the gateway. */
export interface HubRpc {
  routingSnapshot(): Promise<unknown>;
  report(batch: GatewayReport[]): Promise<{ accepted: number }>;
}

export function hubStub(env: Env): HubRpc {
  // The binding is cross-script, so wrangler cannot type its RPC methods; results are parsed with zod.
  return env.HUB.get(env.HUB.idFromName(HUB_NAME)) as unknown as HubRpc;
}

class SnapshotCache {
  snapshot: RoutingSnapshot | null = null;
  fetchedAt = 0;
  lastError: string | null = null;
  #inflight: Promise<void> | null = null;

  ageMs(now: number): number | null {
    return this.snapshot === null ? null : now - this.fetchedAt;
  }

  async get(env: Env, ctx: Pick<ExecutionContext, "waitUntil">, config: GatewayConfig): Promise<RoutingSnapshot> {
    const now = Date.now();
    const age = this.ageMs(now);
    if (this.snapshot !== null && age !== null && age <= config.routingMaxStalenessMs) return this.snapshot;
    if (this.snapshot !== null && age !== null && age <= config.routingHardStalenessMs) {
      ctx.waitUntil(this.refresh(env));
      return this.snapshot;
    }
    await this.refresh(env);
    if (this.snapshot === null) {
      throw new GatewayError(503, "Routing state is unavailable; try again shortly.", { code: "routing_unavailable", headers: { "retry-after": "2" } });
    }
    return this.snapshot;
  }

  /** One refresh at a time per isolate; concurrent callers share it. */
  refresh(env: Env): Promise<void> {
    if (this.#inflight !== null) return this.#inflight;
    this.#inflight = this.#load(env).finally(() => {
      this.#inflight = null;
    });
    return this.#inflight;
  }

  async #load(env: Env): Promise<void> {
    counters.snapshotCalls++;
    try {
      const raw = await hubStub(env).routingSnapshot();
      const parsed = RoutingSnapshot.safeParse(raw);
      if (!parsed.success) {
        this.lastError = "monitor sent a routing snapshot of the wrong shape";
        return;
      }
      this.snapshot = parsed.data;
      this.fetchedAt = Date.now();
      this.lastError = null;
    } catch (err) {
      this.lastError = err instanceof Error ? err.message.slice(0, 200) : "routing snapshot call failed";
    }
  }
}

export const snapshots = new SnapshotCache();
