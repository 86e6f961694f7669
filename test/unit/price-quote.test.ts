/**
 * The price computation of issue 17: sell price → tier → × units → voucher → floor at cost, in
 * whole rupiah with the rounding the module states (tier adjustment rounded up, percent voucher
 * discount rounded down).
 */
import { describe, expect, it } from "vitest";
import { parsePriceTiers, parseTierUpgrades, quotePrice, tierUnitPrice, upgradeFor, voucherDiscount, type VoucherTerms } from "../../src/commerce/price-quote.js";
import { voucherRefusal, type Voucher, type VoucherState } from "../../src/commerce/vouchers.js";

const reseller = { name: "reseller", percent: -3 };
const vip = { name: "vip", percent: -5 };
const tenPercent: VoucherTerms = { code: "HEMAT10", kind: "percent", value: 10 };
const flat5000: VoucherTerms = { code: "POTONG5K", kind: "flat", value: 5_000 };

describe("tier prices", () => {
  it("leaves the price alone without a tier or at 0 %", () => {
    expect(tierUnitPrice(18_500, 16_000, null)).toBe(18_500);
    expect(tierUnitPrice(18_500, 16_000, { name: "member", percent: 0 })).toBe(18_500);
  });

  it("takes the percent off, rounding the discount down (the price up)", () => {
    // 3 % of 18.500 is 555 exactly; of 18.501 it is 555,03 → 555 off.
    expect(tierUnitPrice(18_500, 16_000, reseller)).toBe(17_945);
    expect(tierUnitPrice(18_501, 16_000, reseller)).toBe(17_946);
    expect(tierUnitPrice(100_001, 0, vip)).toBe(95_001);
  });

  it("never goes below the unit's cost", () => {
    expect(tierUnitPrice(10_200, 10_000, vip)).toBe(10_000);
  });

  it("keeps a list price already below cost rather than raising it", () => {
    expect(tierUnitPrice(9_000, 10_000, vip)).toBe(9_000);
  });

  it("rounds a surcharge up", () => {
    expect(tierUnitPrice(10_001, 0, { name: "guest", percent: 1.5 })).toBe(10_152);
  });
});

describe("voucher discounts", () => {
  it("percent: rounded down, capped by max and by the price", () => {
    expect(voucherDiscount(18_505, tenPercent)).toBe(1_850);
    expect(voucherDiscount(100_000, { ...tenPercent, max: 7_500 })).toBe(7_500);
    expect(voucherDiscount(50, { ...tenPercent, value: 100 })).toBe(50);
  });

  it("flat: the amount, never more than the price", () => {
    expect(voucherDiscount(18_000, flat5000)).toBe(5_000);
    expect(voucherDiscount(3_000, flat5000)).toBe(3_000);
  });

  it("nothing below the minimum", () => {
    expect(voucherDiscount(49_999, { ...flat5000, min: 50_000 })).toBe(0);
    expect(voucherDiscount(50_000, { ...flat5000, min: 50_000 })).toBe(5_000);
  });
});

describe("quotePrice", () => {
  it("without tier or voucher is the list price, every line zero", () => {
    expect(quotePrice({ unitList: 18_500, unitCost: 16_000, units: 1 })).toEqual({
      list: 18_500,
      tierDiscount: 0,
      unitTierPrice: 18_500,
      afterTier: 18_500,
      floored: false,
      final: 18_500,
      cost: 16_000,
    });
  });

  it("applies the tier first, then the voucher on the tier price", () => {
    const quote = quotePrice({ unitList: 20_000, unitCost: 15_000, units: 1, tier: vip, voucher: tenPercent });
    expect(quote.list).toBe(20_000);
    expect(quote.tierDiscount).toBe(1_000);
    expect(quote.afterTier).toBe(19_000);
    expect(quote.voucher).toEqual({ code: "HEMAT10", discount: 1_900 });
    expect(quote.final).toBe(17_100);
    expect(quote.final).toBe(quote.list - quote.tierDiscount - quote.voucher!.discount);
  });

  it("tiers each unit, then multiplies; a flat voucher is once per order", () => {
    const quote = quotePrice({ unitList: 150_001, unitCost: 120_000, units: 3, tier: reseller, voucher: flat5000 });
    expect(quote.unitTierPrice).toBe(145_501);
    expect(quote.list).toBe(450_003);
    expect(quote.afterTier).toBe(436_503);
    expect(quote.tierDiscount).toBe(13_500);
    expect(quote.voucher?.discount).toBe(5_000);
    expect(quote.final).toBe(431_503);
    expect(quote.cost).toBe(360_000);
  });

  it("floors the voucher at cost and says so", () => {
    const quote = quotePrice({ unitList: 18_000, unitCost: 16_000, units: 1, voucher: flat5000 });
    expect(quote.voucher).toEqual({ code: "POTONG5K", discount: 2_000 });
    expect(quote.final).toBe(16_000);
    expect(quote.floored).toBe(true);
  });

  it("goes below cost only with allow_loss", () => {
    const quote = quotePrice({ unitList: 18_000, unitCost: 16_000, units: 1, voucher: { ...flat5000, allowLoss: true } });
    expect(quote.final).toBe(13_000);
    expect(quote.floored).toBe(false);
  });

  it("a tier already at cost leaves the voucher nothing to take", () => {
    const quote = quotePrice({ unitList: 10_200, unitCost: 10_000, units: 1, tier: vip, voucher: tenPercent });
    expect(quote.afterTier).toBe(10_000);
    expect(quote.voucher?.discount).toBe(0);
    expect(quote.final).toBe(10_000);
  });

  it("gives a voucher whose minimum is not met no discount", () => {
    const quote = quotePrice({ unitList: 18_000, unitCost: 10_000, units: 1, voucher: { ...flat5000, min: 20_000 } });
    expect(quote.voucher?.discount).toBe(0);
    expect(quote.final).toBe(18_000);
  });

  it("always answers whole rupiah", () => {
    for (let list = 1_000; list < 60_000; list += 777) {
      const quote = quotePrice({ unitList: list, unitCost: Math.floor(list * 0.8), units: 2, tier: { name: "x", percent: -3.3 }, voucher: { ...tenPercent, value: 7.5 } });
      for (const value of [quote.list, quote.tierDiscount, quote.afterTier, quote.final, quote.voucher!.discount]) expect(Number.isInteger(value)).toBe(true);
      expect(quote.final).toBeGreaterThanOrEqual(quote.cost);
    }
  });
});

