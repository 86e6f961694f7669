/**
 * Orders: durable records in Redis with a state machine.
 *
 *   awaiting_payment → paid → placing → pending → delivered
 *                 ↘ expired       ↘      ↘ failed → refunded
 *
 * Every change is a compare-and-set on the record's revision (one Lua script), so two workers,
 * a retry or a double tap can never move an order twice: the loser sees the new state and stops.
 */
import { randomBytes } from "node:crypto";
import { z } from "zod";
import { keys } from "../store/keys.js";
import { defineScript, type Redis } from "../store/redis.js";
import { categoryIds, deliveryKinds, providerIds } from "../providers/types.js";
import { inputKinds } from "../providers/inputs.js";
import { channels } from "../core/inbound.js";
import { locales } from "../core/message.js";

export const orderStatuses = ["awaiting_payment", "paid", "placing", "pending", "delivered", "failed", "refunded", "expired"] as const;
export type OrderStatus = (typeof orderStatuses)[number];

/** Orders in these states have fulfilment work left: start-up resumes them, `settled` waits for them. */
export const unfinishedStatuses: ReadonlySet<OrderStatus> = new Set(["paid", "placing", "pending", "failed"]);

/** States an order never leaves. */
export const finalStatuses: ReadonlySet<OrderStatus> = new Set(["delivered", "refunded", "expired"]);

/** Which moves the state machine allows. */
const allowedMoves: Record<OrderStatus, readonly OrderStatus[]> = {
  // awaiting_payment → placing: provider QRIS, where the order is placed first and the buyer
  // pays the provider; such an order that is never paid ends expired, never refunded.
  awaiting_payment: ["paid", "expired", "placing"],
  paid: ["placing", "failed"],
  // placing → paid: the provider turned the call away (429/503) and it will be tried again.
  placing: ["pending", "delivered", "failed", "paid", "expired"],
  pending: ["delivered", "failed", "expired"],
  // failed → paid: an admin's /retry of an order that was never refunded.
  failed: ["refunded", "paid"],
  // delivered → refunded: an admin's refund of goods that did not work (`/refund <id> <reason>`).
  delivered: ["refunded"],
  refunded: [],
  expired: [],
};

export function canMove(from: OrderStatus, to: OrderStatus): boolean {
  return allowedMoves[from].includes(to);
}

const productSnapshotSchema = z.object({
  code: z.string(),
  provider: z.enum(providerIds),
  sku: z.string(),
  name: z.string(),
  category: z.enum(categoryIds),
  group: z.string(),
  basePrice: z.number().int(),
  stock: z.number().int().nullable(),
  input: z.enum(inputKinds),
  delivery: z.enum(deliveryKinds),
  meta: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
});

