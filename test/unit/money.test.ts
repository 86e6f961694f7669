import { describe, expect, it } from "vitest";
import { eurCentsToRupiah, formatRupiah, isRupiah, parseRupiahAmount } from "../../src/core/money.js";

describe("formatRupiah", () => {
  it.each([
    [0, "Rp 0"],
    [500, "Rp 500"],
    [1_000, "Rp 1.000"],
    [18_500, "Rp 18.500"],
    [1_000_000, "Rp 1.000.000"],
    [123_456_789, "Rp 123.456.789"],
    [-2_000, "-Rp 2.000"],
    [-18_500, "-Rp 18.500"],
  ])("formats %i as %j", (amount, text) => {
    expect(formatRupiah(amount)).toBe(text);
  });

  it("never prints a fraction of a rupiah", () => {
    expect(formatRupiah(1_499.6)).toBe("Rp 1.500");
    expect(formatRupiah(1_499.4)).toBe("Rp 1.499");
  });
});

describe("parseRupiahAmount", () => {
  it.each([
    ["50000", 50_000],
    ["50.000", 50_000],
    ["1.000.000", 1_000_000],
    ["Rp 50.000", 50_000],
    ["Rp50.000", 50_000],
    ["rp. 50.000", 50_000],
    ["RP 75000", 75_000],
    ["50rb", 50_000],
    ["50 rb", 50_000],
    ["100 ribu", 100_000],
    ["50k", 50_000],
    ["50K", 50_000],
    ["1jt", 1_000_000],
    ["1,5jt", 1_500_000],
    ["1,25jt", 1_250_000],
    ["2 juta", 2_000_000],
    ["2,5rb", 2_500],
    ["  25000  ", 25_000],
    ["1", 1],
  ])("reads %j as %i", (text, amount) => {
    expect(parseRupiahAmount(text)).toBe(amount);
  });

  it.each([
    "",
    "   ",
    "abc",
    "0",
    "0rb",
    "-5000",
    "50.00",
    "50.0000",
    "5.0000.000",
    "1,5",
    "1,0005rb",
    "1.5jt",
    "50 000",
    "50rbu",
    "Rp",
    "Rp -50.000",
    "50000 rupiah",
    "$50",
    "9".repeat(20),
    "9999999999jt",
  ])("rejects %j", (text) => {
    expect(parseRupiahAmount(text)).toBeNull();
  });

  // Decimal shorthand is read exactly even where its float product is not (4.1 × 1,000,000 is
  // 4,099,999.9999999995), so "/topup 4,1jt" is 4,100,000.
  it("reads decimal shorthand whose float product is inexact (4,1jt, 2,05jt, 16,1rb)", () => {
    expect(parseRupiahAmount("4,1jt")).toBe(4_100_000);
    expect(parseRupiahAmount("2,05jt")).toBe(2_050_000);
    expect(parseRupiahAmount("16,1rb")).toBe(16_100);
  });
});

describe("eurCentsToRupiah", () => {
  it("converts exactly when the result is whole", () => {
    expect(eurCentsToRupiah(100, 17_500)).toBe(17_500);
    expect(eurCentsToRupiah(199, 17_500)).toBe(34_825);
    expect(eurCentsToRupiah(0, 17_500)).toBe(0);
  });

  it("rounds a fraction of a rupiah up so a resale never undercharges", () => {
    expect(eurCentsToRupiah(1, 17_550)).toBe(176); // 175.5
    expect(eurCentsToRupiah(3, 17_501)).toBe(526); // 525.03
    expect(eurCentsToRupiah(1, 17_499)).toBe(175); // 174.99
  });

  it("handles a fractional exchange rate", () => {
    expect(eurCentsToRupiah(1_000, 17_500.1)).toBe(175_001);
    expect(eurCentsToRupiah(1, 17_500.5)).toBe(176); // 175.005
  });
});

describe("isRupiah", () => {
  it("accepts only safe whole numbers", () => {
    expect(isRupiah(0)).toBe(true);
    expect(isRupiah(18_500)).toBe(true);
    expect(isRupiah(-1)).toBe(true);
    expect(isRupiah(1.5)).toBe(false);
    expect(isRupiah(Number.NaN)).toBe(false);
    expect(isRupiah(2 ** 60)).toBe(false);
    expect(isRupiah("18500")).toBe(false);
  });
});
