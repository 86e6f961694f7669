/**
 * Sell prices: what the provider charges plus the shop's markup. A markup is a percent, a flat
 * amount, or both; it can be set for the whole shop, for one provider, or for one product, and
 * the most specific one wins.
 */
import type { Rupiah } from "../core/money.js";

export interface Markup {
  /** Percent of the cost, e.g. 10 for 10 %. */
  percent: number;
  /** Whole rupiah added after the percent. */
  flat: Rupiah;
}

export interface MarkupRules {
  global: Markup;
  providers: Record<string, Markup>;
  products: Record<string, Markup>;
}

export const noMarkup: Markup = { percent: 0, flat: 0 };

/** The markup that applies to a product: its own, else its provider's, else the global one. */
export function resolveMarkup(rules: MarkupRules, product: { code: string; provider: string }): Markup {
  return rules.products[product.code] ?? rules.providers[product.provider] ?? rules.global;
}

/** Cost plus markup, rounded up to a whole rupiah so a sale never loses a fraction. */
export function sellPrice(cost: Rupiah, markup: Markup): Rupiah {
  // Work in hundredths of a percent, so 1.1 % is exactly 110 and no float dust rounds up a rupiah.
  const basisPoints = Math.round(markup.percent * 100);
  return cost + Math.ceil((cost * basisPoints) / 10_000) + markup.flat;
}
