/**
 * Makes the pricing side effects of an order self-healing (issue 17 follow-up). The order
 * listeners (`voucherListener`, `tierListener`) redeem or give back a voucher use and count
 * delivered spend in the background, and only log a failure: a lost release would keep a use
 * away forever, a lost redeem would leave a held use that never becomes a redemption, a lost
 * count would keep a buyer below their tier upgrade. This is the net under them.
 *
 * Every order whose pricing has something to settle (it holds a voucher use, or tiers are on and
 * its delivery must count toward the buyer's spend) is *tracked* before the order is made: one
 * sorted set (`pricing:unsettled`), member `<order>|<tracked at ms>|<voucher code or empty>`,
 * scored by when to look at it next. The sweep chore reads the members that are due, looks at
 * each order and applies what its state calls for — each move idempotent per order, so the
 * listener having done it already (or another process sweeping at once) changes nothing:
 *
 * | order                                   | voucher use  | delivered spend | entry              |
 * |-----------------------------------------|--------------|-----------------|--------------------|
 * | delivered                               | redeem       | count           | dropped            |
 * | expired, refunded                       | release      | reversed if it was delivered | dropped |
 * | paid at some point, not final yet        | redeem       | —               | looked at later    |
 * | awaiting payment (or placed, unpaid)     | —            | —               | looked at later    |
 * | awaiting payment, dead (see below)       | release (expired first) | —    | dropped            |
 * | absent (never made, or a crash before)   | release, once `orphanMs` old | — | dropped then       |
 *
 * An entry is only written, never changed by the listeners, so the sweep is the one place that
 * drops it — after the final moves succeeded. A move that throws leaves it for a later sweep.
 *
 * Two ways a use would otherwise stay away for good (issue 17 review):
 * - A QRIS order made but whose payment was never opened (a crash or a Redis error between
 *   `OrderStore.create` and opening the payment) waits for a payment that cannot come. With
 *   `unpaid` set, an `awaiting_payment` order of one of its methods that is older than the
 *   payment lifetime plus a margin, and has no payment that could still pay it (open or paid),
 *   is expired through `OrderStore.transition`, so its stock hold and every other listener follow.
 * - A delivered order is final, so its entry is dropped; an admin may still refund it later
 *   (`/refund <id> <reason>`). {@link PricingSettlement.trackRefund} tracks it again before the
 *   refund, so the use comes back and the spend is reversed even if the listener's call is lost.
 *
 * @example
 * const settlement = new PricingSettlement({ redis, orders, vouchers, tiers, logger });
 * const entry = await settlement.track(orderId, "HEMAT10"); // before the hold and the order
 * // …later, from the sweeper's chores:
 * await settlement.sweep();
 */
import type { Logger } from "pino";
import { keys } from "../store/keys.js";
import type { Redis } from "../store/redis.js";
import { finalStatuses, type Order, type OrderStore } from "./orders.js";
import type { TierStore } from "./tiers.js";
import type { VoucherStore } from "./vouchers.js";

export interface PricingSettlementDeps {
  redis: Redis;
  orders: Pick<OrderStore, "get" | "transition">;
  vouchers: Pick<VoucherStore, "redeem" | "release">;
  tiers: Pick<TierStore, "countDelivered" | "reverseRefunded" | "enabled">;
  logger: Logger;
  /** How long after tracking (and between looks at an unfinished order) the sweep looks at it; default 60 s, so the listener goes first. */
  recheckMs?: number;
  /** How old a tracked order that does not exist must be before its held use is given back; default 10 min. */
  orphanMs?: number;
  /** Entries read per sweep; default 200. */
  batch?: number;
  /** When set, an order left waiting for a payment that was never opened is expired (see the module comment). */
  unpaid?: UnpaidOrders;
}

/**
 * How the sweep tells an `awaiting_payment` order that will never be paid. Payments are a layer
 * above, so the root wires this.
 *
 * @example
 * unpaid: { methods: new Set(["qris"]), afterMs: ttlMs + 10 * 60_000, paymentPending: async (id) => (await store.get(id))?.status !== "expired" }
 */
export interface UnpaidOrders {
  /** Payment methods whose orders wait on a payment opened for them (not the wallet: recovery settles those by their ledger). */
  methods: ReadonlySet<string>;
  /** How old (since the order was made) such an order must be: the payment lifetime plus a margin. */
  afterMs: number;
  /** True when a payment for the order exists that may still pay it (open, or paid and being settled). */
  paymentPending: (orderId: string) => Promise<boolean>;
}

/** What one sweep did, for logs and tests. */
export interface SettlementSweep {
  redeemed: number;
  released: number;
  counted: number;
  /** Refunded deliveries taken off their buyer's spend now. */
  reversed: number;
  /** Orders expired because their payment was never opened. */
  expired: number;
  dropped: number;
}

/** The handle of a tracked order: what {@link PricingSettlement.forget} takes. */
export type SettlementEntry = string;

/** Parses an entry; null when it is not one of ours. */
function parseEntry(entry: string): { orderId: string; trackedAt: number; voucher: string | null } | null {
  const [orderId, trackedAt, voucher, ...rest] = entry.split("|");
  if (!orderId || trackedAt === undefined || voucher === undefined || rest.length > 0 || !/^\d+$/.test(trackedAt)) return null;
  return { orderId, trackedAt: Number(trackedAt), voucher: voucher === "" ? null : voucher };
}

/** True when the buyer paid for the order at some point (a paid order's voucher use is redeemed). */
function wasPaid(order: Order): boolean {
  return order.status === "delivered" || (order.payment.paidAt !== undefined && order.status !== "expired" && order.status !== "refunded");
}

