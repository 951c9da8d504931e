import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { MONITOR_BUILD_DIR } from "./test/node/global-setup.ts";

/** Gateway vars for tests: short budgets so failure paths finish in seconds. */
const GATEWAY_TEST_VARS = {
  EXO_BRIDGE_ENV: "test",
  GATEWAY_API_KEYS: "sk-exo-bridge-test",
  ROUTING_MAX_STALENESS_MS: "250",
  GATEWAY_TTFT_BUDGET_MS: "3000",
  GATEWAY_STREAM_STALL_MS: "2000",
  GATEWAY_REQUEST_TIMEOUT_MS: "5000",
  GATEWAY_REPORT_FLUSH_MS: "20",
  GATEWAY_BACKOFF_BASE_MS: "5",
  GATEWAY_BACKOFF_MAX_MS: "20",
  GATEWAY_PENALTY_MS: "1500",
};

export default defineConfig({
  plugins: [
    cloudflareTest(({ inject }) => ({
      wrangler: { configPath: "../../wrangler.toml" },
      miniflare: {
        bindings: {
          ...GATEWAY_TEST_VARS,
          SIM_CLOUD_API_KEYS: inject("cloudKeys"),
          ACCESS_CLIENT_ID: inject("accessClientId"),
          ACCESS_CLIENT_SECRET: inject("accessClientSecret"),
          SIM_CONTROL_URL: inject("simControlUrl"),
        },
        workers: [
          {
            name: "exo-bridge-monitor",
            modules: true,
            rootPath: MONITOR_BUILD_DIR,
            scriptPath: "index.js",
            compatibilityDate: "2026-11-01",
            durableObjects: { HUB: { className: "HealthHub", useSQLite: true } },
            bindings: {
              EXO_BRIDGE_ENV: "test",
              ADMIN_TOKEN: "test-admin-token",
              TARGETS: inject("targetsJson"),
              SIM_CLOUD_API_KEYS: inject("cloudKeys"),
              ACCESS_CLIENT_ID: inject("accessClientId"),
              ACCESS_CLIENT_SECRET: inject("accessClientSecret"),
            },
          },
        ],
      },
    })),
  ],
  test: { name: "gateway", include: ["test/**/*.test.ts"], globalSetup: ["./test/node/global-setup.ts"], testTimeout: 30_000, hookTimeout: 60_000 },
});
