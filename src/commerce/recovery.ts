/**
 * Picks up what a crash, a restart or an outage left half done: orders with fulfilment work left,
 * wallet payments interrupted between debit and "paid", and buyer messages that could not be
 * sent. Run once at start-up ({@link Recovery.resume}) and by the periodic sweep
 * ({@link Recovery.sweep}); every step is a compare-and-set or a claim, so several processes
 * running it at once do each thing once.
 *
 * @example
 * const recovery = new Recovery({ orders, wallet, fulfilment, redis, logger });
 * await recovery.resume(); // at start-up
 * setInterval(() => void recovery.sweep(), 10_000);
 */
import type { Logger } from "pino";
import { keys } from "../store/keys.js";
import type { Redis } from "../store/redis.js";
import type { Fulfilment } from "./fulfilment.js";
import { ledgerIds } from "./ledger-ids.js";
import { unfinishedStatuses, type Order, type OrderStore } from "./orders.js";
import { payFromWallet } from "./pay-from-wallet.js";
import type { Wallet } from "./wallet.js";

export interface RecoveryDeps {
  orders: OrderStore;
  wallet: Wallet;
  fulfilment: Fulfilment;
  redis: Redis;
  logger: Logger;
  /**
   * Finishes payments that were marked paid but not yet applied (a port to the payments layer,
   * above this one); given the active orders, so orders waiting on such a payment are found too.
   */
  settlePayments?: (active: Order[]) => Promise<unknown>;
  /** How long an owed buyer message waits before a sweep sends it again, and between retries (default 1 min). */
  owedMessageRetryMs?: number;
  /**
   * How long a `paid` (or `pending`) order may go untouched before the periodic sweep makes sure
   * its job is queued (default {@link defaultPaidRequeueMs}); see {@link Recovery.requeueStalled}.
   */
  paidRequeueMs?: number;
}

/**
 * Default of {@link RecoveryDeps.paidRequeueMs}: a paid order's placement normally starts within
 * seconds, so two minutes without one means its job was lost (a Sentinel failover dropped the
 * add, which does not WAIT) or is held back on purpose (a turned-away purchase's retry, or a
 * pending order's next look up to 10 min away, which are then still queued and left alone).
 */
export const defaultPaidRequeueMs = 2 * 60_000;

/** How long a wallet order may wait for its debit before it is given up as never paid. */
const walletDebitGraceMs = 60_000;

export class Recovery {
  constructor(private readonly deps: RecoveryDeps) {}

  /**
   * Queues every order that was left mid-way, under the name of its current step: an order
   * whose run is still queued is not doubled, and a run a killed worker was in the middle of is
   * handed to another worker by BullMQ's stalled-job check within seconds. Owed messages are
   * sent again. Returns how many orders were queued.
   */
  async resume(): Promise<number> {
    const before = await this.deps.orders.active();
    await this.deps.settlePayments?.(before);
    await this.recoverWalletPayments(before);
    const active = await this.deps.orders.active();
    const resumable = active.filter((order) => unfinishedStatuses.has(order.status));
    // "keep": a restart must not hurry every pending order's next status check.
    for (const order of resumable) await this.deps.fulfilment.enqueue(order, 0, "keep");
    for (const order of active) if (order.notified === false) await this.deps.fulfilment.tellOwedMessage(order);
    if (resumable.length > 0) this.deps.logger.info({ count: resumable.length }, "resumed unfinished orders");
    return resumable.length;
  }

  /** The periodic part: interrupted wallet payments, orders whose job was lost, and owed messages. */
  async sweep(): Promise<void> {
    const active = await this.deps.orders.active();
    await this.recoverWalletPayments(active);
    await this.requeueStalled(active);
    await this.retryOwedMessages(active);
  }

  /**
   * An order whose next job is gone would otherwise wait for the next start-up: BullMQ's job adds
   * do not `WAIT` for a replica, so an add acknowledged just before the primary died can vanish
   * in the failover while the order's own write (durable) survives. Two states always have a job
   * while nothing is wrong: `paid` (its placement) and `pending` without an admin's attention (its
   * status follow-up chain). Such an order untouched for {@link RecoveryDeps.paidRequeueMs} is
   * queued again in "keep" mode under its current run name: when that job still exists (waiting,
   * delayed for a retry or the next look, running, or kept as a dead letter) nothing is added or
   * hurried; when it is gone it is added once. The purchase itself stays guarded by
   * `claimPurchase` (paid → placing, counted), so a re-queued run that meets an order another run
   * already claimed does nothing. `placing` is left to the start-up resume: a purchase may still
   * be in flight there, and its lookup waits out the placing grace anyway. Returns how many were
   * asked for (an existing job makes the ask a no-op).
   */
  async requeueStalled(active: Order[]): Promise<number> {
    const after = this.deps.paidRequeueMs ?? defaultPaidRequeueMs;
    const stalls = (order: Order) => (order.status === "paid" || (order.status === "pending" && !order.attention)) && Date.now() - order.updatedAt >= after;
    let asked = 0;
    for (const seen of active) {
      if (!stalls(seen)) continue;
      // Read again: the list may be a sweep's length old, and an order moved since needs nothing.
      const order = await this.deps.orders.get(seen.id);
      if (!order || !stalls(order) || order.updatedAt !== seen.updatedAt) continue;
      await this.deps.fulfilment.enqueue(order, 0, "keep");
      // Debug: an order waiting out a retry or its next look is asked about on every sweep.
      this.deps.logger.debug({ orderId: order.id, status: order.status }, "made sure a stalled order's job is queued");
      asked++;
    }
    return asked;
  }

  /**
   * A wallet order is created, debited and marked paid in three steps; a crash or a Redis outage
   * between them leaves it `awaiting_payment`. If its `pay:` ledger entry exists the money was
   * taken: the order is paid. If not, and it has waited a minute, it never will be: expired.
   */
  async recoverWalletPayments(active: Order[]): Promise<void> {
    const { orders, wallet, fulfilment } = this.deps;
    for (const order of active) {
      if (order.status !== "awaiting_payment" || order.payment.method !== "wallet") continue;
      if (await wallet.hasEntry(order.buyer, ledgerIds.orderPayment(order.id))) {
        // The debit is already there, so this repeats it as a no-op and finishes the rest.
        await payFromWallet({ orders, wallet, fulfilment }, order, { amount: order.payment.amount, note: "recovered: wallet was debited" });
      } else if (Date.now() - order.createdAt > walletDebitGraceMs) {
        await orders.transition(order.id, ["awaiting_payment"], "expired", () => ({}), "wallet was never debited");
      }
    }
  }

  /**
   * A final order whose message could not be sent (the chat platform was away) stays owed. Once
   * it is a retry period old its message is sent again, by one process per period (a claim in
   * Redis), so several sweeping processes do not all send it.
   */
  private async retryOwedMessages(active: Order[]): Promise<void> {
    const retryMs = this.deps.owedMessageRetryMs ?? 60_000;
    for (const order of active) {
      if (order.notified !== false || Date.now() - order.updatedAt < retryMs) continue;
      if ((await this.deps.redis.set(keys.owedMessageRetry(order.id), "1", "PX", retryMs, "NX")) !== "OK") continue;
      await this.deps.fulfilment.tellOwedMessage(order);
    }
  }

  /** Waits until no order of `buyer` has fulfilment work left, or `timeoutMs` passes. */
  async settled(buyer: string, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const open = (await this.deps.orders.ofBuyer(buyer, 10)).some((order) => unfinishedStatuses.has(order.status));
      if (!open) return;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}