export class PricingSettlement {
  private readonly recheckMs: number;
  private readonly orphanMs: number;
  private readonly batch: number;

  constructor(private readonly deps: PricingSettlementDeps) {
    this.recheckMs = deps.recheckMs ?? 60_000;
    this.orphanMs = deps.orphanMs ?? 10 * 60_000;
    this.batch = deps.batch ?? 200;
  }

  /** True when an order without a voucher still has something to settle (its delivered spend). */
  get tracksEveryOrder(): boolean {
    return this.deps.tiers.enabled;
  }

  /**
   * Tracks an order about to be made (before its voucher use is held): the sweep will settle it.
   * Throws when Redis does; the caller then makes no order.
   */
  async track(orderId: string, voucher: string | null, now = Date.now()): Promise<SettlementEntry> {
    const entry = `${orderId}|${now}|${voucher ?? ""}`;
    await this.deps.redis.zadd(keys.pricingUnsettled(), now + this.recheckMs, entry);
    return entry;
  }

  /**
   * Tracks a delivered order again just before an admin refunds it (its entry was dropped at
   * delivery), so the sweep gives its voucher use back and takes it off the buyer's spend even
   * when the listener's call is lost. Call it before the refund moves anything: throwing (Redis
   * away) then stops the refund, and a refund that does not happen leaves an entry the sweep
   * drops. Null when the order has nothing to settle.
   */
  async trackRefund(order: Pick<Order, "id" | "pricing">, now = Date.now()): Promise<SettlementEntry | null> {
    const voucher = order.pricing?.voucher?.code ?? null;
    if (!voucher && !this.tracksEveryOrder) return null;
    return this.track(order.id, voucher, now);
  }

  /** Stops tracking an order that was never made (its held use already given back by the caller). */
  async forget(entry: SettlementEntry): Promise<void> {
    await this.deps.redis.zrem(keys.pricingUnsettled(), entry);
  }

  /** Settles the tracked orders that are due (see the module comment). Never throws for one order. */
  async sweep(now = Date.now()): Promise<SettlementSweep> {
    const done: SettlementSweep = { redeemed: 0, released: 0, counted: 0, reversed: 0, expired: 0, dropped: 0 };
    const due = await this.deps.redis.zrangebyscore(keys.pricingUnsettled(), "-inf", now, "LIMIT", 0, this.batch);
    for (const entry of due) {
      try {
        await this.settle(entry, now, done);
      } catch (error) {
        this.deps.logger.error({ err: error, entry }, "could not settle an order's voucher use or tier spend; the next sweep tries again");
        // Not at the head of the queue for every sweep while it keeps failing.
        await this.deps.redis.zadd(keys.pricingUnsettled(), "XX", now + this.recheckMs, entry).catch(() => undefined);
      }
    }
    return done;
  }

  private async settle(entry: string, now: number, done: SettlementSweep): Promise<void> {
    const parsed = parseEntry(entry);
    if (!parsed) {
      await this.drop(entry, done);
      return;
    }
    const { orderId, trackedAt, voucher } = parsed;
    let order = await this.deps.orders.get(orderId);
    if (!order) {
      // The order may still be being made; only an old one was never made (a crash in between).
      if (now - trackedAt < this.orphanMs) {
        await this.deps.redis.zadd(keys.pricingUnsettled(), "XX", trackedAt + this.orphanMs, entry);
        return;
      }
      if (voucher && (await this.deps.vouchers.release(voucher, orderId))) done.released += 1;
      await this.drop(entry, done);
      return;
    }
    if (order.status === "awaiting_payment" && (await this.neverPaid(order, now))) {
      const expired = await this.deps.orders.transition(order.id, ["awaiting_payment"], "expired", () => ({}), "no payment was ever opened for it");
      if (expired) {
        done.expired += 1;
        this.deps.logger.warn({ orderId: order.id }, "expired an order whose payment was never opened");
      }
      // Lost the race: paid or expired meanwhile; settle whatever it is now.
      order = expired ?? (await this.deps.orders.get(orderId)) ?? order;
    }
    if (voucher) {
      if (order.status === "expired" || order.status === "refunded") {
        if (await this.deps.vouchers.release(voucher, orderId)) done.released += 1;
      } else if (wasPaid(order)) {
        if (await this.deps.vouchers.redeem(voucher, orderId)) done.redeemed += 1;
      }
    }
    if (order.status === "delivered" && this.deps.tiers.enabled) {
      await this.deps.tiers.countDelivered(order.buyer, order.id, order.price);
      done.counted += 1;
    }
    // Reversed whether or not tiers are on now: the order may have been counted while they were.
    if (order.status === "refunded" && order.history.some((step) => step.status === "delivered")) {
      if (await this.deps.tiers.reverseRefunded(order.buyer, order.id)) done.reversed += 1;
    }
    if (finalStatuses.has(order.status)) await this.drop(entry, done);
    else await this.deps.redis.zadd(keys.pricingUnsettled(), "XX", now + this.recheckMs, entry);
  }

  /**
   * True when an `awaiting_payment` order can no longer be paid: its method waits on a payment
   * opened for it, it is older than that payment could live, and no such payment is open or paid.
   */
  private async neverPaid(order: Order, now: number): Promise<boolean> {
    const unpaid = this.deps.unpaid;
    if (!unpaid || !unpaid.methods.has(order.payment.method) || now - order.createdAt < unpaid.afterMs) return false;
    return !(await unpaid.paymentPending(order.id));
  }

  private async drop(entry: string, done: SettlementSweep): Promise<void> {
    await this.deps.redis.zrem(keys.pricingUnsettled(), entry);
    done.dropped += 1;
  }
}
