import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    projects: ["core", "sim", "workers/monitor", "workers/gateway", "web", "e2e"],
  },
});
