import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { TEST_ACCESS, TEST_CLOUD_KEY } from "./test/node/global-setup.ts";

/** Fast test policy: rounds are driven by RPC/alarms, so intervals only bound the schedule. */
const POLICY = { intervalS: 1, timeoutMs: 600, failureThreshold: 3, recoveryThreshold: 2, degradedLatencyMs: 300, slowThreshold: 2, syntheticIntervalS: 0, ttftBudgetMs: 500 };
const MODEL = { "llama-3.2-1b": "mlx-community/Llama-3.2-1B-Instruct-4bit" };

export default defineConfig({
  plugins: [
    cloudflareTest(({ inject }) => {
      const urls = inject("simUrls");
      const url = (name: string): string => urls[name] ?? "http://127.0.0.1:9";
      const targets = [
        { name: "exo_a", kind: "exo", url: url("exo_a"), models: MODEL, policy: POLICY },
        { name: "exo_b", kind: "exo", url: url("exo_b"), models: MODEL, policy: { ...POLICY, syntheticIntervalS: 1 } },
        { name: "exo_legacy", kind: "exo", api: "legacy", url: url("exo_legacy"), models: MODEL, policy: POLICY },
        { name: "exo_access", kind: "exo", url: url("exo_access"), models: MODEL, policy: POLICY, secrets: { accessClientId: "EXO_ACCESS_ID", accessClientSecret: "EXO_ACCESS_SECRET" } },
        { name: "cloud_a", kind: "cloud", url: url("cloud_a"), priority: 1, models: { "llama-3.2-1b": "sim/llama-3.2-1b-instruct" }, policy: POLICY },
      ];
      return {
        wrangler: { configPath: "./wrangler.toml" },
        miniflare: {
          bindings: {
            EXO_BRIDGE_ENV: "test",
            ADMIN_TOKEN: "test-admin-token",
            TARGETS: JSON.stringify(targets),
            SIM_CONTROL_URL: inject("simControlUrl"),
            CLOUD_A_API_KEYS: `${TEST_CLOUD_KEY},sk-monitor-test-cloud-key-2`,
            EXO_ACCESS_ID: TEST_ACCESS.clientId,
            EXO_ACCESS_SECRET: TEST_ACCESS.clientSecret,
            MONITOR_MEASURE: process.env["MONITOR_MEASURE"] ?? "0",
          },
        },
      };
    }),
  ],
  test: {
    name: "monitor",
    include: ["test/**/*.test.ts"],
    globalSetup: ["./test/node/global-setup.ts"],
    // The simulated cluster is shared: files that inject faults must not overlap.
    fileParallelism: false,
    testTimeout: 20_000,
  },
});
