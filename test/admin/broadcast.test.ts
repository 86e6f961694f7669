/**
 * `/broadcast` against a Bot API fake that enforces Telegram's flood limits (30 messages/s
 * overall, 1/s per chat, 429 with retry_after beyond them): every buyer gets the message exactly
 * once, the pace stays under the limit, buyers who blocked the bot are marked and skipped next
 * time, and the group sees progress and a final count. The retry rules are checked on their own
 * with a scripted outbox.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Broadcaster, classifySendError } from "../../src/admin/broadcast.js";
import { ChannelUnavailableError, type Recipient } from "../../src/core/outbox.js";
import type { Reply } from "../../src/core/reply.js";
import { silentLogger } from "../../src/logger.js";
import { keys } from "../../src/store/keys.js";
import { startFakeTelegram, type FakeTelegram } from "../fakes/telegram-api.js";
import { freshRedis } from "../helpers/redis.js";
import { adminGroup, owner, person, postedTo, startAdminShop, textOf, type AdminShop } from "./support.js";

let telegram: FakeTelegram;
let shop: AdminShop;

beforeEach(async () => {
  telegram = await startFakeTelegram({ rateLimit: { globalPerSecond: 30, perChatPerSecond: 1 } });
  shop = await startAdminShop(telegram, { admin: { broadcastProgressEveryMs: 1_500 } });
});
afterEach(async () => {
  await shop.cleanup();
  await telegram.close();
});

const firstBuyer = 3000;
const buyerCount = 60;
const blockedBuyer = firstBuyer + 7;

/** The most messages sent to buyers in any 1-second window. */
function peakPerSecond(times: number[]): number {
  let peak = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while (times[i]! - times[j]! >= 1000) j++;
    peak = Math.max(peak, i - j + 1);
  }
  return peak;
}

describe("/broadcast", () => {
  it("reaches every buyer once, within Telegram's limits, and marks those who blocked the bot", async () => {
    const buyers = Array.from({ length: buyerCount }, (_, i) => `telegram:${firstBuyer + i}`);
    await shop.app.redis.sadd(keys.buyers(), ...buyers, "console:local");
    telegram.blockChat(blockedBuyer);
    const admin = person(telegram, adminGroup, owner);

    const started = await admin.ask("/broadcast Promo: 10% off all diamonds today!\nSee /menu", "Broadcast started");
    expect(started).toContain(`to ${buyerCount} buyers (1 skipped)`);
    const done = await admin.expect("Broadcast finished", 0, 15_000);
    expect(done).toContain(`${buyerCount - 1} sent, 1 blocked the bot, 0 failed, 1 skipped`);

    const messages = telegram.sent.filter((m) => m.method === "sendMessage" && m.chatId >= firstBuyer && m.chatId < firstBuyer + buyerCount);
    expect(messages).toHaveLength(buyerCount - 1);
    expect(new Set(messages.map((m) => m.chatId)).size).toBe(buyerCount - 1);
    expect(messages.every((m) => textOf(m) === "📢 Promo: 10% off all diamonds today!\nSee /menu")).toBe(true);
    expect(peakPerSecond(messages.map((m) => m.at))).toBeLessThanOrEqual(30);
    expect(telegram.tooManyRequests).toBeLessThanOrEqual(1);
    expect(postedTo(telegram, adminGroup.id).some((text) => /Broadcast: \d+\/60 done/.test(text))).toBe(true);
    expect(await shop.app.redis.smembers(keys.blockedBuyers())).toEqual([`telegram:${blockedBuyer}`]);

    // The next broadcast skips the buyer who blocked the bot without trying.
    const triedBlocked = telegram.calls.filter((c) => c.method === "sendMessage" && Number(c.params.chat_id) === blockedBuyer).length;
    await admin.ask("/broadcast Second round", `to ${buyerCount - 1} buyers (2 skipped)`);
    await admin.expect(`${buyerCount - 1} sent, 0 blocked the bot, 0 failed, 2 skipped`, 0, 15_000);
    expect(telegram.calls.filter((c) => c.method === "sendMessage" && Number(c.params.chat_id) === blockedBuyer)).toHaveLength(triedBlocked);
  });

  it("runs one at a time and says when there is nobody to send to", async () => {
    const admin = person(telegram, adminGroup, owner);
    await admin.ask("/broadcast Hello", "nobody to send to");
    await shop.app.redis.sadd(keys.buyers(), ...Array.from({ length: 30 }, (_, i) => `telegram:${4000 + i}`));
    await admin.ask("/broadcast First", "Broadcast started");
    await admin.ask("/broadcast Second", "already running");
    await shop.admin.broadcaster.finished();
    expect(telegram.sent.filter((m) => textOf(m) === "📢 Second")).toHaveLength(0);
  });
});

