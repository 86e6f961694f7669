/**
 * Shop vouchers (issue 17): codes an admin makes (`/voucher add`), buyers type at the confirm
 * step. A use goes through three states, each move one Lua script, keyed by the order id:
 *
 *   (none) ──hold──► held ──redeem──► redeemed
 *                     └──────┴──release──► (none)
 *
 * - **hold** when the order is made for payment: refused when held + redeemed uses already reach
 *   the voucher's `uses`, or the buyer's own uses reach `per_buyer`, so 200 buyers racing for a
 *   50-use voucher get at most 50 holds, and so at most 50 paid orders carry it;
 * - **redeem** when the order is paid (or delivered, for an order paid to the provider directly);
 * - **release** when the order expires or is refunded: the use is given back.
 * Each move is idempotent per order (a second redeem or release finds nothing to do), and the
 * transition listener ({@link voucherListener}) drives redeem and release from order changes.
 *
 * The discount itself moves no money: the buyer pays the discounted price in one debit, and the
 * order records `pricing.voucher` for `/stats`.
 *
 * @example
 * const vouchers = new VoucherStore(redis);
 * await vouchers.save({ code: "HEMAT10", kind: "percent", value: 10, uses: 50, ... });
 * const held = await vouchers.hold("HEMAT10", order.id, order.buyer); // "held" | "used_up" | …
 */
import type { Logger } from "pino";
import { z } from "zod";
import type { Rupiah } from "../core/money.js";
import { categoryIds, type CategoryId } from "../providers/types.js";
import { keys } from "../store/keys.js";
import { defineScript, type Redis } from "../store/redis.js";
import type { TransitionListener } from "./orders.js";
import type { VoucherTerms } from "./price-quote.js";

/** A voucher as an admin made it. */
export const voucherSchema = z.object({
  code: z.string().regex(/^[A-Z0-9_-]{3,32}$/),
  kind: z.enum(["percent", "flat"]),
  value: z.number().positive(),
  min: z.number().int().nonnegative().optional(),
  max: z.number().int().positive().optional(),
  /** Uses in all (held + redeemed); absent = unlimited. */
  uses: z.number().int().positive().optional(),
  /** Uses per buyer; absent = unlimited. */
  perBuyer: z.number().int().positive().optional(),
  /** Last moment it may be used (epoch ms). */
  until: z.number().int().optional(),
  /** Only these product codes, or only this category. */
  only: z.union([z.object({ codes: z.array(z.string()).min(1) }), z.object({ category: z.enum(categoryIds) })]).optional(),
  allowLoss: z.boolean().default(false),
  createdAt: z.number().int(),
  by: z.string(),
});
/** A voucher's definition. */
export type Voucher = z.infer<typeof voucherSchema>;

/** A voucher with its use counts. */
export interface VoucherState {
  voucher: Voucher;
  off: boolean;
  held: number;
  redeemed: number;
}

/**
 * Why a voucher cannot be used (each has a buyer message `voucher-refused-<reason>`). `method`:
 * the product can only be paid in a way that charges the provider's own price (its QRIS).
 */
export const voucherRefusals = ["unknown", "off", "expired", "used_up", "per_buyer", "min", "product", "method"] as const;
export type VoucherRefusal = (typeof voucherRefusals)[number];

/** The money terms the price quote needs. */
export function voucherTerms(voucher: Voucher): VoucherTerms {
  return {
    code: voucher.code,
    kind: voucher.kind,
    value: voucher.value,
    ...(voucher.min !== undefined ? { min: voucher.min } : {}),
    ...(voucher.max !== undefined ? { max: voucher.max } : {}),
    ...(voucher.allowLoss ? { allowLoss: true } : {}),
  };
}

/**
 * Whether `state` may be used for this order, before any hold: pure, so the confirm step and the
 * order both ask the same question. Null when it may; the hold then checks the counts again atomically.
 */
