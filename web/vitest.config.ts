import { defineConfig } from "vitest/config";

export default defineConfig({
  test: { name: "web", include: ["**/*.test.ts"], exclude: ["**/node_modules/**", "dist/**"], environment: "node", passWithNoTests: true },
});
