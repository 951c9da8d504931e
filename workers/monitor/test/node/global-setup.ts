/**
 * Starts a real simulated cluster (child process, ports 53415+) for the monitor's
 * workerd tests and provides its URLs; vitest.config.ts turns them into the
 * Worker's TARGETS and key bindings.
 */
import type { TestProject } from "vitest/node";
import { spawnCluster, type SimCluster } from "../../../../sim/spawn.ts";

export const SIM_PORTS = { control: 53499, exoA: 53415, exoB: 53416, exoLegacy: 53417, exoAccess: 53418, cloud: 53420 } as const;
export const TEST_CLOUD_KEY = "sk-monitor-test-cloud-key-1";
export const TEST_ACCESS = { clientId: "monitor-test.access", clientSecret: "monitor-test-access-secret-value" } as const;

declare module "vitest" {
  export interface ProvidedContext {
    simControlUrl: string;
    simUrls: Record<string, string>;
  }
}

let cluster: SimCluster | null = null;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  cluster = await spawnCluster({
    control: { port: SIM_PORTS.control },
    nodes: [
      { name: "exo_a", kind: "exo", port: SIM_PORTS.exoA, placementDelayMs: 100, keepAliveMs: 200 },
      { name: "exo_b", kind: "exo", port: SIM_PORTS.exoB, keepAliveMs: 200 },
      { name: "exo_legacy", kind: "exo", port: SIM_PORTS.exoLegacy, api: "legacy", keepAliveMs: 200 },
      { name: "exo_access", kind: "exo", port: SIM_PORTS.exoAccess, keepAliveMs: 200, access: TEST_ACCESS },
      { name: "cloud_a", kind: "cloud", port: SIM_PORTS.cloud, keys: [TEST_CLOUD_KEY] },
    ],
  });
  project.provide("simControlUrl", cluster.controlUrl);
  project.provide("simUrls", Object.fromEntries(cluster.targets.map((t) => [t.name, t.url])));
  return async () => {
    await cluster?.stop();
    cluster = null;
  };
}
