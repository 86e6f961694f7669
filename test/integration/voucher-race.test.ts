/**
 * Vouchers against real Redis, through the real ShopBot: 200 buyers race for a 50-use voucher
 * and exactly 50 paid orders carry it; a refunded order and an unpaid one give their use back;
 * a per-buyer limit holds.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { asList, type Reply } from "../../src/core/reply.js";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { eventually } from "../admin/support.js";
import type { Voucher } from "../../src/commerce/vouchers.js";

let test: TestApp;

beforeEach(async () => {
  // A 20 % markup, so a 10 % voucher is not floored away at cost.
  test = await startTestApp({ MARKUP_PERCENT: "20" });
});
afterEach(async () => {
  await test.cleanup();
});

const send = (buyer: string, text: string) => test.app.shop.handle({ channel: "console", chatId: buyer, userId: buyer, isGroup: false, text });
const keysOf = (replies: Reply[]) =>
  replies.flatMap((reply) => (reply.kind === "menu" ? [...(reply.notices ?? []), ...asList(reply.title)] : reply.kind === "text" ? asList(reply.text) : asList(reply.caption))).map((m) => m.key);

function voucher(over: Partial<Voucher> = {}): Voucher {
  return { code: "HEMAT10", kind: "percent", value: 10, allowLoss: false, createdAt: Date.now(), by: "test", ...over };
}

/** Walks a buyer to the payment menu of `code` with the voucher applied; returns the confirm's keys. */
async function toPayment(buyer: string, code: string, target: string | null, voucherCode = "HEMAT10"): Promise<string[]> {
  await send(buyer, "/topup 100000");
  await send(buyer, code);
  if (target !== null) await send(buyer, target);
  const applied = await send(buyer, voucherCode);
  await send(buyer, "1"); // confirm → payment menu (wallet first)
  return keysOf(applied.replies);
}

describe("a 50-use voucher", () => {
  it("200 buyers racing: exactly 50 paid orders carry it, the others are told it is used up", async () => {
    await test.app.pricing.vouchers.save(voucher({ uses: 50 }));
    const buyers = Array.from({ length: 200 }, (_, i) => `racer${i}`);
    // Everyone sees the voucher applied (nothing is held until an order is made)…
    const applied = await Promise.all(buyers.map((buyer) => toPayment(buyer, "SB-ML86", "12345678 (1234)")));
    for (const keys of applied) expect(keys).toContain("voucher-applied");
    // …then all 200 pay at once.
    const paid = await Promise.all(buyers.map((buyer) => send(buyer, "1")));
    const outcomes = paid.map((answer) => keysOf(answer.replies));
    expect(outcomes.filter((keys) => keys.includes("order-paid"))).toHaveLength(50);
    expect(outcomes.filter((keys) => keys.includes("voucher-refused-used_up"))).toHaveLength(150);

    const orders = (await test.app.orders.recent(500)).filter((order) => order.pricing?.voucher?.code === "HEMAT10");
    expect(orders).toHaveLength(50);
    // 20 % markup on Rp 18.000 = Rp 21.600; 10 % off = Rp 19.440, the one debit each buyer paid.
    for (const order of orders) {
      expect(order.price).toBe(19_440);
      expect(order.pricing).toEqual({ list: 21_600, tierDiscount: 0, voucher: { code: "HEMAT10", discount: 2_160 } });
      expect((await test.app.wallet.ledger(order.buyer)).find((entry) => entry.id === `pay:${order.id}`)?.amount).toBe(-19_440);
    }
    await eventually(async () => {
      const state = await test.app.pricing.vouchers.get("HEMAT10");
      expect(state?.held).toBe(0);
      expect(state?.redeemed).toBe(50);
    });
  });
});

describe("uses given back", () => {
  it("a refunded order gives its use back; a new buyer can then use it", async () => {
    await test.app.pricing.vouchers.save(voucher({ uses: 1 }));
    await toPayment("failer", "SB-FAIL1", null);
    // FAIL1 costs Rp 1.000 → Rp 1.200 with the markup; 10 % off is Rp 120.
    expect(keysOf((await send("failer", "1")).replies)).toContain("order-paid");
    await test.app.settled("console:failer");
    const [order] = await test.app.orders.ofBuyer("console:failer", 1);
    expect(order?.status).toBe("refunded");
    expect(order?.pricing?.voucher).toEqual({ code: "HEMAT10", discount: 120 });
    await eventually(async () => expect(await test.app.pricing.vouchers.get("HEMAT10")).toMatchObject({ held: 0, redeemed: 0 }));

    await toPayment("second", "SB-ML86", "12345678 (1234)");
    expect(keysOf((await send("second", "1")).replies)).toContain("order-paid");
  });

  it("a wallet too low makes no order and holds nothing", async () => {
    await test.app.pricing.vouchers.save(voucher({ uses: 1 }));
    await send("poor", "SB-ML86");
    await send("poor", "12345678 (1234)");
    await send("poor", "HEMAT10");
    await send("poor", "1");
    expect(keysOf((await send("poor", "1")).replies)).toContain("wallet-insufficient");
    expect(await test.app.pricing.vouchers.get("HEMAT10")).toMatchObject({ held: 0, redeemed: 0 });
  });

  it("per_buyer=1: the same buyer is refused the second time", async () => {
    await test.app.pricing.vouchers.save(voucher({ perBuyer: 1 }));
    await toPayment("again", "SB-ML86", "12345678 (1234)");
    expect(keysOf((await send("again", "1")).replies)).toContain("order-paid");
    await send("again", "SB-ML86");
    await send("again", "12345678 (1234)");
    expect(keysOf((await send("again", "HEMAT10")).replies)).toContain("voucher-refused-per_buyer");
  });
});
