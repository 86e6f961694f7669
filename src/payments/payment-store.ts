/**
 * Open QRIS payments: one per order paid by the owner's QRIS, or per wallet top-up.
 *
 * Each open payment holds a unique total (price + a small code), so money arriving for that
 * exact amount identifies it. A total is claimed only while free, in the same script that writes
 * the payment, so two open payments can never share one; a payment's status moves open → paid |
 * expired by compare-and-set, in the same script that updates the totals and deadlines, so
 * confirming twice (two admins, a callback plus an admin, a retried callback) has the effect of once.
 * The total of an expired payment stays held for a day (a late payer of that QR is its buyer);
 * one buyer holds at most a few open payments; a move to paid marks the payment unsettled and
 * records its callback reference in the same step, so a crash before its money is applied is
 * found again.
 */
import { randomBytes, randomInt } from "node:crypto";
import { z } from "zod";
import { channels } from "../core/inbound.js";
import { locales } from "../core/message.js";
import { claimDue } from "../store/deadlines.js";
import { keys } from "../store/keys.js";
import { defineScript, type Redis } from "../store/redis.js";

export const paymentKinds = ["order", "topup"] as const;

/** What a payment remembers of the gateway charge that serves it. */
export const gatewayRecordSchema = z.object({
  id: z.string().min(1),
  transactionId: z.string().min(1),
  /** What the payer is asked to pay (the gateway's total). */
  total: z.number().int().positive(),
  /** The gateway's fee for this charge. */
  fee: z.number().int().min(0),
  /** True when `total` includes `fee`. */
  feeOnPayer: z.boolean(),
  /** What the wallet is credited when `total` arrives (the payer's fee kept out when the buyer pays it). */
  credit: z.number().int().positive(),
  /** The fee the shop bears (a cost in /stats): its part of `fee`, plus a split fee's merchant part. */
  feeCost: z.number().int().min(0),
  /**
   * When the gateway itself expires the QR (ms). It may outlive our payment (Tripay raises short
   * expiries to a channel minimum; Pakasir takes none), so an expired payment's charge is still
   * asked about until then plus a margin. Absent on records made before it was kept: our expiry.
   */
  expiresAt: z.number().optional(),
});
export type GatewayRecord = z.infer<typeof gatewayRecordSchema>;

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
  /** What it pays for (`topup:<amount>`, `order:<product>`): a buyer's newer payment for the same purpose replaces it. */
  purpose: z.string().optional(),
  /** Replaced by this newer payment of the same buyer, which took over its total. */
  replacedBy: z.string().optional(),
  /**
   * A top-up that pays a subscription's renewal ("Perpanjang" by QRIS): once its money is
   * credited, the renewal of the period ending at `from` is applied through the wallet.
   */
  renewal: z.object({ orderId: z.string(), from: z.number().int(), months: z.number().int().min(1).max(12) }).optional(),
  /**
   * Served by a QRIS gateway (Midtrans, Tripay, Pakasir) instead of the owner's static QRIS: one
   * gateway transaction per payment. Such a payment holds no unique total (`uniqueCode` 0, no
   * amount index): the gateway names it by our id. `amount` stays what the wallet moves for it
   * (the base amount); `total` is what the payer is asked, `credit` what the wallet gets when
   * `total` arrives (see `gatewayCredit` in payment-service.ts), `feeCost` the fee the shop bears.
   */
  gateway: gatewayRecordSchema.optional(),
});
export type Payment = z.infer<typeof paymentSchema>;

// Every write of a payment and of the indexes that point at it happens inside one script, so a
// crash or a lost connection can never leave a total claimed with no payment behind it, nor an
// index pointing at a payment that has moved on.

/** How long the total of an expired payment stays its own: a late payer of that QR is always its buyer. */
export const expiredTotalHoldMs = 24 * 3_600_000;

