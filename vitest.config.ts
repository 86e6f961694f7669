import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Each file gets its own Redis key prefix or DB, so files may run in parallel.
    pool: "forks",
  },
});
