import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Process-killing fault tests take minutes: `npm run test:faults` runs them (and CI does).
    exclude: ["**/node_modules/**", "test/**/*.slow.test.ts"],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Each file gets its own Redis key prefix or DB, so files may run in parallel.
    pool: "forks",
  },
});
