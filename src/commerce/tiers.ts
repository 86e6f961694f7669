/**
 * Reseller price tiers (issue 17): every buyer has one of `PRICE_TIERS` (the first unless an
 * admin's `/tier` or an automatic upgrade said otherwise), and sees every price at it. The tier
 * name is one Redis string per buyer, read with the session in the same MGET
 * (`bot/session-store.ts`), so a message still costs two round trips.
 *
 * Automatic upgrade (`TIER_UPGRADE`): each delivered order adds its price to the buyer's
 * delivered spend once (a Lua script keyed by the order id), and crossing a threshold moves the
 * buyer up — never down — in the same script. A delivered order refunded later takes its price
 * back off the spend, once; a tier already earned stays.
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
import type { PriceTier, TierUpgrade } from "./price-quote.js";

// KEYS: spend hash, buyer's tier. ARGV: order id, amount, tier count n, the n tier names in
// PRICE_TIERS order, then (tier, spend) pairs of TIER_UPGRADE. Adds the amount once per order
// (an order whose spend was reversed stays out: its field is taken), then raises the buyer to the
// highest tier the total reached, compared with the tier read here, in the same step: an admin's
// `/tier` written meanwhile is never overwritten by a lower one. A missing or unknown stored name
// ranks as the first tier, as `resolve` reads it. Returns { total, raised tier or "" }.
const countScript = `
local total
if redis.call('HSETNX', KEYS[1], 'o:' .. ARGV[1], ARGV[2]) == 1 then
  total = redis.call('HINCRBY', KEYS[1], 'total', ARGV[2])
else
  total = tonumber(redis.call('HGET', KEYS[1], 'total') or '0')
end
local n = tonumber(ARGV[3])
local rank = {}
for i = 1, n do rank[ARGV[3 + i]] = i end
local current = redis.call('GET', KEYS[2])
local best = ''
local bestRank = (current and rank[current]) or 1
for i = 4 + n, #ARGV - 1, 2 do
  local r = rank[ARGV[i]]
  if r and r > bestRank and total >= tonumber(ARGV[i + 1]) then
    best = ARGV[i]
    bestRank = r
  end
end
if best ~= '' then redis.call('SET', KEYS[2], best) end
return { total, best }
`;

// KEYS: spend hash. ARGV: order id. Takes a counted order's amount off the total, once, and
// marks the order ('-') so a late count of it adds nothing. 1 when it took something off now.
const reverseScript = `
local field = 'o:' .. ARGV[1]
local counted = redis.call('HGET', KEYS[1], field)
if counted == '-' then return 0 end
redis.call('HSET', KEYS[1], field, '-')
if not counted then return 0 end
redis.call('HINCRBY', KEYS[1], 'total', -tonumber(counted))
return 1
`;

type CountCommand = (spend: string, tier: string, orderId: string, amount: number, ...rules: (string | number)[]) => Promise<[number, string]>;
type ReverseCommand = (spend: string, orderId: string) => Promise<number>;

export class TierStore {
  private readonly countCommand: CountCommand;
  private readonly reverseCommand: ReverseCommand;

  constructor(
    private readonly redis: Redis,
    readonly tiers: readonly PriceTier[],
    readonly upgrades: readonly TierUpgrade[] = [],
  ) {
    // Not durable: a count lost in a failover is counted again by the settlement sweep.
    this.countCommand = defineScript<CountCommand>(redis, "tierCount", 2, countScript);
    // Durable: the sweep stops looking at a refunded order once this answered.
    this.reverseCommand = defineScript<ReverseCommand>(redis, "tierReverse", 1, reverseScript, { durable: true });
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
   * `TIER_UPGRADE` threshold — never down, and never below a tier an admin set meanwhile (the
   * compare and the write are one script). Returns the new tier's name when it raised the buyer.
   */
  async countDelivered(buyer: string, orderId: string, price: Rupiah): Promise<string | null> {
    if (!this.enabled || price <= 0) return null;
    const rules = [this.tiers.length, ...this.tiers.map((tier) => tier.name), ...this.upgrades.flatMap((upgrade) => [upgrade.tier, upgrade.spend])];
    const [, raised] = await this.countCommand(keys.buyerSpend(buyer), keys.buyerTier(buyer), orderId, price, ...rules);
    return raised === "" ? null : raised;
  }

  /**
   * Takes a refunded order's price back off the buyer's delivered spend, once per order (a later
   * count of it adds nothing). The tier it may have earned stays: tiers never move down by rule.
   * True when it took something off now.
   *
   * @example
   * await tiers.reverseRefunded("telegram:42", "ORD-7K2M9QXA"); // true, then false
   */
  async reverseRefunded(buyer: string, orderId: string): Promise<boolean> {
    return (await this.reverseCommand(keys.buyerSpend(buyer), orderId)) === 1;
  }
}

/**
 * The order listener counting delivered spend for automatic upgrades; fire-and-forget, failures
 * logged (the settlement sweep, `pricing-settlement.ts`, counts a delivery the listener lost).
 */
export function tierListener(tiers: Pick<TierStore, "countDelivered" | "reverseRefunded" | "enabled">, logger: Logger): TransitionListener {
  return (order, from) => {
    if (order.status === "refunded" && from === "delivered") {
      tiers.reverseRefunded(order.buyer, order.id).catch((error: unknown) => logger.error({ err: error, orderId: order.id }, "could not take a refunded order off the buyer's tier spend"));
      return;
    }
    if (order.status !== "delivered" || !tiers.enabled) return;
    tiers
      .countDelivered(order.buyer, order.id, order.price)
      .then((upgraded) => {
        if (upgraded) logger.info({ buyer: order.buyer, tier: upgraded }, "buyer moved up a price tier");
      })
      .catch((error: unknown) => logger.error({ err: error, orderId: order.id }, "could not count a delivered order toward the buyer's tier"));
  };
}
