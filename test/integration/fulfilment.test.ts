/**
 * Integration: fulfilment through the real app on real Redis with the sandbox provider, wrapped
 * to count purchases. A wallet purchase is delivered once, the always-failing item is refunded
 * once however often `advance` runs, concurrent `advance` calls buy once, the start-up sweep
 * finishes an order left `paid`, and an admin's refund tells the buyer like fulfilment's own does.
 */
import type { ChannelSender } from "../../src/core/outbox.js";
import { afterEach, describe, expect, it } from "vitest";
import { AdminOperations } from "../../src/admin/operations.js";
import { asList, type Reply } from "../../src/core/reply.js";
import { renderText } from "../../src/channels/render.js";
import type { App } from "../../src/compose/app.js";
import type { Order } from "../../src/commerce/orders.js";
import type { Locale } from "../../src/core/message.js";
import { SandboxProvider } from "../../src/providers/sandbox/adapter.js";
import type { OrderOutcome, PlaceOrderRequest, Provider, ProviderBalance, ProviderProduct } from "../../src/providers/types.js";
import { startTestApp, type TestApp } from "../helpers/app.js";

/** The sandbox, counting purchases and lookups; `placeDelayMs` holds a purchase "on the wire". */
class CountingProvider implements Provider {
  readonly id = "sandbox" as const;
  placeCalls = 0;
  findCalls = 0;
  private readonly inner = new SandboxProvider({ pendingMs: 50 });

  constructor(private readonly placeDelayMs = 0) {}

  listProducts(): Promise<ProviderProduct[]> {
    return this.inner.listProducts();
  }

  getBalance(): Promise<ProviderBalance> {
    return this.inner.getBalance();
  }

  async placeOrder(request: PlaceOrderRequest): Promise<OrderOutcome> {
    this.placeCalls++;
    if (this.placeDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.placeDelayMs));
    return this.inner.placeOrder(request);
  }

  getStatus(ref: { providerRef: string; refId: string; product: ProviderProduct }): Promise<OrderOutcome> {
    return this.inner.getStatus(ref);
  }

  findOrder(refId: string): Promise<OrderOutcome | null> {
    this.findCalls++;
    return this.inner.findOrder(refId);
  }
}

interface Sent {
  chatId: string;
  keys: string[];
  text: string;
}

interface Harness {
  app: App;
  provider: CountingProvider;
  sent: Sent[];
  /** Chats whose sends fail (a blocked bot, a channel outage). */
  unreachable: Set<string>;
}

let test: TestApp | undefined;

afterEach(async () => {
  await test?.cleanup();
  test = undefined;
});

