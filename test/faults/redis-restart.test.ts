/**
 * Redis crashes and comes back in the middle of checkouts and of fulfilment.
 *
 * The real app (ROLE all, BullMQ, the real ICS-Store adapter against its fake) runs on a private
 * redis-server that writes an append-only file fsynced on every write, so a crash loses nothing
 * Redis acknowledged and a restart on the same directory brings every session, wallet, order and
 * job back. While Redis is gone the bot answers buyers "sedang gangguan" at once and changes
 * nothing; purchases already sent to the provider finish their call, fail to record, and are
 * looked up by our refid once Redis is back. Every paid order ends delivered, bought once,
 * announced once, with wallets equal to their ledgers.
 */
import type { ChannelSender } from "../../src/core/outbox.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp, type App } from "../../src/compose/app.js";
import type { HandledMessage } from "../../src/bot/shop-bot.js";
import { renderText } from "../../src/channels/render.js";
import type { FollowUpPlan } from "../../src/commerce/fulfilment.js";
import type { Order } from "../../src/commerce/orders.js";
import { msg } from "../../src/core/message.js";
import { silentLogger } from "../../src/logger.js";
import { IcsstoreProvider } from "../../src/providers/icsstore/adapter.js";
import { connectRedis, type Redis } from "../../src/store/redis.js";
import { IcsstoreFake } from "../fakes/icsstore-server.js";
import { testConfig } from "../helpers/app.js";
import { allEnded, expectEndedAsItsSkuSays, noticesAbout, sleep, startPrivateRedis, waitFor, type PrivateRedis } from "./support.js";

/** Follow-ups 300 ms apart, so some are still waiting when Redis goes; grace above the slowest purchase call. */
const plan: FollowUpPlan = { delayMs: () => 300, giveUpAfterMs: 120_000, maxTransientAttempts: 4, placingGraceMs: 1_500 };
/** How long one purchase call takes at the fake: long enough to be cut by the crash. */
const purchaseMs = 700;