// KEYS: open amounts, held-until. ARGV: base amount, lowest code, highest code, now.
// {used, {free codes}}: the codes of this price whose total is neither open nor held.
const freeCodesScript = `
local free = {}
local used = 0
local base = tonumber(ARGV[1])
local now = tonumber(ARGV[4])
for code = tonumber(ARGV[2]), tonumber(ARGV[3]) do
  local total = tostring(base + code)
  local held = redis.call('HGET', KEYS[2], total)
  if redis.call('HEXISTS', KEYS[1], total) == 1 or (held and tonumber(held) > now) then used = used + 1
  else free[#free + 1] = code end
end
return {used, free}
`;

type FreeCodesCommand = (openAmounts: string, heldUntil: string, base: string, low: string, high: string, now: number) => Promise<[number, number[]]>;

// KEYS: open amounts, payment hash, expired amounts, paid amounts, deadlines, held-until, buyer's open payments.
// ARGV: total, id, doc, expiry time, now, most open payments per buyer, purpose.
// 1 when the total was free and the payment is open now; 0 when the total is taken or held;
// -1 when the buyer already has the most open payments allowed.
// The payment is written before the total is claimed: a script that fails part-way is not rolled
// back, and a payment without a claimed total is harmless where a claimed total without one is not.
const openScript = `
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then return 0 end
local held = redis.call('HGET', KEYS[6], ARGV[1])
if held and tonumber(held) > tonumber(ARGV[5]) then return 0 end
if redis.call('HLEN', KEYS[7]) >= tonumber(ARGV[6]) then return -1 end
redis.call('HSET', KEYS[2], 'status', 'open', 'doc', ARGV[3])
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('HDEL', KEYS[3], ARGV[1])
redis.call('HDEL', KEYS[4], ARGV[1])
redis.call('HDEL', KEYS[6], ARGV[1])
redis.call('ZADD', KEYS[5], ARGV[4], ARGV[2])
redis.call('HSET', KEYS[7], ARGV[2], ARGV[7])
return 1
`;

type OpenCommand = (
  openAmounts: string,
  payment: string,
  expiredAmounts: string,
  paidAmounts: string,
  deadlines: string,
  heldUntil: string,
  buyerOpen: string,
  total: string,
  id: string,
  doc: string,
  expiresAt: number,
  now: number,
  maxOpen: number,
  purpose: string,
) => Promise<number>;

// KEYS: open amounts, old payment hash, new payment hash, deadlines, buyer's open payments.
// ARGV: total, old id, old doc (expired, replaced), new id, new doc, new expiry, purpose.
// The newer payment takes the older one's total in the same step that ends the older one: money
// for that total (a late scan of the old QR) then pays the same buyer's same purpose, and a buyer
// asking again and again holds one total, not one per request.
const replaceScript = `
if redis.call('HGET', KEYS[2], 'status') ~= 'open' then return 0 end
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[2], 'status', 'expired', 'doc', ARGV[3])
redis.call('ZREM', KEYS[4], ARGV[2])
redis.call('HDEL', KEYS[5], ARGV[2])
redis.call('HSET', KEYS[3], 'status', 'open', 'doc', ARGV[5])
redis.call('HSET', KEYS[1], ARGV[1], ARGV[4])
redis.call('ZADD', KEYS[4], ARGV[6], ARGV[4])
redis.call('HSET', KEYS[5], ARGV[4], ARGV[7])
return 1
`;

type ReplaceCommand = (
  openAmounts: string,
  oldPayment: string,
  newPayment: string,
  deadlines: string,
  buyerOpen: string,
  total: string,
  oldId: string,
  oldDoc: string,
  newId: string,
  newDoc: string,
  expiresAt: number,
  purpose: string,
) => Promise<number>;

