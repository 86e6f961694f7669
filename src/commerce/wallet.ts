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
import { scanKeys } from "../store/scan.js";
import type { Rupiah } from "../core/money.js";

export const ledgerReasons = ["topup", "purchase", "refund", "manual", "late_payment", "overpayment", "sandbox_topup", "referral", "referral_reversal"] as const;
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

// KEYS: wallet, ledger, ledger-ids. ARGV: most to take (positive), entry id, entry JSON before
// and after its amount. Takes what the balance covers, up to ARGV[1] (possibly 0), and keeps the
// amount taken as the id's value. Returns {status, balance, taken}: 1 applied, 0 duplicate (with
// what was taken then).
const takeUpToScript = `
local balance = tonumber(redis.call('GET', KEYS[1]) or '0')
local earlier = redis.call('HGET', KEYS[3], ARGV[2])
if earlier then return {0, balance, tonumber(earlier) or 0} end
local take = math.min(tonumber(ARGV[1]), math.max(balance, 0))
local amount = '0'
if take > 0 then
  balance = redis.call('INCRBY', KEYS[1], -take)
  amount = tostring(-take)
end
redis.call('RPUSH', KEYS[2], ARGV[3] .. amount .. ARGV[4])
redis.call('HSET', KEYS[3], ARGV[2], tostring(take))
return {1, balance, take}
`;

type TakeUpToCommand = (wallet: string, ledger: string, ids: string, most: number, id: string, before: string, after: string) => Promise<[number, number, number]>;

type MoveCommand = (wallet: string, ledger: string, ids: string, amount: number, id: string, entry: string) => Promise<[number, number]>;

export class Wallet {
  private readonly move: MoveCommand;
  private readonly takeUpTo: TakeUpToCommand;

  constructor(private readonly redis: Redis) {
    this.move = defineScript<MoveCommand>(redis, "walletMove", 3, moveScript, { durable: true });
    this.takeUpTo = defineScript<TakeUpToCommand>(redis, "walletTakeUpTo", 3, takeUpToScript, { durable: true });
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

  /**
   * Takes up to `most` rupiah, as much as the balance covers (possibly nothing), in one ledger
   * entry (amount 0 when nothing was there): a claw-back that must not fail, such as a referral
   * reward whose order was refunded. Idempotent per `entry.id`: a repeat takes nothing more and
   * answers what the first one took, so the caller can record the rest as owed, deterministically.
   *
   * @example
   * const { taken } = await wallet.debitUpTo(referrer, 360, { id: ledgerIds.referralReversal(orderId), reason: "referral_reversal", orderId });
   */
  async debitUpTo(buyer: string, most: Rupiah, entry: Omit<LedgerEntry, "amount" | "at">): Promise<{ applied: boolean; taken: Rupiah; balance: Rupiah }> {
    if (!Number.isSafeInteger(most) || most <= 0) throw new RangeError(`debit amount must be a positive whole rupiah, got ${most}`);
    // The entry is written by the script, which alone knows the amount: JSON around it.
    const rest = JSON.stringify({ ...entry, at: Date.now() });
    const [status, balance, taken] = await this.takeUpTo(keys.wallet(buyer), keys.ledger(buyer), keys.ledgerIds(buyer), most, entry.id, '{"amount":', `,${rest.slice(1)}`);
    return { applied: status === 1, taken: Number(taken), balance: Number(balance) };
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

  /**
   * Every buyer's ledger entries made between `from` and `to` (epoch ms, inclusive), oldest
   * first, at most `limit` (the newest; then `truncated`). There is no shop-wide time index: ledgers are found
   * with SCAN (`ledger:*`) and each is read from its newest end backwards, a page at a time, until
   * entries are older than `from` (a ledger is appended in time order; a minute of slack absorbs
   * clocks of several processes). Cost: one SCAN of the keyspace plus, per buyer with a ledger,
   * one page and the entries since `from` — fine for an admin's export, not for a hot path.
   */
  async entriesBetween(from: number, to: number, limit = 50_000): Promise<{ entries: { buyer: string; entry: LedgerEntry }[]; truncated: boolean }> {
    const page = 200;
    const slackMs = 60_000;
    const found: { buyer: string; entry: LedgerEntry }[] = [];
    const buyers = new Set<string>();
    await scanKeys(this.redis, "ledger:*", (batch) => {
      for (const key of batch) buyers.add(key.slice("ledger:".length));
    });
    for (const buyer of buyers) {
      let end = -1;
      for (;;) {
        const raw = await this.redis.lrange(keys.ledger(buyer), end - page + 1, end);
        const entries = raw.map((line) => ledgerEntrySchema.parse(JSON.parse(line)));
        for (const entry of entries) if (entry.at >= from && entry.at <= to) found.push({ buyer, entry });
        if (raw.length < page || entries[0]!.at < from - slackMs) break;
        end -= page;
      }
    }
    found.sort((a, b) => a.entry.at - b.entry.at || (a.buyer < b.buyer ? -1 : a.buyer > b.buyer ? 1 : 0));
    return { entries: found.length > limit ? found.slice(found.length - limit) : found, truncated: found.length > limit };
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
