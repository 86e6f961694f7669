/**
 * One buyer cannot stall the shop: the real grammY bot against a fake Bot API that enforces
 * Telegram's limits (30 messages/s overall, 1/s per chat, 429 + retry_after). A chat flooding
 * 2,000 messages is cut down to a few, told to slow down once, and another buyer's /saldo is
 * answered at once. Webhook mode applies the same gate; cosmetic start-up calls never kill the bot.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { Update } from "grammy/types";
import { TelegramChannel } from "../../src/channels/telegram/telegram-channel.js";
import { silentLogger } from "../../src/logger.js";
import { startFakeTelegram, textOf, type FakeTelegram } from "../fakes/telegram-api.js";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { telegramBuyer } from "../helpers/telegram-buyer.js";

let telegram: FakeTelegram | undefined;
let shop: TestApp | undefined;
let channel: TelegramChannel | undefined;

afterEach(async () => {
  await channel?.stop();
  await shop?.cleanup();
  await telegram?.close();
  channel = shop = telegram = undefined;
});

const slowDownText = (app: TestApp) => app.app.translator.t("id", "flood-slow-down");
const balanceMarker = "Saldo kamu";

/** A private-chat text update as Telegram would deliver it by webhook. */
function textUpdate(updateId: number, chatId: number, text: string): Update {
  const user = { id: chatId, is_bot: false, first_name: "Flood", language_code: "id" };
  return {
    update_id: updateId,
    message: { message_id: updateId, date: Math.floor(Date.now() / 1000), chat: { id: chatId, type: "private", first_name: "Flood" }, from: user, text },
  };
}

describe("flood isolation on Telegram", () => {
  it("answers another buyer's /saldo within 3 s while one chat floods 2,000 messages, and tells the flooder once", async () => {
    telegram = await startFakeTelegram({ rateLimit: { globalPerSecond: 30, perChatPerSecond: 1 } });
    shop = await startTestApp({ TELEGRAM_BOT_TOKEN: telegram.token, TELEGRAM_API_ROOT: telegram.url });
    const flooder = { id: 7001, type: "private" as const };
    for (let i = 0; i < 2_000; i++) telegram.sendText(flooder, { id: 7001, language_code: "id" }, "/saldo");

    const other = telegramBuyer(telegram, 7002);
    const asked = Date.now();
    other.say("/saldo");
    await other.expect(balanceMarker);
    expect(Date.now() - asked).toBeLessThan(3_000);

    // Every flood update has been read and settled: nothing of the flooder waits for a slot.
    await expect.poll(() => telegram!.pendingUpdates(), { timeout: 10_000 }).toBe(0);
    await expect.poll(() => shop!.app.telegram!.flood.busyChats, { timeout: 10_000 }).toBe(0);
    // The flooder's admitted messages are answered in the background, behind the notice and the
    // fake's 1 message a second per chat: wait for the first answer rather than for a duration.
    await expect.poll(() => telegram!.messagesTo(7001).filter((m) => textOf(m).includes(balanceMarker)).length, { timeout: 10_000 }).toBeGreaterThanOrEqual(1);
    const toFlooder = telegram.messagesTo(7001);
    const notices = toFlooder.filter((m) => textOf(m) === slowDownText(shop!));
    const answers = toFlooder.filter((m) => textOf(m).includes(balanceMarker));
    // Well under 10 s have passed since the flood began: exactly one notice, and only the burst
    // plus about one message a second handled.
    expect(Date.now() - asked).toBeLessThan(10_000);
    expect(notices).toHaveLength(1);
    expect(answers.length).toBeGreaterThanOrEqual(1);
    expect(answers.length).toBeLessThanOrEqual(20);
  });

  it("applies the same limit to updates received by webhook", async () => {
    telegram = await startFakeTelegram();
    shop = await startTestApp({
      TELEGRAM_BOT_TOKEN: telegram.token,
      TELEGRAM_API_ROOT: telegram.url,
      TELEGRAM_MODE: "webhook",
      TELEGRAM_WEBHOOK_URL: "https://shop.example.com",
      TELEGRAM_WEBHOOK_SECRET: "flood-test-secret-0123456789",
    });
    const bot = shop.app.telegram!;
    await Promise.all(Array.from({ length: 200 }, (_, i) => bot.handleUpdate(textUpdate(i + 1, 7003, "/saldo"))));
    await telegram.waitForIdle(100);
    const toChat = telegram.messagesTo(7003);
    expect(toChat.filter((m) => textOf(m) === slowDownText(shop!))).toHaveLength(1);
    const answers = toChat.filter((m) => textOf(m).includes(balanceMarker)).length;
    expect(answers).toBeGreaterThanOrEqual(1);
    expect(answers).toBeLessThanOrEqual(12);
    expect(bot.flood.busyChats).toBe(0);
  });
});

describe("a reply waiting out a 429", () => {
  it("does not hold the runner's only slot: another chat is answered while it waits", async () => {
    telegram = await startFakeTelegram({ rateLimit: { globalPerSecond: 30, perChatPerSecond: 1 } });
    shop = await startTestApp();
    const app = shop.app;
    channel = new TelegramChannel({
      token: telegram.token,
      apiRoot: telegram.url,
      translator: app.translator,
      logger: silentLogger,
      concurrency: 1,
    });
    await channel.startPolling(app.handlers);
    // Within the burst and the pending cap, so all are handled; the fake lets one answer a second
    // through to the chat, so the rest wait out 429s.
    const busy = telegramBuyer(telegram, 7005);
    for (let i = 0; i < 4; i++) busy.say("/saldo");
    // The runner fetched them as one batch; the other chat's message comes in a later one, which
    // the runner only fetches once a slot is free.
    await busy.expect(balanceMarker);
    const other = telegramBuyer(telegram, 7006);
    other.say("/saldo");
    const answered = await other.expect(balanceMarker);
    // The busy chat's last answer can only come 3 s after its first; the other chat's came before.
    const busyAnswers = () => telegram!.messagesTo(7005).filter((m) => textOf(m).includes(balanceMarker));
    await expect.poll(() => busyAnswers().length, { timeout: 15_000 }).toBe(4);
    expect(answered.seq).toBeLessThan(busyAnswers().at(-1)!.seq);
  }, 30_000);
});

describe("cosmetic start-up calls", () => {
  it("keeps serving buyers when setMyCommands fails at start, and sets the commands later", async () => {
    telegram = await startFakeTelegram();
    // A Bot API server without the method: every attempt in the first round fails.
    telegram.failNext("setMyCommands", 3, { status: 404 });
    shop = await startTestApp();
    const app = shop.app;
    channel = new TelegramChannel({
      token: telegram.token,
      apiRoot: telegram.url,
      translator: app.translator,
      logger: silentLogger,
      cosmeticRetryMs: 50,
    });
    await channel.startPolling(app.handlers);
    expect(channel.running()).toBe(true);

    const buyer = telegramBuyer(telegram, 7004);
    buyer.say("/saldo");
    await buyer.expect(balanceMarker);
    await telegram.waitForCall((call) => call.method === "setMyCommands" && call.params.language_code === "en" && call.status === 200, { since: 0, timeoutMs: 5_000 });
    expect(telegram.myCommands(undefined, "id")?.map((c) => c.command)).toContain("saldo");
  });
});
