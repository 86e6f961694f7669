/**
 * Integration: referrals against real Redis. The link rules (one referrer, no self or circle,
 * only buyers without an order, unknown codes), codes stable and case-insensitive, a race of
 * referrers for one buyer, the reward (once across repeated delivered events and concurrent
 * runs, only within the window), and the reversal on refund: once, never below zero, the rest
 * owed and paid off from the next reward. Every wallet ends equal to its ledger.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Redis } from "ioredis";
import { OrderStore, type NewOrder, type Order } from "../../src/commerce/orders.js";
import { Referrals } from "../../src/commerce/referrals.js";
import { Wallet } from "../../src/commerce/wallet.js";
import { silentLogger } from "../../src/logger.js";
import { freshRedis } from "../helpers/redis.js";

const product: Order["product"] = {
  code: "SB-ML86",
  provider: "sandbox",
  sku: "ML86",
  name: "Mobile Legends 86 Diamonds",
  category: "game",
  group: "Mobile Legends",
  basePrice: 18_000,
  stock: null,
  input: "game_id_zone",
  delivery: "serial",
};

function newOrder(buyer: string, price = 20_000): NewOrder {
  return {
    buyer,
    channel: "telegram",
    chatId: buyer.split(":")[1]!,
    locale: "id",
    product,
    inputs: { userId: "12345678", zoneId: "1234" },
    price,
    cost: 18_000,
    payment: { method: "wallet", amount: price },
    status: "paid",
  };
}

const day = 24 * 60 * 60_000;

let redis: Redis;
let cleanup: () => Promise<void>;
let orders: OrderStore;
let wallet: Wallet;
let referrals: Referrals;

beforeEach(async () => {
  ({ redis, cleanup } = await freshRedis("referrals"));
  // No listener here: each test runs the reward and reversal steps itself, as the listener would.
  orders = new OrderStore(redis);
  wallet = new Wallet(redis);
  referrals = new Referrals({ redis, orders, wallet, logger: silentLogger, percent: 2, days: 90 });
});
afterEach(async () => {
  await cleanup();
});

/** An order of `buyer` taken to delivered (or to refunded after it, with its payment back). */
async function delivered(buyer: string, price = 20_000, createdAt = Date.now()): Promise<Order> {
  const order = await orders.create(newOrder(buyer, price), createdAt);
  await orders.transition(order.id, ["paid"], "placing");
  return (await orders.transition(order.id, ["placing"], "delivered"))!;
}

async function refund(order: Order): Promise<void> {
  await wallet.credit(order.buyer, order.price, { id: `refund:${order.id}`, reason: "refund", orderId: order.id });
  expect(await orders.transition(order.id, ["delivered"], "refunded")).not.toBeNull();
}

async function expectConsistent(...buyers: string[]): Promise<void> {
  for (const buyer of buyers) expect((await wallet.verify(buyer)).consistent).toBe(true);
}

