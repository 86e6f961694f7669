/**
 * The in-process daily scheduler (the demo's): a chore runs at its WIB time of day, again a day
 * later, a failing run does not stop the next day's, and nothing runs after close. Fake clock.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { InProcessDaily, parseTimeOfDay } from "../../src/jobs/daily.js";
import { silentLogger } from "../../src/logger.js";

afterEach(() => {
  vi.useRealTimers();
});

describe("InProcessDaily", () => {
  it("runs a chore at its WIB time every day, also after a failure, and stops on close", async () => {
    vi.useFakeTimers({ now: Date.parse("2025-01-31T19:00:00Z") }); // 02:00 WIB
    const runs: string[] = [];
    const daily = new InProcessDaily(silentLogger);
    await daily.start([
      {
        name: "backup",
        at: parseTimeOfDay("03:00"),
        run: async () => {
          runs.push(new Date(Date.now()).toISOString());
          if (runs.length === 1) throw new Error("Redis away");
        },
      },
    ]);
    await vi.advanceTimersByTimeAsync(60 * 60_000 - 1);
    expect(runs).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(runs).toEqual(["2025-01-31T20:00:00.000Z"]);
    await vi.advanceTimersByTimeAsync(24 * 60 * 60_000);
    expect(runs).toEqual(["2025-01-31T20:00:00.000Z", "2025-02-01T20:00:00.000Z"]);
    await daily.close();
    await vi.advanceTimersByTimeAsync(48 * 60 * 60_000);
    expect(runs).toHaveLength(2);
  });

  it("reads HH:MM", () => {
    expect(parseTimeOfDay("00:05")).toEqual({ hour: 0, minute: 5 });
    expect(parseTimeOfDay("23:59")).toEqual({ hour: 23, minute: 59 });
  });
});
