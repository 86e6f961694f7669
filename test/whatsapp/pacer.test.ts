/**
 * The outbound pacer in virtual time: the global rate (with jitter) holds across recipients,
 * each recipient's messages keep their order, rate-limit refusals back off and retry a bounded
 * number of times, and other failures are not retried.
 */
import { describe, expect, it } from "vitest";
import { Pacer, type SendStep } from "../../src/channels/whatsapp/pacer.js";
import { isRateLimitError } from "../../src/channels/whatsapp/whatsapp-channel.js";
import { boom, rateOverlimit } from "../fakes/baileys-socket.js";
import { VirtualClock } from "./clocks.js";

interface Sent {
  to: string;
  label: string;
  at: number;
}

function setup(options: { perSecond?: number; random?: () => number; retries?: number; retryBaseMs?: number } = {}) {
  const clock = new VirtualClock();
  const sent: Sent[] = [];
  const pacer = new Pacer({
    perSecond: options.perSecond ?? 1,
    isRateLimit: isRateLimitError,
    clock,
    random: options.random ?? (() => 0.5),
    retries: options.retries ?? 3,
    retryBaseMs: options.retryBaseMs ?? 2_000,
  });
  const step =
    (to: string, label: string, fail?: () => Error | undefined): SendStep =>
    async () => {
      const error = fail?.();
      if (error) throw error;
      sent.push({ to, label, at: clock.now() });
    };
  return { clock, sent, pacer, step };
}

describe("Pacer", () => {
  it("keeps the global rate across recipients, with jitter only ever slowing it down", async () => {
    let turn = 0;
    const randoms = [0, 0.99, 0.3, 0.7, 0.1, 0.5, 0.9, 0.2];
    const { sent, pacer, step } = setup({ perSecond: 2, random: () => randoms[turn++ % randoms.length]! });
    const batches = ["a", "b", "c", "d"].map((to) => pacer.send(to, [step(to, "1"), step(to, "2")]));
    await Promise.all(batches);

    expect(sent).toHaveLength(8);
    const gaps = sent.slice(1).map((item, index) => item.at - sent[index]!.at);
    for (const gap of gaps) {
      expect(gap).toBeGreaterThanOrEqual(500); // 2 per second
      expect(gap).toBeLessThanOrEqual(600); // + at most 20 % jitter
    }
    expect(new Set(gaps).size).toBeGreaterThan(1); // the rhythm varies
  });

  it("keeps each recipient's order and lets recipients take turns", async () => {
    const { sent, pacer, step } = setup({ perSecond: 10 });
    const long = pacer.send("a", ["1", "2", "3", "4"].map((label) => step("a", label)));
    const second = pacer.send("a", [step("a", "5")]);
    const other = pacer.send("b", [step("b", "1"), step("b", "2")]);
    await Promise.all([long, second, other]);

    expect(sent.filter((item) => item.to === "a").map((item) => item.label)).toEqual(["1", "2", "3", "4", "5"]);
    expect(sent.filter((item) => item.to === "b").map((item) => item.label)).toEqual(["1", "2"]);
    // b does not wait for all of a's long message: turns alternate.
    expect(sent.map((item) => `${item.to}${item.label}`).slice(0, 4)).toEqual(["a1", "b1", "a2", "b2"]);
  });

  it("backs off exponentially on rate-overlimit, retries, and holds every recipient meanwhile", async () => {
    const { clock, sent, pacer, step } = setup({ perSecond: 1, retryBaseMs: 4_000 });
    const failures = [rateOverlimit(), boom(429, "too many requests")];
    const first = pacer.send("a", [step("a", "1", () => failures.shift()), step("a", "2")]);
    const other = pacer.send("b", [step("b", "1")]);
    await Promise.all([first, other]);

    expect(sent.map((item) => `${item.to}${item.label}`)).toEqual(["a1", "b1", "a2"]);
    // random 0.5 → equal jitter gives 3/4 of the capped delay: 4 s then 8 s doubled.
    expect(clock.sleeps).toContain(3_000);
    expect(clock.sleeps).toContain(6_000);
    // b's message could not overtake the pause: it went out after both back-offs.
    expect(sent[1]!.at).toBeGreaterThanOrEqual(9_000);
  });

  it("gives up after the bounded retries, drops the rest of that batch, and carries on", async () => {
    const { sent, pacer, step } = setup({ retries: 2, retryBaseMs: 100 });
    let attempts = 0;
    const doomed = pacer.send("a", [
      step("a", "1", () => {
        attempts += 1;
        return rateOverlimit();
      }),
      step("a", "2"),
    ]);
    const next = pacer.send("a", [step("a", "3")]);
    await expect(doomed).rejects.toThrow("rate-overlimit");
    await next;

    expect(attempts).toBe(3);
    expect(sent.map((item) => item.label)).toEqual(["3"]);
  });

  it("does not retry a failure that is not about rate", async () => {
    const { clock, sent, pacer, step } = setup();
    let attempts = 0;
    const failing = pacer.send("a", [
      step("a", "1", () => {
        attempts += 1;
        return boom(500, "internal-server-error");
      }),
    ]);
    await expect(failing).rejects.toThrow("internal-server-error");
    expect(attempts).toBe(1);
    expect(sent).toEqual([]);
    expect(clock.sleeps.every((ms) => ms <= 1_500)).toBe(true); // slot waits only, no back-off
  });

  it("fails queued batches when closed and refuses new ones", async () => {
    const { sent, pacer, step } = setup();
    const sending = pacer.send("a", [step("a", "1"), step("a", "2")]);
    const queued = pacer.send("b", [step("b", "1")]);
    pacer.close(new Error("stopped"));
    await expect(queued).rejects.toThrow("stopped");
    await expect(sending).rejects.toThrow("stopped");
    await expect(pacer.send("c", [step("c", "1")])).rejects.toThrow("stopped");
    expect(pacer.pending).toBe(0);
    expect(sent).toEqual([]);
  });

  it("paces a thousand messages in virtual time (benchmarkable without waiting)", async () => {
    const { clock, sent, pacer, step } = setup({ perSecond: 1, random: Math.random });
    const started = Date.now();
    await Promise.all(Array.from({ length: 100 }, (_, r) => pacer.send(`r${r}`, Array.from({ length: 10 }, (__, i) => step(`r${r}`, String(i))))));

    expect(sent).toHaveLength(1_000);
    expect(clock.now()).toBeGreaterThanOrEqual(999_000); // ≥ 1 s between messages
    expect(clock.now()).toBeLessThanOrEqual(1_000 * 1_500);
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});

describe("isRateLimitError", () => {
  it("recognises WhatsApp's rate refusals and nothing else", () => {
    expect(isRateLimitError(rateOverlimit())).toBe(true);
    expect(isRateLimitError(boom(429, "anything"))).toBe(true);
    expect(isRateLimitError(boom(428, "Connection Closed"))).toBe(false);
    expect(isRateLimitError(new Error("ECONNRESET"))).toBe(false);
    expect(isRateLimitError("rate-overlimit")).toBe(false);
  });
});
