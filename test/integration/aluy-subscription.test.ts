/**
 * Issue 14, item 5 (aluy VPS as a subscription), the money part, through the real fulfilment:
 * - a VPS aluy could not deploy gets exactly one `retry-provision`, then waits for an admin; it
 *   is never refunded automatically, since aluy holds the charge;
 * - an order aluy leaves `PENDING_PAYMENT` is paid from the reseller balance, once;
 * - the cost recorded is what aluy's order answer says it charged (`totalCents`), not the listed price;
 * - renewal at aluy is cancelled (`POST /services/:id/cancel`) as soon as the VPS is provisioned,
 *   before the buyer gets it, and the paid-until date is delivered with it.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { eurCentsToRupiah } from "../../src/core/money.js";
import type { FollowUpPlan } from "../../src/commerce/fulfilment.js";
import type { Order } from "../../src/commerce/orders.js";
import { AluyProvider } from "../../src/providers/aluy/adapter.js";
import type { ProviderProduct } from "../../src/providers/types.js";
import { addMonths, aluyFakeCookie, startAluyFake, type AluyFake } from "../fakes/aluy-server.js";
import { startTestApp, type TestApp } from "../helpers/app.js";

const eurToIdr = 17_321;
const plan: FollowUpPlan = { delayMs: () => 10, giveUpAfterMs: 60_000, maxTransientAttempts: 3, placingGraceMs: 20 };

let fake: AluyFake;
let test: TestApp;
let aluy: AluyProvider;
let seq = 0;

beforeEach(async () => {
  fake = await startAluyFake();
  aluy = new AluyProvider({ baseUrl: fake.url, sessionCookie: aluyFakeCookie, eurToIdr, timeoutMs: 500, retryDelaysMs: [5], lookupDelayMs: 20 });
  // Tiers on for the tiered renewal (everyone else stays "member", the normal price).
  test = await startTestApp({ SANDBOX: "off", PRICE_TIERS: "member:0,reseller:-1%,vip:-5%" }, { providers: [aluy], followUpPlan: plan });
});

afterEach(async () => {
  await test?.cleanup();
  await fake?.close();
});

/** A paid wallet order for the first aluy product, queued for fulfilment. */
async function paidOrder(product?: ProviderProduct, months = 1): Promise<{ order: Order; buyer: string }> {
  const { app } = test;
  const item = product ?? (await aluy.listProducts())[0]!;
  seq += 1;
  const buyer = `console:74${seq}`;
  const price = item.basePrice + 1_000;
  await app.wallet.credit(buyer, price, { id: `seed:${buyer}`, reason: "manual" });
  const order = await app.orders.create({
    buyer,
    channel: "console",
    chatId: buyer.slice(8),
    locale: "en",
    product: { ...item, code: item.code ?? "VPS-1" },
    inputs: { months: String(months) },
    price,
    cost: item.basePrice,
    payment: { method: "wallet", amount: price, paidAt: Date.now() },
    status: "paid",
  });
  await app.wallet.debit(buyer, price, { id: `pay:${order.id}`, reason: "purchase", orderId: order.id });
  await app.fulfilment.enqueue(order);
  return { order, buyer };
}

async function until(orderId: string, done: (order: Order) => boolean): Promise<Order> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const order = (await test.app.orders.get(orderId))!;
    if (done(order) || Date.now() > deadline) return order;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe("a VPS aluy could not deploy (hasProvisionIssue)", () => {
  it("gets exactly one retry-provision and is delivered when the retry deploys it", async () => {
    fake.provisionIssue = true;
    const { order } = await paidOrder();
    const done = await until(order.id, (o) => o.status === "delivered" || o.attention !== undefined || o.status === "refunded");
    expect(done.status).toBe("delivered");
    expect(fake.count("POST", /retry-provision$/)).toBe(1);
  });

  it("after one retry that fails too, waits for an admin: never a second retry, never a refund", async () => {
    fake.provisionIssue = true;
    fake.retryProvisionIssue = true;
    const { order, buyer } = await paidOrder();
    const waiting = await until(order.id, (o) => o.attention !== undefined || o.status === "refunded" || o.status === "failed");
    expect(waiting.status).toBe("pending");
    expect(waiting.attention).toMatch(/^provision-issue/);
    // Give a stray follow-up time to run (a lower bound only: nothing may happen after this).
    await new Promise((resolve) => setTimeout(resolve, 200));
    await test.app.fulfilment.advance(order.id);
    expect(fake.count("POST", /retry-provision$/)).toBe(1);
    const after = (await test.app.orders.get(order.id))!;
    expect(after.status).toBe("pending");
    expect(await test.app.wallet.balance(buyer)).toBe(0);
  });
});

