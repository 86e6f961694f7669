/**
 * The pricing listeners' safety net (issue 17 follow-up), against real Redis through the real
 * ShopBot: a listener call that is lost (its Redis call fails) leaves a voucher use held, a
 * redeemed use on a refunded order, or a delivery not counted toward the buyer's tier; the
 * settlement sweep finds the order by its final state and fixes it, once, however often it runs.
 * Sweeps are given their clock (`sweep(now)`), so nothing here waits for a timer.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { asList, type Reply } from "../../src/core/reply.js";
import { newOrderId } from "../../src/commerce/orders.js";
import type { Voucher } from "../../src/commerce/vouchers.js";
import { keys } from "../../src/store/keys.js";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { eventually } from "../admin/support.js";
import { staticQris } from "../payments/support.js";

let test: TestApp;

beforeEach(async () => {
  // 20 % markup so a 10 % voucher is not floored away at cost; vip from Rp 15.000 delivered.
  // QRIS on (second in the payment menu) for the orders whose payment was never opened.
  test = await startTestApp({
    MARKUP_PERCENT: "20",
    PRICE_TIERS: "member:0,vip:-5%",
    TIER_UPGRADE: "vip:15000",
    DATA_ENCRYPTION_KEY: "1e".repeat(32),
    QRIS_STATIC_PAYLOAD: staticQris,
    PAYMENT_METHODS: "wallet,qris",
    PAYMENT_TTL_MINUTES: "15",
  });
});
afterEach(async () => {
  vi.restoreAllMocks();
  await test.cleanup();
});

const send = (buyer: string, text: string) => test.app.shop.handle({ channel: "console", chatId: buyer, userId: buyer, isGroup: false, text });
const keysOf = (replies: Reply[]) =>
  replies.flatMap((reply) => (reply.kind === "menu" ? [...(reply.notices ?? []), ...asList(reply.title)] : reply.kind === "text" ? asList(reply.text) : asList(reply.caption))).map((m) => m.key);

function voucher(over: Partial<Voucher> = {}): Voucher {
  return { code: "HEMAT10", kind: "percent", value: 10, allowLoss: false, createdAt: Date.now(), by: "test", ...over };
}

/** A buyer tops up, picks `code` (with `target`), applies HEMAT10 and pays from the wallet; the order once finished. */
async function buyWithVoucher(buyer: string, code: string, target: string | null) {
  await send(buyer, "/topup 100000");
  await send(buyer, code);
  if (target !== null) await send(buyer, target);
  expect(keysOf((await send(buyer, "HEMAT10")).replies)).toContain("voucher-applied");
  await send(buyer, "1"); // confirm → payment menu (wallet first)
  expect(keysOf((await send(buyer, "1")).replies)).toContain("order-paid");
  await test.app.settled(`console:${buyer}`);
  const [order] = await test.app.orders.ofBuyer(`console:${buyer}`, 1);
  return order!;
}

/** A sweep after the listener's head start (entries are first due a minute after tracking). */
const sweepLater = (minutes = 2) => test.app.pricing.settlement.sweep(Date.now() + minutes * 60_000);
const unsettled = () => test.app.redis.zcard(keys.pricingUnsettled());

