/**
 * The per-chat flood gate on its own, in fake time: a burst then about one message a second,
 * one notice per 10 s at most, arrival order kept, and a cap on a chat's messages in handling.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { FloodGate } from "../../src/channels/flood-gate.js";

beforeEach(() => {
  vi.useFakeTimers({ now: new Date("2026-12-01T10:00:00Z") });
});
afterEach(() => {
  vi.useRealTimers();
});

/** Sends `count` messages of `chat` at the current instant; returns what the gate decided. */
async function burst(gate: FloodGate, chat: string, count: number, handled: number[] = []) {
  let notices = 0;
  const verdicts = await Promise.all(
    Array.from({ length: count }, (_, i) =>
      gate.guard(chat, async () => void handled.push(i), () => void notices++),
    ),
  );
  return { handled, notices, verdicts };
}

describe("FloodGate", () => {
  it("handles a burst, then about one message a second, and drops the rest", async () => {
    const gate = new FloodGate({ perSecond: 1, burst: 4 });
    const first = await burst(gate, "chat-1", 100);
    expect(first.handled).toHaveLength(5); // 1 for this second + a burst of 4
    await vi.advanceTimersByTimeAsync(1_000);
    expect((await burst(gate, "chat-1", 100)).handled).toHaveLength(1);
    // Another chat is not touched by the first one's flood.
    expect((await burst(gate, "chat-2", 3)).handled).toHaveLength(3);
  });

  it("tells a flooding chat to slow down at most once per 10 s", async () => {
    const gate = new FloodGate({ perSecond: 1, burst: 0, noticeEverySeconds: 10 });
    expect((await burst(gate, "chat-1", 50)).notices).toBe(1);
    await vi.advanceTimersByTimeAsync(9_900);
    expect((await burst(gate, "chat-1", 50)).notices).toBe(0);
    await vi.advanceTimersByTimeAsync(200);
    expect((await burst(gate, "chat-1", 50)).notices).toBe(1);
  });

  it("keeps one chat's messages in arrival order, across the rate and the burst", async () => {
    const gate = new FloodGate({ perSecond: 1, burst: 10 });
    const { handled } = await burst(gate, "chat-1", 30);
    expect(handled).toEqual([...handled].sort((a, b) => a - b));
    expect(handled).toEqual(Array.from({ length: 11 }, (_, i) => i));
  });

  it("drops a chat's messages beyond the pending cap while earlier ones are still handled", async () => {
    const gate = new FloodGate({ perSecond: 1_000, burst: 0, maxPending: 2 });
    let release = () => undefined as void;
    const stuck = new Promise<void>((resolve) => (release = resolve));
    const running = [gate.guard("chat-1", () => stuck, () => undefined), gate.guard("chat-1", () => stuck, () => undefined)];
    await vi.advanceTimersByTimeAsync(0);
    expect(await gate.guard("chat-1", async () => undefined, () => undefined)).not.toBe("handle");
    expect(await gate.guard("chat-2", async () => undefined, () => undefined)).toBe("handle");
    expect(gate.busyChats).toBe(1);
    release();
    await Promise.all(running);
    expect(gate.busyChats).toBe(0);
    expect(await gate.guard("chat-1", async () => undefined, () => undefined)).toBe("handle");
  });
});
