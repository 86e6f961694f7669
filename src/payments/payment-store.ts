/**
 * Open QRIS payments: one per order paid by the owner's QRIS, or per wallet top-up.
 *
 * Each open payment holds a unique total (price + a small code), so money arriving for that
 * exact amount identifies it. A total is claimed only while free, in the same script that writes
 * the payment, so two open payments can never share one; a payment's status moves open → paid |
 * expired by compare-and-set, in the same script that updates the totals and deadlines, so
 * confirming twice (two admins, a callback plus an admin, a retried callback) has the effect of once.
 */
import { randomBytes, randomInt } from "node:crypto";
import { z } from "zod";
import { channels } from "../core/inbound.js";
import { locales } from "../core/message.js";
import { claimDue } from "../store/deadlines.js";
import { keys } from "../store/keys.js";
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
  /** The gateway's own report of this money arrived (a callback), so no later one is expected. */
  reportedByGateway: z.boolean().optional(),
});
export type Payment = z.infer<typeof paymentSchema>;

// Every write of a payment and of the indexes that point at it happens inside one script, so a
// crash or a lost connection can never leave a total claimed with no payment behind it, nor an
// index pointing at a payment that has moved on.

// KEYS: open amounts, payment hash, expired amounts, paid amounts, deadlines.
// ARGV: total, id, doc, expiry time. 1 when the total was free and the payment is open now.
// The payment is written before the total is claimed: a script that fails part-way is not rolled
// back, and a payment without a claimed total is harmless where a claimed total without one is not.
const openScript = `
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then return 0 end
redis.call('HSET', KEYS[2], 'status', 'open', 'doc', ARGV[3])
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('HDEL', KEYS[3], ARGV[1])
redis.call('HDEL', KEYS[4], ARGV[1])
redis.call('ZADD', KEYS[5], ARGV[4], ARGV[2])
return 1
`;

type OpenCommand = (openAmounts: string, payment: string, expiredAmounts: string, paidAmounts: string, deadlines: string, total: string, id: string, doc: string, expiresAt: number) => Promise<number>;

// KEYS: payment hash, open amounts, expired amounts, paid amounts, deadlines.
// ARGV: expected status, new status, new doc, id, total, "1" to remember the total as expired,
// "1" to remember it as paid by hand. 1 when moved (and the indexes updated with it), 0 when the
// payment was not in the expected status.
const moveScript = `
if redis.call('HGET', KEYS[1], 'status') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'status', ARGV[2], 'doc', ARGV[3])
if redis.call('HGET', KEYS[2], ARGV[5]) == ARGV[4] then redis.call('HDEL', KEYS[2], ARGV[5]) end
redis.call('ZREM', KEYS[5], ARGV[4])
if ARGV[6] == '1' then redis.call('HSET', KEYS[3], ARGV[5], ARGV[4])
elseif redis.call('HGET', KEYS[3], ARGV[5]) == ARGV[4] then redis.call('HDEL', KEYS[3], ARGV[5]) end
if ARGV[7] == '1' then redis.call('HSET', KEYS[4], ARGV[5], ARGV[4]) end
return 1
`;

type MoveCommand = (
  payment: string,
  openAmounts: string,
  expiredAmounts: string,
  paidAmounts: string,
  deadlines: string,
  expected: string,
  next: string,
  doc: string,
  id: string,
  total: string,
  rememberExpired: "0" | "1",
  rememberPaid: "0" | "1",
) => Promise<number>;

// KEYS: payment hash, paid amounts. ARGV: total, id, doc as read, new doc. 1 when the total was
// remembered for this payment and is now forgotten with the new doc written; 0 when it was not
// remembered for it (never confirmed by hand, or its report matched already); -1 when the payment
// changed since it was read.
const matchReportScript = `
if redis.call('HGET', KEYS[2], ARGV[1]) ~= ARGV[2] then return 0 end
if redis.call('HGET', KEYS[1], 'doc') ~= ARGV[3] then return -1 end
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('HSET', KEYS[1], 'doc', ARGV[4])
return 1
`;

type MatchReportCommand = (payment: string, paidAmounts: string, total: string, id: string, readDoc: string, doc: string) => Promise<number>;

/** Prefix of top-up payment ids. */
export const topupIdPattern = /^TOP-[A-Z0-9]{8,}$/;

export function newTopupId(): string {
  return `TOP-${randomBytes(6).toString("hex").toUpperCase().slice(0, 10)}`;
}

export class PaymentStore {
  private readonly openIfFree: OpenCommand;
  private readonly moveIfIn: MoveCommand;
  private readonly matchIfRemembered: MatchReportCommand;

