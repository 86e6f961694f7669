/**
 * Issue 17 on WhatsApp: the real WhatsApp channel against the fake Baileys socket. A reseller-tier
 * buyer sees the tier price, picks "🎟️ Pakai voucher" by its number, types the code, and pays the
 * discounted price; `/saldo` names the tier.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { formatRupiah } from "../../src/core/money.js";
import type { TestApp } from "../helpers/app.js";
import { phrase, shown } from "../helpers/shown.js";
import { numberOf, startWhatsAppShop, whatsAppBuyer, type WhatsAppShop } from "./shop.js";

let harness: WhatsAppShop;
let shop: TestApp;

beforeEach(async () => {
  harness = await startWhatsAppShop({
    MARKUP_PERCENT: "20",
    PRICE_TIERS: "member:0,reseller:-3%,vip:-5%",
    CHAT_FLOOD_BURST: "1000",
    CHAT_FLOOD_PER_SECOND: "100",
  });
  shop = harness.shop;
});

afterEach(() => harness.cleanup());

const buyer = (phone: string) => whatsAppBuyer(harness.fake, phone);

describe("prices on WhatsApp", () => {
  it("a reseller applies a voucher by its menu number and pays the discounted price", async () => {
    const phone = "6281298765432";
    await shop.app.pricing.vouchers.save({ code: "WA5K", kind: "flat", value: 5_000, min: 20_000, allowLoss: false, createdAt: Date.now(), by: "test" });
    const sari = buyer(phone);
    sari.say("/topup 100000");
    await sari.expect(shown("topup-sandbox-done", { amount: formatRupiah(100_000) }));
    expect(await shop.app.pricing.tiers.set(`whatsapp:${phone}`, "reseller")).toBe(true);

    sari.say("saldo");
    await sari.expect(shown("wallet-tier", { tier: "reseller" }));

    // Rp 35.500 + 20 % = Rp 42.600; reseller -3 % = Rp 41.322 (Rp 1.278 off).
    sari.say("SB-ML172");
    await sari.expect(shown("input-prompt-game_id_zone"));
    sari.say("12345678 (1234)");
    const confirm = await sari.expect(shown("confirm-title"));
    expect(confirm.text).toMatch(shown("confirm-tier-discount", { tier: "reseller", discount: formatRupiah(1_278) }));
    expect(confirm.text).toMatch(shown("confirm-price", { price: formatRupiah(41_322) }));
    sari.say(numberOf(confirm, phrase("menu-item-voucher")));
    await sari.expect(shown("voucher-prompt"));
    sari.say("wa5k");
    const applied = await sari.expect(shown("voucher-applied", { code: "WA5K" }));
    expect(applied.text).toMatch(shown("confirm-price-list", { price: formatRupiah(42_600) }));
    expect(applied.text).toMatch(shown("confirm-voucher-discount", { code: "WA5K", discount: formatRupiah(5_000) }));
    expect(applied.text).toMatch(shown("confirm-price", { price: formatRupiah(36_322) }));
    sari.say(numberOf(applied, phrase("menu-item-confirm")));
    const pay = await sari.expect(shown("payment-title"));
    sari.say(numberOf(pay, phrase("pay-method-wallet")));
    await sari.expect(shown("order-paid", { price: formatRupiah(36_322), balance: formatRupiah(63_678) }));

    const [order] = await shop.app.orders.ofBuyer(`whatsapp:${phone}`, 1);
    expect(order?.price).toBe(36_322);
    expect(order?.pricing).toEqual({ list: 42_600, tierDiscount: 1_278, tier: "reseller", voucher: { code: "WA5K", discount: 5_000 } });
  });
});
