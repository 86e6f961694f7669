/**
 * What a buyer pays for one order, step by step, as one small pure function:
 *
 *   sell price (cost + markup, per unit) → tier adjustment (per unit) → × units → voucher → floor at cost
 *
 * Rounding, stated once: every step works in whole rupiah. A tier adjustment is rounded up
 * (`ceil`), so a -3 % tier on Rp 18.001 takes Rp 540, not Rp 541 — a discount never loses the
 * shop a fraction, and a surcharge never undercharges. A percent voucher's discount is rounded
 * down (`floor`) for the same reason. The tier price of a unit never goes below the unit's cost
 * (a tier is a standing discount, not a loss leader); the final price never goes below the
 * order's cost unless the voucher was made with `allowLoss`.
 *
 * The lines it returns are what the confirm message shows and what the order records
 * (`pricing: { list, tierDiscount, voucher? }`). The buyer pays `final` in one debit; the
 * discounts are not money movements, only lines on the order that `/stats` sums.
 *
 * @example
 * const quote = quotePrice({ unitList: 18_000, unitCost: 16_000, units: 1, tier: { name: "vip", percent: -5 }, voucher });
 * // quote.list 18.000, quote.tierDiscount 900, quote.voucher?.discount …, quote.final
 */
import type { Rupiah } from "../core/money.js";

/** A price tier: its name and its adjustment of the normal sell price, in percent (-3 = 3 % off). */
export interface PriceTier {
  name: string;
  percent: number;
}

/** The money terms of a voucher (who may use it and how often is the voucher store's business). */
export interface VoucherTerms {
  code: string;
  /** `percent`: `value` % of the price after the tier; `flat`: `value` rupiah off the order. */
  kind: "percent" | "flat";
  value: number;
  /** The order (after the tier) must be at least this much. */
  min?: Rupiah;
  /** The largest discount a percent voucher gives. */
  max?: Rupiah;
  /** The price may go below cost (created with `allow_loss`). */
  allowLoss?: boolean;
}

/** What goes into a quote. */
export interface QuoteInput {
  /** The normal sell price of one unit (cost + markup). */
  unitList: Rupiah;
  /** What one unit costs the shop. */
  unitCost: Rupiah;
  /** Units in the order (months of a subscription; 1 otherwise). */
  units: number;
  tier?: PriceTier | null;
  voucher?: VoucherTerms | null;
}

/** The lines of a quote. */
export interface PriceQuote {
  /** The normal price of the order: `unitList × units`. */
  list: Rupiah;
  /** Taken off by the buyer's tier (negative for a tier that costs more). */
  tierDiscount: Rupiah;
  /** One unit at the buyer's tier (what menus show). */
  unitTierPrice: Rupiah;
  /** The order after the tier, before any voucher. */
  afterTier: Rupiah;
  /** The voucher and what it took off (after the floor). */
  voucher?: { code: string; discount: Rupiah };
  /** True when the floor at cost cut the voucher's discount. */
  floored: boolean;
  /** What the buyer pays. */
  final: Rupiah;
  /** What the order costs the shop. */
  cost: Rupiah;
}

/** One unit's price at a tier: `ceil`-rounded, never below the unit's cost (unless the list price already is). */
export function tierUnitPrice(unitList: Rupiah, unitCost: Rupiah, tier: PriceTier | null | undefined): Rupiah {
  if (!tier || tier.percent === 0) return unitList;
  // Hundredths of a percent, as sellPrice does, so -1.5 % is exactly -150 and no float dust moves a rupiah.
  const basisPoints = Math.round(tier.percent * 100);
  const adjusted = unitList + Math.ceil((unitList * basisPoints) / 10_000);
  return Math.max(adjusted, Math.min(unitCost, unitList));
}

/** The voucher's discount on `afterTier`, before the floor; 0 when its minimum is not met. */
export function voucherDiscount(afterTier: Rupiah, voucher: VoucherTerms): Rupiah {
  if (voucher.min !== undefined && afterTier < voucher.min) return 0;
  if (voucher.kind === "flat") return Math.min(voucher.value, afterTier);
  const raw = Math.floor((afterTier * Math.round(voucher.value * 100)) / 10_000);
  return Math.min(raw, voucher.max ?? raw, afterTier);
}

