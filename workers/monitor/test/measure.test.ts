/**
 * Figures for the docs: storage per target (a bounded raw window plus hourly
 * rollups) and, when MONITOR_MEASURE=1, wall-clock detection and recovery times
 * with the default policy (10 s interval, 3 failures / 2 successes) on real alarms.
 */
import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { z } from "zod";
import { describe, expect, it } from "vitest";
import { api, chaos, freshHub, resetSim, status } from "./helpers.ts";

const measure = z.object({ MONITOR_MEASURE: z.string().optional() }).loose().parse(env).MONITOR_MEASURE === "1";

describe("measurements", () => {
  it("storage per check sample, and the steady-state size per target at a 10 s interval", async () => {
    const hub = await freshHub();
    const size = () => runInDurableObject(hub, (_i, state) => state.storage.sql.databaseSize);
    const start = Date.now() - 2 * 3_600_000;
    const batch = (from: number) =>
      Array.from({ length: 1000 }, (_, i) => ({ kind: "observation", target: "cloud_a", at: start + (from + i) * 10_000, classification: "ok", latencyMs: 20 + (i % 7) }));
    await hub.report(batch(0));
    const before = await size();
    for (let k = 1; k <= 4; k++) await hub.report(batch(k * 1000));
    const after = await size();
    const perSample = (after - before) / 4000;
    // Raw samples are kept 3 h (1,080 at 10 s), rollups one row per hour for 35 days.
    const steady = perSample * 1080 + 24 * 35 * 40;
    console.log(`[measure] ${perSample.toFixed(1)} bytes per check sample; steady state ≈ ${(steady / 1024).toFixed(0)} KiB per target; ` +
      `${((perSample * 8640) / 1024).toFixed(0)} KiB written per target per day at 10 s`);
    expect(perSample).toBeGreaterThan(0);
    expect(perSample).toBeLessThan(400);
  });

  it.runIf(measure)("down → offline and up → healthy with the default policy (real alarms)", { timeout: 120_000 }, async () => {
    await resetSim();
    const hub = await freshHub();
    for (const name of ["exo_b", "exo_legacy", "exo_access", "cloud_a"]) await api(hub, "PATCH", `/api/targets/${name}`, { body: { enabled: false } });
    await api(hub, "PATCH", "/api/targets/exo_a", {
      body: { policy: { intervalS: 10, timeoutMs: 5000, failureThreshold: 3, recoveryThreshold: 2, degradedLatencyMs: 2000, slowThreshold: 2 } },
    });
    const until = async (want: string, limitMs: number): Promise<number> => {
      const t0 = Date.now();
      while (Date.now() - t0 < limitMs) {
        if ((await status(hub)).targets["exo_a"]?.status === want) return Date.now() - t0;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`exo_a never became ${want}`);
    };
    await until("healthy", 15_000);
    await chaos("exo_a", "down");
    const toOffline = await until("offline", 45_000);
    await chaos("exo_a", "up");
    const toHealthy = await until("healthy", 35_000);
    console.log(`[measure] down → offline ${(toOffline / 1000).toFixed(1)} s; up → healthy ${(toHealthy / 1000).toFixed(1)} s`);
    expect(toOffline).toBeGreaterThan(15_000);
    expect(toHealthy).toBeLessThan(25_000);
  });
});