const orderSchema = z.object({
  id: z.string(),
  buyer: z.string(),
  channel: z.enum(channels),
  chatId: z.string(),
  locale: z.enum(locales),
  /** The product as it was when ordered: what the provider needs to place and follow it. */
  product: productSnapshotSchema,
  inputs: z.record(z.string(), z.string()),
  /** Units bought (own stock); absent on older orders and means 1. `price` and `cost` are already times it. */
  quantity: z.number().int().min(1).max(100).optional(),
  price: z.number().int(),
  cost: z.number().int(),
  payment: z.object({
    /** The payment method's id (payments/methods/registry.ts, a layer above: read as text here). */
    method: z.string().min(1),
    /** What the buyer must pay (price + unique code for QRIS). */
    amount: z.number().int(),
    paidAt: z.number().optional(),
    reference: z.string().optional(),
    /** The QRIS gateway that served the payment (`midtrans`, `tripay`, …); absent for the owner's static QRIS. */
    gateway: z.string().optional(),
  }),
  status: z.enum(orderStatuses),
  /** Our reference sent to the provider (idempotency / lookup). */
  refId: z.string(),
  providerRef: z.string().optional(),
  /** Delivered items: non-secret ones in clear, secret ones encrypted (see `delivery-vault.ts`). */
  delivered: z.string().optional(),
  failureReason: z.string().optional(),
  /** Set when a person must look at the order (unknown outcome, gave up polling). */
  attention: z.string().optional(),
  /**
   * False while a delivered or refunded order still owes its buyer the message: it then stays
   * on the active list, so the start-up sweep sends it if a process died before it could.
   */
  notified: z.boolean().optional(),
  /** Set when a refund of this failed order has begun: it can no longer be retried. */
  refunding: z.boolean().optional(),
  /** Fulfilment attempts so far (placing + polling), for backoff. */
  attempts: z.number().int().default(0),
  /**
   * Purchase calls sent to the provider over the order's whole life, counted (compare-and-set)
   * before each call is sent: at most `PURCHASE_MAX_ATTEMPTS`, whatever retried or crashed.
   */
  purchaseAttempts: z.number().int().default(0),
  /**
   * Items given again at no charge after a warranty claim (own stock, `/replace`): who, when, the
   * admin message that asked (`request`, so the same message again resends rather than takes),
   * and the item sealed like a delivery (`DeliveryVault.seal`), saved before it is sent.
   */
  replacements: z
    .array(z.object({ by: z.string(), at: z.number(), number: z.number().int(), request: z.string().optional(), item: z.string().optional() }))
    .optional(),
  /** How many times the provider was asked to repair a stuck order (`Provider.repair`); at most once. */
  repairAttempts: z.number().int().optional(),
  /**
   * Until when the delivered service is paid (epoch ms), from a delivery's `expires` line (aluy:
   * the VPS's `nextDueAt`, renewal cancelled): /vps and its expiry reminders read it.
   */
  expiresAt: z.number().int().optional(),
  /**
   * Months added by renewals ("Perpanjang"), so the order's months are its inputs' plus these and
   * a month's price and cost stay `price` or `cost` over them however often it was renewed.
   */
  renewedMonths: z.number().int().optional(),
  /**
   * When the last purchase call ended without a clear answer (timeout, reset, garbage): the
   * lookup at the provider waits until the provider has had time to record the order.
   */
  purchaseUnknownAt: z.number().optional(),
  /**
   * The referral reward this delivered order earned its buyer's referrer (`commerce/referrals.ts`),
   * recorded when claimed: `/stats` shows it as its own line and takes it off profit.
   */
  referral: z.object({ referrer: z.string(), reward: z.number().int() }).optional(),
  history: z.array(z.object({ status: z.enum(orderStatuses), at: z.number(), note: z.string().optional() })),
  /**
   * How `price` came about (issue 17; absent on older orders): the normal price, what the buyer's
   * tier took off, and the voucher with its discount. Discounts move no money: they are summed by
   * `/stats`, and `price` is what the buyer paid.
   */
  pricing: z
    .object({
      list: z.number().int(),
      tierDiscount: z.number().int(),
      tier: z.string().optional(),
      voucher: z.object({ code: z.string(), discount: z.number().int() }).optional(),
    })
    .optional(),
  /** A provider-side promo code attached to the product (`/promo`) when the order was made; sent with the purchase. */
  promoCode: z.string().optional(),
  createdAt: z.number(),
  updatedAt: z.number(),
});
export type Order = z.infer<typeof orderSchema>;

/** What a caller supplies to create an order; the store fills in id, status and times. */
export type NewOrder = Omit<Order, "id" | "status" | "refId" | "history" | "createdAt" | "updatedAt" | "attempts" | "purchaseAttempts"> & {
  status?: "awaiting_payment" | "paid";
  /** An id made beforehand with {@link newOrderId} (a voucher use is held under it before the order exists). */
  id?: string;
};

const idAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

/** A fresh order id: `ORD-` + 10 unambiguous uppercase letters/digits. */
export function newOrderId(): string {
  const bytes = randomBytes(10);
  let id = "";
  for (const byte of bytes) id += idAlphabet[byte % idAlphabet.length];
  return `ORD-${id}`;
}

export const orderIdPattern = /^ORD-[A-Z0-9]{8,}$/;

// KEYS: order hash, active set, all set, buyer set.
// ARGV: expected rev ('' = must not exist), new rev, status, doc, id, final ('1'/'0'), createdAt.
const casScript = `
local rev = redis.call('HGET', KEYS[1], 'rev') or ''
if rev ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'rev', ARGV[2], 'status', ARGV[3], 'doc', ARGV[4])
if ARGV[6] == '1' then redis.call('ZREM', KEYS[2], ARGV[5]) else redis.call('ZADD', KEYS[2], ARGV[7], ARGV[5]) end
if ARGV[1] == '' then
  redis.call('ZADD', KEYS[3], ARGV[7], ARGV[5])
  redis.call('ZADD', KEYS[4], ARGV[7], ARGV[5])
end
return 1
`;

// KEYS: provider-ref index. ARGV: "<provider>:<providerRef>", order id.
const indexProviderRefScript = `return redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])`;

type IndexProviderRefCommand = (index: string, providerRef: string, id: string) => Promise<number>;