export function voucherRefusal(
  state: VoucherState | null,
  order: { product: { code: string; category: CategoryId }; afterTier: Rupiah; buyerUses: number; now: number },
): VoucherRefusal | null {
  if (!state) return "unknown";
  const { voucher } = state;
  if (state.off) return "off";
  if (voucher.until !== undefined && order.now > voucher.until) return "expired";
  if (voucher.only) {
    const fits = "codes" in voucher.only ? voucher.only.codes.includes(order.product.code) : voucher.only.category === order.product.category;
    if (!fits) return "product";
  }
  if (voucher.uses !== undefined && state.held + state.redeemed >= voucher.uses) return "used_up";
  if (voucher.perBuyer !== undefined && order.buyerUses >= voucher.perBuyer) return "per_buyer";
  if (voucher.min !== undefined && order.afterTier < voucher.min) return "min";
  return null;
}

// KEYS: voucher, uses, buyers. ARGV: order id, buyer. 1 held, 0 already held by this order,
// -1 used up, -2 the buyer's uses reached, -3 unknown or off.
const holdScript = `
if redis.call('EXISTS', KEYS[1]) == 0 then return -3 end
if redis.call('HGET', KEYS[1], 'off') == '1' then return -3 end
if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 1 then return 0 end
local held = tonumber(redis.call('HGET', KEYS[1], 'held') or '0')
local redeemed = tonumber(redis.call('HGET', KEYS[1], 'redeemed') or '0')
local max = tonumber(redis.call('HGET', KEYS[1], 'maxUses') or '0')
if max > 0 and held + redeemed >= max then return -1 end
local per = tonumber(redis.call('HGET', KEYS[1], 'perBuyer') or '0')
local mine = tonumber(redis.call('HGET', KEYS[3], ARGV[2]) or '0')
if per > 0 and mine >= per then return -2 end
redis.call('HSET', KEYS[2], ARGV[1], 'h|' .. ARGV[2])
redis.call('HINCRBY', KEYS[1], 'held', 1)
redis.call('HINCRBY', KEYS[3], ARGV[2], 1)
return 1
`;

// KEYS: voucher, uses. ARGV: order id. 1 redeemed now, 0 nothing held by this order.
const redeemScript = `
local use = redis.call('HGET', KEYS[2], ARGV[1])
if not use or string.sub(use, 1, 1) ~= 'h' then return 0 end
redis.call('HSET', KEYS[2], ARGV[1], 'r' .. string.sub(use, 2))
redis.call('HINCRBY', KEYS[1], 'held', -1)
redis.call('HINCRBY', KEYS[1], 'redeemed', 1)
return 1
`;

// KEYS: voucher, uses, buyers. ARGV: order id. 1 given back, 0 nothing to give back.
const releaseScript = `
local use = redis.call('HGET', KEYS[2], ARGV[1])
if not use then return 0 end
redis.call('HDEL', KEYS[2], ARGV[1])
if string.sub(use, 1, 1) == 'h' then redis.call('HINCRBY', KEYS[1], 'held', -1) else redis.call('HINCRBY', KEYS[1], 'redeemed', -1) end
redis.call('HINCRBY', KEYS[3], string.sub(use, 3), -1)
return 1
`;

type HoldCommand = (voucher: string, uses: string, buyers: string, orderId: string, buyer: string) => Promise<number>;
type RedeemCommand = (voucher: string, uses: string, orderId: string) => Promise<number>;
type ReleaseCommand = (voucher: string, uses: string, buyers: string, orderId: string) => Promise<number>;

/** What a hold came to. */
export type HoldResult = "held" | "used_up" | "per_buyer" | "off";

export class VoucherStore {
  private readonly holdCommand: HoldCommand;
  private readonly redeemCommand: RedeemCommand;
  private readonly releaseCommand: ReleaseCommand;

  constructor(private readonly redis: Redis) {
    // Durable: a held use is what caps the voucher; lost, a used-up voucher could be used again.
    this.holdCommand = defineScript<HoldCommand>(redis, "voucherHold", 3, holdScript, { durable: true });
    // Not durable: a redeem lost in a failover leaves the use held, which still counts as used.
    this.redeemCommand = defineScript<RedeemCommand>(redis, "voucherRedeem", 2, redeemScript);
    // Durable: an expired or refunded buyer gets the use back (their per-buyer count with it).
    this.releaseCommand = defineScript<ReleaseCommand>(redis, "voucherRelease", 3, releaseScript, { durable: true });
  }

