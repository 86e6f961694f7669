/**
 * Referrals (issue 17): a buyer's code links a new buyer to them, and the referrer earns
 * `REFERRAL_PERCENT` of each delivered order of that buyer placed within `REFERRAL_DAYS` of the
 * link, as a wallet ledger entry; a refund of the order takes it back.
 *
 * - **Codes** are 6 characters of an alphabet without look-alikes (no 0/O, 1/I/L), made on first
 *   `/referral`, read case-insensitively.
 * - **Linking** is one Lua script: the code must exist and not be the buyer's own (nor their
 *   referee's: no circles), the buyer must have no referrer yet and no order at all (any order
 *   record, paid or not, counts as "an earlier order"). A second link attempt changes nothing.
 * - **Rewards** run from the order store's transition listener on `delivered`: the reward is
 *   claimed once per order (Lua: the record `referrer|amount|offset`), written on the order
 *   (`order.referral`, so `/stats` can subtract it from profit), then credited under
 *   `referral:<order>`. A repeated delivered event, a second process or a retry finds the claim
 *   and the ledger id and adds nothing.
 * - **Reversal** runs on `refunded`: the credited part is taken back under
 *   `referral-reversal:<order>`, as much as the referrer's wallet holds
 *   ({@link Wallet.debitUpTo}: a balance never goes negative); what it could not cover is recorded
 *   as owed (once per order) and paid off from the referrer's next rewards before they are
 *   credited. A reward that itself paid off a debt puts that debt back.
 *
 * Both steps re-read the order, so a refund racing a reward in flight still ends reversed.
 * Cross-channel self-referral (one person on Telegram and WhatsApp) cannot be told apart here.
 *
 * @example
 * const referrals = new Referrals({ redis, orders, wallet, logger, percent: 2, days: 90 });
 * const code = await referrals.codeOf("telegram:42");         // "K7MZQ2"
 * await referrals.link("whatsapp:628123", code);              // { kind: "linked", referrer: "telegram:42" }
 */
import { randomBytes } from "node:crypto";
import type { Logger } from "pino";
import { z } from "zod";
import type { Rupiah } from "../core/money.js";
import { keys } from "../store/keys.js";
import { defineScript, type Redis } from "../store/redis.js";
import { ledgerIds } from "./ledger-ids.js";
import type { Order, OrderStatus, OrderStore } from "./orders.js";
import type { Wallet } from "./wallet.js";

/** Letters and digits that cannot be mistaken for one another when read aloud or typed. */
export const referralCodeAlphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";
const codeLength = 6;

/** A fresh random referral code (not yet checked for collisions). */
export function newReferralCode(): string {
  let code = "";
  for (const byte of randomBytes(codeLength)) code += referralCodeAlphabet[byte % referralCodeAlphabet.length];
  return code;
}

/** A referral code as typed: 4–12 letters or digits, any case; read as upper case. */
export const referralCodeSchema = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9]{4,12}$/)
  .transform((code) => code.toUpperCase());

/**
 * The code an arriving buyer brings, if any: Telegram's deep-link payload `ref_<code>` (from
 * `/start ref_<code>`), or a typed `REF <code>` (WhatsApp has no deep links).
 *
 * @example
 * arrivalCode("start", "ref_k7mzq2"); // "K7MZQ2"
 * arrivalCode("text", "REF K7MZQ2");  // "K7MZQ2"
 */