describe("broadcast retries", () => {
  /** An outbox that answers each send from a script, recording every attempt. */
  function scriptedOutbox(script: (attempt: number, to: Recipient) => unknown) {
    const attempts: string[] = [];
    return {
      attempts,
      send: async (to: Recipient, _replies: Reply[]) => {
        attempts.push(to.chatId);
        const failure = script(attempts.filter((chat) => chat === to.chatId).length, to);
        if (failure) throw failure;
      },
    };
  }

  it("waits out a 429 and sends that message again; never repeats one that may have arrived", async () => {
    const { redis, cleanup } = await freshRedis("broadcast");
    try {
      await redis.sadd(keys.buyers(), "telegram:1", "telegram:2", "telegram:3", "whatsapp:628111");
      const rateLimited = { error_code: 429, description: "Too Many Requests: retry after 1", parameters: { retry_after: 1 } };
      const serverError = { error_code: 500, description: "Internal Server Error" };
      const outbox = scriptedOutbox((attempt, to) => {
        if (to.chatId === "1" && attempt === 1) return rateLimited;
        if (to.chatId === "2") return serverError;
        if (to.channel === "whatsapp") return new ChannelUnavailableError("whatsapp");
        return null;
      });
      const posted: Reply[][] = [];
      const broadcaster = new Broadcaster({
        redis,
        outbox,
        group: { post: async (replies) => void posted.push(replies) },
        audit: { record: async () => undefined },
        logger: silentLogger,
        locale: "en",
        perSecond: { telegram: 50, whatsapp: 50 },
      });
      const startedAt = Date.now();
      expect(await broadcaster.start("hi", { by: "telegram:501", chat: "telegram:-1" })).toEqual({ kind: "started", total: 4, skipped: 0 });
      expect(await broadcaster.finished()).toEqual({ total: 4, sent: 2, blocked: 0, failed: 2, skipped: 0 });
      expect(Date.now() - startedAt).toBeGreaterThanOrEqual(1_000);
      expect(outbox.attempts.filter((chat) => chat === "1")).toHaveLength(2);
      expect(outbox.attempts.filter((chat) => chat === "2")).toHaveLength(1);
      expect(posted.at(-1)).toEqual([{ kind: "text", text: { key: "admin-broadcast-done", args: { sent: 2, blocked: 0, failed: 2, skipped: 0 } } }]);
    } finally {
      await cleanup();
    }
  });

  it("sorts send failures", () => {
    expect(classifySendError({ error_code: 429, description: "Too Many Requests", parameters: { retry_after: 3 } })).toEqual({ kind: "rate_limited", retryAfterMs: 3_000 });
    expect(classifySendError({ error_code: 403, description: "Forbidden: bot was blocked by the user" })).toEqual({ kind: "blocked" });
    expect(classifySendError({ error_code: 403, description: "Forbidden: user is deactivated" })).toEqual({ kind: "blocked" });
    expect(classifySendError({ error_code: 400, description: "Bad Request: chat not found" })).toEqual({ kind: "failed" });
    expect(classifySendError(new Error("socket hang up"))).toEqual({ kind: "failed" });
    expect(classifySendError(new ChannelUnavailableError("whatsapp", "is not connected"))).toEqual({ kind: "unavailable" });
  });
});