describe("an order aluy leaves PENDING_PAYMENT", () => {
  it("is paid from the reseller balance once, then provisioned and delivered", async () => {
    fake.pendingPayment = true;
    const before = fake.balanceCents;
    const { order } = await paidOrder();
    const done = await until(order.id, (o) => o.status === "delivered" || o.status === "refunded");
    expect(done.status).toBe("delivered");
    expect(fake.count("POST", /^\/orders\/[^/]+\/pay$/)).toBe(1);
    expect(fake.requests.find((r) => r.path.endsWith("/pay"))?.body).toEqual({ method: "balance" });
    expect(fake.balanceCents).toBe(before - fake.orders[0]!.totalCents);
  });

  it("is refunded when the balance cannot pay it (aluy holds no charge)", async () => {
    fake.pendingPayment = true;
    fake.balanceCents = 1;
    const { order } = await paidOrder();
    const done = await until(order.id, (o) => o.status === "delivered" || o.status === "refunded");
    expect(done.status).toBe("refunded");
    expect(fake.count("POST", /^\/orders\/[^/]+\/pay$/)).toBe(1);
  });
});

describe("what the order cost, and its renewal", () => {
  it("records the cost from aluy's order answer (totalCents), not the price listed earlier", async () => {
    const product = (await aluy.listProducts())[0]!;
    // The price moved after the catalog was read.
    fake.products[0]!.variants[0]!.priceCents = 650;
    const { order } = await paidOrder(product);
    const done = await until(order.id, (o) => o.status === "delivered" || o.status === "refunded");
    expect(done.status).toBe("delivered");
    expect(fake.orders[0]!.totalCents).toBe(650);
    expect(done.cost).toBe(eurCentsToRupiah(650, eurToIdr));
  });

  it("cancels renewal at aluy once the VPS is provisioned, before delivering it with its paid-until date", async () => {
    const { order } = await paidOrder();
    const done = await until(order.id, (o) => o.status === "delivered" || o.status === "refunded");
    expect(done.status).toBe("delivered");
    const service = fake.services[0]!;
    expect(fake.count("POST", `/services/${service.id}/cancel`)).toBe(1);
    expect(service.subscriptionCancelledAt).not.toBeNull();
    const cancelAt = fake.requests.findIndex((r) => r.path.endsWith("/cancel"));
    const resetAt = fake.requests.findIndex((r) => r.path.endsWith("/reset-password"));
    expect(cancelAt).toBeGreaterThan(-1);
    expect(cancelAt).toBeLessThan(resetAt);
    const { items } = test.app.vault.open(done.delivered!, false);
    expect(items).toContainEqual({ label: "expires", value: service.nextDueAt });
    // The paid-until date is kept on the order, for /vps and the expiry reminders.
    expect(done.expiresAt).toBe(Date.parse(service.nextDueAt!));
  });
});

describe("a VPS bought for several months", () => {
  it("is paid until months ahead; the subscriptions sweep turns renewal off once aluy's period is the last one paid", async () => {
    const { order } = await paidOrder(undefined, 3);
    const done = await until(order.id, (o) => o.status === "delivered" || o.status === "refunded");
    expect(done.status).toBe("delivered");
    const service = fake.services[0]!;
    expect(done.expiresAt).toBe(Date.parse(addMonths(service.nextDueAt!, 2)));
    expect(done.cost).toBe(eurCentsToRupiah(499 * 3, eurToIdr));
    expect(service.subscriptionCancelledAt).toBeNull();

    await test.app.subscriptions.sync({ force: true });
    expect(service.subscriptionCancelledAt).toBeNull();
    // aluy renewed twice: its current period ends when the buyer's does.
    service.nextDueAt = addMonths(service.nextDueAt!, 2);
    await test.app.subscriptions.sync({ force: true });
    expect(service.subscriptionCancelledAt).not.toBeNull();
  });
});