describe("Redis restarts during checkout and fulfilment", () => {
  let redis: PrivateRedis;
  let client: Redis;
  let ics: IcsstoreFake;
  let app: App;
  const sent = new Map<string, string[]>();

  beforeAll(async () => {
    redis = await startPrivateRedis({ persistent: true });
    ics = await IcsstoreFake.start();
    ics.balance = 10_000_000;
    client = await connectRedis({ url: redis.url, keyPrefix: "wbfaults:" });
    // ioredis reports every failed reconnect as an "error" event; these tests cause them on purpose.
    client.on("error", () => undefined);
    const recorder: ChannelSender = {
      channel: "console",
      send: async (chatId, replies, locale) => {
        sent.set(chatId, [...(sent.get(chatId) ?? []), ...replies.map((reply) => renderText(app.translator, locale, reply))]);
      },
    };
    app = await buildApp({
      config: testConfig({ SANDBOX: "off" }),
      logger: silentLogger,
      providers: [new IcsstoreProvider({ baseUrl: ics.url, apiKey: ics.apiKey, timeoutMs: 2_000, retryDelaysMs: [50, 50] })],
      redis: client,
      bullmq: { url: redis.url, prefix: "wbfaults:bull" },
      followUpPlan: plan,
      httpPort: null,
      senders: [recorder],
    });
    await app.start();
  });

  afterAll(async () => {
    await app?.stop().catch(() => undefined);
    await ics?.close();
    await redis?.close();
  });

  const say = (chatId: string, text: string) => app.shop.handle({ channel: "console", chatId, userId: chatId, isGroup: false, text });
  const texts = (answer: HandledMessage) => answer.replies.map((reply) => renderText(app.translator, answer.locale, reply));
  const keys = (answer: HandledMessage) =>
    answer.replies.flatMap((reply) => {
      const lines = reply.kind === "menu" ? reply.title : reply.kind === "text" ? reply.text : [];
      return (Array.isArray(lines) ? lines : [lines]).map((line) => line.key);
    });
  const outage = () => app.translator.render("id", msg("error-outage"));

  /** Gives a buyer exactly the price of XLA10 and takes them to its payment menu. */
  async function toPayment(chatId: string): Promise<void> {
    const price = app.catalog.view().find("XLA10")!.price;
    await app.wallet.credit(`console:${chatId}`, price, { id: `seed:${chatId}`, reason: "manual" });
    expect(keys(await say(chatId, "XLA10"))).toContain("input-prompt-phone");
    expect(keys(await say(chatId, `0812${chatId.padStart(8, "0")}`))).toContain("confirm-title");
    expect(keys(await say(chatId, "1"))).toContain("payment-title");
  }

  /** Pays from the wallet at the payment menu and returns the order. */
  async function pay(chatId: string): Promise<Order> {
    expect(keys(await say(chatId, "1"))).toContain("order-paid");
    const [order] = await app.orders.ofBuyer(`console:${chatId}`, 1);
    return order!;
  }

  const settled = (ids: string[], timeoutMs = 40_000) => allEnded(app.orders, ids, timeoutMs);

  it("answers 'gangguan' while Redis is down, keeps the checkout, and finishes every paid order once it is back", async () => {
    // When Redis crashes, one order waits for its next follow-up (the supplier keeps it pending
    // until the test lets it succeed) and three purchases are on the wire (slow supplier).
    await toPayment("810001");
    ics.scenario = { kind: "pending", checks: 1_000 };
    await toPayment("810002");
    const waiting = await pay("810002");
    await waitFor("an order pending at the provider", async () => (await app.orders.get(waiting.id))?.status === "pending", { timeoutMs: 5_000 });
    ics.scenario = { kind: "pending", checks: 1, note: "SN 7770001" };
    ics.inject("createTransaction", { kind: "slow", delayMs: purchaseMs }, 3);
    const onTheWire: Order[] = [];
    for (const chatId of ["810003", "810004", "810005"]) {
      await toPayment(chatId);
      onTheWire.push(await pay(chatId));
    }
    await waitFor("three purchases at the provider", () => ics.count("createTransaction") >= 4, { timeoutMs: 5_000 });
    expect((await app.orders.get(waiting.id))?.status).toBe("pending");
    for (const order of onTheWire) expect((await app.orders.get(order.id))?.status).toBe("placing");

    await redis.crash();
    await waitFor("the bot to see Redis gone", () => client.status !== "ready", { timeoutMs: 5_000, intervalMs: 10 });

    // The buyer mid-checkout taps "pay", another asks for their balance: both told at once.
    const started = Date.now();
    expect(texts(await say("810001", "1"))).toEqual([outage()]);
    expect(texts(await say("810003", "/saldo"))).toEqual([outage()]);
    expect(Date.now() - started).toBeLessThan(2_000);
    // The purchases on the wire come back while Redis is still gone.
    await sleep(purchaseMs + 300);

    await redis.restart();
    const restartedAt = Date.now();
    await waitFor("the bot to reconnect", () => client.status === "ready", { timeoutMs: 15_000, intervalMs: 50 });

    ics.transactions.get(waiting.refId)!.scenario = { kind: "success", note: "SN 7770002" };

    // The checkout survived the restart: the same "pay" now pays.
    const late = await pay("810001");
    const ended = await settled([waiting.id, ...onTheWire.map((order) => order.id), late.id]);

    for (const order of ended) await expectEndedAsItsSkuSays(ics, app.wallet, order);
    // A late duplicate would arrive within a few follow-up periods.
    await sleep(1_000);
    for (const order of ended) {
      expect(noticesAbout(app.translator, order, sent.get(order.chatId) ?? []), `${order.id} notices`).toEqual(["delivered"]);
    }
    // The crash really did cut the purchases on the wire: their answers were lost, and what the
    // provider did was recorded only after Redis was back.
    for (const order of ended.filter((o) => onTheWire.some((wire) => wire.id === o.id))) {
      const afterPlacing = order.history[order.history.findIndex((step) => step.status === "placing") + 1]!;
      expect(afterPlacing.at, order.id).toBeGreaterThanOrEqual(restartedAt);
    }
  });

  // A wallet purchase is three writes (create the order, debit `pay:<id>`, move it to `paid`); when
  // Redis dies between the debit and the move, the order is completed or the debit given back after
  // the restart, never left `awaiting_payment` with the buyer's money gone.
  it("does not lose a wallet payment when Redis dies between the debit and the order becoming paid", async () => {
    const chatId = "810009";
    await toPayment(chatId);
    const debit = app.wallet.debit.bind(app.wallet);
    app.wallet.debit = async (...args) => {
      const result = await debit(...args);
      await redis.crash();
      return result;
    };
    try {
      expect(texts(await say(chatId, "1"))).toEqual([outage()]);
    } finally {
      app.wallet.debit = debit;
    }
    await redis.restart();
    await waitFor("the bot to reconnect", () => client.status === "ready", { timeoutMs: 15_000, intervalMs: 50 });

    // What a restarted process would do: the start-up sweep and the periodic expiry sweep.
    await app.recovery.resume();
    await app.sweep();
    const [order] = await app.orders.ofBuyer(`console:${chatId}`, 1);
    expect(await app.wallet.hasEntry(`console:${chatId}`, `pay:${order!.id}`)).toBe(true);
    const [ended] = await settled([order!.id], 5_000);
    expect(ended?.status).toBe("delivered");
  }, 30_000);
});
