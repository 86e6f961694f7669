import { defineConfig } from "vitest/config";

/**
 * The fault suite (issue 7): crashes, restarts and provider faults, including the slow tests
 * (`*.slow.test.ts`) that spawn and SIGKILL worker processes. Files run one at a time: they
 * start processes and time kills, and a 2-core machine shared with other test files would make
 * their timings, not the app, the thing under test.
 */
export default defineConfig({
  test: {
    include: ["test/faults/**/*.test.ts"],
    testTimeout: 330_000,
    hookTimeout: 60_000,
    pool: "forks",
    fileParallelism: false,
  },
});
