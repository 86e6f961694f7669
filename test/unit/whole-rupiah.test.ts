/**
 * The one reader of gateway amounts (Midtrans, Tripay, Pakasir): whole rupiah or nothing. The
 * cases are those each gateway's contract tests had for its own copy.
 */
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { readWholeRupiah, wholeRupiah } from "../../src/payments/gateways/whole-rupiah.js";

describe("reading a gateway amount as whole rupiah", () => {
  it.each([
    ["5539.00", 5539],
    ["789000.00", 789_000],
    ["5539", 5539],
    ["5539.0", 5539],
    [5539, 5539],
    ["0.00", 0],
    [39000, 39000],
    ["39000", 39000],
    [0, 0],
  ])("reads %j as %j", (input, expected) => {
    expect(readWholeRupiah(input)).toBe(expected);
  });

  it.each([
    "5539.50", "5539.05", "5539.01", "5539.", "-5539.00", "-1", -1, "1e3", "1e5", " 5539.00", " 100", "5,539.00", "Rp 100", "",
    55.5, 5539.5, null, true, Number.NaN, 2 ** 60,
  ])("refuses %j", (input) => {
    expect(readWholeRupiah(input)).toBeNull();
  });

  it("is a zod field that refuses what it cannot read", () => {
    const answer = z.object({ amount: wholeRupiah });
    expect(answer.parse({ amount: "25000.00" })).toEqual({ amount: 25_000 });
    expect(answer.safeParse({ amount: "25000.50" }).success).toBe(false);
    expect(answer.safeParse({}).success).toBe(false);
  });
});
