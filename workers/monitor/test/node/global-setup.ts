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

function clusterConfig(ports: Record<keyof typeof SIM_PORTS, number>) {
  return {
    control: { port: ports.control },
    nodes: [
      { name: "exo_a", kind: "exo" as const, port: ports.exoA, placementDelayMs: 100, keepAliveMs: 200 },
      { name: "exo_b", kind: "exo" as const, port: ports.exoB, keepAliveMs: 200 },
      { name: "exo_legacy", kind: "exo" as const, port: ports.exoLegacy, api: "legacy" as const, keepAliveMs: 200 },
      { name: "exo_access", kind: "exo" as const, port: ports.exoAccess, keepAliveMs: 200, access: TEST_ACCESS },
      { name: "cloud_a", kind: "cloud" as const, port: ports.cloud, keys: [TEST_CLOUD_KEY] },
    ],
  };
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  try {
    cluster = await spawnCluster(clusterConfig(SIM_PORTS));
  } catch (err) {
    // Another run (a parallel `npm test`) holds the usual ports: take free ones instead.
    if (!(err instanceof Error) || !err.message.includes("EADDRINUSE")) throw err;
    cluster = await spawnCluster(clusterConfig({ control: 0, exoA: 0, exoB: 0, exoLegacy: 0, exoAccess: 0, cloud: 0 }));
  }
  project.provide("simControlUrl", cluster.controlUrl);
  project.provide("simUrls", Object.fromEntries(cluster.targets.map((t) => [t.name, t.url])));
  return async () => {
    await cluster?.stop();
    cluster = null;
  };
}