// KEYS: payment hash, open amounts, expired amounts, paid amounts, deadlines, held-until, buyer's
// open payments, reference outcomes, unsettled payments, gateway polls.
// ARGV: expected status, new status, new doc, id, total ("" for a gateway payment, which holds no
// total), "1" to remember the total as expired, "1" to remember it as paid by hand, held until
// (ms), the callback reference ("" for none).
// 1 when moved (and the indexes updated with it), 0 when the payment was not in the expected
// status, -1 when the reference already did something else.
// A move to paid marks the payment unsettled in the same step, so a crash before its money is
// applied leaves it for the sweep; the reference is recorded in the same step too, so the
// gateway's retry finds the payment its money went to. Only a move to paid ends a gateway
// payment's status polls: an expired one is still asked about (late money with a lost
// notification), until the service ends its polls.
const moveScript = `
if redis.call('HGET', KEYS[1], 'status') ~= ARGV[1] then return 0 end
if ARGV[9] ~= '' then
  local owner = redis.call('HGET', KEYS[8], ARGV[9])
  if owner and owner ~= 'pay:' .. ARGV[4] then return -1 end
end
redis.call('HSET', KEYS[1], 'status', ARGV[2], 'doc', ARGV[3])
redis.call('ZREM', KEYS[5], ARGV[4])
if ARGV[2] == 'paid' then redis.call('ZREM', KEYS[10], ARGV[4]) end
redis.call('HDEL', KEYS[7], ARGV[4])
if ARGV[5] ~= '' then
  if redis.call('HGET', KEYS[2], ARGV[5]) == ARGV[4] then redis.call('HDEL', KEYS[2], ARGV[5]) end
  if ARGV[6] == '1' then
    redis.call('HSET', KEYS[3], ARGV[5], ARGV[4])
    redis.call('HSET', KEYS[6], ARGV[5], ARGV[8])
  elseif redis.call('HGET', KEYS[3], ARGV[5]) == ARGV[4] then redis.call('HDEL', KEYS[3], ARGV[5]) end
  if ARGV[7] == '1' then redis.call('HSET', KEYS[4], ARGV[5], ARGV[4]) end
end
if ARGV[2] == 'paid' then redis.call('SADD', KEYS[9], ARGV[4]) end
if ARGV[9] ~= '' then redis.call('HSET', KEYS[8], ARGV[9], 'pay:' .. ARGV[4]) end
return 1
`;

type MoveCommand = (
  payment: string,
  openAmounts: string,
  expiredAmounts: string,
  paidAmounts: string,
  deadlines: string,
  heldUntil: string,
  buyerOpen: string,
  referenceOutcomes: string,
  unsettled: string,
  gatewayPolls: string,
  expected: string,
  next: string,
  doc: string,
  id: string,
  total: string,
  rememberExpired: "0" | "1",
  rememberPaid: "0" | "1",
  heldUntilMs: number,
  reference: string,
) => Promise<number>;

// KEYS: payment hash, paid amounts, reference outcomes. ARGV: total, id, doc as read, new doc,
// reference ("" for none). 1 when the total was remembered for this payment and is now forgotten
// with the new doc written; 0 when it was not remembered for it (never confirmed by hand, or its
// report matched already); -1 when the payment changed since it was read.
const matchReportScript = `
if redis.call('HGET', KEYS[2], ARGV[1]) ~= ARGV[2] then return 0 end
if redis.call('HGET', KEYS[1], 'doc') ~= ARGV[3] then return -1 end
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('HSET', KEYS[1], 'doc', ARGV[4])
if ARGV[5] ~= '' then redis.call('HSET', KEYS[3], ARGV[5], 'pay:' .. ARGV[2]) end
return 1
`;

