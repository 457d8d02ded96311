import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    // GPU tests share one software adapter (lavapipe) on a 2-core machine; forks keep each file's
    // Dawn instance in its own process so a hung device cannot take the others down.
    pool: "forks",
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
