/**
 * Issue 17 end to end on Telegram (the real grammY bot against the fake Bot API, the admin group
 * attached): an admin makes a voucher, moves a buyer to a tier and attaches a provider promo
 * code; the buyer sees tier prices in the menu and on confirm, applies the voucher with the
 * button, pays the discounted price, and `/stats` shows the discounts as their own lines. The
 * provider receives the promo code, and delivered spend moves the buyer up a tier. (This shop
 * speaks English: DEFAULT_LOCALE=en in the admin harness.)
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { inlineButtons, startFakeTelegram, textOf, type FakeTelegram } from "../fakes/telegram-api.js";
import { adminGroup, CountingSandbox, eventually, owner, person, says, startAdminShop, type AdminShop } from "../admin/support.js";
import { phrase } from "../helpers/shown.js";
import { telegramBuyer } from "../helpers/telegram-buyer.js";
import { formatRupiah } from "../../src/core/money.js";
import type { OrderOutcome, PlaceOrderRequest } from "../../src/providers/types.js";

/** The sandbox, remembering the promo code each purchase carried. */
class PromoSandbox extends CountingSandbox {
  readonly promos: (string | undefined)[] = [];
  override placeOrder(request: PlaceOrderRequest): Promise<OrderOutcome> {
    this.promos.push(request.promoCode);
    return super.placeOrder(request);
  }
}

let telegram: FakeTelegram;
let shop: AdminShop;
let provider: PromoSandbox;

beforeAll(async () => {
  telegram = await startFakeTelegram();
});
afterAll(async () => {
  await telegram.close();
});
beforeEach(async () => {
  provider = new PromoSandbox();
  shop = await startAdminShop(telegram, {
    env: { MARKUP_PERCENT: "20", PRICE_TIERS: "member:0,reseller:-3%,vip:-5%", TIER_UPGRADE: "vip:30000", PAYMENT_METHODS: "wallet", CHAT_FLOOD_BURST: "1000", CHAT_FLOOD_PER_SECOND: "100" },
    overrides: { providers: [provider] },
  });
});
afterEach(async () => {
  await shop.cleanup();
});

const admin = () => person(telegram, adminGroup, owner);

