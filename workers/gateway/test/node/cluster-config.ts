/**
 * The simulated cluster the gateway tests run against, and the monitor targets
 * pointing at it: one Exo node, one legacy Exo node
 * and one cloud provider with three keys.
 */
import type { ClusterConfig } from "../../../../sim/spawn.ts";

export const ALIAS = "llama-3.2-1b";
export const LEGACY_ALIAS = "legacy-llama";
export const EXO_MODEL = "mlx-community/Llama-3.2-1B-Instruct-4bit";
export const CLOUD_MODEL = "sim/llama-3.2-1b-instruct";
export const TEST_ACCESS = { clientId: "test-access-id.access", clientSecret: "test-access-secret-value" };
export const TEST_CLOUD_KEYS = ["sk-sim-test-key-1", "sk-sim-test-key-2", "sk-sim-test-key-3"];

export function testClusterConfig(): ClusterConfig {
  return {
    control: { port: 54499 },
    nodes: [
      // Behind a (simulated) Cloudflare Access app: 403 unless the service token headers match.
      { name: "exo_primary", kind: "exo", port: 54415, models: [EXO_MODEL], tokensPerSecond: 2_000, keepAliveMs: 1_000, access: TEST_ACCESS },
      { name: "exo_legacy", kind: "exo", api: "legacy", port: 54416, models: [EXO_MODEL], tokensPerSecond: 2_000, keepAliveMs: 1_000 },
      { name: "sim_cloud", kind: "cloud", port: 54420, models: [CLOUD_MODEL], keys: TEST_CLOUD_KEYS, tokensPerSecond: 5_000, retryAfterS: 30 },
    ],
  };
}

export function testTargets(ready: ReadonlyArray<{ name: string; url: string }>): unknown[] {
  const url = (name: string): string => {
    const t = ready.find((r) => r.name === name);
    if (t === undefined) throw new Error(`sim did not start ${name}`);
    return t.url;
  };
  return [
    { name: "exo_primary", kind: "exo", url: url("exo_primary"), models: { [ALIAS]: EXO_MODEL }, policy: { syntheticIntervalS: 0, intervalS: 3600 } },
    // Legacy Exo (aiohttp era): streams end without [DONE]. Its own alias keeps it out of the main tests' routing.
    { name: "exo_legacy", kind: "exo", api: "legacy", url: url("exo_legacy"), models: { [LEGACY_ALIAS]: EXO_MODEL }, policy: { syntheticIntervalS: 0, intervalS: 3600 } },
    {
      name: "sim_cloud",
      kind: "cloud",
      url: url("sim_cloud"),
      priority: 1,
      models: { [ALIAS]: CLOUD_MODEL, "cloud-only": CLOUD_MODEL },
      pricing: { inputPerMTok: 0.1, outputPerMTok: 0.4 },
      policy: { syntheticIntervalS: 0, intervalS: 3600 },
    },
  ];
}