type CasCommand = (
  order: string,
  active: string,
  all: string,
  buyer: string,
  expectedRev: string,
  newRev: string,
  status: string,
  doc: string,
  id: string,
  final: string,
  createdAt: number,
) => Promise<number>;

/** Thrown when a transition is asked from a state that does not allow it. */
export class OrderStateError extends Error {
  override readonly name = "OrderStateError";
  constructor(
    readonly order: Order,
    readonly wanted: OrderStatus,
  ) {
    super(`order ${order.id} is ${order.status}; cannot move to ${wanted}`);
  }
}

/**
 * Holds what an order will buy the moment it is created for payment (own stock: its units), so
 * a buyer who reaches payment does not lose them while paying. Commerce implements it over the
 * providers that can hold (`commerce/reservations.ts`).
 */
export interface OrderReservations {
  /** True when held (or nothing needs holding); false when there is not enough left. */
  reserve(order: Order): Promise<boolean>;
}

/** Thrown by {@link OrderStore.create} when the order's units could not be held: it is sold out. The order is expired. */
export class SoldOutError extends Error {
  override readonly name = "SoldOutError";
  constructor(readonly order: Order) {
    super(`order ${order.id}: ${order.product.code} is sold out`);
  }
}

/** Called after every status change, with the order as it is now and the status it left. */
export type TransitionListener = (order: Order, from: OrderStatus) => void;

/** What a compare-and-set makes of the order as stored: write this, or stop with this answer. */
type CasDecision = { write: Order } | { answer: Order | null };

export class OrderStore {
  private readonly cas: CasCommand;
  private readonly indexProviderRef: IndexProviderRefCommand;

  /**
   * @param listeners told, synchronously, of every status change made through this store
   *   (admin notifications, metrics); they must not throw.
   */
  constructor(
    private readonly redis: Redis,
    private readonly listeners: readonly TransitionListener[] = [],
    private readonly reservations?: OrderReservations,
  ) {
    this.cas = defineScript<CasCommand>(redis, "orderCas", 4, casScript, { durable: true });
    // Durable: webhooks and /reconcile find our order by the provider's reference; an index entry
    // lost in a failover would make the provider's record of a paid order look like nobody's.
    this.indexProviderRef = defineScript<IndexProviderRefCommand>(redis, "orderIndexProviderRef", 1, indexProviderRefScript, { durable: true });
  }

  /**
   * Creates an order (awaiting payment unless told otherwise), then holds its units when its
   * provider holds any (written first, so a crash in between leaves an order without a hold,
   * which its purchase makes up for). Throws {@link SoldOutError} when an order awaiting payment
   * could not hold them: it is then expired, and nothing was paid.
   */
  async create(input: NewOrder, now = Date.now()): Promise<Order> {
    const { id: givenId, ...fields } = input;
    const id = givenId ?? newOrderId();
    const status = input.status ?? "awaiting_payment";
    const order: Order = {
      ...fields,
      id,
      status,
      refId: `WB${id.slice(4)}`,
      attempts: 0,
      purchaseAttempts: 0,
      history: [{ status, at: now }],
      createdAt: now,
      updatedAt: now,
    };
    const written = await this.write(order, "", 1);
    if (!written) throw new Error(`order id collision: ${id}`);
    // An order created already paid is not refused here: its purchase holds the units or fails
    // (and is refunded), like a paid order that lost the race.
    if (this.reservations && !(await this.reservations.reserve(order)) && status === "awaiting_payment") {
      const expired = await this.transition(id, ["awaiting_payment"], "expired", () => ({ failureReason: "out_of_stock" }), "sold out");
      throw new SoldOutError(expired ?? order);
    }
    return order;
  }

  async get(id: string): Promise<Order | null> {
    const [rev, doc] = await this.redis.hmget(keys.order(id), "rev", "doc");
    if (!rev || !doc) return null;
    return orderSchema.parse(JSON.parse(doc));
  }

