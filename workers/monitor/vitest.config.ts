import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: "./wrangler.toml" },
      miniflare: { bindings: { EXO_BRIDGE_ENV: "test", ADMIN_TOKEN: "test-admin-token" } },
    }),
  ],
  test: { name: "monitor", include: ["test/**/*.test.ts"] },
});