/** Computes the whole quote (see the module comment). */
export function quotePrice(input: QuoteInput): PriceQuote {
  const units = Math.max(1, Math.trunc(input.units));
  const list = input.unitList * units;
  const cost = input.unitCost * units;
  const unitTierPrice = tierUnitPrice(input.unitList, input.unitCost, input.tier);
  const afterTier = unitTierPrice * units;
  const quote: PriceQuote = { list, tierDiscount: list - afterTier, unitTierPrice, afterTier, floored: false, final: afterTier, cost };
  if (!input.voucher) return quote;
  let discount = voucherDiscount(afterTier, input.voucher);
  if (!input.voucher.allowLoss && afterTier - discount < cost) {
    discount = Math.max(0, afterTier - cost);
    quote.floored = true;
  }
  return { ...quote, voucher: { code: input.voucher.code, discount }, final: afterTier - discount };
}

/**
 * Reads `PRICE_TIERS` (`member:0,reseller:-3%,vip:-5%`): names in order (the first is every
 * buyer's default), each with a percent adjustment between -90 and +100. Null with the reason
 * when it does not read.
 */
export function parsePriceTiers(text: string): { ok: true; tiers: PriceTier[] } | { ok: false; problem: string } {
  const tiers: PriceTier[] = [];
  for (const part of text.split(",").map((piece) => piece.trim()).filter((piece) => piece.length > 0)) {
    const match = /^([a-z][a-z0-9_-]{0,19}):([+-]?\d+(?:[.,]\d+)?)%?$/i.exec(part);
    if (!match) return { ok: false, problem: `"${part}" is not name:percent` };
    const name = match[1]!.toLowerCase();
    const percent = Number(match[2]!.replace(",", "."));
    if (percent < -90 || percent > 100) return { ok: false, problem: `${name}: the adjustment must be between -90% and +100%` };
    if (tiers.some((tier) => tier.name === name)) return { ok: false, problem: `${name} is named twice` };
    tiers.push({ name, percent });
  }
  return { ok: true, tiers };
}

/**
 * Reads `TIER_UPGRADE` (`reseller:1000000,vip:5000000`): a tier reached automatically once a
 * buyer's delivered spend is at least the amount; every name must be one of `tiers`.
 */
export function parseTierUpgrades(text: string, tiers: readonly PriceTier[]): { ok: true; upgrades: TierUpgrade[] } | { ok: false; problem: string } {
  const upgrades: TierUpgrade[] = [];
  for (const part of text.split(",").map((piece) => piece.trim()).filter((piece) => piece.length > 0)) {
    const match = /^([a-z][a-z0-9_-]{0,19}):(\d{1,12})$/i.exec(part);
    if (!match) return { ok: false, problem: `"${part}" is not tier:rupiah` };
    const tier = match[1]!.toLowerCase();
    if (!tiers.some((known) => known.name === tier)) return { ok: false, problem: `${tier} is not a tier of PRICE_TIERS` };
    upgrades.push({ tier, spend: Number(match[2]) });
  }
  return { ok: true, upgrades: upgrades.sort((a, b) => a.spend - b.spend) };
}

/** An automatic upgrade: `tier` once delivered spend reaches `spend`. */
export interface TierUpgrade {
  tier: string;
  spend: Rupiah;
}

/**
 * The tier a buyer moves to after their delivered spend reached `spend`, or null to stay: only
 * ever up (a tier later in `PRICE_TIERS` than the current one), never down, so an admin's
 * `/tier` to a higher tier is never undone by the rule. `TierStore.countDelivered` applies the
 * same rule inside its Lua script (so the compare and the write are one step); keep them alike.
 */
export function upgradeFor(current: string, spend: Rupiah, tiers: readonly PriceTier[], upgrades: readonly TierUpgrade[]): string | null {
  const rank = (name: string) => tiers.findIndex((tier) => tier.name === name);
  let best: string | null = null;
  for (const upgrade of upgrades) {
    if (spend < upgrade.spend) continue;
    if (rank(upgrade.tier) > rank(best ?? current)) best = upgrade.tier;
  }
  return best;
}
