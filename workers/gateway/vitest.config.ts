import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { MONITOR_BUILD_DIR } from "./test/node/global-setup.ts";

export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: "../../wrangler.toml" },
      miniflare: {
        bindings: { EXO_BRIDGE_ENV: "test" },
        workers: [
          {
            name: "exo-bridge-monitor",
            modules: true,
            rootPath: MONITOR_BUILD_DIR,
            scriptPath: "index.js",
            compatibilityDate: "2026-11-01",
            durableObjects: { HUB: { className: "HealthHub", useSQLite: true } },
            bindings: { EXO_BRIDGE_ENV: "test", ADMIN_TOKEN: "test-admin-token", TARGETS: "[]" },
          },
        ],
      },
    }),
  ],
  test: { name: "gateway", include: ["test/**/*.test.ts"], globalSetup: ["./test/node/global-setup.ts"] },
});