  /**
   * Moves an order to `to` if it is in one of `from` and the state machine allows it, applying
   * `patch`. Returns the updated order, or null when the order was not in `from` (someone else
   * moved it first; nothing was changed).
   */
  async transition(
    id: string,
    from: readonly OrderStatus[],
    to: OrderStatus,
    patch: (order: Order) => Partial<Order> = () => ({}),
    note?: string,
  ): Promise<Order | null> {
    const outcome = await this.compareAndSet(id, (current) => {
      if (!from.includes(current.status)) return { answer: null };
      if (!canMove(current.status, to)) throw new OrderStateError(current, to);
      // A failed order whose refund has begun is the buyer's money again: never place it anew.
      if (current.status === "failed" && to === "paid" && current.refunding) return { answer: null };
      const now = Date.now();
      return {
        write: {
          ...current,
          ...patch(current),
          status: to,
          updatedAt: now,
          history: [...current.history, note ? { status: to, at: now, note } : { status: to, at: now }],
        },
      };
    });
    if ("answer" in outcome) return outcome.answer;
    const { before, after } = outcome;
    if (after.providerRef && after.providerRef !== before.providerRef) {
      await this.indexProviderRef(keys.ordersByProviderRef(), `${after.product.provider}:${after.providerRef}`, after.id);
    }
    if (after.status === "delivered" && after.expiresAt !== undefined) {
      await this.redis.zadd(keys.ordersSubscribed(), after.expiresAt, after.id);
    }
    for (const listener of this.listeners) listener(after, before.status);
    return after;
  }

  /** Changes fields without a status move (e.g. attempts, attention), with the same CAS. */
  async update(id: string, patch: (order: Order) => Partial<Order>): Promise<Order | null> {
    const outcome = await this.compareAndSet(id, (current) => ({
      write: { ...current, ...patch(current), status: current.status, updatedAt: Date.now() },
    }));
    if ("answer" in outcome) return outcome.answer;
    const { before, after } = outcome;
    if (after.status === "delivered" && after.expiresAt !== undefined && after.expiresAt !== before.expiresAt) {
      await this.redis.zadd(keys.ordersSubscribed(), after.expiresAt, after.id);
    }
    return after;
  }

  /**
   * Claims the right to send one purchase call (compare-and-set): from a state in `from`, the
   * order moves to (or stays in) `placing` with `purchaseAttempts` counted up BEFORE the call is
   * sent, so no crash, retry or second runner can send more than `max` purchases over the
   * order's life. With `unchangedSince`, an order updated since that time is not claimed (`changed`). Returns the claimed order; `capped` when `max` calls were already sent (nothing
   * changed); null when the order is not in `from` (another runner moved it).
   */
  async claimPurchase(
    id: string,
    from: readonly OrderStatus[],
    max: number,
    note?: string,
    unchangedSince?: number,
  ): Promise<{ kind: "claimed"; order: Order } | { kind: "capped"; order: Order } | { kind: "changed"; order: Order } | null> {
    for (let attempt = 0; attempt < 20; attempt++) {
      const [rev, doc] = await this.redis.hmget(keys.order(id), "rev", "doc");
      if (!rev || !doc) return null;
      const current = orderSchema.parse(JSON.parse(doc));
      if (!from.includes(current.status)) return null;
      if (unchangedSince !== undefined && current.updatedAt !== unchangedSince) return { kind: "changed", order: current };
      if (current.purchaseAttempts >= max) return { kind: "capped", order: current };
      if (current.status !== "placing" && !canMove(current.status, "placing")) throw new OrderStateError(current, "placing");
      const now = Date.now();
      const step = note ? { status: "placing" as const, at: now, note } : { status: "placing" as const, at: now };
      const next: Order = {
        ...current,
        status: "placing",
        attempts: current.attempts + 1,
        purchaseAttempts: current.purchaseAttempts + 1,
        purchaseUnknownAt: undefined,
        updatedAt: now,
        history: [...current.history, step],
      };
      if (await this.write(next, rev, Number(rev) + 1)) {
        if (current.status !== "placing") for (const listener of this.listeners) listener(next, current.status);
        return { kind: "claimed", order: next };
      }
    }
    throw new Error(`order ${id}: too much contention`);
  }

  /**
   * Gives an order still `placing` without a provider reference the one the provider now names
   * (a purchase whose answer was lost, found again), indexed for webhooks. Null when the order
   * has moved on or has a reference already (compare-and-set: nothing changed).
   */
  async adoptProviderRef(id: string, providerRef: string): Promise<Order | null> {
    const current = await this.get(id);
    if (!current || current.status !== "placing" || current.providerRef) return null;
    let adopted = false;
    const next = await this.update(id, (order) => {
      adopted = order.status === "placing" && !order.providerRef;
      return adopted ? { providerRef } : {};
    });
    if (!next || !adopted) return null;
    await this.indexProviderRef(keys.ordersByProviderRef(), `${next.product.provider}:${providerRef}`, next.id);
    return next;
  }

