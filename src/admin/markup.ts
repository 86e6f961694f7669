/**
 * Markup values and targets as admins type and read them: `10%`, `2000`, `Rp 2.000`, `5%+1000`,
 * set for the whole shop, a provider, or one product code.
 */
import { z } from "zod";
import { formatRupiah, parseRupiahAmount } from "../core/money.js";
import type { Markup } from "../commerce/pricing.js";
import type { ProviderId } from "../providers/types.js";

/** A markup as stored and as accepted from an admin; the bounds keep a typo from pricing absurdly. */
export const markupSchema = z.object({
  percent: z.number().min(0).max(500),
  flat: z.number().int().min(0).max(10_000_000),
});

/** Which rule a markup sets: the most specific one that exists wins (product, provider, global). */
export type MarkupTarget = { level: "global" } | { level: "provider"; provider: ProviderId } | { level: "product"; code: string };

const percentPart = /^(\d{1,3}(?:[.,]\d{1,2})?)%$/;

/**
 * Reads `10%`, `2000` (or any rupiah spelling), `0`, or a sum like `5%+1000`. Returns null for
 * anything else; bounds are checked by {@link markupSchema}.
 */
export function parseMarkupValue(text: string): Markup | null {
  const parts = text.replace(/\s+/g, "").split("+");
  let percent: number | null = null;
  let flat: number | null = null;
  for (const part of parts) {
    const asPercent = percentPart.exec(part);
    if (asPercent && percent === null) {
      percent = Number(asPercent[1]!.replace(",", "."));
      continue;
    }
    const amount = part === "0" ? 0 : parseRupiahAmount(part);
    if (amount === null || flat !== null) return null;
    flat = amount;
  }
  if (percent === null && flat === null) return null;
  return { percent: percent ?? 0, flat: flat ?? 0 };
}

/** `10%`, `Rp 2.000`, `5% + Rp 1.000` or `0%`: numbers only, the same in every locale. */
export function formatMarkup(markup: Markup): string {
  const parts: string[] = [];
  if (markup.percent > 0) parts.push(`${markup.percent}%`);
  if (markup.flat > 0) parts.push(formatRupiah(markup.flat));
  return parts.length > 0 ? parts.join(" + ") : "0%";
}

/** The hash field a target's rule is stored under. */
export function markupField(target: MarkupTarget): string {
  switch (target.level) {
    case "global":
      return "global";
    case "provider":
      return `provider:${target.provider}`;
    case "product":
      return `product:${target.code}`;
  }
}