describe("PRICE_TIERS and TIER_UPGRADE", () => {
  it("reads names in order with percents, % optional", () => {
    expect(parsePriceTiers("member:0,reseller:-3%,vip:-5")).toEqual({
      ok: true,
      tiers: [
        { name: "member", percent: 0 },
        { name: "reseller", percent: -3 },
        { name: "vip", percent: -5 },
      ],
    });
    expect(parsePriceTiers("")).toEqual({ ok: true, tiers: [] });
  });

  it("refuses what does not read", () => {
    expect(parsePriceTiers("member").ok).toBe(false);
    expect(parsePriceTiers("a:0,a:-1").ok).toBe(false);
    expect(parsePriceTiers("a:-95").ok).toBe(false);
  });

  it("upgrades name configured tiers, cheapest threshold first", () => {
    const tiers = [{ name: "member", percent: 0 }, reseller, vip];
    expect(parseTierUpgrades("vip:5000000,reseller:1000000", tiers)).toEqual({
      ok: true,
      upgrades: [
        { tier: "reseller", spend: 1_000_000 },
        { tier: "vip", spend: 5_000_000 },
      ],
    });
    expect(parseTierUpgrades("gold:1", tiers).ok).toBe(false);
  });

  it("moves a buyer only up", () => {
    const tiers = [{ name: "member", percent: 0 }, reseller, vip];
    const upgrades = [
      { tier: "reseller", spend: 1_000_000 },
      { tier: "vip", spend: 5_000_000 },
    ];
    expect(upgradeFor("member", 999_999, tiers, upgrades)).toBeNull();
    expect(upgradeFor("member", 1_000_000, tiers, upgrades)).toBe("reseller");
    expect(upgradeFor("member", 6_000_000, tiers, upgrades)).toBe("vip");
    expect(upgradeFor("vip", 1_500_000, tiers, upgrades)).toBeNull();
    expect(upgradeFor("reseller", 1_500_000, tiers, upgrades)).toBeNull();
  });
});

describe("voucherRefusal", () => {
  const voucher: Voucher = { code: "HEMAT10", kind: "percent", value: 10, allowLoss: false, createdAt: 0, by: "telegram:1" };
  const state = (over: Partial<Voucher> = {}, counts: Partial<VoucherState> = {}): VoucherState => ({ voucher: { ...voucher, ...over }, off: false, held: 0, redeemed: 0, ...counts });
  const order = { product: { code: "ML86", category: "game" as const }, afterTier: 18_000, buyerUses: 0, now: 1_000 };

  it("says why, in a fixed order", () => {
    expect(voucherRefusal(null, order)).toBe("unknown");
    expect(voucherRefusal(state({}, { off: true }), order)).toBe("off");
    expect(voucherRefusal(state({ until: 999 }), order)).toBe("expired");
    expect(voucherRefusal(state({ only: { codes: ["FF100"] } }), order)).toBe("product");
    expect(voucherRefusal(state({ only: { category: "data" } }), order)).toBe("product");
    expect(voucherRefusal(state({ uses: 2 }, { held: 1, redeemed: 1 }), order)).toBe("used_up");
    expect(voucherRefusal(state({ perBuyer: 1 }), { ...order, buyerUses: 1 })).toBe("per_buyer");
    expect(voucherRefusal(state({ min: 20_000 }), order)).toBe("min");
  });

  it("lets a fitting voucher through", () => {
    expect(voucherRefusal(state({ only: { category: "game" }, uses: 2, until: 1_000, min: 18_000 }, { held: 1 }), order)).toBeNull();
    expect(voucherRefusal(state({ only: { codes: ["ML86"] } }), order)).toBeNull();
  });
});