describe("codes and linking", () => {
  it("gives each buyer one code for good, read in any case", async () => {
    const code = await referrals.codeOf("telegram:1");
    expect(await referrals.codeOf("telegram:1")).toBe(code);
    expect(await referrals.codeOf("telegram:2")).not.toBe(code);
    expect(await referrals.link("telegram:3", code.toLowerCase())).toEqual({ kind: "linked", referrer: "telegram:1" });
    expect(await referrals.referrerOf("telegram:3")).toMatchObject({ referrer: "telegram:1" });
    expect((await referrals.summary("telegram:1")).referred).toBe(1);
  });

  it("keeps the first referrer: a second link changes nothing", async () => {
    const first = await referrals.codeOf("telegram:1");
    const second = await referrals.codeOf("telegram:2");
    expect((await referrals.link("whatsapp:628111", first)).kind).toBe("linked");
    expect(await referrals.link("whatsapp:628111", first)).toEqual({ kind: "already", referrer: "telegram:1" });
    expect(await referrals.link("whatsapp:628111", second)).toEqual({ kind: "taken" });
    expect((await referrals.referrerOf("whatsapp:628111"))?.referrer).toBe("telegram:1");
    expect((await referrals.summary("telegram:1")).referred).toBe(1);
    expect((await referrals.summary("telegram:2")).referred).toBe(0);
  });

  it("refuses the buyer's own code, a circle, unknown codes and buyers who ordered before", async () => {
    const own = await referrals.codeOf("telegram:1");
    expect(await referrals.link("telegram:1", own)).toEqual({ kind: "self" });
    expect((await referrals.link("telegram:2", own)).kind).toBe("linked");
    // telegram:1 invited telegram:2; telegram:2's code cannot make telegram:1 their referee.
    expect(await referrals.link("telegram:1", await referrals.codeOf("telegram:2"))).toEqual({ kind: "self" });
    expect(await referrals.link("telegram:3", "ZZZZZZ")).toEqual({ kind: "unknown_code" });

    // Any earlier order counts, even one never paid.
    await orders.create({ ...newOrder("telegram:4"), status: "awaiting_payment" });
    expect(await referrals.link("telegram:4", own)).toEqual({ kind: "has_orders" });
    expect(await referrals.referrerOf("telegram:4")).toBeNull();
  });

  it("links a buyer to exactly one of many referrers racing for them", async () => {
    const codes = await Promise.all(Array.from({ length: 20 }, (_, i) => referrals.codeOf(`telegram:${100 + i}`)));
    const results = await Promise.all(codes.map((code) => referrals.link("whatsapp:628999", code)));
    expect(results.filter((result) => result.kind === "linked")).toHaveLength(1);
    expect(results.filter((result) => result.kind === "taken")).toHaveLength(19);
  });

  it("links no one while referrals are off", async () => {
    const off = new Referrals({ redis, orders, wallet, logger: silentLogger, percent: 0, days: 90 });
    expect(await off.link("telegram:2", await off.codeOf("telegram:1"))).toEqual({ kind: "off" });
  });
});

describe("rewards", () => {
  it("credits the referrer 2% of a delivered order once, however often delivery is reported", async () => {
    await referrals.link("telegram:2", await referrals.codeOf("telegram:1"));
    const order = await delivered("telegram:2", 18_500);
    const credited = await Promise.all([referrals.reward(order.id), referrals.reward(order.id), referrals.reward(order.id)]);
    expect(credited.sort()).toEqual([0, 0, 370]);
    referrals.onTransition(order, "placing");
    referrals.onTransition(order, "placing");
    await referrals.idle();
    expect(await wallet.balance("telegram:1")).toBe(370);
    expect((await wallet.ledger("telegram:1")).map((entry) => entry.id)).toEqual([`referral:${order.id}`]);
    expect((await orders.get(order.id))?.referral).toEqual({ referrer: "telegram:1", reward: 370 });
    await expectConsistent("telegram:1");
  });

  it("pays nothing for buyers without a referrer, orders not delivered, or orders past the window", async () => {
    const lone = await delivered("telegram:9");
    expect(await referrals.reward(lone.id)).toBe(0);

    await referrals.link("telegram:2", await referrals.codeOf("telegram:1"), Date.now() - 91 * day);
    const late = await delivered("telegram:2");
    expect(await referrals.reward(late.id)).toBe(0);

    await referrals.link("telegram:3", await referrals.codeOf("telegram:1"));
    const open = await orders.create(newOrder("telegram:3"));
    expect(await referrals.reward(open.id)).toBe(0);
    expect(await wallet.balance("telegram:1")).toBe(0);
  });
});

describe("the sweep's catch-up", () => {
  it("pays a reward and a reversal the listener never ran (a process died), once, and not again within its period", async () => {
    await referrals.link("telegram:2", await referrals.codeOf("telegram:1"));
    const missed = await delivered("telegram:2");
    const refunded = await delivered("telegram:2", 30_000);
    await referrals.reward(refunded.id);
    await refund(refunded);
    await delivered("telegram:9"); // no referrer: not looked at
    expect(await referrals.catchUp(60_000)).toBe(2);
    expect(await wallet.balance("telegram:1")).toBe(400);
    const ids = (await wallet.ledger("telegram:1")).map((entry) => entry.id).sort();
    expect(ids).toEqual([`referral-reversal:${refunded.id}`, `referral:${missed.id}`, `referral:${refunded.id}`].sort());
    // Within its period another process (or sweep) does nothing; after it, nothing is doubled.
    expect(await referrals.catchUp(60_000)).toBe(0);
    await redis.del("referral:caught-up");
    expect(await referrals.catchUp(60_000)).toBe(2);
    expect(await wallet.balance("telegram:1")).toBe(400);
    expect(await wallet.ledger("telegram:1")).toHaveLength(3);
    await expectConsistent("telegram:1");
  });
});

