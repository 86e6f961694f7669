/**
 * Reseller price tiers (issue 17): every buyer has one of `PRICE_TIERS` (the first unless an
 * admin's `/tier` or an automatic upgrade said otherwise), and sees every price at it. The tier
 * name is one Redis string per buyer, read with the session in the same MGET
 * (`bot/session-store.ts`), so a message still costs two round trips.
 *
 * Automatic upgrade (`TIER_UPGRADE`): each delivered order adds its price to the buyer's
 * delivered spend once (a Lua script keyed by the order id), and crossing a threshold moves the
 * buyer up — never down.
 *
 * @example
 * const tiers = new TierStore(redis, config.priceTiers, config.tierUpgrades);
 * await tiers.set("telegram:42", "vip");
 * tiers.resolve(await redis.get(keys.buyerTier("telegram:42"))); // { name: "vip", percent: -5 }
 */
import type { Logger } from "pino";
import type { Rupiah } from "../core/money.js";
import { keys } from "../store/keys.js";
import { defineScript, type Redis } from "../store/redis.js";
import type { TransitionListener } from "./orders.js";
import { upgradeFor, type PriceTier, type TierUpgrade } from "./price-quote.js";

// KEYS: spend hash. ARGV: order id, amount. Adds the amount once per order; returns the total.
const spendScript = `
if redis.call('HSETNX', KEYS[1], 'o:' .. ARGV[1], ARGV[2]) == 1 then
  return redis.call('HINCRBY', KEYS[1], 'total', ARGV[2])
end
return tonumber(redis.call('HGET', KEYS[1], 'total') or '0')
`;

type SpendCommand = (spend: string, orderId: string, amount: number) => Promise<number>;

export class TierStore {
  private readonly spendCommand: SpendCommand;

  constructor(
    private readonly redis: Redis,
    readonly tiers: readonly PriceTier[],
    readonly upgrades: readonly TierUpgrade[] = [],
  ) {
    this.spendCommand = defineScript<SpendCommand>(redis, "tierSpend", 1, spendScript);
  }

  /** True when PRICE_TIERS names any tier. */
  get enabled(): boolean {
    return this.tiers.length > 0;
  }

  /** The tier a stored name stands for: the first tier for none or a name no longer configured; null when tiers are off. */
  resolve(name: string | null | undefined): PriceTier | null {
    return this.tiers.find((tier) => tier.name === name) ?? this.tiers[0] ?? null;
  }

  /** A buyer's tier. */
  async of(buyer: string): Promise<PriceTier | null> {
    return this.resolve(await this.redis.get(keys.buyerTier(buyer)));
  }

  /** Puts a buyer in a tier (an admin's `/tier`); false when no such tier. */
  async set(buyer: string, name: string): Promise<boolean> {
    if (!this.tiers.some((tier) => tier.name === name)) return false;
    await this.redis.set(keys.buyerTier(buyer), name);
    return true;
  }

  /** A buyer's delivered spend so far. */
  async spend(buyer: string): Promise<Rupiah> {
    return Number((await this.redis.hget(keys.buyerSpend(buyer), "total")) ?? 0);
  }

  /**
   * Counts a delivered order's price once, then moves the buyer up when the spend crossed a
   * `TIER_UPGRADE` threshold. Returns the new tier's name when it did.
   */
  async countDelivered(buyer: string, orderId: string, price: Rupiah): Promise<string | null> {
    if (!this.enabled || price <= 0) return null;
    const total = await this.spendCommand(keys.buyerSpend(buyer), orderId, price);
    if (this.upgrades.length === 0) return null;
    const current = (await this.of(buyer))?.name ?? "";
    const next = upgradeFor(current, Number(total), this.tiers, this.upgrades);
    if (!next) return null;
    await this.redis.set(keys.buyerTier(buyer), next);
    return next;
  }
}

/** The order listener counting delivered spend for automatic upgrades; fire-and-forget, failures logged. */
export function tierListener(tiers: Pick<TierStore, "countDelivered" | "enabled">, logger: Logger): TransitionListener {
  return (order) => {
    if (order.status !== "delivered" || !tiers.enabled) return;
    tiers
      .countDelivered(order.buyer, order.id, order.price)
      .then((upgraded) => {
        if (upgraded) logger.info({ buyer: order.buyer, tier: upgraded }, "buyer moved up a price tier");
      })
      .catch((error: unknown) => logger.error({ err: error, orderId: order.id }, "could not count a delivered order toward the buyer's tier"));
  };
}