describe("Perpanjang: renewing a VPS from the wallet", () => {
  it("debits one more month once, moves the paid-until date, resumes renewal at aluy, then cancels it again once the new period started", async () => {
    const { order, buyer } = await paidOrder();
    const done = await until(order.id, (o) => o.status === "delivered" || o.status === "refunded");
    expect(done.status).toBe("delivered");
    const service = fake.services[0]!;
    expect(service.subscriptionCancelledAt).not.toBeNull();
    const monthly = done.price;
    await test.app.wallet.credit(buyer, monthly + 5, { id: `seed2:${buyer}`, reason: "manual" });

    const quote = await test.app.renewals.quote(buyer, order.id);
    expect(quote).toMatchObject({ kind: "quote", monthly, expiresAt: done.expiresAt });
    const renewed = await test.app.renewals.renew(buyer, order.id, 1);
    expect(renewed).toMatchObject({ kind: "renewed", price: monthly, balance: 5 });
    const after = (await test.app.orders.get(order.id))!;
    expect(after.expiresAt).toBe(Date.parse(addMonths(new Date(done.expiresAt!).toISOString(), 1)));
    expect(await test.app.wallet.balance(buyer)).toBe(5);
    expect(fake.count("POST", `/services/${service.id}/resume`)).toBe(1);
    // (the fake's resume renews at once: ASSUMPTION) aluy's period now ends with the paid one: renewal off again.
    expect(service.subscriptionCancelledAt).toBeNull();
    await test.app.subscriptions.sync({ force: true });
    expect(service.subscriptionCancelledAt).not.toBeNull();
  });

  it("charges a month at the buyer's tier, never below the month's cost; the discount joins the order's pricing lines", async () => {
    const { order, buyer } = await paidOrder();
    const done = await until(order.id, (o) => o.status === "delivered" || o.status === "refunded");
    expect(done.status).toBe("delivered");
    const list = done.price;
    const cost = done.cost;
    // The shop's margin on a month is Rp 1.000 in this file: 1 % off fits in it, 5 % does not.
    const reseller = list - Math.floor(list / 100);
    expect(reseller).toBeGreaterThan(cost);
    expect(list - Math.floor((list * 5) / 100)).toBeLessThan(cost);
    await test.app.wallet.credit(buyer, reseller + cost, { id: `seed2:${buyer}`, reason: "manual" });

    await test.app.pricing.tiers.set(buyer, "reseller");
    expect(await test.app.renewals.quote(buyer, order.id)).toMatchObject({ kind: "quote", monthly: reseller });
    expect(await test.app.renewals.renew(buyer, order.id, 1)).toMatchObject({ kind: "renewed", price: reseller, balance: cost });
    const once = (await test.app.orders.get(order.id))!;
    expect(once).toMatchObject({ price: list + reseller, cost: cost * 2, renewedMonths: 1, pricing: { list: list * 2, tierDiscount: list - reseller } });
    expect((await test.app.wallet.ledger(buyer)).find((entry) => entry.id === `renew:${order.id}:${done.expiresAt}`)?.amount).toBe(-reseller);

    // vip's 5 % would go below cost: a month is sold at cost. A month's cost stays the same
    // however often the order was renewed (cost over every month paid so far).
    await test.app.pricing.tiers.set(buyer, "vip");
    expect(await test.app.renewals.quote(buyer, order.id)).toMatchObject({ kind: "quote", monthly: cost });
    expect(await test.app.renewals.renew(buyer, order.id, 1)).toMatchObject({ kind: "renewed", price: cost, balance: 0 });
    const twice = (await test.app.orders.get(order.id))!;
    expect(twice).toMatchObject({ price: list + reseller + cost, cost: cost * 3, renewedMonths: 2, pricing: { list: list * 3, tierDiscount: list - reseller + (list - cost) } });
    expect(await test.app.wallet.verify(buyer)).toMatchObject({ consistent: true, balance: 0 });
  });

  it("refuses a renewal the wallet cannot pay, changing nothing", async () => {
    const { order, buyer } = await paidOrder();
    const done = await until(order.id, (o) => o.status === "delivered" || o.status === "refunded");
    const renewed = await test.app.renewals.renew(buyer, order.id, 1);
    expect(renewed).toMatchObject({ kind: "insufficient" });
    expect((await test.app.orders.get(order.id))!.expiresAt).toBe(done.expiresAt);
    expect(fake.count("POST", /\/resume$/)).toBe(0);
  });

  it("refuses someone else's order, and a lapsed one", async () => {
    const { order, buyer } = await paidOrder();
    await until(order.id, (o) => o.status === "delivered" || o.status === "refunded");
    expect(await test.app.renewals.renew("console:999", order.id, 1)).toEqual({ kind: "not_found" });
    await test.app.orders.update(order.id, () => ({ expiresAt: Date.now() - 1_000 }));
    expect(await test.app.renewals.renew(buyer, order.id, 1)).toEqual({ kind: "lapsed" });
  });
});