  /**
   * Makes a voucher, or changes the terms of one (its uses so far and its off switch stay). True
   * when new. The count of vouchers not switched off (`vouchers:on`) is what shows buyers the
   * "use a voucher" option; it is read with the session, in the same round trip.
   */
  async save(voucher: Voucher): Promise<boolean> {
    const checked = voucherSchema.parse(voucher);
    const [added] = await Promise.all([
      this.redis.sadd(keys.vouchers(), checked.code),
      this.redis.hset(keys.voucher(checked.code), {
        def: JSON.stringify(checked),
        maxUses: String(checked.uses ?? 0),
        perBuyer: String(checked.perBuyer ?? 0),
      }),
    ]);
    if (added === 1) await this.redis.incr(keys.vouchersOn());
    return added === 1;
  }

  /** A voucher and its counts; null when unknown or unreadable. */
  async get(code: string): Promise<VoucherState | null> {
    const [def, off, held, redeemed] = await this.redis.hmget(keys.voucher(code), "def", "off", "held", "redeemed");
    if (!def) return null;
    let raw: unknown;
    try {
      raw = JSON.parse(def);
    } catch {
      return null;
    }
    const parsed = voucherSchema.safeParse(raw);
    if (!parsed.success) return null;
    return { voucher: parsed.data, off: off === "1", held: Number(held ?? 0), redeemed: Number(redeemed ?? 0) };
  }

  /** A voucher with `buyer`'s uses of it, in one round trip. */
  async forBuyer(code: string, buyer: string): Promise<{ state: VoucherState | null; buyerUses: number }> {
    const [state, uses] = await Promise.all([this.get(code), this.redis.hget(keys.voucherBuyers(code), buyer)]);
    return { state, buyerUses: Number(uses ?? 0) };
  }

  /** Every voucher, by code. */
  async list(): Promise<VoucherState[]> {
    const codes = (await this.redis.smembers(keys.vouchers())).sort();
    const states = await Promise.all(codes.map((code) => this.get(code)));
    return states.filter((state): state is VoucherState => state !== null);
  }

  /** Switches a voucher off (no new holds; orders holding it keep it). False when unknown. */
  async setOff(code: string): Promise<boolean> {
    if ((await this.redis.hexists(keys.voucher(code), "def")) !== 1) return false;
    // HSETNX: only the first switch-off counts the voucher out of `vouchers:on`.
    if ((await this.redis.hsetnx(keys.voucher(code), "off", "1")) === 1) await this.redis.decr(keys.vouchersOn());
    return true;
  }

  /** Holds one use for `orderId` (see the module comment); holding again for the same order is `held`. */
  async hold(code: string, orderId: string, buyer: string): Promise<HoldResult> {
    const result = await this.holdCommand(keys.voucher(code), keys.voucherUses(code), keys.voucherBuyers(code), orderId, buyer);
    if (result >= 0) return "held";
    return result === -1 ? "used_up" : result === -2 ? "per_buyer" : "off";
  }

  /** Turns the order's held use into a redeemed one; true when it did now. */
  async redeem(code: string, orderId: string): Promise<boolean> {
    return (await this.redeemCommand(keys.voucher(code), keys.voucherUses(code), orderId)) === 1;
  }

  /** Gives the order's use back (held or redeemed); true when it did now. */
  async release(code: string, orderId: string): Promise<boolean> {
    return (await this.releaseCommand(keys.voucher(code), keys.voucherUses(code), keys.voucherBuyers(code), orderId)) === 1;
  }
}

/**
 * The order listener that moves voucher uses: paid (or delivered, paid to the provider) redeems,
 * expired or refunded gives the use back. Fire-and-forget, as listeners must not throw or block;
 * a failure is logged with the order (a held use that was never redeemed still counts as used,
 * so a lost redeem can never let a voucher be used more than its limit), and the settlement sweep
 * (`pricing-settlement.ts`) makes the same move later from the order's state.
 */
export function voucherListener(vouchers: Pick<VoucherStore, "redeem" | "release">, logger: Logger): TransitionListener {
  return (order) => {
    const code = order.pricing?.voucher?.code;
    if (!code) return;
    let move: Promise<boolean> | null = null;
    if (order.status === "paid" || order.status === "delivered") move = vouchers.redeem(code, order.id);
    else if (order.status === "expired" || order.status === "refunded") move = vouchers.release(code, order.id);
    move?.catch((error: unknown) => logger.error({ err: error, orderId: order.id, voucher: code }, "could not move a voucher use"));
  };
}
