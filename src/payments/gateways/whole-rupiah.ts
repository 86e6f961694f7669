/**
 * Reading a gateway's amount as whole rupiah, the same way for every gateway: a JSON integer, or
 * an exact decimal text such as `"5539.00"` (Midtrans writes two decimals, others may). IDR has no
 * minor unit, so anything with non-zero cents, a sign, an exponent or blanks is refused rather
 * than rounded: a rounded amount could confirm a payment that is a rupiah short.
 *
 * @example
 * readWholeRupiah("5539.00"); // 5539
 * readWholeRupiah("5539.50"); // null
 * z.object({ amount: wholeRupiah }).parse({ amount: "25000" }); // { amount: 25000 }
 */
import { z } from "zod";
import type { Rupiah } from "../../core/money.js";

const decimalText = /^(\d{1,15})(?:\.(\d{1,4}))?$/;

/** Whole rupiah, or null when `value` is not exactly a whole, non-negative amount. */
export function readWholeRupiah(value: unknown): Rupiah | null {
  if (typeof value === "number") return Number.isSafeInteger(value) && value >= 0 ? value : null;
  if (typeof value !== "string") return null;
  const match = decimalText.exec(value);
  if (!match || !/^0*$/.test(match[2] ?? "")) return null;
  const amount = Number(match[1]);
  return Number.isSafeInteger(amount) ? amount : null;
}

/** {@link readWholeRupiah} as a zod field of an answer schema. */
export const wholeRupiah = z.unknown().transform((value, ctx): Rupiah => {
  const amount = readWholeRupiah(value);
  if (amount === null) {
    ctx.addIssue({ code: "custom", message: "not a whole rupiah amount" });
    return z.NEVER;
  }
  return amount;
});