  constructor(
    private readonly redis: Redis,
    /** Largest unique code added to a total (0 = none, only for tests and gateways with references). */
    private readonly uniqueCodeMax: number,
  ) {
    this.openIfFree = defineScript<OpenCommand>(redis, "paymentOpen", 5, openScript);
    this.moveIfIn = defineScript<MoveCommand>(redis, "paymentMove", 5, moveScript);
    this.matchIfRemembered = defineScript<MatchReportCommand>(redis, "paymentMatchReport", 2, matchReportScript);
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
      const payment: Payment = { ...input, uniqueCode, amount, status: "open" };
      // Claiming the total also takes it from any expired or hand-paid payment that had it:
      // money for it can no longer mean an older one.
      const opened = await this.openIfFree(
        keys.paymentOpenAmounts(),
        keys.payment(payment.id),
        keys.paymentExpiredAmounts(),
        keys.paymentPaidAmounts(),
        keys.paymentDeadlines(),
        String(amount),
        payment.id,
        JSON.stringify(payment),
        payment.expiresAt,
      );
      if (opened === 1) return payment;
    }
    throw new Error(`no free unique amount near ${input.baseAmount}`);
  }

  async get(id: string): Promise<Payment | null> {
    const raw = await this.redis.hget(keys.payment(id), "doc");
    return raw ? paymentSchema.parse(JSON.parse(raw)) : null;
  }

  /** The open payment waiting for exactly `amount`, if any. */
  async findOpenByAmount(amount: number): Promise<Payment | null> {
    const id = await this.redis.hget(keys.paymentOpenAmounts(), String(amount));
    return id ? this.get(id) : null;
  }

  /** A payment confirmed by hand with exactly this total whose gateway report is not matched yet, if any. */
  async findPaidByAmount(amount: number): Promise<Payment | null> {
    const id = await this.redis.hget(keys.paymentPaidAmounts(), String(amount));
    return id ? this.get(id) : null;
  }

  /** A payment that expired unpaid with exactly this total (a late payer), if remembered. */
  async findExpiredByAmount(amount: number): Promise<Payment | null> {
    const id = await this.redis.hget(keys.paymentExpiredAmounts(), String(amount));
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
    const moved = await this.moveIfIn(
      keys.payment(id),
      keys.paymentOpenAmounts(),
      keys.paymentExpiredAmounts(),
      keys.paymentPaidAmounts(),
      keys.paymentDeadlines(),
      from,
      to,
      JSON.stringify(next),
      id,
      String(next.amount),
      to === "expired" ? "1" : "0",
      // Confirmed by hand (not by the gateway, no gateway reference): the gateway's own report of
      // the same money may still come, and must be recognised as this payment (once, see
      // matchReport), not reported as unmatched money.
      to === "paid" && !next.reference && !next.reportedByGateway ? "1" : "0",
    );
    if (moved !== 1) return null;
    return next;
  }

  /**
   * Matches the gateway's report of money to payment `id`, confirmed by hand, at most once: while
   * its total is remembered for it, forgets the total and records the report (and its reference)
   * on the payment, in one step. Null when there is nothing to match: the payment was not
   * confirmed by hand, or a report was matched to it already; later money of the same total is
   * then someone else's.
   */
  async matchReport(id: string, reference?: string): Promise<Payment | null> {
    for (let attempt = 0; attempt < 10; attempt++) {
      const raw = await this.redis.hget(keys.payment(id), "doc");
      if (!raw) return null;
      const current = paymentSchema.parse(JSON.parse(raw));
      if (current.status !== "paid" || current.reference || current.reportedByGateway) return null;
      const next: Payment = { ...current, reportedByGateway: true, ...(reference ? { reference } : {}) };
      const matched = await this.matchIfRemembered(keys.payment(id), keys.paymentPaidAmounts(), String(current.amount), id, raw, JSON.stringify(next));
      if (matched === 1) return next;
      if (matched === 0) return null;
      // The payment changed between the read and the script: read it again.
    }
    return null;
  }

  /** Claims payments past their expiry; each id goes to exactly one caller. */
  async claimExpired(now = Date.now(), limit = 100): Promise<string[]> {
    return claimDue(this.redis, keys.paymentDeadlines(), now, limit);
  }

  /** Records a callback reference; false when it was seen before (a replay). */
  async rememberReference(reference: string): Promise<boolean> {
    return (await this.redis.sadd(keys.paymentReferences(), reference)) === 1;
  }

  async forgetReference(reference: string): Promise<void> {
    await this.redis.srem(keys.paymentReferences(), reference);
  }
}
