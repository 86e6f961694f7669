/**
 * Fault injection at the provider: the ICS-Store fake answers purchases and status checks with
 * bursts of 5xx pages, 500 JSON, malformed JSON, 429 and silence (client timeouts), while the
 * real app (BullMQ on Redis, real ICS-Store adapter) fulfils wallet-paid orders.
 *
 * What must hold: an order whose outcome is unknown waits (looked up by our refid, followed
 * up) and is never refunded and never bought a second time; it completes once the provider
 * answers again. Only a definitive answer (sold out at once, or the supplier failing the order
 * later) refunds, exactly once. Every buyer is told the end of their order exactly once.
 */
import type { ChannelSender } from "../../src/core/outbox.js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { App } from "../../src/compose/app.js";
import { renderText } from "../../src/channels/render.js";
import type { FollowUpPlan } from "../../src/commerce/fulfilment.js";
import type { Order } from "../../src/commerce/orders.js";
import { IcsstoreProvider } from "../../src/providers/icsstore/adapter.js";
import { IcsstoreFake } from "../fakes/icsstore-server.js";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { allEnded, noticesAbout, purchasesOf, seedPaidOrder, waitFor, walletProblems, type IcsSku } from "./support.js";

/** Quick follow-ups; the grace before a `placing` order is looked up exceeds the slowest purchase call (300 ms + lookups). */
const plan: FollowUpPlan = { delayMs: () => 30, giveUpAfterMs: 60_000, maxTransientAttempts: 4, placingGraceMs: 1_200 };

let ics: IcsstoreFake;
let test: TestApp;
let app: App;
/** Texts sent to each console chat, in order. */
let sent: Map<string, string[]>;
let nextChat = 710_000;

beforeEach(async () => {
  ics = await IcsstoreFake.start();
  ics.balance = 10_000_000;
  // A small client timeout and short read retries, so a "timeout" fault costs 300 ms, not 15 s.
  const provider = new IcsstoreProvider({ baseUrl: ics.url, apiKey: ics.apiKey, timeoutMs: 300, retryDelaysMs: [5, 5] });
  const recorder: ChannelSender = {
    channel: "console",
    send: async (chatId, replies, locale) => {
      const texts = sent.get(chatId) ?? [];
      texts.push(...replies.map((reply) => renderText(app.translator, locale, reply)));
      sent.set(chatId, texts);
    },
  };
  test = await startTestApp({ SANDBOX: "off" }, { providers: [provider], followUpPlan: plan, senders: [recorder] });
  app = test.app;
  sent = new Map();
});

afterEach(async () => {
  await test?.cleanup();
  await ics?.close();
});

/** A wallet-paid order handed to fulfilment, as the bot does after payment. */
async function paidOrder(sku: IcsSku): Promise<Order> {
  const order = await seedPaidOrder(app, { channel: "console", chatId: String(++nextChat) }, sku);
  await app.fulfilment.enqueue(order);
  return order;
}

/** Waits until every order has ended, and returns them as they ended. */
function settled(orders: Order[], timeoutMs = 15_000): Promise<Order[]> {
  return allEnded(app.orders, orders.map((order) => order.id), timeoutMs);
}

/** The checks every order ends with: outcome, purchases at the provider, one notice, wallet. */
async function expectEnded(order: Order, status: "delivered" | "refunded", purchases: number): Promise<void> {
  expect(order.status, order.id).toBe(status);
  expect(purchasesOf(ics, order.refId), `${order.id} purchases`).toBe(purchases);
  if (status === "delivered") {
    // No refund was ever on the way: the order never went through `failed`.
    expect(order.history.map((step) => step.status), order.id).not.toContain("failed");
  }
  expect(order.attention, order.id).toBeUndefined();
  expect(noticesAbout(app.translator, order, sent.get(order.chatId) ?? []), `${order.id} notices`).toEqual([status]);
  expect(await walletProblems(app.wallet, order)).toEqual([]);
}