describe("prices, vouchers and promo codes on Telegram", () => {
  it("tier price in menu and confirm, voucher by button, promo code to the provider, discounts in /stats, upgrade by spend", async () => {
    const budi = telegramBuyer(telegram, 4101);
    budi.say("/topup 100000");
    await budi.expect(says("topup-sandbox-done", { amount: formatRupiah(100_000) }));

    expect(await admin().ask("/voucher add HEMAT10 10% uses=5 only=game", says("admin-voucher-added", { code: "HEMAT10" }))).toMatch(says("admin-voucher-terms-uses", { uses: 5 }));
    await admin().ask("/tier telegram:4101 reseller", says("admin-tier-set", { buyer: "telegram:4101", tier: "reseller" }));
    await admin().ask("/promo SB-ML86 PROMO-ML", says("admin-promo-set", { product: "SB-ML86", promo: "PROMO-ML" }));

    budi.say("/saldo");
    await budi.expect(says("wallet-tier", { tier: "reseller" }));

    // Rp 18.000 + 20 % = Rp 21.600; reseller -3 % = Rp 20.952 (Rp 648 off).
    budi.say("/menu");
    await budi.expect(says("menu-main-title"));
    budi.tap(phrase("category-game", {}, "en"));
    await budi.expect(says("menu-group-title"));
    budi.tap("Mobile Legends");
    const products = await budi.expect(says("menu-product-title", { title: /.*Mobile Legends/ }));
    expect(inlineButtons(products).map((b) => b.text)).toContainEqual(expect.stringContaining(formatRupiah(20_952)));
    budi.tap("86 Diamonds");
    await budi.expect(says("input-prompt-game_id_zone"));
    budi.say("12345678 (1234)");
    const confirm = textOf(await budi.expect(says("confirm-title")));
    expect(confirm).toMatch(says("confirm-price-list", { price: formatRupiah(21_600) }));
    expect(confirm).toMatch(says("confirm-tier-discount", { tier: "reseller", discount: formatRupiah(648) }));
    expect(confirm).toMatch(says("confirm-price", { price: formatRupiah(20_952) }));

    // A code that does not exist is refused with the reason; the real one applies by the button.
    budi.say("NOPE99");
    await budi.expect(says("voucher-refused-unknown", { code: "NOPE99" }));
    budi.tap(phrase("menu-item-voucher", {}, "en"));
    await budi.expect(says("voucher-prompt"));
    budi.say("hemat10");
    const applied = textOf(await budi.expect(says("voucher-applied", { code: "HEMAT10" })));
    // 10 % of Rp 20.952 = Rp 2.095 (rounded down) → Rp 18.857.
    expect(applied).toMatch(says("confirm-voucher-discount", { code: "HEMAT10", discount: formatRupiah(2_095) }));
    expect(applied).toMatch(says("confirm-price", { price: formatRupiah(18_857) }));
    budi.tap(phrase("menu-item-confirm", {}, "en"));
    await budi.expect(says("payment-title"));
    budi.tap(phrase("pay-method-wallet", {}, "en"));
    const paid = textOf(await budi.expect(says("order-paid", { price: formatRupiah(18_857), balance: formatRupiah(81_143) })));
    const orderId = /ORD-[A-Z0-9]{8,}/.exec(paid)![0];
    await budi.expect(says("order-delivered", { order: orderId }));

    const order = await shop.app.orders.get(orderId);
    expect(order?.pricing).toEqual({ list: 21_600, tierDiscount: 648, tier: "reseller", voucher: { code: "HEMAT10", discount: 2_095 } });
    expect(order?.promoCode).toBe("PROMO-ML");
    expect(provider.promos).toEqual(["PROMO-ML"]);
    expect(await shop.app.wallet.verify("telegram:4101")).toMatchObject({ consistent: true, balance: 81_143 });

    const stats = await admin().ask("/stats", says("admin-stats-title"));
    expect(stats).toMatch(says("admin-stats-discount-voucher", { amount: formatRupiah(2_095), count: 1 }));
    expect(stats).toMatch(says("admin-stats-discount-tier", { amount: formatRupiah(648), count: 1 }));
    // Profit is after the discounts: Rp 18.857 paid − Rp 18.000 cost.
    expect(stats).toMatch(says("admin-stats-money", { revenue: formatRupiah(18_857), profit: formatRupiah(857) }));
    expect(await admin().ask("/voucher HEMAT10", says("admin-voucher-line", { code: "HEMAT10" }))).toMatch(says("admin-voucher-line", { used: 1, held: 0 }));

    // A second order (Rp 20.952, no voucher) takes delivered spend past TIER_UPGRADE's vip:30000.
    budi.say("SB-ML86");
    await budi.expect(says("input-prompt-game_id_zone"));
    budi.say("12345678 (1234)");
    await budi.expect(says("confirm-title"));
    budi.tap(phrase("menu-item-confirm", {}, "en"));
    await budi.expect(says("payment-title"));
    budi.tap(phrase("pay-method-wallet", {}, "en"));
    await budi.expect(says("order-paid", { price: formatRupiah(20_952) }));
    await shop.app.settled("telegram:4101");
    await eventually(async () => expect((await shop.app.pricing.tiers.of("telegram:4101"))?.name).toBe("vip"));
    budi.say("/saldo");
    await budi.expect(says("wallet-tier", { tier: "vip" }));
    expect(provider.promos).toEqual(["PROMO-ML", "PROMO-ML"]);
  });

  it("refuses bad admin input with the usage and changes nothing", async () => {
    await admin().ask("/voucher add X 10%", says("admin-usage-voucher"));
    await admin().ask("/voucher add HEMAT 150%", says("admin-usage-voucher"));
    await admin().ask("/voucher add HEMAT 10% until=2026-02-30", says("admin-usage-voucher"));
    await admin().ask("/tier telegram:1 gold", says("admin-tier-unknown", { tier: "gold" }));
    await admin().ask("/promo NOSUCH CODE1", says("admin-product-unknown", { code: "NOSUCH" }));
    expect(await shop.app.pricing.vouchers.list()).toEqual([]);
    expect(await shop.app.pricing.promos.all()).toEqual({});
  });
});
