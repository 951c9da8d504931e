/**
 * Builds the monitor Worker (as `wrangler deploy --dry-run` would) so that the
 * gateway's tests can run it as an auxiliary worker: auxiliary workers cannot
 * read a wrangler.toml themselves.
 */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

export const MONITOR_BUILD_DIR = fileURLToPath(new URL("../../../../dist/test-monitor", import.meta.url));

export default function setup(): void {
  const root = fileURLToPath(new URL("../../../..", import.meta.url));
  execFileSync(
    "npx",
    ["wrangler", "deploy", "--dry-run", "-c", "workers/monitor/wrangler.toml", "--outdir", MONITOR_BUILD_DIR],
    { cwd: root, stdio: "pipe", env: { ...process.env, WRANGLER_SEND_METRICS: "false" } },
  );
}