// KEYS: payment hash, deadlines, buyer's open payments, gateway polls.
// ARGV: id, doc, expiry time, most open payments per buyer, purpose, first poll time.
// 1 when open now; 0 when the id is taken; -1 when the buyer already has the most open payments.
// A gateway payment claims no total: the gateway names it by our id.
const openGatewayScript = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
if redis.call('HLEN', KEYS[3]) >= tonumber(ARGV[4]) then return -1 end
redis.call('HSET', KEYS[1], 'status', 'open', 'doc', ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
redis.call('HSET', KEYS[3], ARGV[1], ARGV[5])
redis.call('ZADD', KEYS[4], ARGV[6], ARGV[1])
return 1
`;

type OpenGatewayCommand = (
  payment: string,
  deadlines: string,
  buyerOpen: string,
  polls: string,
  id: string,
  doc: string,
  expiresAt: number,
  maxOpen: number,
  purpose: string,
  firstPollAt: number,
) => Promise<number>;

// KEYS: count, alert marker. ARGV: window (ms). The events counted since the admins were last
// told (this one included) when they are to be told now; 0 while the window since then runs.
const burstScript = `
local n = redis.call('INCR', KEYS[1])
if redis.call('SET', KEYS[2], '1', 'PX', ARGV[1], 'NX') then
  redis.call('DEL', KEYS[1])
  return n
end
return 0
`;

type BurstCommand = (count: string, marker: string, windowMs: number) => Promise<number>;

// KEYS: gateway polls. ARGV: now, lease until, most ids. Claims due ids by moving their due time
// to the lease's end, in one step: each id goes to one caller per lease, and none is ever removed
// here, so a crash or a throw mid-run only delays a poll until the lease ends.
const leasePollsScript = `
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
for _, id in ipairs(due) do redis.call('ZADD', KEYS[1], ARGV[2], id) end
return due
`;

type LeasePollsCommand = (polls: string, now: number, leaseUntil: number, limit: number) => Promise<string[]>;

type MatchReportCommand = (payment: string, paidAmounts: string, referenceOutcomes: string, total: string, id: string, readDoc: string, doc: string, reference: string) => Promise<number>;

/** Why no payment could be opened. */
export type OpenRefusal = "full" | "buyer_limit";

export type OpenResult =
  | { ok: true; payment: Payment; /** Totals of this price in use (open or held), this one included. */ poolUsed: number; poolSize: number }
  | { ok: false; reason: OpenRefusal };

/** Prefix of top-up payment ids. */
export const topupIdPattern = /^TOP-[A-Z0-9]{8,}$/;

export function newTopupId(): string {
  return `TOP-${randomBytes(6).toString("hex").toUpperCase().slice(0, 10)}`;
}

export type OpenInput = Omit<Payment, "uniqueCode" | "amount" | "status"> & { purpose: string };

export class PaymentStore {
  private readonly freeCodesOf: FreeCodesCommand;
  private readonly openIfFree: OpenCommand;
  private readonly replaceIfOpen: ReplaceCommand;
  private readonly moveIfIn: MoveCommand;
  private readonly matchIfRemembered: MatchReportCommand;
  private readonly openGatewayIfFree: OpenGatewayCommand;
  private readonly burst: BurstCommand;
  private readonly leasePolls: LeasePollsCommand;

  constructor(
    private readonly redis: Redis,
    /** Largest unique code added to a total (0 = none, only for tests and gateways with references). */
    private readonly uniqueCodeMax: number,
    /** Most open payments one buyer may hold at once. */
    private readonly maxOpenPerBuyer = 3,
  ) {
    this.freeCodesOf = defineScript<FreeCodesCommand>(redis, "paymentFreeCodes", 2, freeCodesScript);
    // Durable: the buyer is shown a QR for this total; lost in a failover, the total would be free
    // for another buyer, and money sent for it could confirm their order instead (or none).
    this.openIfFree = defineScript<OpenCommand>(redis, "paymentOpen2", 7, openScript, { durable: true });
    // Durable: as open — the newer QR shown to the buyer takes over the older one's total.
    this.replaceIfOpen = defineScript<ReplaceCommand>(redis, "paymentReplace", 5, replaceScript, { durable: true });
    this.moveIfIn = defineScript<MoveCommand>(redis, "paymentMove4", 10, moveScript, { durable: true });
    // Durable: the gateway already holds a charge the buyer was shown; lost, its callback would
    // find no payment and its status would never be polled.
    this.openGatewayIfFree = defineScript<OpenGatewayCommand>(redis, "paymentOpenGateway", 4, openGatewayScript, { durable: true });
    this.burst = defineScript<BurstCommand>(redis, "paymentBurst", 2, burstScript);
    this.leasePolls = defineScript<LeasePollsCommand>(redis, "paymentLeasePolls", 1, leasePollsScript);
    this.matchIfRemembered = defineScript<MatchReportCommand>(redis, "paymentMatchReport2", 3, matchReportScript, { durable: true });
  }

  /** How many totals one price has. */
  get poolSize(): number {
    return this.uniqueCodeMax === 0 ? 1 : this.uniqueCodeMax;
  }

  /**
   * Opens a payment with a total no other open payment has and no expired one still holds,
   * picked at random among the free ones; refuses when none is free or the buyer holds the most
   * open payments allowed, rather than share a total.
   */
  async open(input: OpenInput): Promise<OpenResult> {
    const low = this.uniqueCodeMax === 0 ? 0 : 1;
    for (let attempt = 0; attempt < 10; attempt++) {
      const now = Date.now();
      const [used, free] = await this.freeCodesOf(keys.paymentOpenAmounts(), keys.paymentHeldUntil(), String(input.baseAmount), String(low), String(this.uniqueCodeMax), now);
      if (free.length === 0) return { ok: false, reason: "full" };
      const uniqueCode = Number(free[randomInt(free.length)]);
      const amount = input.baseAmount + uniqueCode;
      const payment: Payment = { ...input, uniqueCode, amount, status: "open" };
      // Claiming the total also takes it from any hand-paid payment, or an expired one past its
      // hold: money for it can no longer mean an older one.
      const opened = await this.openIfFree(
        keys.paymentOpenAmounts(),
        keys.payment(payment.id),
        keys.paymentExpiredAmounts(),
        keys.paymentPaidAmounts(),
        keys.paymentDeadlines(),
        keys.paymentHeldUntil(),
        keys.paymentsOpenOfBuyer(payment.buyer),
        String(amount),
        payment.id,
        JSON.stringify(payment),
        payment.expiresAt,
        now,
        this.maxOpenPerBuyer,
        input.purpose,
      );
      if (opened === 1) return { ok: true, payment, poolUsed: used + 1, poolSize: this.poolSize };
      if (opened === -1) return { ok: false, reason: "buyer_limit" };
      // Someone took that total meanwhile: look again.
    }
    return { ok: false, reason: "full" };
  }

  /**
   * Opens `input` in place of `older` (same buyer, purpose and price), on older's total, in one
   * step. Null when older is no longer open (paid or expired meanwhile).
   */
  async replace(older: Payment, input: OpenInput): Promise<Payment | null> {
    const payment: Payment = { ...input, uniqueCode: older.uniqueCode, amount: older.amount, status: "open" };
    const ended: Payment = { ...older, status: "expired", replacedBy: payment.id };
    const replaced = await this.replaceIfOpen(
      keys.paymentOpenAmounts(),
      keys.payment(older.id),
      keys.payment(payment.id),
      keys.paymentDeadlines(),
      keys.paymentsOpenOfBuyer(older.buyer),
      String(older.amount),
      older.id,
      JSON.stringify(ended),
      payment.id,
      JSON.stringify(payment),
      payment.expiresAt,
      input.purpose,
    );
    return replaced === 1 ? payment : null;
  }

  /**
   * Opens a payment served by a gateway (its charge made already): no total is claimed, the
   * buyer's limit still holds, and its first status poll is scheduled at `firstPollAt`.
   */
  async openGateway(input: OpenInput, gateway: GatewayRecord, firstPollAt: number): Promise<OpenResult> {
    const payment: Payment = { ...input, uniqueCode: 0, amount: input.baseAmount, status: "open", gateway };
    const opened = await this.openGatewayIfFree(
      keys.payment(payment.id),
      keys.paymentDeadlines(),
      keys.paymentsOpenOfBuyer(payment.buyer),
      keys.paymentGatewayPolls(),
      payment.id,
      JSON.stringify(payment),
      payment.expiresAt,
      this.maxOpenPerBuyer,
      input.purpose,
      firstPollAt,
    );
    if (opened === 1) return { ok: true, payment, poolUsed: 0, poolSize: this.poolSize };
    if (opened === -1) return { ok: false, reason: "buyer_limit" };
    throw new Error(`payment ${payment.id} exists already`);
  }

  /**
   * Claims gateway payments whose status is due to be asked, for `leaseMs`: their due time moves
   * to `now + leaseMs` in the same step, so each id goes to one caller per lease, and an id the
   * caller never gets to (a crash, a throw, a run out of time) is due again when the lease ends.
   * Nothing is removed here; {@link endPolls} does that once the payment is final.
   */
  async claimPolls(now = Date.now(), leaseMs = 120_000, limit = 100): Promise<string[]> {
    return this.leasePolls(keys.paymentGatewayPolls(), now, now + leaseMs, limit);
  }

  /** Asks a gateway payment's status again at `at`; a payment whose polls ended (paid meanwhile) is not put back. */
  async schedulePoll(id: string, at: number): Promise<void> {
    await this.redis.zadd(keys.paymentGatewayPolls(), "XX", at, id);
  }

  /** Asks a gateway payment's status no later than `at` (brings a later poll forward; never ends or adds one). */
  async pollNoLaterThan(id: string, at: number): Promise<void> {
    const next = await this.nextPoll(id);
    if (next !== null && next > at) await this.schedulePoll(id, at);
  }

  /** Stops asking about a gateway payment: it is paid, or its charge can no longer be paid. */
  async endPolls(id: string): Promise<void> {
    await this.redis.zrem(keys.paymentGatewayPolls(), id);
  }

  /** When a gateway payment is next asked about, or null when it no longer is. */
  async nextPoll(id: string): Promise<number | null> {
    const score = await this.redis.zscore(keys.paymentGatewayPolls(), id);
    return score === null ? null : Number(score);
  }

  /**
   * Counts one attempt to cancel an expired payment's charge; the attempts so far, this one
   * included. Kept beside the payment's doc (not in it), so counting never races a status move.
   */
  async countCancelAttempt(id: string): Promise<number> {
    return this.redis.hincrby(keys.payment(id), "cancelAttempts", 1);
  }

  /** The charge of an expired payment is cancelled at its gateway, or cannot be (no cancel call, no longer pending). */
  async markCancelDone(id: string): Promise<void> {
    await this.redis.hset(keys.payment(id), "cancelDone", "1");
  }

  /** How far cancelling a payment's charge got: done, and how many attempts were made. */
  async cancelState(id: string): Promise<{ done: boolean; attempts: number }> {
    const [done, attempts] = await this.redis.hmget(keys.payment(id), "cancelDone", "cancelAttempts");
    return { done: done === "1", attempts: Number(attempts ?? 0) };
  }

  /**
   * True for the first caller per `ttlMs` for `name` (shared by every process): at most one
   * notification-driven status call per payment per window, an alert told once.
   */
  async firstIn(name: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.set(keys.paymentGate(name), "1", "PX", ttlMs, "NX")) === "OK";
  }

  /** Opens a gate {@link firstIn} closed (the call it guarded did not happen: the gateway was down). */
  async reopen(name: string): Promise<void> {
    await this.redis.del(keys.paymentGate(name));
  }

  /** Records the gateway fee the shop bore for a paid payment, once (a repeat keeps the first). */
  async recordFee(id: string, fee: number, paidAt: number): Promise<void> {
    if (fee <= 0) return;
    await this.redis.hsetnx(keys.paymentGatewayFees(), id, String(fee));
    await this.redis.zadd(keys.paymentGatewayFeesByTime(), "NX", paidAt, id);
  }

  /** The gateway fees the shop bore for payments paid at or after `since`. */
  async feesSince(since: number): Promise<number> {
    const ids = await this.redis.zrangebyscore(keys.paymentGatewayFeesByTime(), since, "+inf");
    if (ids.length === 0) return 0;
    const fees = await this.redis.hmget(keys.paymentGatewayFees(), ...ids);
    return fees.reduce((sum, fee) => sum + Number(fee ?? 0), 0);
  }

  /**
   * Counts one event of kind `name` (a gateway's failure, a rejected notification) and says
   * whether to tell the admins now: the count since they were last told, or 0 while the window
   * since then (`windowMs`) runs. Shared by every process through Redis.
   */
  async burstAlert(name: string, windowMs: number): Promise<number> {
    return Number(await this.burst(keys.paymentBurstCount(name), keys.paymentBurstAlert(name), windowMs));
  }

  /** The open payments of a buyer. */
  async openOfBuyer(buyer: string): Promise<Payment[]> {
    const ids = await this.redis.hkeys(keys.paymentsOpenOfBuyer(buyer));
    const found = await Promise.all(ids.map((id) => this.get(id)));
    return found.filter((payment): payment is Payment => payment?.status === "open");
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
   * was not in `from` (someone else moved it first), or when `patch.reference` already did
   * something else (a reference is accepted once).
   */
  async move(id: string, from: Payment["status"], to: Payment["status"], patch: Partial<Payment> = {}): Promise<Payment | null> {
    const current = await this.get(id);
    if (!current || current.status !== from) return null;
    const next: Payment = { ...current, ...patch, status: to };
    const reference = patch.reference ?? "";
    const moved = await this.moveIfIn(
      keys.payment(id),
      keys.paymentOpenAmounts(),
      keys.paymentExpiredAmounts(),
      keys.paymentPaidAmounts(),
      keys.paymentDeadlines(),
      keys.paymentHeldUntil(),
      keys.paymentsOpenOfBuyer(current.buyer),
      keys.paymentReferenceOutcomes(),
      keys.paymentsUnsettled(),
      keys.paymentGatewayPolls(),
      from,
      to,
      JSON.stringify(next),
      id,
      // A gateway payment holds no total: its amount must never touch the static totals' indexes.
      next.gateway ? "" : String(next.amount),
      to === "expired" ? "1" : "0",
      // Confirmed by hand (not by the gateway, no gateway reference): the gateway's own report of
      // the same money may still come, and must be recognised as this payment (once, see
      // matchReport), not reported as unmatched money.
      to === "paid" && !next.reference && !next.reportedByGateway ? "1" : "0",
      Date.now() + expiredTotalHoldMs,
      reference,
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
      const matched = await this.matchIfRemembered(
        keys.payment(id),
        keys.paymentPaidAmounts(),
        keys.paymentReferenceOutcomes(),
        String(current.amount),
        id,
        raw,
        JSON.stringify(next),
        reference ?? "",
      );
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

  /** What a callback reference did before (`pay:<id>`, `extra:<id>`, `none`), or null when it is new. */
  async referenceOutcome(reference: string): Promise<string | null> {
    const outcome = await this.redis.hget(keys.paymentReferenceOutcomes(), reference);
    if (outcome !== null) return outcome;
    // Remembered before outcomes were recorded: still a reference that was used.
    return (await this.redis.sismember(keys.paymentReferences(), reference)) === 1 ? "none" : null;
  }

  /** Records what a reference did; false when it had been recorded already (another call got there first). */
  async recordReference(reference: string, outcome: string): Promise<boolean> {
    return (await this.redis.hsetnx(keys.paymentReferenceOutcomes(), reference, outcome)) === 1;
  }

  /** Paid payments whose money may not be fully applied yet. */
  unsettled(): Promise<string[]> {
    return this.redis.smembers(keys.paymentsUnsettled());
  }

  /** The money of a paid payment is fully applied. */
  async markSettled(id: string): Promise<void> {
    await this.redis.srem(keys.paymentsUnsettled(), id);
  }

  /** True for the first caller per `ttlMs` (an alert told once, not on every payment). */
  async firstPoolAlert(baseAmount: number, ttlMs: number): Promise<boolean> {
    return (await this.redis.set(keys.paymentPoolAlert(baseAmount), "1", "PX", ttlMs, "NX")) === "OK";
  }
}
