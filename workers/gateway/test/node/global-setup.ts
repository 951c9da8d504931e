/**
 * Before the gateway's workerd tests: builds the monitor Worker (auxiliary
 * workers cannot read a wrangler.toml) and spawns a simulated cluster on
 * 127.0.0.1 ports 54415+, whose target list is provided to the test config so
 * the auxiliary monitor probes it.
 */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { TestProject } from "vitest/node";
import { spawnCluster } from "../../../../sim/spawn.ts";
import { TEST_ACCESS, TEST_CLOUD_KEYS, testClusterConfig, testTargets } from "./cluster-config.ts";

export const MONITOR_BUILD_DIR = fileURLToPath(new URL("../../../../dist/test-monitor", import.meta.url));

declare module "vitest" {
  export interface ProvidedContext {
    simControlUrl: string;
    targetsJson: string;
    cloudKeys: string;
    accessClientId: string;
    accessClientSecret: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const root = fileURLToPath(new URL("../../../..", import.meta.url));
  execFileSync("npx", ["wrangler", "deploy", "--dry-run", "-c", "workers/monitor/wrangler.toml", "--outdir", MONITOR_BUILD_DIR], {
    cwd: root,
    stdio: "pipe",
    env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
  });
  const cluster = await spawnCluster(testClusterConfig());
  project.provide("simControlUrl", cluster.controlUrl);
  project.provide("targetsJson", JSON.stringify(testTargets(cluster.targets)));
  project.provide("cloudKeys", TEST_CLOUD_KEYS.join(","));
  project.provide("accessClientId", TEST_ACCESS.clientId);
  project.provide("accessClientSecret", TEST_ACCESS.clientSecret);
  return () => cluster.stop();
}
