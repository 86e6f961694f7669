/**
 * Referrals on WhatsApp (the real channel against the fake Baileys socket, REFERRAL_PERCENT=2):
 * `/referral` shows the code, the "REF <code>" instruction and a wa.me link that types it; a new
 * buyer's first message "REF <code>" links them, and their delivered order credits the referrer
 * once. Text typed at a target step is never taken for a code.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { formatRupiah } from "../../src/core/money.js";
import type { TestApp } from "../helpers/app.js";
import { phrase, shown } from "../helpers/shown.js";
import { numberOf, startWhatsAppShop, whatsAppBuyer, type WhatsAppShop } from "./shop.js";

let harness: WhatsAppShop;
let shop: TestApp;

beforeEach(async () => {
  harness = await startWhatsAppShop({ WHATSAPP_PHONE: "6281200000001", REFERRAL_PERCENT: "2" });
  shop = harness.shop;
});

afterEach(() => harness.cleanup());

const buyer = (phone: string) => whatsAppBuyer(harness.fake, phone);

describe("referrals on WhatsApp", () => {
  it("links a new buyer by their first message 'REF <code>' and credits the referrer for their delivered order", async () => {
    const budi = buyer("6281234560001");
    budi.say("/referral");
    const card = await budi.expect(shown("referral-title"));
    const code = /([A-Z2-9]{6})/.exec(card.text.split("\n").find((line) => shown("referral-code").test(line)) ?? "")?.[1];
    expect(code).toBeDefined();
    expect(card.text).toMatch(shown("referral-how-text", { code: code! }));
    expect(card.text).toMatch(shown("referral-link", { link: `https://wa.me/6281200000001?text=REF%20${code}` }));

    const sari = buyer("6281234560002");
    sari.say(`ref ${code!.toLowerCase()}`);
    const menu = await sari.expect(shown("referral-linked", { code: code! }));
    expect(menu.text).toMatch(shown("menu-main-title"));
    expect(await shop.app.referrals.referrerOf("whatsapp:6281234560002")).toMatchObject({ referrer: "whatsapp:6281234560001" });

    // At a target step, text is the target: "REF …" there is never read as a code.
    sari.say("/topup 50000");
    await sari.expect(shown("topup-sandbox-done", { amount: formatRupiah(50_000) }));
    sari.say("/menu");
    const main = await sari.expect(shown("menu-main-title"));
    sari.say(numberOf(main, phrase("category-data")));
    const products = await sari.expect(shown("menu-product-title"));
    sari.say(numberOf(products, "Telkomsel 10 GB"));
    await sari.expect(shown("input-prompt-phone"));
    sari.say(`REF ${code}`);
    await sari.expect(shown("input-error-phone"));
    sari.say("081234567890");
    const confirm = await sari.expect(shown("confirm-title"));
    sari.say(numberOf(confirm, phrase("menu-item-confirm")));
    const pay = await sari.expect(shown("payment-title"));
    sari.say(numberOf(pay, phrase("pay-method-wallet")));
    const paid = await sari.expect(shown("order-paid", { order: /ORD-[A-Z0-9]{8,}/ }));
    const orderId = /ORD-[A-Z0-9]{8,}/.exec(paid.text)![0];
    await sari.expect(shown("order-delivered", { order: orderId }));
    await shop.app.referrals.idle();

    expect(await shop.app.wallet.balance("whatsapp:6281234560001")).toBe(900);
    expect((await shop.app.wallet.ledger("whatsapp:6281234560001")).map((entry) => entry.id)).toEqual([`referral:${orderId}`]);
    expect((await shop.app.orders.get(orderId))?.referral).toEqual({ referrer: "whatsapp:6281234560001", reward: 900 });
  });
});