export function arrivalCode(via: "start" | "text", text: string): string | null {
  const match = via === "start" ? /^ref[_-]([A-Za-z0-9]+)$/i.exec(text.trim()) : /^ref\s*[:#-]?\s+([A-Za-z0-9]+)$/i.exec(text.trim());
  if (!match) return null;
  const parsed = referralCodeSchema.safeParse(match[1]);
  return parsed.success ? parsed.data : null;
}

/**
 * The reward for an order: `percent` (up to 2 decimals) of its price, floored to whole rupiah.
 *
 * @example
 * referralReward(18_000, 2);   // 360
 * referralReward(18_500, 2.5); // 462 (462.5 floored)
 */
export function referralReward(price: Rupiah, percent: number): Rupiah {
  if (price <= 0 || percent <= 0) return 0;
  const basisPoints = Math.round(percent * 100);
  return Math.floor((price * basisPoints) / 10_000);
}

const dayMs = 24 * 60 * 60_000;

/** Whether an order created at `orderCreatedAt` falls within `days` of the buyer's link. */
export function withinReferralWindow(linkedAt: number, orderCreatedAt: number, days: number): boolean {
  return orderCreatedAt >= linkedAt && orderCreatedAt <= linkedAt + days * dayMs;
}

/** What came of a link attempt. */
export type LinkResult =
  | { kind: "linked"; referrer: string }
  /** Already linked to this same referrer: nothing changed. */
  | { kind: "already"; referrer: string }
  /** Linked to someone else before: one referrer per buyer. */
  | { kind: "taken" }
  | { kind: "self" }
  /** The buyer has an order already: only new buyers can be referred. */
  | { kind: "has_orders" }
  | { kind: "unknown_code" }
  /** Referrals are off (`REFERRAL_PERCENT=0`). */
  | { kind: "off" };

/** A referrer's standing, for `/referral`. */
export interface ReferralSummary {
  code: string;
  referred: number;
  /** Reversed rewards their wallet could not cover, to be paid off from later rewards. */
  owed: Rupiah;
}

// KEYS: code-of, codes. ARGV: buyer, candidate. The buyer's code, or nil when the candidate is taken.
const codeScript = `
local existing = redis.call('HGET', KEYS[1], ARGV[1])
if existing then return existing end
if redis.call('HSETNX', KEYS[2], ARGV[2], ARGV[1]) == 0 then return false end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return ARGV[2]
`;

// KEYS: codes, referrer-of, linked-at, the buyer's orders, counts. ARGV: code, buyer, now.
const linkScript = `
local referrer = redis.call('HGET', KEYS[1], ARGV[1])
if not referrer then return {'unknown_code', ''} end
if referrer == ARGV[2] then return {'self', ''} end
if redis.call('HGET', KEYS[2], referrer) == ARGV[2] then return {'self', ''} end
local existing = redis.call('HGET', KEYS[2], ARGV[2])
if existing then
  if existing == referrer then return {'already', existing} end
  return {'taken', ''}
end
if redis.call('ZCARD', KEYS[4]) > 0 then return {'has_orders', ''} end
redis.call('HSET', KEYS[2], ARGV[2], referrer)
redis.call('HSET', KEYS[3], ARGV[2], ARGV[3])
redis.call('HINCRBY', KEYS[5], referrer, 1)
return {'linked', referrer}
`;

// KEYS: rewards, owed. ARGV: order id, referrer, amount. Claims the order's reward once: the part
// that pays off the referrer's debt first is the offset. Returns the record `referrer|amount|offset`.
const claimScript = `
local record = redis.call('HGET', KEYS[1], ARGV[1])
if record then return record end
local amount = tonumber(ARGV[3])
local owed = tonumber(redis.call('HGET', KEYS[2], ARGV[2]) or '0')
local offset = math.min(math.max(owed, 0), amount)
if offset > 0 then redis.call('HINCRBY', KEYS[2], ARGV[2], -offset) end
record = ARGV[2] .. '|' .. ARGV[3] .. '|' .. tostring(offset)
redis.call('HSET', KEYS[1], ARGV[1], record)
return record
`;

// KEYS: owed-by-order, owed. ARGV: order id, referrer, rupiah. Adds to the debt once per order.
const owedScript = `
if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[3]) == 0 then return 0 end
if tonumber(ARGV[3]) > 0 then redis.call('HINCRBY', KEYS[2], ARGV[2], ARGV[3]) end
return 1
`;

type CodeCommand = (codeOf: string, codes: string, buyer: string, candidate: string) => Promise<string | null>;
type LinkCommand = (codes: string, referrerOf: string, linkedAt: string, buyerOrders: string, counts: string, code: string, buyer: string, now: number) => Promise<[string, string]>;
type ClaimCommand = (rewards: string, owed: string, orderId: string, referrer: string, amount: number) => Promise<string>;
type OwedCommand = (owedByOrder: string, owed: string, orderId: string, referrer: string, amount: number) => Promise<number>;

/** A claimed reward, as recorded. */
interface RewardRecord {
  referrer: string;
  amount: Rupiah;
  /** The part that paid off the referrer's debt instead of being credited. */
  offset: Rupiah;
}

function parseRecord(record: string): RewardRecord | null {
  const [referrer, amount, offset] = record.split("|");
  const parsed = z
    .object({ referrer: z.string().min(1), amount: z.coerce.number().int().positive(), offset: z.coerce.number().int().min(0) })
    .safeParse({ referrer, amount, offset });
  return parsed.success ? parsed.data : null;
}

export interface ReferralDeps {
  redis: Redis;
  orders: OrderStore;
  wallet: Wallet;
  logger: Logger;
  /** `REFERRAL_PERCENT`; 0 turns referrals off. */
  percent: number;
  /** `REFERRAL_DAYS`. */
  days: number;
}

export class Referrals {
  private readonly codeCommand: CodeCommand;
  private readonly linkCommand: LinkCommand;
  private readonly claimCommand: ClaimCommand;
  private readonly owedCommand: OwedCommand;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly deps: ReferralDeps) {
    // Durable: the buyer is shown the code and shares it; lost, invitees' links would be "unknown".
    this.codeCommand = defineScript<CodeCommand>(deps.redis, "referralCode", 2, codeScript, { durable: true });
    // Durable: the buyer is told they are linked, and the link decides who earns their rewards.
    this.linkCommand = defineScript<LinkCommand>(deps.redis, "referralLink", 5, linkScript, { durable: true });
    // Durable: the claim pays off the referrer's debt (money) and makes the reward once-only.
    this.claimCommand = defineScript<ClaimCommand>(deps.redis, "referralClaim", 2, claimScript, { durable: true });
    // Durable: the part of a reversal the wallet could not cover is money the referrer owes.
    this.owedCommand = defineScript<OwedCommand>(deps.redis, "referralOwed", 2, owedScript, { durable: true });
  }

  /** True when `REFERRAL_PERCENT` is above 0. */
  get enabled(): boolean {
    return this.deps.percent > 0;
  }

  /** The buyer's code, made (once, collision-checked) on first ask. */
  async codeOf(buyer: string): Promise<string> {
    for (let attempt = 0; attempt < 10; attempt++) {
      const code = await this.codeCommand(keys.referralCodeOf(), keys.referralCodes(), buyer, newReferralCode());
      if (code) return code;
    }
    throw new Error("could not find a free referral code");
  }

  /** The buyer's code and how many they referred. */
  async summary(buyer: string): Promise<ReferralSummary> {
    const code = await this.codeOf(buyer);
    const [referred, owed] = await Promise.all([this.deps.redis.hget(keys.referralCount(), buyer), this.deps.redis.hget(keys.referralOwed(), buyer)]);
    return { code, referred: Number(referred ?? 0), owed: Math.max(0, Number(owed ?? 0)) };
  }

  /** Links `buyer` to the owner of `code` if the rules allow (see the module comment). */
  async link(buyer: string, code: string, now = Date.now()): Promise<LinkResult> {
    if (!this.enabled) return { kind: "off" };
    const [kind, referrer] = await this.linkCommand(
      keys.referralCodes(),
      keys.referralReferrerOf(),
      keys.referralLinkedAt(),
      keys.ordersOfBuyer(buyer),
      keys.referralCount(),
      code.toUpperCase(),
      buyer,
      now,
    );
    switch (kind) {
      case "linked":
      case "already":
        return { kind, referrer };
      case "taken":
      case "self":
      case "has_orders":
      case "unknown_code":
        return { kind };
      default:
        throw new Error(`unexpected referral link answer ${kind}`);
    }
  }

  /** The buyer's referrer and when they were linked, or null. */
  async referrerOf(buyer: string): Promise<{ referrer: string; linkedAt: number } | null> {
    const [referrer, linkedAt] = await Promise.all([this.deps.redis.hget(keys.referralReferrerOf(), buyer), this.deps.redis.hget(keys.referralLinkedAt(), buyer)]);
    return referrer && linkedAt ? { referrer, linkedAt: Number(linkedAt) } : null;
  }

  /**
   * The order store's transition listener: rewards on `delivered`, reverses on `refunded`. It
   * never throws; the work runs in the background ({@link idle} waits for it) and a failure is
   * logged (the ledger ids make running it again safe).
   */
  readonly onTransition = (order: Order, _from: OrderStatus): void => {
    if (order.status !== "delivered" && order.status !== "refunded") return;
    const work = (order.status === "delivered" ? this.reward(order.id) : this.reverse(order.id))
      .then(() => undefined)
      .catch((error: unknown) => this.deps.logger.error({ err: error, orderId: order.id }, "referral reward step failed"));
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  };

  /** Resolves once the listener's background work started so far has finished (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  /**
   * The sweep's catch-up, for what the listener missed (a process that died between an order's
   * move and its reward or reversal): at most once per `everyMs` across processes, looks at the
   * orders created in the last two days (a delivery comes within a day of the order) and runs
   * the reward of each delivered one and the reversal of each refunded one whose buyer has a
   * referrer. Both are idempotent, so finding one already done changes nothing. Returns how many
   * orders it looked at.
   */
  async catchUp(everyMs = 10 * 60_000, now = Date.now()): Promise<number> {
    if (!this.enabled) return 0;
    if ((await this.deps.redis.set(keys.referralCaughtUp(), "1", "PX", everyMs, "NX")) !== "OK") return 0;
    const settled = (await this.deps.orders.createdBetween(now - 2 * dayMs, now)).filter((order) => order.status === "delivered" || order.status === "refunded");
    if (settled.length === 0) return 0;
    const buyers = [...new Set(settled.map((order) => order.buyer))];
    const referrers = await this.deps.redis.hmget(keys.referralReferrerOf(), ...buyers);
    const referred = new Set(buyers.filter((_, i) => referrers[i]));
    const due = settled.filter((order) => referred.has(order.buyer) && (order.status === "delivered" || order.referral !== undefined));
    for (const order of due) {
      if (order.status === "delivered") await this.reward(order.id);
      else await this.reverse(order.id);
    }
    return due.length;
  }

  /**
   * Rewards the referrer of a delivered order's buyer, once. Returns what was credited (0 when
   * nothing: no referrer, out of the window, off, already rewarded, or it all paid off a debt).
   */
  async reward(orderId: string): Promise<Rupiah> {
    const order = await this.deps.orders.get(orderId);
    if (!order || order.status !== "delivered") return 0;
    let record: RewardRecord | null = null;
    const claimed = await this.deps.redis.hget(keys.referralRewards(), orderId);
    if (claimed) {
      record = parseRecord(claimed);
    } else {
      if (!this.enabled) return 0;
      const link = await this.referrerOf(order.buyer);
      if (!link || !withinReferralWindow(link.linkedAt, order.createdAt, this.deps.days)) return 0;
      const amount = referralReward(order.price, this.deps.percent);
      if (amount <= 0) return 0;
      record = parseRecord(await this.claimCommand(keys.referralRewards(), keys.referralOwed(), orderId, link.referrer, amount));
    }
    if (!record) throw new Error(`unreadable referral reward record of ${orderId}`);
    const { referrer, amount, offset } = record;
    if (order.referral === undefined) await this.deps.orders.update(orderId, () => ({ referral: { referrer, reward: amount } }));
    const credit = amount - offset;
    let credited = 0;
    if (credit > 0) {
      const moved = await this.deps.wallet.credit(referrer, credit, {
        id: ledgerIds.referral(orderId),
        reason: "referral",
        orderId,
        ...(offset > 0 ? { note: `${offset} paid off an earlier reversal` } : {}),
      });
      credited = moved.ok && moved.applied ? credit : 0;
    }
    // A refund that landed while we worked found no reward to reverse, or an incomplete one.
    if ((await this.deps.orders.get(orderId))?.status === "refunded") await this.reverse(orderId);
    return credited;
  }

  /**
   * Takes back the reward of a refunded order, once: what the referrer's wallet holds now, the
   * rest (and any debt the reward had paid off) recorded as owed. Returns what was taken by this call.
   */
  async reverse(orderId: string): Promise<Rupiah> {
    const claimed = await this.deps.redis.hget(keys.referralRewards(), orderId);
    if (!claimed) return 0;
    const record = parseRecord(claimed);
    if (!record) throw new Error(`unreadable referral reward record of ${orderId}`);
    const { referrer, amount, offset } = record;
    const credited = amount - offset;
    let taken = 0;
    let applied = false;
    if (credited > 0) {
      const moved = await this.deps.wallet.debitUpTo(referrer, credited, { id: ledgerIds.referralReversal(orderId), reason: "referral_reversal", orderId });
      taken = moved.taken;
      applied = moved.applied;
    }
    const owed = credited - taken + offset;
    if (owed > 0) await this.owedCommand(keys.referralOwedByOrder(), keys.referralOwed(), orderId, referrer, owed);
    return applied ? taken : 0;
  }
}