  /** The order a provider knows by its own reference (for webhooks), if any. */
  async findByProviderRef(provider: string, providerRef: string): Promise<string | null> {
    return this.redis.hget(keys.ordersByProviderRef(), `${provider}:${providerRef}`);
  }

  /**
   * Claims a failed order for refunding (compare-and-set): after this no retry can move it back
   * to `paid`, so the money cannot go back to the buyer and to the provider both. Returns the
   * order, or null when it is not failed (a retry won, or it is refunded already).
   */
  async claimRefund(id: string): Promise<Order | null> {
    const outcome = await this.compareAndSet(id, (current) => {
      if (current.status !== "failed") return { answer: null };
      if (current.refunding) return { answer: current };
      return { write: { ...current, refunding: true, updatedAt: Date.now() } };
    });
    return "answer" in outcome ? outcome.answer : outcome.after;
  }

  /** A buyer's newest orders, newest first. */
  async ofBuyer(buyer: string, limit = 10): Promise<Order[]> {
    return this.load(await this.redis.zrevrange(keys.ordersOfBuyer(buyer), 0, limit - 1));
  }

  /** The shop's newest orders, newest first. */
  async recent(limit = 20): Promise<Order[]> {
    return this.load(await this.redis.zrevrange(keys.ordersAll(), 0, limit - 1));
  }

  /**
   * Orders created between `from` and `to` (epoch ms, inclusive), newest first, at most `limit`:
   * the index of all orders is scored by creation time, so this reads just the window.
   */
  async createdBetween(from: number, to: number, limit = 2_000): Promise<Order[]> {
    return this.load(await this.redis.zrevrangebyscore(keys.ordersAll(), to, from, "LIMIT", 0, limit));
  }

  /** Delivered orders paid until `from` or later (subscriptions still running), soonest to end first. */
  async subscribedUntil(from: number, limit = 1000): Promise<Order[]> {
    return this.load(await this.redis.zrangebyscore(keys.ordersSubscribed(), from, "+inf", "LIMIT", 0, limit));
  }

  /** Orders not yet in a final state, oldest first. */
  async active(limit = 1000): Promise<Order[]> {
    return this.load(await this.redis.zrange(keys.ordersActive(), 0, limit - 1));
  }

  /** How many orders not yet final are in each status: the status field only, no documents parsed. */
  async activeStatusCounts(limit = 10_000): Promise<Map<string, number>> {
    const ids = await this.redis.zrange(keys.ordersActive(), 0, limit - 1);
    const counts = new Map<string, number>();
    if (ids.length === 0) return counts;
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hget(keys.order(id), "status");
    for (const [error, status] of (await pipeline.exec()) ?? []) {
      if (!error && typeof status === "string") counts.set(status, (counts.get(status) ?? 0) + 1);
    }
    return counts;
  }

  private async load(ids: string[]): Promise<Order[]> {
    if (ids.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hget(keys.order(id), "doc");
    const results = (await pipeline.exec()) ?? [];
    return results.flatMap(([error, doc]) => (error || typeof doc !== "string" ? [] : [orderSchema.parse(JSON.parse(doc))]));
  }

  /**
   * The one read-decide-write loop every change to a stored order goes through: `decide` sees the
   * order as stored and answers the order to write, or an answer to return without writing; the
   * write lands only if no one changed the order in between (the revision check in the CAS
   * script), otherwise `decide` runs again on the newer order. A missing order answers null.
   */
  private async compareAndSet(id: string, decide: (current: Order) => CasDecision): Promise<{ before: Order; after: Order } | { answer: Order | null }> {
    for (let attempt = 0; attempt < 20; attempt++) {
      const [rev, doc] = await this.redis.hmget(keys.order(id), "rev", "doc");
      if (!rev || !doc) return { answer: null };
      const before = orderSchema.parse(JSON.parse(doc));
      const decision = decide(before);
      if ("answer" in decision) return decision;
      if (await this.write(decision.write, rev, Number(rev) + 1)) return { before, after: decision.write };
    }
    throw new Error(`order ${id}: too much contention`);
  }

  private async write(order: Order, expectedRev: string, newRev: number): Promise<boolean> {
    const result = await this.cas(
      keys.order(order.id),
      keys.ordersActive(),
      keys.ordersAll(),
      keys.ordersOfBuyer(order.buyer),
      expectedRev,
      String(newRev),
      order.status,
      JSON.stringify(order),
      order.id,
      finalStatuses.has(order.status) && order.notified !== false ? "1" : "0",
      order.createdAt,
    );
    return result === 1;
  }
}
