/**
 * Issue 18, item 4: SIGTERM to the real bot process (`src/main.ts`, ROLE=all: Telegram long
 * polling against the Telegram fake, the ICS-Store fake as provider, BullMQ on a private Redis)
 * while a fulfilment job is in the middle of a slow purchase and a buyer has just written.
 *
 * The first SIGTERM stops polling and lets what is running finish: the job completes, the buyer
 * gets the delivery, a message already taken is answered (and confirmed to Telegram, so the next
 * process does not handle it again; one not yet taken stays at Telegram), and the process exits 0
 * within 10 s. A
 * second SIGTERM during a shutdown that is still waiting exits at once, with 143 (128 + 15).
 */
import { afterEach, describe, expect, it, onTestFailed } from "vitest";
import { OrderStore } from "../../src/commerce/orders.js";
import { Wallet } from "../../src/commerce/wallet.js";
import { connectRedis, type Redis } from "../../src/store/redis.js";
import { IcsstoreFake } from "../fakes/icsstore-server.js";
import { startFakeTelegram, textOf, type FakeTelegram } from "../fakes/telegram-api.js";
import { shown } from "../helpers/shown.js";
import { ProcessLog, purchasesOf, startPrivateRedis, waitFor, WorkerProcess, type PrivateRedis } from "./support.js";

const prefix = "wbfaults:shutdown:";
let redis: PrivateRedis | undefined;
let client: Redis | undefined;
let telegram: FakeTelegram | undefined;
let ics: IcsstoreFake | undefined;
let bot: WorkerProcess | undefined;
let log = new ProcessLog();

afterEach(async () => {
  await bot?.kill();
  client?.disconnect();
  await telegram?.close();
  await ics?.close();
  await redis?.close();
});

/** A bot process with a buyer (chat 8101, Rp 1.000.000 in the wallet) whose XLA10 order is mid-purchase. */
async function midPurchase(purchaseMs: number): Promise<{ orderId: string; tg: FakeTelegram; fake: IcsstoreFake; orders: OrderStore }> {
  log = new ProcessLog(); // this test's process only: the second-signal test reads it
  redis = await startPrivateRedis();
  telegram = await startFakeTelegram();
  ics = await IcsstoreFake.start();
  ics.balance = 100_000_000;
  ics.inject("createTransaction", { kind: "slow", delayMs: purchaseMs });
  // Bought at once: the job in flight delivers (a pending answer would end the job with a follow-up queued).
  ics.scenario = { kind: "success", note: "SN 9990001" };
  const tg = telegram;
  bot = new WorkerProcess(
    "bot",
    {
      ROLE: "all",
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: prefix,
      SANDBOX: "off",
      ICSSTORE_API_KEY: ics.apiKey,
      ICSSTORE_BASE_URL: ics.url,
      TELEGRAM_BOT_TOKEN: tg.token,
      TELEGRAM_API_ROOT: tg.url,
      PROVIDER_TIMEOUT_MS: String(purchaseMs + 5_000),
      CHAT_FLOOD_PER_SECOND: "100",
    },
    log,
  );
  await bot.ready;
  client = await connectRedis({ url: redis.url, keyPrefix: prefix });
  await new Wallet(client).credit("telegram:8101", 1_000_000, { id: "seed:8101", reason: "manual" });
  const chat = { id: 8101, type: "private" as const };
  const from = { id: 8101, first_name: "Budi", language_code: "id" };
  const step = async (text: string, expected: RegExp) => {
    const since = tg.mark();
    tg.sendText(chat, from, text);
    return tg.waitFor((m) => m.chatId === 8101 && expected.test(textOf(m)), { since, timeoutMs: 10_000 });
  };
  await step("XLA10", shown("input-prompt-phone"));
  await step("081234567890", shown("confirm-title"));
  await step("1", shown("payment-title"));
  const paid = await step("1", shown("order-paid"));
  const orderId = /ORD-[A-Z0-9]{8,}/.exec(textOf(paid))![0];
  await waitFor("the purchase to reach the supplier", () => ics!.count("createTransaction") >= 1, { timeoutMs: 10_000 });
  return { orderId, tg, fake: ics, orders: new OrderStore(client) };
}

describe("graceful shutdown of the bot process", () => {
  it("SIGTERM mid-purchase: the job finishes, the buyer is told, the answer is sent, exit 0 within 10 s", async () => {
    onTestFailed(() => console.error(log.dump()));
    const { orderId, tg, fake, orders } = await midPurchase(2_000);
    // A buyer message arriving with the signal: it is handled, and its answer sent, before exit.
    const since = tg.mark();
    tg.sendText({ id: 8101, type: "private" }, { id: 8101, first_name: "Budi", language_code: "id" }, "/saldo");
    await tg.waitForCall((call) => call.method === "getUpdates" && call.status === 200, { since, timeoutMs: 5_000 });
    const signalledAt = Date.now();
    bot!.signal("SIGTERM");
    const exit = await bot!.exit();
    const tookMs = Date.now() - signalledAt;

    expect(exit).toEqual({ code: 0, signal: null });
    expect(tookMs).toBeLessThan(10_000);
    const order = await orders.get(orderId);
    expect(order?.status).toBe("delivered");
    expect(order?.notified).toBe(true);
    expect(purchasesOf(fake, order!.refId)).toBe(1);
    const texts = tg.messagesTo(8101).map((m) => textOf(m));
    expect(texts.filter((text) => shown("order-delivered", { order: orderId }).test(text))).toHaveLength(1);
    // The message was either taken, handled and answered before exit — and then confirmed to
    // Telegram, so the next process is not given it again — or not yet taken, and left at
    // Telegram for the next process. Never taken and dropped.
    const answered = texts.some((text) => shown("wallet-balance").test(text));
    expect(tg.pendingUpdates(), answered ? "answered, and confirmed" : "not taken: still at Telegram").toBe(answered ? 0 : 1);
  }, 90_000);

  it("a second SIGTERM while the shutdown waits exits at once with 143", async () => {
    onTestFailed(() => console.error(log.dump()));
    await midPurchase(20_000);
    bot!.signal("SIGTERM");
    await waitFor("the shutdown to start", () => log.dump().includes('"msg":"shutting down"'), { timeoutMs: 5_000 });
    const secondAt = Date.now();
    bot!.signal("SIGTERM");
    const exit = await bot!.exit();
    expect(exit).toEqual({ code: 143, signal: null });
    expect(Date.now() - secondAt).toBeLessThan(2_000);
  }, 90_000);
});
