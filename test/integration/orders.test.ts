/**
 * Integration: OrderStore against real Redis. Ids and references, the state machine, the
 * compare-and-set under concurrent transitions (over several connections), and the indexes
 * (per buyer, all, active).
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Redis } from "ioredis";
import { OrderStateError, OrderStore, orderIdPattern, type NewOrder, type Order, type OrderStatus } from "../../src/commerce/orders.js";
import { keys } from "../../src/store/keys.js";
import { freshRedis, testRedisUrl } from "../helpers/redis.js";

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

function newOrder(buyer = "telegram:1001", overrides: Partial<NewOrder> = {}): NewOrder {
  return {
    buyer,
    channel: "telegram",
    chatId: buyer.split(":")[1]!,
    locale: "id",
    product,
    inputs: { userId: "12345678", zoneId: "1234" },
    price: 19_000,
    cost: 18_000,
    payment: { method: "wallet", amount: 19_000 },
    ...overrides,
  };
}

describe("OrderStore on real Redis", () => {
  let redis: Redis;
  let prefix: string;
  let cleanup: () => Promise<void>;
  let orders: OrderStore;
  const extraClients: Redis[] = [];

  beforeEach(async () => {
    ({ redis, prefix, cleanup } = await freshRedis("orders"));
    orders = new OrderStore(redis);
  });

  afterEach(async () => {
    for (const client of extraClients.splice(0)) client.disconnect();
    await cleanup();
  });

  async function otherStores(count: number): Promise<OrderStore[]> {
    const stores: OrderStore[] = [];
    for (let i = 0; i < count; i++) {
      const client = new Redis(testRedisUrl, { keyPrefix: prefix, lazyConnect: true });
      await client.connect();
      extraClients.push(client);
      stores.push(new OrderStore(client));
    }
    return stores;
  }

  async function walk(id: string, path: OrderStatus[]): Promise<Order> {
    let order = await orders.get(id);
    for (const to of path) {
      order = await orders.transition(id, [order!.status], to);
      expect(order?.status, `→ ${to}`).toBe(to);
    }
    return order!;
  }

  it("creates an order with an ORD- id, a provider reference and a first history entry", async () => {
    const at = 1_700_000_000_000;
    const order = await orders.create(newOrder(), at);

    expect(order.id).toMatch(/^ORD-[A-Z0-9]{8,}$/);
    expect(orderIdPattern.test(order.id)).toBe(true);
    expect(order.refId).toMatch(/^[A-Za-z0-9]+$/);
    expect(order.refId).toContain(order.id.slice(4));
    expect(order).toMatchObject({ status: "awaiting_payment", attempts: 0, createdAt: at, updatedAt: at, history: [{ status: "awaiting_payment", at }] });
    expect(await orders.get(order.id)).toEqual(order);
    expect(await redis.hget(keys.order(order.id), "status")).toBe("awaiting_payment");

    const paid = await orders.create(newOrder("telegram:1001", { status: "paid" }));
    expect(paid.status).toBe("paid");
    expect(await orders.get("ORD-DOESNOTEXIST")).toBeNull();
  });

  it("gives every order a distinct id and reference", async () => {
    const created = await Promise.all(Array.from({ length: 50 }, () => orders.create(newOrder())));
    expect(new Set(created.map((order) => order.id)).size).toBe(50);
    expect(new Set(created.map((order) => order.refId)).size).toBe(50);
  });

  it("follows the state machine along the happy path, recording history and patches", async () => {
    const order = await orders.create(newOrder());
    const paid = await orders.transition(order.id, ["awaiting_payment"], "paid", (o) => ({ payment: { ...o.payment, paidAt: 123 } }), "wallet");
    expect(paid?.payment.paidAt).toBe(123);
    expect(paid?.history.at(-1)).toMatchObject({ status: "paid", note: "wallet" });

    const placing = await orders.transition(order.id, ["paid"], "placing", (o) => ({ attempts: o.attempts + 1 }));
    const pending = await orders.transition(order.id, ["placing"], "pending", () => ({ providerRef: "SBX-1" }));
    const delivered = await orders.transition(order.id, ["pending"], "delivered", () => ({ delivered: "[]" }));
    expect(placing?.attempts).toBe(1);
    expect(pending?.providerRef).toBe("SBX-1");
    expect(delivered?.history.map((h) => h.status)).toEqual(["awaiting_payment", "paid", "placing", "pending", "delivered"]);
    expect(await orders.get(order.id)).toEqual(delivered);
    expect(await redis.hget(keys.order(order.id), "rev")).toBe("5");
  });

  it("counts the orders not yet final by status, leaving final ones out", async () => {
    const waiting = await orders.create(newOrder());
    const placing = await orders.create(newOrder());
    await walk(placing.id, ["paid", "placing"]);
    const done = await orders.create(newOrder());
    await walk(done.id, ["paid", "placing", "pending", "delivered"]);
    expect(waiting.status).toBe("awaiting_payment");
    expect(Object.fromEntries(await orders.activeStatusCounts())).toEqual({ awaiting_payment: 1, placing: 1 });
  });

  it("allows the failure, refund, retry and expiry moves", async () => {
    const refunded = await orders.create(newOrder());
    expect((await walk(refunded.id, ["paid", "placing", "failed", "refunded"])).status).toBe("refunded");

    const retried = await orders.create(newOrder());
    await walk(retried.id, ["paid", "placing", "failed", "paid", "placing", "paid", "failed"]);

    const expired = await orders.create(newOrder());
    await walk(expired.id, ["expired"]);
  });

  it("throws OrderStateError on an illegal move and changes nothing", async () => {
    const order = await orders.create(newOrder());
    const before = await redis.hgetall(keys.order(order.id));

    const attempt = orders.transition(order.id, ["awaiting_payment"], "delivered");
    await expect(attempt).rejects.toBeInstanceOf(OrderStateError);
    await expect(attempt).rejects.toMatchObject({ wanted: "delivered", order: { id: order.id, status: "awaiting_payment" } });
    await expect(orders.transition(order.id, ["awaiting_payment"], "refunded")).rejects.toBeInstanceOf(OrderStateError);
    expect(await redis.hgetall(keys.order(order.id))).toEqual(before);

    // Delivered is final, except for an admin's refund of it (`/refund <ID> <reason>`).
    await walk(order.id, ["paid", "placing", "delivered"]);
    for (const to of ["failed", "paid", "pending"] as const) {
      await expect(orders.transition(order.id, ["delivered"], to), `delivered → ${to}`).rejects.toBeInstanceOf(OrderStateError);
    }
    expect((await orders.get(order.id))?.status).toBe("delivered");
  });

  it("returns null and changes nothing when the order is not in an expected state", async () => {
    const order = await orders.create(newOrder());
    const before = await redis.hgetall(keys.order(order.id));
    expect(await orders.transition(order.id, ["paid"], "placing")).toBeNull();
    expect(await orders.transition("ORD-MISSING00", ["paid"], "placing")).toBeNull();
    expect(await orders.update("ORD-MISSING00", () => ({ attention: "x" }))).toBeNull();
    expect(await redis.hgetall(keys.order(order.id))).toEqual(before);
  });

  it("lets exactly one of 20 concurrent paid → placing transitions win", async () => {
    const order = await orders.create(newOrder("telegram:1001", { status: "paid" }));
    const stores = [orders, ...(await otherStores(3))];

    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => stores[i % stores.length]!.transition(order.id, ["paid"], "placing", (o) => ({ attempts: o.attempts + 1 }))),
    );

    const winners = results.filter((result): result is Order => result !== null);
    expect(winners).toHaveLength(1);
    const stored = await orders.get(order.id);
    expect(stored).toEqual(winners[0]);
    expect(stored?.attempts).toBe(1);
    expect(stored?.history.map((h) => h.status)).toEqual(["paid", "placing"]);
    expect(await redis.hget(keys.order(order.id), "rev")).toBe("2");
  });

  it("keeps every concurrent update (CAS retries instead of overwriting)", async () => {
    const order = await orders.create(newOrder());
    const stores = [orders, ...(await otherStores(3))];
    await Promise.all(Array.from({ length: 12 }, (_, i) => stores[i % stores.length]!.update(order.id, (o) => ({ attempts: o.attempts + 1 }))));
    const stored = await orders.get(order.id);
    expect(stored?.attempts).toBe(12);
    expect(stored?.status).toBe("awaiting_payment");
  });

  it("indexes orders per buyer and shop-wide, newest first", async () => {
    const t = 1_700_000_000_000;
    const a1 = await orders.create(newOrder("telegram:a"), t);
    const b1 = await orders.create(newOrder("telegram:b"), t + 500);
    const a2 = await orders.create(newOrder("telegram:a"), t + 1_000);
    const a3 = await orders.create(newOrder("telegram:a"), t + 2_000);

    expect((await orders.ofBuyer("telegram:a")).map((o) => o.id)).toEqual([a3.id, a2.id, a1.id]);
    expect((await orders.ofBuyer("telegram:a", 2)).map((o) => o.id)).toEqual([a3.id, a2.id]);
    expect((await orders.ofBuyer("telegram:b")).map((o) => o.id)).toEqual([b1.id]);
    expect(await orders.ofBuyer("telegram:nobody")).toEqual([]);
    expect((await orders.recent()).map((o) => o.id)).toEqual([a3.id, a2.id, b1.id, a1.id]);

    // Moves keep the indexes (no duplicates, same position).
    await walk(a1.id, ["paid", "placing", "delivered"]);
    expect((await orders.ofBuyer("telegram:a")).map((o) => o.id)).toEqual([a3.id, a2.id, a1.id]);
    expect((await orders.ofBuyer("telegram:a"))[2]?.status).toBe("delivered");
  });

  it("lists only unfinished orders as active, oldest first", async () => {
    const t = 1_700_000_000_000;
    const delivered = await orders.create(newOrder(), t);
    const expired = await orders.create(newOrder(), t + 1);
    const refunded = await orders.create(newOrder(), t + 2);
    const pending = await orders.create(newOrder(), t + 3);
    const failed = await orders.create(newOrder(), t + 4);
    const waiting = await orders.create(newOrder(), t + 5);

    await walk(delivered.id, ["paid", "placing", "delivered"]);
    await walk(expired.id, ["expired"]);
    await walk(refunded.id, ["paid", "placing", "failed", "refunded"]);
    await walk(pending.id, ["paid", "placing", "pending"]);
    await walk(failed.id, ["paid", "failed"]);

    const active = await orders.active();
    expect(active.map((o) => o.id)).toEqual([pending.id, failed.id, waiting.id]);
    expect(active.map((o) => o.status)).toEqual(["pending", "failed", "awaiting_payment"]);
    // A final order touched by update() stays out of the active set.
    await orders.update(delivered.id, () => ({ attention: "checked" }));
    expect((await orders.active()).map((o) => o.id)).not.toContain(delivered.id);
  });
  it("counts purchases before they are sent: stores racing on one order claim at most the cap, then `capped`", async () => {
    const order = await orders.create(newOrder(undefined, { status: "paid" }));
    const stores = [orders, ...(await otherStores(4))];
    const first = await Promise.all(stores.map((store) => store.claimPurchase(order.id, ["paid"], 3)));
    expect(first.filter((claim) => claim?.kind === "claimed")).toHaveLength(1);
    expect(first.filter((claim) => claim === null)).toHaveLength(4); // no longer paid
    // Placing again (a lookup said "not found"): racing claims never exceed the cap of 3.
    const again = await Promise.all(stores.map((store) => store.claimPurchase(order.id, ["placing"], 3)));
    const more = await Promise.all(stores.map((store) => store.claimPurchase(order.id, ["placing"], 3)));
    const claimed = [...again, ...more].filter((claim) => claim?.kind === "claimed").length;
    expect(claimed).toBe(2);
    expect([...again, ...more].filter((claim) => claim?.kind === "capped").length).toBe(8);
    const stored = (await orders.get(order.id))!;
    expect(stored.purchaseAttempts).toBe(3);
    expect(stored.status).toBe("placing");
    // An order updated since it was read is not claimed: the caller decides afresh.
    const changed = await orders.claimPurchase(order.id, ["placing"], 5, undefined, stored.updatedAt - 1);
    expect(changed?.kind).toBe("changed");
    expect((await orders.get(order.id))!.purchaseAttempts).toBe(3);
  });
});
