/**
 * The flash sale through the real shop (ShopBot, wallet payments, fulfilment, real Redis): 1,000
 * buyers walk the checkout at once for the last 100 items. Exactly 100 pay and receive 100
 * distinct items; everyone else is told it is sold out before paying and keeps their money. A
 * paid order that lost the race (no hold) is refunded once; an order that expires unpaid gives its
 * hold back.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Reply } from "../../src/core/reply.js";
import { asList } from "../../src/core/reply.js";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { eventually } from "../admin/support.js";

let shop: TestApp;

beforeAll(async () => {
  shop = await startTestApp({ DATA_ENCRYPTION_KEY: "1e".repeat(32) });
});
afterAll(async () => shop.cleanup());

/** The message keys a set of replies shows (titles, notices, texts). */
function keysOf(replies: Reply[]): string[] {
  return replies.flatMap((reply) => {
    if (reply.kind === "menu") return [...(reply.notices ?? []), ...asList(reply.title)].map((m) => m.key);
    if (reply.kind === "text") return asList(reply.text).map((m) => m.key);
    return asList(reply.caption).map((m) => m.key);
  });
}

describe("own stock under a flash sale", () => {
  it("1,000 buyers, 100 items: exactly 100 sold, 100 distinct items, the rest told 'habis' before paying", async () => {
    const { app } = shop;
    await app.stock.create({ code: "FLASH", name: "Voucher flash", price: 10_000 });
    await app.stock.upload("FLASH", Array.from({ length: 100 }, (_, i) => `VOUCHER-${String(i).padStart(4, "0")}`));
    const buyers = Array.from({ length: 1_000 }, (_, i) => `flash${i}`);
    await Promise.all(buyers.map((id) => app.wallet.credit(`console:${id}`, 10_000, { id: `sandbox:${id}`, reason: "sandbox_topup" })));
    const say = (id: string, text: string) => app.shop.handle({ channel: "console", chatId: id, userId: id, isGroup: false, text });

    const outcome = new Map<string, "paid" | "sold_out">();
    const soldOutKeys = new Set(["stock-sold-out", "product-out-of-stock"]);
    // Every buyer answers "1" (the first quantity, then confirm, then the wallet) until paid or told it is gone.
    await Promise.all(
      buyers.map(async (id) => {
        let keys = keysOf((await say(id, "FLASH")).replies);
        for (let step = 0; step < 4 && !outcome.has(id); step++) {
          if (keys.includes("order-paid")) outcome.set(id, "paid");
          else if (keys.some((key) => soldOutKeys.has(key))) outcome.set(id, "sold_out");
          else keys = keysOf((await say(id, "1")).replies);
        }
        if (!outcome.has(id)) {
          if (keys.includes("order-paid")) outcome.set(id, "paid");
          else if (keys.some((key) => soldOutKeys.has(key))) outcome.set(id, "sold_out");
        }
      }),
    );
    const paid = buyers.filter((id) => outcome.get(id) === "paid");
    expect(paid).toHaveLength(100);
    expect(buyers.filter((id) => outcome.get(id) === "sold_out")).toHaveLength(900);

    await eventually(async () => {
      const orders = (await Promise.all(paid.map((id) => app.orders.ofBuyer(`console:${id}`, 5)))).flat().filter((o) => o.product.code === "FLASH" && o.status !== "expired");
      expect(orders.map((o) => o.status)).toEqual(Array(100).fill("delivered"));
    }, 30_000);
    const delivered = (await Promise.all(paid.map((id) => app.orders.ofBuyer(`console:${id}`, 5))))
      .flat()
      .filter((o) => o.status === "delivered")
      .flatMap((o) => app.vault.open(o.delivered!, true).items.map((item) => item.value));
    expect(delivered).toHaveLength(100);
    expect(new Set(delivered).size).toBe(100);
    // Nobody who was told "habis" paid anything.
    const balances = await Promise.all(buyers.filter((id) => outcome.get(id) === "sold_out").map((id) => app.wallet.balance(`console:${id}`)));
    expect(balances.every((balance) => balance === 10_000)).toBe(true);
    expect((await app.stock.list()).find((p) => p.code === "FLASH")).toMatchObject({ available: 0, reserved: 0, sold: 100 });
  }, 60_000);

  it("refunds once a paid order that finds nothing left, and returns the hold of an order that expires unpaid", async () => {
    const { app } = shop;
    await app.stock.create({ code: "LAST1", name: "Last one", price: 5_000 });
    await app.stock.upload("LAST1", ["ONLY-ITEM"]);
    await app.catalog.refreshProvider("stock");
    const item = app.catalog.view().find("LAST1")!;
    const base = { buyer: "console:late", channel: "console" as const, chatId: "late", locale: "id" as const, product: { ...item, meta: undefined }, inputs: {}, price: 5_000, cost: 0 };

    // An unpaid order holds the item; when it expires, the item is back.
    const unpaid = await app.orders.create({ ...base, payment: { method: "qris", amount: 5_000 } });
    expect(await app.stock.store.available("LAST1")).toBe(0);
    await app.orders.transition(unpaid.id, ["awaiting_payment"], "expired");
    await eventually(async () => expect(await app.stock.store.available("LAST1")).toBe(1));

    // Someone else takes it; a paid order (a late payment, no hold) then fails and is refunded once.
    await app.stock.store.reserve("ORD-OTHERBUYER1", "LAST1", 1, Date.now() + 60_000);
    await app.wallet.credit("console:late", 5_000, { id: "sandbox:late", reason: "sandbox_topup" });
    const late = await app.orders.create({ ...base, payment: { method: "wallet", amount: 5_000, paidAt: Date.now() }, status: "paid" });
    await app.wallet.debit("console:late", 5_000, { id: `pay:${late.id}`, reason: "purchase", orderId: late.id });
    await app.fulfilment.enqueue(late);
    await eventually(async () => expect((await app.orders.get(late.id))?.status).toBe("refunded"));
    await app.fulfilment.advance(late.id);
    expect(await app.wallet.balance("console:late")).toBe(5_000);
  });
});