describe("provider faults during fulfilment", () => {
  it("looks up a purchase whose answer was lost (502 page, 500, malformed JSON, timeout), never buys it twice, and delivers it", async () => {
    // The supplier takes every one of these purchases, then the answer is lost on the way back.
    ics.inject("createTransaction", { kind: "html", status: 502, processFirst: true });
    ics.inject("createTransaction", { kind: "status", status: 500, body: { message: "Internal Server Error" }, processFirst: true });
    ics.inject("createTransaction", { kind: "malformed", processFirst: true });
    ics.inject("createTransaction", { kind: "timeout", processFirst: true });
    // The first lookups fail too (a burst across all four orders).
    ics.inject("checkTransaction", { kind: "html", status: 503 }, 2);
    ics.inject("checkTransaction", { kind: "malformed" }, 2);
    ics.inject("checkTransaction", { kind: "timeout" }, 1);

    const orders = await Promise.all([paidOrder("XLA10"), paidOrder("XLA10"), paidOrder("XLA10"), paidOrder("XLA10")]);
    const ended = await settled(orders);

    for (const order of ended) await expectEnded(order, "delivered", 1);
    expect(ics.transactions.size).toBe(4);
  });

  it("sends a purchase again only after the provider said it has none (5xx before taking it), or turned it away (429)", async () => {
    ics.inject("createTransaction", { kind: "html", status: 503 });
    ics.inject("createTransaction", { kind: "status", status: 429, body: { error: "Terlalu banyak permintaan" }, retryAfter: 0 });

    const orders = await Promise.all([paidOrder("XLA10"), paidOrder("XLA10")]);
    const ended = await settled(orders);

    // Each order was sent twice, but the supplier holds exactly one transaction per refid.
    for (const order of ended) await expectEnded(order, "delivered", 2);
    expect([...ics.transactions.keys()].sort()).toEqual(orders.map((order) => order.refId).sort());
  });

  it("keeps following a pending order through a burst of failing status checks, without refunding, then delivers", async () => {
    ics.scenario = { kind: "pending", checks: 1, note: "SN 5550001" };
    // Purchases answer "pending" without any read, so every status read from here on is a
    // follow-up: the first 21 fail (several follow-ups of each order, up to 3 reads each).
    ics.inject("checkTransaction", { kind: "timeout" }, 3);
    ics.inject("checkTransaction", { kind: "html", status: 502 }, 6);
    ics.inject("checkTransaction", { kind: "status", status: 500, body: { message: "db down" } }, 6);
    ics.inject("checkTransaction", { kind: "malformed" }, 6);
    const orders = await Promise.all([paidOrder("XLA10"), paidOrder("XLA10"), paidOrder("XLA10")]);

    // Midway through the burst, the orders are pending and no money has moved back.
    await waitFor("the burst to be half consumed", () => ics.count("checkTransaction") >= 10, { timeoutMs: 10_000, intervalMs: 5 });
    for (const order of orders) {
      expect((await app.orders.get(order.id))?.status).toBe("pending");
      expect(await app.wallet.balance(order.buyer)).toBe(0);
    }

    const ended = await settled(orders);
    for (const order of ended) await expectEnded(order, "delivered", 1);
    expect(ics.count("checkTransaction")).toBeGreaterThanOrEqual(21 + 2 * orders.length);
  });

  it("refunds once on a definitive failure: sold out at once, or the supplier failing the order after a burst of errors", async () => {
    // Each purchase is preceded by a look at its refid (ICS-Store may accept a repeated one): those answer.
    ics.inject("checkTransaction", { kind: "pass" }, 2);
    // The rejected order's first status reads fail: its outcome is unknown until the supplier answers.
    ics.inject("checkTransaction", { kind: "html", status: 502 }, 4);
    ics.inject("checkTransaction", { kind: "timeout" }, 3);
    const soldOut = await paidOrder("XLA15");
    ics.scenario = { kind: "fail-later", checks: 1, message: "Gagal dari supplier" };
    const rejected = await paidOrder("XLA10");

    await waitFor("the burst to be half consumed", () => ics.count("checkTransaction") >= 5, { timeoutMs: 10_000, intervalMs: 5 });
    expect((await app.orders.get(rejected.id))?.status).toBe("pending");
    expect(await app.wallet.balance(rejected.buyer)).toBe(0);

    const [soldOutEnd, rejectedEnd] = await settled([soldOut, rejected]);
    await expectEnded(soldOutEnd!, "refunded", 1);
    await expectEnded(rejectedEnd!, "refunded", 1);
    expect(rejectedEnd!.history.map((step) => step.status)).toEqual(["awaiting_payment", "paid", "placing", "pending", "failed", "refunded"]);
    expect(ics.transactions.has(soldOut.refId)).toBe(false);

    // Running the job again refunds nothing more.
    await Promise.all([app.fulfilment.advance(soldOut.id), app.fulfilment.advance(rejected.id)]);
    await expectEnded(soldOutEnd!, "refunded", 1);
    await expectEnded(rejectedEnd!, "refunded", 1);
  });

  // An order in `placing` whose lookups keep failing with an unknown outcome always keeps a queued
  // lookup (a re-queued step is never dropped as a duplicate of the job still running it), so it
  // completes once the provider answers again, without waiting for a restart's sweep.
  it("delivers a purchase whose answer was lost after its lookups kept failing for a while", async () => {
    ics.inject("createTransaction", { kind: "timeout", processFirst: true });
    // Every lookup before and after the grace period fails twice (3 reads each), then the provider recovers.
    ics.inject("checkTransaction", { kind: "html", status: 502 }, 15);

    const order = await paidOrder("XLA10");
    const [ended] = await settled([order], 6_000);
    await expectEnded(ended!, "delivered", 1);
  });
});
