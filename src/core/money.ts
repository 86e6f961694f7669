/**
 * Money in Warung Bot is always a whole number of rupiah (IDR has no minor unit in practice).
 * Anything that arrives in another unit (aluy's EUR cents) is converted at the edge.
 */

/** A whole number of Indonesian rupiah. */
export type Rupiah = number;

const grouping = new Intl.NumberFormat("id-ID", { maximumFractionDigits: 0 });

/** Formats an amount the way Indonesian shops print prices: `Rp 18.500`, `-Rp 2.000`. */
export function formatRupiah(amount: Rupiah): string {
  const sign = amount < 0 ? "-" : "";
  return `${sign}Rp ${grouping.format(Math.abs(Math.round(amount)))}`;
}

/** True when `value` is a safe whole number of rupiah. */
export function isRupiah(value: unknown): value is Rupiah {
  return typeof value === "number" && Number.isSafeInteger(value);
}

/** Converts euro cents to rupiah at `idrPerEuro`, rounding up so a resale never undercharges. */
export function eurCentsToRupiah(cents: number, idrPerEuro: number): Rupiah {
  return Math.ceil((cents * idrPerEuro) / 100);
}

/**
 * Reads an amount a person typed: `50000`, `50.000`, `Rp 50.000`, `50rb`, `50k`, `1,5jt`.
 * Returns null for anything else (including fractions of a rupiah).
 */
export function parseRupiahAmount(text: string): Rupiah | null {
  const match = /^(?:rp\.?\s*)?(\d{1,3}(?:\.\d{3})+|\d+(?:,\d+)?)\s*(rb|ribu|k|jt|juta)?$/i.exec(text.trim());
  if (!match) return null;
  const [, number, unit] = match;
  const base = number!.includes(".") ? Number(number!.replace(/\./g, "")) : Number(number!.replace(",", "."));
  const factor = !unit ? 1 : /^(rb|ribu|k)$/i.test(unit) ? 1_000 : 1_000_000;
  // 4,1 × 1.000.000 is 4100000.000000001 in floating point: round, but only a whole rupiah counts.
  const exact = base * factor;
  const amount = Math.round(exact);
  if (Math.abs(exact - amount) > 1e-6) return null;
  return Number.isSafeInteger(amount) && amount > 0 ? amount : null;
}
