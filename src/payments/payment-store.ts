/**
 * Open QRIS payments: one per order paid by the owner's QRIS, or per wallet top-up.
 *
 * Each open payment holds a unique total (price + a small code), so money arriving for that
 * exact amount identifies it. Totals are claimed with HSETNX, so two open payments can never
 * share one; a payment's status moves open → paid | expired by compare-and-set, so confirming
 * twice (two admins, a callback plus an admin, a retried callback) has the effect of once.
 */
import { randomBytes, randomInt } from "node:crypto";
import { z } from "zod";
import { channels } from "../bot/inbound.js";
import { locales } from "../i18n.js";
import { claimDue } from "../store/deadlines.js";
import { defineScript, type Redis } from "../store/redis.js";

export const paymentKinds = ["order", "topup"] as const;

const paymentSchema = z.object({
  id: z.string(),
  kind: z.enum(paymentKinds),
  buyer: z.string(),
  channel: z.enum(channels),
  chatId: z.string(),
  locale: z.enum(locales),
  /** What is being paid for, before the unique code. */
  baseAmount: z.number().int(),
  uniqueCode: z.number().int(),
  /** The exact total the buyer must pay. */
  amount: z.number().int(),
  status: z.enum(["open", "paid", "expired"]),
  createdAt: z.number(),
  expiresAt: z.number(),
  paidAt: z.number().optional(),
  paidAmount: z.number().int().optional(),
  reference: z.string().optional(),
  confirmedBy: z.string().optional(),
  /** Paid after it expired: credited to the wallet as a late payment instead of settling. */
  late: z.boolean().optional(),
});
export type Payment = z.infer<typeof paymentSchema>;

const keys = {
  payment: (id: string) => `payment:${id}`,
  /** Hash: open total → payment id. */
  openAmounts: () => "payments:open-amounts",
  /** Hash: recently expired total → payment id (for late payments). */
  expiredAmounts: () => "payments:expired-amounts",
  /** Hash: total of a payment confirmed without a gateway reference → payment id. */
  paidAmounts: () => "payments:paid-amounts",
  /** Sorted set: open payment id by expiry time. */
  deadlines: () => "payments:deadlines",
  /** Set of callback references already processed (replay protection). */
  references: () => "payments:references",
};

// KEYS: payment hash {status, doc}. ARGV: expected status, new status, new doc. 1 when moved.
const casScript = `
if redis.call('HGET', KEYS[1], 'status') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'status', ARGV[2], 'doc', ARGV[3])
return 1
`;

type CasCommand = (key: string, expected: string, next: string, doc: string) => Promise<number>;

/** Prefix of top-up payment ids. */
export const topupIdPattern = /^TOP-[A-Z0-9]{8,}$/;

export function newTopupId(): string {
  return `TOP-${randomBytes(6).toString("hex").toUpperCase().slice(0, 10)}`;
}

export class PaymentStore {
  private readonly cas: CasCommand;

  constructor(
    private readonly redis: Redis,
    /** Largest unique code added to a total (0 = none, only for tests and gateways with references). */
    private readonly uniqueCodeMax: number,
  ) {
    this.cas = defineScript<CasCommand>(redis, "paymentCas", 1, casScript);
  }

  /**
   * Opens a payment with a total no other open payment has. Tries random codes; with up to 999
   * codes per price the chance of running out is negligible unless hundreds of buyers pay the
   * same price within the same minutes, and then it says so rather than share a total.
   */
  async open(input: Omit<Payment, "uniqueCode" | "amount" | "status">): Promise<Payment> {
    for (let attempt = 0; attempt < 50; attempt++) {
      const uniqueCode = this.uniqueCodeMax === 0 ? 0 : randomInt(1, this.uniqueCodeMax + 1);
      const amount = input.baseAmount + uniqueCode;
      if ((await this.redis.hsetnx(keys.openAmounts(), String(amount), input.id)) === 0) continue;
      const payment: Payment = { ...input, uniqueCode, amount, status: "open" };
      await this.redis
        .multi()
        .hset(keys.payment(payment.id), "status", "open", "doc", JSON.stringify(payment))
        // The total is this payment's now: money for it can no longer mean an older one.
        .hdel(keys.expiredAmounts(), String(amount))
        .hdel(keys.paidAmounts(), String(amount))
        .zadd(keys.deadlines(), payment.expiresAt, payment.id)
        .exec();
      return payment;
    }
    throw new Error(`no free unique amount near ${input.baseAmount}`);
  }

  async get(id: string): Promise<Payment | null> {
    const raw = await this.redis.hget(keys.payment(id), "doc");
    return raw ? paymentSchema.parse(JSON.parse(raw)) : null;
  }

  /** The open payment waiting for exactly `amount`, if any. */
  async findOpenByAmount(amount: number): Promise<Payment | null> {
    const id = await this.redis.hget(keys.openAmounts(), String(amount));
    return id ? this.get(id) : null;
  }

  /** A payment an admin confirmed by hand with exactly this total, if remembered. */
  async findPaidByAmount(amount: number): Promise<Payment | null> {
    const id = await this.redis.hget(keys.paidAmounts(), String(amount));
    return id ? this.get(id) : null;
  }

  /** A payment that expired unpaid with exactly this total (a late payer), if remembered. */
  async findExpiredByAmount(amount: number): Promise<Payment | null> {
    const id = await this.redis.hget(keys.expiredAmounts(), String(amount));
    return id ? this.get(id) : null;
  }

  /**
   * Moves a payment from `from` to `to` with `patch`. Returns the new payment, or null when it
   * was not in `from` (someone else moved it first).
   */
  async move(id: string, from: Payment["status"], to: Payment["status"], patch: Partial<Payment> = {}): Promise<Payment | null> {
    const current = await this.get(id);
    if (!current || current.status !== from) return null;
    const next: Payment = { ...current, ...patch, status: to };
    if ((await this.cas(keys.payment(id), from, to, JSON.stringify(next))) !== 1) return null;
    await this.releaseAmount(next, to === "expired");
    return next;
  }

  /** Claims payments past their expiry; each id goes to exactly one caller. */
  async claimExpired(now = Date.now(), limit = 100): Promise<string[]> {
    return claimDue(this.redis, keys.deadlines(), now, limit);
  }

  /** Records a callback reference; false when it was seen before (a replay). */
  async rememberReference(reference: string): Promise<boolean> {
    return (await this.redis.sadd(keys.references(), reference)) === 1;
  }

  async forgetReference(reference: string): Promise<void> {
    await this.redis.srem(keys.references(), reference);
  }

  private async releaseAmount(payment: Payment, rememberAsExpired: boolean): Promise<void> {
    const total = String(payment.amount);
    // Only free the total if it is still ours; a new payment may have claimed it since.
    if ((await this.redis.hget(keys.openAmounts(), total)) === payment.id) await this.redis.hdel(keys.openAmounts(), total);
    await this.redis.zrem(keys.deadlines(), payment.id);
    if (rememberAsExpired) await this.redis.hset(keys.expiredAmounts(), total, payment.id);
    else if ((await this.redis.hget(keys.expiredAmounts(), total)) === payment.id) await this.redis.hdel(keys.expiredAmounts(), total);
    // Confirmed by hand (no gateway reference): the gateway's own report of the same money may
    // still come, and must be recognised as this payment, not reported as unmatched money.
    if (payment.status === "paid" && !payment.reference) await this.redis.hset(keys.paidAmounts(), total, payment.id);
  }
}