describe("reversal on refund", () => {
  it("takes the reward back once", async () => {
    await referrals.link("telegram:2", await referrals.codeOf("telegram:1"));
    const order = await delivered("telegram:2");
    await referrals.reward(order.id);
    await wallet.credit("telegram:1", 10_000, { id: "topup-1", reason: "topup" });
    await refund(order);
    const taken = await Promise.all([referrals.reverse(order.id), referrals.reverse(order.id)]);
    expect(taken.sort()).toEqual([0, 400]);
    expect(await wallet.balance("telegram:1")).toBe(10_000);
    expect((await referrals.summary("telegram:1")).owed).toBe(0);
    await expectConsistent("telegram:1", "telegram:2");
  });

  it("never takes the balance below zero: the rest is owed and paid off from the next reward", async () => {
    await referrals.link("telegram:2", await referrals.codeOf("telegram:1"));
    const first = await delivered("telegram:2", 20_000);
    await referrals.reward(first.id); // +400
    await wallet.debit("telegram:1", 300, { id: "spent", reason: "purchase" }); // 100 left
    await refund(first);
    expect(await referrals.reverse(first.id)).toBe(100);
    expect(await referrals.reverse(first.id)).toBe(0);
    expect(await wallet.balance("telegram:1")).toBe(0);
    expect((await referrals.summary("telegram:1")).owed).toBe(300);

    // The next reward (500) pays off the 300 owed first: 200 reaches the wallet.
    const second = await delivered("telegram:2", 25_000);
    expect(await referrals.reward(second.id)).toBe(200);
    expect(await referrals.reward(second.id)).toBe(0);
    expect(await wallet.balance("telegram:1")).toBe(200);
    expect((await referrals.summary("telegram:1")).owed).toBe(0);
    expect((await orders.get(second.id))?.referral?.reward).toBe(500);

    // Refunding that one too takes back what it credited and puts the debt it paid off back.
    await refund(second);
    await referrals.reverse(second.id);
    expect(await wallet.balance("telegram:1")).toBe(0);
    expect((await referrals.summary("telegram:1")).owed).toBe(300);
    await expectConsistent("telegram:1", "telegram:2");
  });

  it("records a reversal of an empty wallet as an entry of 0 and the whole reward owed", async () => {
    await referrals.link("telegram:2", await referrals.codeOf("telegram:1"));
    const order = await delivered("telegram:2");
    await referrals.reward(order.id);
    await wallet.debit("telegram:1", 400, { id: "spent", reason: "purchase" });
    await refund(order);
    expect(await referrals.reverse(order.id)).toBe(0);
    const [entry] = await wallet.ledger("telegram:1", 1);
    expect(entry).toMatchObject({ id: `referral-reversal:${order.id}`, amount: 0, reason: "referral_reversal" });
    expect((await referrals.summary("telegram:1")).owed).toBe(400);
    await referrals.reverse(order.id);
    expect((await referrals.summary("telegram:1")).owed).toBe(400);
    await expectConsistent("telegram:1");
  });

  it("pays nothing when the reward runs late, after the order was refunded", async () => {
    await referrals.link("telegram:2", await referrals.codeOf("telegram:1"));
    const order = await delivered("telegram:2");
    await wallet.credit("telegram:1", 1_000, { id: "topup-1", reason: "topup" });
    // The refund's reversal runs first and finds no reward; the late reward sees the refund.
    await refund(order);
    expect(await referrals.reverse(order.id)).toBe(0);
    expect(await referrals.reward(order.id)).toBe(0);
    expect(await wallet.balance("telegram:1")).toBe(1_000);
    await expectConsistent("telegram:1");
  });

  it("reverses nothing for an order that earned nothing", async () => {
    const order = await delivered("telegram:9");
    await refund(order);
    expect(await referrals.reverse(order.id)).toBe(0);
    expect(await wallet.ledger("telegram:9")).toHaveLength(1);
  });
});
