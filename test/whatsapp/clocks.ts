/**
 * Clocks for the WhatsApp tests: time that moves only when the test says so.
 */
import type { Clock } from "../../src/channels/whatsapp/pacer.js";

/**
 * Virtual time that jumps forward on every sleep: a pacer run of a hundred messages at one per
 * second finishes at once, while `now()` reports when each message would really have gone out.
 */
export class VirtualClock implements Clock {
  time = 0;
  readonly sleeps: number[] = [];

  now(): number {
    return this.time;
  }

  async sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    this.time += Math.max(0, ms);
    await Promise.resolve();
  }
}

/** Sleeps that wait until {@link ManualClock.release} — to look at a back-off before it ends. */
export class ManualClock implements Clock {
  time = 0;
  readonly pending: { ms: number; resolve: () => void }[] = [];
  readonly history: number[] = [];

  now(): number {
    return this.time;
  }

  sleep(ms: number): Promise<void> {
    this.history.push(ms);
    return new Promise((resolve) => this.pending.push({ ms, resolve }));
  }

  /** Ends every pending sleep (time jumps by the longest). */
  release(): void {
    const due = this.pending.splice(0);
    this.time += Math.max(0, ...due.map((sleep) => sleep.ms));
    for (const sleep of due) sleep.resolve();
  }
}

/** Polls `check` until it holds (for state reached through real I/O such as Redis). */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 3_000, what = "condition"): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
