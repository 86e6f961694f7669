/**
 * Issue 14, item 5: a subscription's buyer (aluy VPS) is reminded 3 days and 1 day before its
 * paid-until date, once each (claimed in Redis: two sweeps, or two workers, remind once), and a
 * renewal that moved the date earns new reminders.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Subscriptions } from "../../src/commerce/subscriptions.js";
import { OrderStore, type Order } from "../../src/commerce/orders.js";
import type { Outbox, Recipient } from "../../src/core/outbox.js";
import type { Reply } from "../../src/core/reply.js";
import { asList } from "../../src/core/reply.js";
import { silentLogger } from "../../src/logger.js";
import { freshRedis } from "../helpers/redis.js";
import type { Redis } from "../../src/store/redis.js";

const day = 24 * 60 * 60_000;
let redis: Redis;
let cleanup: () => Promise<void>;
let orders: OrderStore;
let sent: { to: Recipient; replies: Reply[] }[];
let now: number;

const outbox: Outbox = {
  send: async (to, replies) => {
    sent.push({ to, replies });
  },
};

beforeEach(async () => {
  ({ redis, cleanup } = await freshRedis("subs-remind"));
  orders = new OrderStore(redis);
  sent = [];
  now = Date.parse("2027-03-01T00:00:00.000Z");
});

afterEach(async () => {
  await cleanup();
});

async function deliveredVps(expiresAt: number): Promise<Order> {
  const order = await orders.create({
    buyer: "telegram:81",
    channel: "telegram",
    chatId: "81",
    locale: "id",
    product: { provider: "aluy", sku: "v", code: "VPS-1G", category: "vps", group: "VPS", name: "VPS 1 GB", basePrice: 80_000, stock: null, input: "months", delivery: "vps" },
    inputs: { months: "1" },
    price: 90_000,
    cost: 80_000,
    payment: { method: "wallet", amount: 90_000, paidAt: now },
    status: "paid",
  });
  await orders.transition(order.id, ["paid"], "placing");
  return (await orders.transition(order.id, ["placing"], "delivered", () => ({ providerRef: "clxsvc1", expiresAt })))!;
}

function subscriptions(): Subscriptions {
  return new Subscriptions({ orders, providers: new Map(), redis, logger: silentLogger, outbox, now: () => now });
}

const keysSent = () => sent.flatMap((s) => s.replies.flatMap((r) => (r.kind === "text" ? asList(r.text).map((m) => m.key) : [])));

describe("expiry reminders", () => {
  it("reminds 3 days before and 1 day before, once each, in the buyer's chat", async () => {
    const order = await deliveredVps(now + 10 * day);
    const subs = subscriptions();
    await subs.remind();
    expect(sent).toHaveLength(0);

    now += 7.5 * day; // 2.5 days left
    await subs.remind();
    await subs.remind();
    await subscriptions().remind(); // another worker
    expect(keysSent()).toEqual(["vps-expiry-reminder"]);
    expect(sent[0]!.to).toEqual({ channel: "telegram", chatId: "81", locale: "id" });
    const args = sent[0]!.replies[0]!.kind === "text" ? asList(sent[0]!.replies[0]!.text)[0]!.args : undefined;
    expect(args).toMatchObject({ order: order.id, days: 3 });

    now += 2 * day; // half a day left
    await subs.remind();
    await subs.remind();
    expect(keysSent()).toEqual(["vps-expiry-reminder", "vps-expiry-reminder"]);

    now += day; // lapsed: nothing more
    await subs.remind();
    expect(sent).toHaveLength(2);
  });

  it("a buyer first seen within a day of the end gets only the 1-day reminder", async () => {
    await deliveredVps(now + 0.5 * day);
    await subscriptions().remind();
    await subscriptions().remind();
    expect(sent).toHaveLength(1);
  });
});