async function harness(placeDelayMs = 0, owedMessageRetryMs?: number): Promise<Harness> {
  const provider = new CountingProvider(placeDelayMs);
  const sent: Sent[] = [];
  const unreachable = new Set<string>();
  const recorder: ChannelSender = {
    channel: "console",
    send: async (chatId: string, replies: Reply[], locale: Locale) => {
      if (unreachable.has(chatId)) throw new Error(`chat ${chatId} is unreachable`);
      for (const reply of replies) {
        const text = reply.kind === "text" ? asList(reply.text) : [];
        sent.push({ chatId, keys: text.map((m) => m.key), text: renderText(test!.app.translator, locale, reply) });
      }
    },
  };
  test = await startTestApp({}, { providers: [provider], senders: [recorder], ...(owedMessageRetryMs !== undefined ? { owedMessageRetryMs } : {}) });
  const { app } = test;
  return { app, provider, sent, unreachable };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function say(app: App, chatId: string, text: string) {
  return app.shop.handle({ channel: "console", chatId, userId: chatId, isGroup: false, text });
}

/** Buys `code` as a buyer would, through the bot, paying from the wallet. */
async function buy(app: App, chatId: string, code: string, target?: string): Promise<Order> {
  await say(app, chatId, code);
  if (target) await say(app, chatId, target);
  await say(app, chatId, "1"); // continue to payment
  const paid = await say(app, chatId, "1"); // pay with the wallet
  const line = paid.replies.flatMap((reply) => (reply.kind === "text" ? asList(reply.text) : []))[0];
  expect(line?.key).toBe("order-paid");
  const [order] = await app.orders.ofBuyer(`console:${chatId}`, 1);
  return order!;
}

/** An order created, paid from the wallet and left `paid` without queueing it, as a crash would leave it. */
async function leftPaid(app: App, chatId: string, code: string, inputs: Record<string, string>): Promise<Order> {
  const buyer = `console:${chatId}`;
  const item = app.catalog.view().find(code)!;
  await app.wallet.credit(buyer, item.price, { id: `seed:${code}:${chatId}`, reason: "manual" });
  const { code: productCode, provider, sku, name, category, group, basePrice, stock, input, delivery } = item;
  const order = await app.orders.create({
    buyer,
    channel: "console",
    chatId,
    locale: "id",
    product: { code: productCode, provider, sku, name, category, group, basePrice, stock, input, delivery },
    inputs,
    price: item.price,
    cost: item.cost,
    payment: { method: "wallet", amount: item.price },
  });
  const debit = await app.wallet.debit(buyer, item.price, { id: `pay:${order.id}`, reason: "purchase", orderId: order.id });
  expect(debit.ok).toBe(true);
  const paid = await app.orders.transition(order.id, ["awaiting_payment"], "paid", (o) => ({ payment: { ...o.payment, paidAt: Date.now() } }));
  return paid!;
}

async function statusBecomes(app: App, id: string, status: Order["status"]): Promise<Order> {
  let order: Order | null = null;
  await expect
    .poll(async () => (order = await app.orders.get(id))?.status, { timeout: 8_000, interval: 20 })
    .toBe(status);
  return order!;
}

/** Waits until a message with `key` about `orderId` was sent, then a little longer to catch a duplicate. */
async function messagesAbout(sent: Sent[], key: string, orderId: string): Promise<Sent[]> {
  const matching = () => sent.filter((m) => m.keys.includes(key) && m.text.includes(orderId));
  await expect.poll(() => matching().length, { timeout: 8_000, interval: 20 }).toBeGreaterThan(0);
  await sleep(300); // follow-ups run every 20 ms: a second message would be here by now
  return matching();
}

function serialOf(app: App, order: Order): string {
  const { items } = app.vault.open(order.delivered!, true);
  const serial = items.find((item) => item.label === "serial")?.value;
  expect(serial).toMatch(/^SBX[0-9A-F]{16}$/);
  return serial!;
}

describe("fulfilment through the app", () => {
  it("delivers a wallet-paid game top-up once, with its serial number", async () => {
    const { app, provider, sent } = await harness();
    await say(app, "g1", "/topup 100000");
    const price = app.catalog.view().find("SB-ML86")!.price;

    const order = await buy(app, "g1", "SB-ML86", "12345678 1234");
    expect(order.inputs).toEqual({ userId: "12345678", zoneId: "1234" });

    const delivered = await statusBecomes(app, order.id, "delivered");
    expect(delivered.history.map((h) => h.status)).toEqual(["awaiting_payment", "paid", "placing", "pending", "delivered"]);
    const serial = serialOf(app, delivered);

    const deliveries = await messagesAbout(sent, "order-delivered", order.id);
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]!.chatId).toBe("g1");
    expect(deliveries[0]!.text).toContain(`SN: ${serial}`);
    expect(sent.filter((m) => m.keys.includes("order-pending"))).toHaveLength(1);
    expect(provider.placeCalls).toBe(1);

    expect(await app.wallet.balance("console:g1")).toBe(100_000 - price);
    expect((await app.wallet.verify("console:g1")).consistent).toBe(true);
  });

  it("refunds the always-failing item exactly once, however often advance runs afterwards", async () => {
    const { app, sent } = await harness();
    await say(app, "f1", "/topup 10000");

    const order = await buy(app, "f1", "SB-FAIL1");
    await statusBecomes(app, order.id, "refunded");
    expect((await messagesAbout(sent, "order-refunded", order.id)).length).toBe(1);

    await Promise.all(Array.from({ length: 10 }, () => app.fulfilment.advance(order.id)));
    await sleep(200);

    expect(await app.wallet.balance("console:f1")).toBe(10_000);
    const ledger = await app.wallet.ledger("console:f1");
    expect(ledger.filter((entry) => entry.reason === "refund")).toEqual([expect.objectContaining({ id: `refund:${order.id}`, amount: order.price })]);
    expect(sent.filter((m) => m.keys.includes("order-refunded") || m.keys.includes("order-failed"))).toHaveLength(1);
    const final = await app.orders.get(order.id);
    expect(final?.status).toBe("refunded");
    expect(final?.failureReason).toBe("provider-error-failed");
  });

  it("refunds a failed order once when 10 advances race on it", async () => {
    const { app, sent } = await harness();
    const paid = await leftPaid(app, "f2", "SB-FAIL1", {});
    await app.orders.transition(paid.id, ["paid"], "failed", () => ({ failureReason: "provider-error-failed" }));
    expect(await app.wallet.balance("console:f2")).toBe(0);

    await Promise.all(Array.from({ length: 10 }, () => app.fulfilment.advance(paid.id)));

    expect((await app.orders.get(paid.id))?.status).toBe("refunded");
    expect(await app.wallet.balance("console:f2")).toBe(paid.price);
    expect((await app.wallet.ledger("console:f2")).filter((entry) => entry.reason === "refund")).toHaveLength(1);
    expect(await messagesAbout(sent, "order-refunded", paid.id)).toHaveLength(1);
  });

  it("sends an owed message again from the periodic sweep, once, however many processes sweep", async () => {
    const { app, sent, unreachable } = await harness(0, 300);
    const operations = new AdminOperations({ orders: app.orders, wallet: app.wallet, fulfilment: app.fulfilment });
    const lost = await leftPaid(app, "o1", "SB-NFX1", {});
    unreachable.add("o1");
    await operations.refund(lost.id, "telegram:501", null);
    expect(await app.orders.get(lost.id)).toMatchObject({ status: "refunded", notified: false });

    unreachable.delete("o1");
    await app.sweep(); // too fresh: the runner that just failed may still be on it
    expect(sent.filter((m) => m.chatId === "o1")).toHaveLength(0);
    await sleep(350);
    await Promise.all([app.sweep(), app.sweep(), app.sweep()]);
    expect(await messagesAbout(sent, "admin-refund-buyer", lost.id)).toHaveLength(1);
    expect(await app.orders.get(lost.id)).toMatchObject({ status: "refunded", notified: true });
    expect((await app.orders.active()).map((order) => order.id)).not.toContain(lost.id);
  });

  it("tells the buyer of an admin refund once, and a refund message that could not be sent is owed until the sweep sends it", async () => {
    const { app, sent, unreachable } = await harness();
    const operations = new AdminOperations({ orders: app.orders, wallet: app.wallet, fulfilment: app.fulfilment });
    const told = await leftPaid(app, "a1", "SB-NFX1", {});
    const lost = await leftPaid(app, "a2", "SB-NFX1", {});
    unreachable.add("a2");

    const results = await Promise.all([
      operations.refund(told.id, "telegram:501", "out of stock"),
      operations.refund(told.id, "telegram:502", null),
      operations.refund(lost.id, "telegram:501", null),
    ]);
    expect(results.map((result) => result.kind).sort()).toEqual(["already_refunded", "refunded", "refunded"]);

    const toldNow = await app.orders.get(told.id);
    expect(toldNow).toMatchObject({ status: "refunded", notified: true });
    expect(toldNow?.history.at(-1)?.note).toMatch(/^refund by telegram:50[12]/);
    const toldMessages = await messagesAbout(sent, "admin-refund-buyer", told.id);
    expect(toldMessages).toHaveLength(1);
    expect(toldMessages[0]!.keys).toEqual(["admin-refund-buyer", "order-refunded"]);

    // The send failed: the refund stands, the message is owed, and the order stays in the sweep's view.
    expect(await app.orders.get(lost.id)).toMatchObject({ status: "refunded", notified: false });
    expect(sent.filter((m) => m.chatId === "a2")).toHaveLength(0);
    expect((await app.orders.active()).map((order) => order.id)).toContain(lost.id);

    unreachable.delete("a2");
    await app.recovery.resume();
    const owed = await messagesAbout(sent, "admin-refund-buyer", lost.id);
    expect(owed).toHaveLength(1);
    expect(owed[0]!.keys).toEqual(["admin-refund-buyer", "order-refunded"]);
    expect(await app.orders.get(lost.id)).toMatchObject({ status: "refunded", notified: true });
    await app.recovery.resume();
    expect(sent.filter((m) => m.chatId === "a2")).toHaveLength(1);

    for (const [chat, order] of [["a1", told], ["a2", lost]] as const) {
      expect(await app.wallet.balance(`console:${chat}`)).toBe(order.price);
      expect((await app.wallet.ledger(`console:${chat}`)).filter((entry) => entry.id === `refund:${order.id}`)).toHaveLength(1);
    }
  });

  it("places a paid order at the provider once when advance runs 10 times at once", async () => {
    const { app, provider, sent } = await harness();
    const paid = await leftPaid(app, "p1", "SB-ML86", { userId: "12345678", zoneId: "1234" });

    await Promise.all(Array.from({ length: 10 }, () => app.fulfilment.advance(paid.id)));
    expect(provider.placeCalls).toBe(1);

    const delivered = await statusBecomes(app, paid.id, "delivered");
    expect(delivered.attempts).toBeGreaterThanOrEqual(1);
    expect(delivered.history.filter((h) => h.status === "placing")).toHaveLength(1);
    expect(await messagesAbout(sent, "order-delivered", paid.id)).toHaveLength(1);
    expect(sent.filter((m) => m.keys.includes("order-pending"))).toHaveLength(1);
    expect(provider.placeCalls).toBe(1);
  });

  // `advance` is safe on two workers at once: an order in `placing` whose purchase is still on the
  // wire is not taken as abandoned and placed a second time.
  it("does not buy twice when a second advance arrives while the first purchase is in flight", async () => {
    const { app, provider } = await harness(150);
    const paid = await leftPaid(app, "p2", "SB-NFX1", {});

    const first = app.fulfilment.advance(paid.id);
    await statusBecomes(app, paid.id, "placing");
    await app.fulfilment.advance(paid.id);
    await first;
    await statusBecomes(app, paid.id, "delivered");
    await sleep(300);

    expect(provider.placeCalls).toBe(1);
  });

  it("picks up an order left `paid` at start-up and delivers it", async () => {
    const { app, provider, sent } = await harness();
    const paid = await leftPaid(app, "r1", "SB-ML86", { userId: "87654321", zoneId: "4321" });
    const balanceAfterPaying = await app.wallet.balance("console:r1");
    expect(balanceAfterPaying).toBe(0);

    // Nothing queued it: it stays paid.
    await sleep(150);
    expect((await app.orders.get(paid.id))?.status).toBe("paid");
    expect(provider.placeCalls).toBe(0);

    expect(await app.recovery.resume()).toBe(1);
    const delivered = await statusBecomes(app, paid.id, "delivered");
    const deliveries = await messagesAbout(sent, "order-delivered", paid.id);
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]!.chatId).toBe("r1");
    expect(deliveries[0]!.text).toContain(`SN: ${serialOf(app, delivered)}`);
    expect(provider.placeCalls).toBe(1);
    expect(await app.wallet.balance("console:r1")).toBe(balanceAfterPaying);

    // A second sweep finds nothing left to do.
    expect(await app.recovery.resume()).toBe(0);
  });
});
