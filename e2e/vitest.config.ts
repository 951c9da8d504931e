import { defineConfig } from "vitest/config";

export default defineConfig({
  test: { name: "e2e", include: ["**/*.test.ts"], exclude: ["**/node_modules/**", "dist/**"], environment: "node", passWithNoTests: true },
});
