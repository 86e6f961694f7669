/**
 * Issue 14, item 2: an order set aside for a person (a purchase whose answer was lost, past the
 * purchase cap, a provider that cannot look orders up) is finished from the admin group through
 * the real bot on the fake Bot API: `/orders attention` lists what waits, and
 * `/resolve <id> delivered <text>` | `ref <provider-reference>` | `failed [reason]` ends it,
 * each exactly once.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Order } from "../../src/commerce/orders.js";
import { startFakeTelegram, type FakeTelegram } from "../fakes/telegram-api.js";
import { adminGroup, buyer, eventually, owner, person, placeOrder, postedTo, secondAdmin, startAdminShop, type AdminShop } from "./support.js";

let telegram: FakeTelegram;
let shop: AdminShop;

beforeEach(async () => {
  telegram = await startFakeTelegram();
  shop = await startAdminShop(telegram);
});
afterEach(async () => {
  await shop.cleanup();
  await telegram.close();
});

const admin = () => person(telegram, adminGroup, owner);

/** A paid order whose purchase left no clear answer: `placing`, flagged for a person. */
async function setAside(buyerId: number, code = "SB-NFX1", inputs: Record<string, string> = { email: "buyer@example.com" }): Promise<Order> {
  const order = await placeOrder(shop, buyerId, code, "wallet", inputs);
  const placing = await shop.app.orders.claimPurchase(order.id, ["paid"], 3);
  expect(placing?.kind).toBe("claimed");
  const flagged = await shop.app.orders.update(order.id, () => ({ attention: "purchase-cap: 3" }));
  return flagged!;
}

describe("/orders attention", () => {
  it("lists the orders waiting for a person, and only those", async () => {
    const waiting = await setAside(1401);
    const normal = await placeOrder(shop, 1402, "SB-NFX1", "wallet", { email: "b@example.com" });
    await shop.app.orders.transition(normal.id, ["paid"], "failed");

    const listed = await admin().ask("/orders attention", "orders");
    expect(listed).toContain(waiting.id);
    expect(listed).not.toContain(normal.id);
  });

  it("says so when nothing waits", async () => {
    await admin().ask("/orders attention", "No orders found");
  });
});

describe("/resolve delivered", () => {
  it("delivers the admin's text to the buyer once, sealed at rest, never echoed or audited in the clear", async () => {
    const order = await setAside(1403);
    const secret = "login: akun.rahasia@example.com / Pw-9f8e7d";

    const done = await admin().ask(`/resolve ${order.id} delivered ${secret}`, "delivered");
    expect(done).toContain(order.id);
    expect(done).not.toContain("Pw-9f8e7d");
    const told = await buyer(telegram, 1403).expect("Pw-9f8e7d");
    expect(told).toContain(order.id);

    const stored = (await shop.app.orders.get(order.id))!;
    expect(stored.status).toBe("delivered");
    expect(stored.attention).toBeUndefined();
    expect(stored.delivered).toBeDefined();
    expect(stored.delivered).not.toContain("Pw-9f8e7d");
    expect(stored.history.at(-1)?.note).toContain("telegram:501");

    // A second admin, or the same message again: nothing more reaches the buyer.
    await person(telegram, adminGroup, secondAdmin).ask(`/resolve ${order.id} delivered other`, "cannot be resolved");
    expect(postedTo(telegram, 1403).filter((text) => text.includes(order.id) && text.includes("Pw-9f8e7d"))).toHaveLength(1);

    // Audited (who, which order, what), without the credentials.
    const audit = await admin().ask("/audit 5", "resolve");
    expect(audit).toContain(order.id);
    expect(audit).not.toContain("Pw-9f8e7d");
    expect(audit).not.toContain("rahasia");
    // The provider was never asked again, and fulfilment running now changes nothing.
    await shop.app.fulfilment.advance(order.id);
    expect(shop.provider.placed).toHaveLength(0);
    expect((await shop.app.orders.get(order.id))?.status).toBe("delivered");
  });
});

describe("/resolve ref", () => {
  it("attaches the provider's reference and resumes the status follow-up, which delivers", async () => {
    const order = await setAside(1404);
    // The purchase reached the sandbox; only its answer was lost.
    const outcome = await shop.provider.placeOrder({ orderId: order.id, refId: order.refId, product: order.product, inputs: order.inputs, payment: "direct" });
    const placedBefore = shop.provider.placed.length;

    await admin().ask(`/resolve ${order.id} ref ${outcome.providerRef}`, "follow");
    await eventually(async () => expect((await shop.app.orders.get(order.id))?.status).toBe("delivered"));
    const ended = (await shop.app.orders.get(order.id))!;
    expect(ended.providerRef).toBe(outcome.providerRef);
    expect(ended.attention).toBeUndefined();
    expect(shop.provider.placed).toHaveLength(placedBefore);
    await buyer(telegram, 1404).expect(order.id);

    await admin().ask(`/resolve ${order.id} ref OTHER-1`, "cannot be resolved");
  });

  it("refuses a reference with spaces or control characters (usage shown)", async () => {
    const order = await setAside(1405);
    await admin().ask(`/resolve ${order.id} ref`, "Usage: /resolve");
    await admin().ask(`/resolve ${order.id} ref ABC 123`, "Usage: /resolve");
    await admin().ask(`/resolve ${order.id} ref A\u202eB`, "Usage: /resolve");
    expect((await shop.app.orders.get(order.id))?.status).toBe("placing");
  });
});

describe("/resolve failed", () => {
  it("refunds once through the refund path, and the buyer is told", async () => {
    const order = await setAside(1406);
    expect(await shop.app.wallet.balance("telegram:1406")).toBe(0);

    await admin().ask(`/resolve ${order.id} failed provider has no such order`, "refunded");
    await buyer(telegram, 1406).expect("cancelled by the shop");
    expect((await shop.app.orders.get(order.id))?.status).toBe("refunded");
    await person(telegram, adminGroup, secondAdmin).ask(`/resolve ${order.id} failed`, "already refunded");

    const refunds = (await shop.app.wallet.ledger("telegram:1406")).filter((entry) => entry.id === `refund:${order.id}`);
    expect(refunds).toHaveLength(1);
    expect(refunds[0]).toMatchObject({ by: "telegram:501", note: "provider has no such order", amount: order.price });
    expect(await shop.app.wallet.verify("telegram:1406")).toMatchObject({ consistent: true });
  });
});
