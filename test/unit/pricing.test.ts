import { describe, expect, it } from "vitest";
import { noMarkup, resolveMarkup, sellPrice, type MarkupRules } from "../../src/commerce/pricing.js";

describe("sellPrice", () => {
  it("adds nothing without a markup", () => {
    expect(sellPrice(18_000, noMarkup)).toBe(18_000);
  });

  it("adds a percent of the cost", () => {
    expect(sellPrice(18_000, { percent: 10, flat: 0 })).toBe(19_800);
    expect(sellPrice(20_000, { percent: 2.5, flat: 0 })).toBe(20_500);
  });

  it("adds a flat amount", () => {
    expect(sellPrice(18_000, { percent: 0, flat: 1_000 })).toBe(19_000);
    expect(sellPrice(0, { percent: 10, flat: 500 })).toBe(500);
  });

  it("adds the flat amount after the percent (the percent is not taken of the flat part)", () => {
    // 18,000 + 10 % (1,800) + 500; percent of (cost + flat) would give 20,350.
    expect(sellPrice(18_000, { percent: 10, flat: 500 })).toBe(20_300);
  });

  it("rounds a fraction of a rupiah up, never down", () => {
    expect(sellPrice(999, { percent: 10, flat: 0 })).toBe(1_099); // 99.9 → 100
    expect(sellPrice(18_001, { percent: 10, flat: 0 })).toBe(19_802); // 1,800.1 → 1,801
    expect(sellPrice(1, { percent: 1, flat: 0 })).toBe(2); // 0.01 → 1
    expect(sellPrice(1_001, { percent: 5, flat: 250 })).toBe(1_302); // 50.05 → 51
  });

  it("always returns a whole number of rupiah", () => {
    for (const cost of [1, 7, 99, 1_234, 18_500, 99_999]) {
      for (const percent of [0, 0.5, 3, 7.5, 12.25]) {
        expect(Number.isInteger(sellPrice(cost, { percent, flat: 0 }))).toBe(true);
      }
    }
  });

  // A fractional percent markup that comes out exact adds no rupiah from floating-point error
  // (3,000 × 1.1 % is 33, not 34).
  it("does not add a rupiah when a fractional percent is exact (3,000 at 1.1 % = 3,033)", () => {
    expect(sellPrice(3_000, { percent: 1.1, flat: 0 })).toBe(3_033);
  });
});

describe("resolveMarkup", () => {
  const globalMarkup = { percent: 5, flat: 0 };
  const providerMarkup = { percent: 8, flat: 200 };
  const productMarkup = { percent: 0, flat: 3_000 };
  const rules: MarkupRules = {
    global: globalMarkup,
    providers: { alxzen: providerMarkup },
    products: { ML86: productMarkup },
  };

  it("uses the product's own markup first, even over its provider's", () => {
    expect(resolveMarkup(rules, { code: "ML86", provider: "alxzen" })).toBe(productMarkup);
    expect(resolveMarkup(rules, { code: "ML86", provider: "odzreshop" })).toBe(productMarkup);
  });

  it("uses the provider's markup for the provider's other products", () => {
    expect(resolveMarkup(rules, { code: "ML172", provider: "alxzen" })).toBe(providerMarkup);
  });

  it("falls back to the global markup", () => {
    expect(resolveMarkup(rules, { code: "ML172", provider: "odzreshop" })).toBe(globalMarkup);
    expect(resolveMarkup(rules, { code: "FF70", provider: "sandbox" })).toBe(globalMarkup);
  });

  it("keys product markups by exact code", () => {
    expect(resolveMarkup(rules, { code: "ml86", provider: "sandbox" })).toBe(globalMarkup);
  });

  it("gives different prices for the same cost depending on which rule wins", () => {
    const price = (code: string, provider: string) => sellPrice(10_000, resolveMarkup(rules, { code, provider }));
    expect(price("ML86", "alxzen")).toBe(13_000);
    expect(price("ML172", "alxzen")).toBe(11_000);
    expect(price("TSEL10", "odzreshop")).toBe(10_500);
  });
});
