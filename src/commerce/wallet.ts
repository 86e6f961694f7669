/**
 * Buyer wallets with an append-only ledger. Every money movement (top-up, purchase, refund,
 * manual credit, late payment) is one ledger entry; the balance is kept beside the ledger by the
 * same Lua script, so they can never disagree, and `verify()` checks that they don't.
 *
 * Each entry has an id (e.g. `pay:ORD-…`, `refund:ORD-…`); applying an id a second time does
 * nothing, which is what makes refunds and confirmations exactly-once across retries.
 */
import { z } from "zod";
import { keys } from "../store/keys.js";
import { defineScript, type Redis } from "../store/redis.js";
import type { Rupiah } from "../core/money.js";

export const ledgerReasons = ["topup", "purchase", "refund", "manual", "late_payment", "overpayment", "sandbox_topup"] as const;
export type LedgerReason = (typeof ledgerReasons)[number];

export const ledgerEntrySchema = z.object({
  id: z.string(),
  /** Signed rupiah: credits positive, debits negative. */
  amount: z.number().int(),
  reason: z.enum(ledgerReasons),
  orderId: z.string().optional(),
  note: z.string().optional(),
  /** Who caused it, for manual entries (an admin's id). */
  by: z.string().optional(),
  at: z.number(),
});
export type LedgerEntry = z.infer<typeof ledgerEntrySchema>;

export type MoveResult =
  | { ok: true; balance: Rupiah; applied: true }
  /** The entry id was applied before: nothing changed. */
  | { ok: true; balance: Rupiah; applied: false }
  | { ok: false; balance: Rupiah; reason: "insufficient" };

// KEYS: wallet, ledger, ledger-ids. ARGV: amount (signed), entry id, entry JSON.
// Returns {status, balance}: 1 applied, 0 duplicate, -1 insufficient.
const moveScript = `
local balance = tonumber(redis.call('GET', KEYS[1]) or '0')
if redis.call('HEXISTS', KEYS[3], ARGV[2]) == 1 then return {0, balance} end
local amount = tonumber(ARGV[1])
if amount < 0 and balance + amount < 0 then return {-1, balance} end
balance = redis.call('INCRBY', KEYS[1], amount)
redis.call('RPUSH', KEYS[2], ARGV[3])
redis.call('HSET', KEYS[3], ARGV[2], '1')
return {1, balance}
`;

type MoveCommand = (wallet: string, ledger: string, ids: string, amount: number, id: string, entry: string) => Promise<[number, number]>;

export class Wallet {
  private readonly move: MoveCommand;

  constructor(private readonly redis: Redis) {
    this.move = defineScript<MoveCommand>(redis, "walletMove", 3, moveScript, { durable: true });
  }

  async balance(buyer: string): Promise<Rupiah> {
    return Number((await this.redis.get(keys.wallet(buyer))) ?? 0);
  }

  /** Adds money. Idempotent per `entry.id`. */
  async credit(buyer: string, amount: Rupiah, entry: Omit<LedgerEntry, "amount" | "at">): Promise<MoveResult> {
    if (!Number.isSafeInteger(amount) || amount <= 0) throw new RangeError(`credit amount must be a positive whole rupiah, got ${amount}`);
    return this.apply(buyer, amount, entry);
  }

  /** Takes money if the balance covers it; never goes below zero. Idempotent per `entry.id`. */
  async debit(buyer: string, amount: Rupiah, entry: Omit<LedgerEntry, "amount" | "at">): Promise<MoveResult> {
    if (!Number.isSafeInteger(amount) || amount <= 0) throw new RangeError(`debit amount must be a positive whole rupiah, got ${amount}`);
    return this.apply(buyer, -amount, entry);
  }

  /** True when an entry with this id has been applied. */
  async hasEntry(buyer: string, id: string): Promise<boolean> {
    return (await this.redis.hexists(keys.ledgerIds(buyer), id)) === 1;
  }

  /** The newest `limit` ledger entries, newest first. */
  async ledger(buyer: string, limit = 20): Promise<LedgerEntry[]> {
    const raw = await this.redis.lrange(keys.ledger(buyer), -limit, -1);
    return raw.map((line) => ledgerEntrySchema.parse(JSON.parse(line))).reverse();
  }

  /** Checks the balance against the sum of the whole ledger. */
  async verify(buyer: string): Promise<{ balance: Rupiah; ledgerSum: Rupiah; consistent: boolean }> {
    const [balance, raw] = await Promise.all([this.balance(buyer), this.redis.lrange(keys.ledger(buyer), 0, -1)]);
    const ledgerSum = raw.reduce((sum, line) => sum + ledgerEntrySchema.parse(JSON.parse(line)).amount, 0);
    return { balance, ledgerSum, consistent: balance === ledgerSum };
  }

  private async apply(buyer: string, amount: number, entry: Omit<LedgerEntry, "amount" | "at">): Promise<MoveResult> {
    const full: LedgerEntry = { ...entry, amount, at: Date.now() };
    const [status, balance] = await this.move(
      keys.wallet(buyer),
      keys.ledger(buyer),
      keys.ledgerIds(buyer),
      amount,
      entry.id,
      JSON.stringify(full),
    );
    if (status === -1) return { ok: false, balance: Number(balance), reason: "insufficient" };
    return { ok: true, balance: Number(balance), applied: status === 1 };
  }
}