describe("the pricing settlement sweep", () => {
  it("redeems a held use and counts the delivery when the listener's calls were lost; a second sweep changes nothing", async () => {
    const { vouchers, tiers } = test.app.pricing;
    await vouchers.save(voucher({ uses: 5 }));
    vi.spyOn(vouchers, "redeem").mockRejectedValue(new Error("redis away"));
    vi.spyOn(tiers, "countDelivered").mockRejectedValue(new Error("redis away"));

    const order = await buyWithVoucher("lost-redeem", "SB-ML86", "12345678 (1234)");
    expect(order.status).toBe("delivered");
    // 20 % markup on Rp 18.000 = Rp 21.600; 10 % off = Rp 19.440.
    expect(order.price).toBe(19_440);
    expect(await vouchers.get("HEMAT10")).toMatchObject({ held: 1, redeemed: 0 });
    expect(await tiers.spend("console:lost-redeem")).toBe(0);

    vi.restoreAllMocks();
    // Not due yet: the listener gets the first go.
    expect(await test.app.pricing.settlement.sweep()).toMatchObject({ redeemed: 0, dropped: 0 });
    expect(await sweepLater()).toMatchObject({ redeemed: 1, counted: 1, dropped: 1 });
    expect(await vouchers.get("HEMAT10")).toMatchObject({ held: 0, redeemed: 1 });
    expect(await tiers.spend("console:lost-redeem")).toBe(19_440);
    expect((await tiers.of("console:lost-redeem"))?.name).toBe("vip");

    expect(await sweepLater(5)).toEqual({ redeemed: 0, released: 0, counted: 0, reversed: 0, expired: 0, dropped: 0 });
    expect(await vouchers.get("HEMAT10")).toMatchObject({ held: 0, redeemed: 1 });
    expect(await tiers.spend("console:lost-redeem")).toBe(19_440);
    expect(await unsettled()).toBe(0);
  });

  it("gives back the use of a refunded order whose release was lost; the next buyer can use it", async () => {
    const { vouchers } = test.app.pricing;
    await vouchers.save(voucher({ uses: 1 }));
    vi.spyOn(vouchers, "release").mockRejectedValue(new Error("redis away"));

    const order = await buyWithVoucher("lost-release", "SB-FAIL1", null);
    expect(order.status).toBe("refunded");
    // Redeemed when paid (that call went through); the release on refund was lost.
    await eventually(async () => expect(await vouchers.get("HEMAT10")).toMatchObject({ held: 0, redeemed: 1 }));
    await send("next", "/topup 100000");
    await send("next", "SB-ML86");
    await send("next", "12345678 (1234)");
    expect(keysOf((await send("next", "HEMAT10")).replies)).toContain("voucher-refused-used_up");

    vi.restoreAllMocks();
    expect(await sweepLater()).toMatchObject({ released: 1, dropped: 1 });
    expect(await vouchers.get("HEMAT10")).toMatchObject({ held: 0, redeemed: 0 });
    expect(await sweepLater(5)).toMatchObject({ released: 0 });
    expect(keysOf((await send("next", "HEMAT10")).replies)).toContain("voucher-applied");
  });

  it("leaves an unfinished order tracked, and settles it once it is final", async () => {
    const { vouchers } = test.app.pricing;
    await vouchers.save(voucher({ uses: 5 }));
    vi.spyOn(vouchers, "redeem").mockRejectedValue(new Error("redis away"));
    const order = await buyWithVoucher("slow", "SB-ML86", "12345678 (1234)");
    vi.restoreAllMocks();
    // As if the order were still with the provider: paid, not final.
    await test.app.redis.hset(keys.order(order.id), "doc", JSON.stringify({ ...order, status: "pending" }), "status", "pending");
    expect(await sweepLater()).toMatchObject({ redeemed: 1, dropped: 0 });
    expect(await unsettled()).toBe(1);
    await test.app.redis.hset(keys.order(order.id), "doc", JSON.stringify(order), "status", "delivered");
    expect(await sweepLater(5)).toMatchObject({ redeemed: 0, dropped: 1 });
    expect(await vouchers.get("HEMAT10")).toMatchObject({ held: 0, redeemed: 1 });
  });

  it("gives back a use held for an order that was never made (a crash in between), once it is old enough", async () => {
    const { vouchers, settlement } = test.app.pricing;
    await vouchers.save(voucher({ uses: 1 }));
    const id = newOrderId();
    await settlement.track(id, "HEMAT10");
    expect(await vouchers.hold("HEMAT10", id, "console:crashed")).toBe("held");
    // A minute on, the order might still be being made: the use stays held.
    expect(await sweepLater(2)).toMatchObject({ released: 0, dropped: 0 });
    expect(await vouchers.get("HEMAT10")).toMatchObject({ held: 1 });
    expect(await sweepLater(11)).toMatchObject({ released: 1, dropped: 1 });
    expect(await vouchers.get("HEMAT10")).toMatchObject({ held: 0, redeemed: 0 });
    expect(await unsettled()).toBe(0);
  });

  it("expires a QRIS order whose payment was never opened, once no payment could come, and gives its use back", async () => {
    const { vouchers } = test.app.pricing;
    await vouchers.save(voucher({ uses: 1 }));
    // The order is made, then opening its payment fails (a crash or Redis error in between).
    vi.spyOn(test.app.payments, "startOrderPayment").mockRejectedValue(new Error("redis away"));
    await send("noqr", "SB-ML86");
    await send("noqr", "12345678 (1234)");
    expect(keysOf((await send("noqr", "HEMAT10")).replies)).toContain("voucher-applied");
    await send("noqr", "1"); // confirm → payment menu
    await send("noqr", "2").catch(() => undefined); // QRIS
    vi.restoreAllMocks();
    const [order] = await test.app.orders.ofBuyer("console:noqr", 1);
    expect(order).toMatchObject({ status: "awaiting_payment", payment: { method: "qris" } });
    expect(await vouchers.get("HEMAT10")).toMatchObject({ held: 1 });

    // Within the payment's lifetime (15 min) plus the margin it might still be paid: left alone.
    expect(await sweepLater(20)).toMatchObject({ expired: 0, released: 0, dropped: 0 });
    expect((await test.app.orders.get(order!.id))?.status).toBe("awaiting_payment");
    // The listener's release (the first call, inside the move to expired) is lost too: the sweep gives the use back itself.
    vi.spyOn(vouchers, "release").mockRejectedValueOnce(new Error("redis away"));
    expect(await sweepLater(30)).toMatchObject({ expired: 1, released: 1, dropped: 1 });
    expect((await test.app.orders.get(order!.id))?.status).toBe("expired");
    expect(await vouchers.get("HEMAT10")).toMatchObject({ held: 0, redeemed: 0 });
    expect(await unsettled()).toBe(0);
  });

  it("leaves an old QRIS order alone while its payment is still open", async () => {
    const { vouchers } = test.app.pricing;
    await vouchers.save(voucher({ uses: 1 }));
    await send("paying", "SB-ML86");
    await send("paying", "12345678 (1234)");
    await send("paying", "HEMAT10");
    await send("paying", "1");
    await send("paying", "2"); // QRIS: the payment is open
    const [order] = await test.app.orders.ofBuyer("console:paying", 1);
    expect(order?.status).toBe("awaiting_payment");
    // The expiry chore has not run yet (the sweep's clock is ahead): the open payment still speaks for the order.
    expect(await sweepLater(30)).toMatchObject({ expired: 0, released: 0, dropped: 0 });
    expect((await test.app.orders.get(order!.id))?.status).toBe("awaiting_payment");
    expect(await vouchers.get("HEMAT10")).toMatchObject({ held: 1 });
  });

  it("gives the use back and reverses the tier spend of a delivered order refunded later, when the listener's calls are lost", async () => {
    const { vouchers, tiers } = test.app.pricing;
    await vouchers.save(voucher({ uses: 1 }));
    const order = await buyWithVoucher("refund-later", "SB-ML86", "12345678 (1234)");
    expect(order.status).toBe("delivered");
    await eventually(async () => expect(await tiers.spend("console:refund-later")).toBe(19_440));
    await eventually(async () => expect(await vouchers.get("HEMAT10")).toMatchObject({ held: 0, redeemed: 1 }));
    // Delivered is final: the sweep drops its entry.
    expect(await sweepLater()).toMatchObject({ dropped: 1 });
    expect(await unsettled()).toBe(0);

    // Days later an admin refunds it; the listener's release and reversal are lost.
    vi.spyOn(vouchers, "release").mockRejectedValue(new Error("redis away"));
    vi.spyOn(tiers, "reverseRefunded").mockRejectedValue(new Error("redis away"));
    expect(await test.app.fulfilment.refundDelivered(order.id, { by: "admin", reason: "akun tidak bisa dipakai" })).toMatchObject({ status: "refunded" });
    vi.restoreAllMocks();
    expect(await vouchers.get("HEMAT10")).toMatchObject({ redeemed: 1 });

    expect(await sweepLater(5)).toMatchObject({ released: 1, reversed: 1, dropped: 1 });
    expect(await vouchers.get("HEMAT10")).toMatchObject({ held: 0, redeemed: 0 });
    expect(await tiers.spend("console:refund-later")).toBe(0);
    // The tier earned stays (never down).
    expect((await tiers.of("console:refund-later"))?.name).toBe("vip");
    expect(await sweepLater(10)).toMatchObject({ released: 0, reversed: 0 });
    expect(await unsettled()).toBe(0);
  });

  it("tracks nothing for an order the shop never made (wallet too low)", async () => {
    await test.app.pricing.vouchers.save(voucher({ uses: 1 }));
    await send("poor", "SB-ML86");
    await send("poor", "12345678 (1234)");
    await send("poor", "HEMAT10");
    await send("poor", "1");
    expect(keysOf((await send("poor", "1")).replies)).toContain("wallet-insufficient");
    expect(await unsettled()).toBe(0);
  });
});

describe("a voucher typed at the confirm step (issue 17 review)", () => {
  it("checks its minimum against every unit the buyer picked: 3 × Rp 25.000 meets Rp 50.000", async () => {
    const { app } = test;
    await app.stock.create({ code: "AKUN", name: "Akun premium", price: 25_000 });
    await app.stock.upload("AKUN", ["A-1", "A-2", "A-3", "A-4"]);
    await app.pricing.vouchers.save(voucher({ code: "MIN50", kind: "flat", value: 1_000, min: 50_000 }));
    await send("bulk", "/topup 100000");
    await send("bulk", "AKUN"); // the quantity menu
    await send("bulk", "3");
    expect(keysOf((await send("bulk", "MIN50")).replies)).toContain("voucher-applied");
    // One unit alone is still below the minimum.
    await send("single", "AKUN");
    await send("single", "1");
    expect(keysOf((await send("single", "MIN50")).replies)).toContain("voucher-refused-min");
  });
});
