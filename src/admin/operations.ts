/**
 * The admin actions that move money or orders: refund, retry, manual credit. They go through
 * the same guards as the core — the order state machine's compare-and-set and the wallet's
 * ledger entry ids — so a double tap, two admins at once, or the fulfilment worker racing an
 * admin all end in exactly one effect:
 *
 * - a refund moves the order to `failed` (if it is not already) and hands it to fulfilment's own
 *   refund ({@link Fulfilment.refundFailed}): the ledger entry `refund:<orderId>`, then
 *   `failed → refunded`; only the runner whose transition succeeds tells the buyer, and a
 *   message lost to a crash or a failed send is sent by the start-up sweep;
 * - a retry moves `failed → paid` (or clears `attention`) and queues fulfilment, which looks an
 *   unclear order up at the provider before placing it again.
 */
import { adminRefundNote, type Fulfilment, type ResolveResult } from "../commerce/fulfilment.js";
import { ledgerIds } from "../commerce/ledger-ids.js";
import type { Rupiah } from "../core/money.js";
import type { Order, OrderStatus, OrderStore } from "../commerce/orders.js";
import type { Wallet } from "../commerce/wallet.js";

/** What came of a refund. */
export type RefundResult =
  | { kind: "refunded"; order: Order; balance: Rupiah }
  | { kind: "already_refunded"; order: Order }
  /** Delivered: refunded only with a reason (the goods were handed over; say why they go back). */
  | { kind: "needs_reason"; order: Order }
  /** Not paid, or still at the provider without a reason to doubt it. */
  | { kind: "not_refundable"; order: Order }
  | { kind: "not_found" };

/** What came of a retry. */
export type RetryResult =
  | { kind: "queued"; order: Order }
  /** The money already went back to the buyer: placing it again would give the goods for free. */
  | { kind: "refunded"; order: Order }
  | { kind: "not_retryable"; order: Order }
  | { kind: "not_found" };

/** What came of a manual credit or debit. */
export type CreditResult =
  | { kind: "applied"; balance: Rupiah }
  /** This exact action (same message) was applied before. */
  | { kind: "duplicate"; balance: Rupiah }
  | { kind: "insufficient"; balance: Rupiah };

/** The stores and services the admin actions go through. */
export interface OperationsDeps {
  orders: OrderStore;
  wallet: Wallet;
  fulfilment: Pick<Fulfilment, "enqueue" | "refundFailed" | "refundDelivered" | "resolveDelivered" | "resolveRef">;
}

/** States a refund may start from when an admin asks; `failed` needs no move. */
const refundableUnlessAttention: ReadonlySet<OrderStatus> = new Set(["placing", "pending"]);

/** How often an action re-reads an order that another runner moved under it before giving up. */
const maxRounds = 3;

/** Refunds, retries and manual credits, each exactly once. */
export class AdminOperations {
  constructor(private readonly deps: OperationsDeps) {}

  /**
   * Refunds an order's payment to the buyer's wallet, once. Allowed for a failed or paid order,
   * for one still at the provider only when fulfilment flagged it for a person (unknown
   * outcome, gave up polling): the admin has then checked it at the provider; and, with
   * `options.delivered` (`/refund`) and a reason, for a delivered one.
   */
  async refund(orderId: string, by: string, reason: string | null, options: { delivered?: boolean } = {}, round = 0): Promise<RefundResult> {
    const order = await this.deps.orders.get(orderId);
    if (!order) return { kind: "not_found" };
    if (order.status === "refunded") return { kind: "already_refunded", order };
    // Only `/refund` itself takes back delivered goods; `/resolve … failed` is for orders in doubt.
    if (order.status === "delivered" && options.delivered) return this.refundDelivered(order, by, reason);
    if (!this.mayRefund(order)) return { kind: "not_refundable", order };
    const admin = { by, reason };
    const failed =
      order.status === "failed" ? order : await this.deps.orders.transition(orderId, [order.status], "failed", () => ({}), adminRefundNote(admin));
    if (!failed) {
      // Someone moved it meanwhile (delivered, or fulfilment failed it first): decide again.
      return round < maxRounds ? this.refund(orderId, by, reason, options, round + 1) : { kind: "not_refundable", order };
    }
    // Fulfilment claims it first, so a concurrent /retry can no longer send it to the provider again.
    const refunded = await this.deps.fulfilment.refundFailed(orderId, admin);
    if (!refunded) {
      const now = await this.deps.orders.get(orderId);
      return now?.status === "refunded" ? { kind: "already_refunded", order: now } : { kind: "not_refundable", order: now ?? failed };
    }
    return { kind: "refunded", order: refunded, balance: await this.deps.wallet.balance(refunded.buyer) };
  }

  /**
   * A delivered order goes back only with the admin's reason (kept on the ledger entry and in the
   * order's history); the buyer gets the payment back once, and a referral reward it earned is
   * taken back by the referral listener.
   */
  private async refundDelivered(order: Order, by: string, reason: string | null): Promise<RefundResult> {
    if (!reason) return { kind: "needs_reason", order };
    const refunded = await this.deps.fulfilment.refundDelivered(order.id, { by, reason });
    if (!refunded) {
      const now = await this.deps.orders.get(order.id);
      return now?.status === "refunded" ? { kind: "already_refunded", order: now } : { kind: "not_refundable", order: now ?? order };
    }
    return { kind: "refunded", order: refunded, balance: await this.deps.wallet.balance(refunded.buyer) };
  }

  /**
   * Runs fulfilment of an order again: a failed one that was never refunded goes back to `paid`;
   * one waiting for a person has its flag cleared. Fulfilment never places blindly: an order
   * whose outcome is unclear is looked up at the provider first, so this is still exactly once.
   */
  async retry(orderId: string, by: string, round = 0): Promise<RetryResult> {
    const order = await this.deps.orders.get(orderId);
    if (!order) return { kind: "not_found" };
    switch (order.status) {
      case "failed":
        return this.retryFailed(order, by, round);
      case "paid":
      case "placing":
      case "pending": {
        const cleared = order.attention ? await this.deps.orders.update(orderId, () => ({ attention: undefined })) : order;
        await this.requeue(cleared ?? order);
        return { kind: "queued", order: cleared ?? order };
      }
      case "refunded":
        return { kind: "refunded", order };
      default:
        return { kind: "not_retryable", order };
    }
  }

  /**
   * Ends an order left without a clear outcome as delivered, with what the admin bought or found
   * (`text`, sealed like any delivery); fulfilment's compare-and-set makes it once.
   */
  resolveDelivered(orderId: string, by: string, text: string): Promise<ResolveResult> {
    return this.deps.fulfilment.resolveDelivered(orderId, by, text);
  }

  /** Attaches the provider's reference an admin found, and resumes following the order. */
  resolveRef(orderId: string, by: string, providerRef: string): Promise<ResolveResult> {
    return this.deps.fulfilment.resolveRef(orderId, by, providerRef);
  }

  /**
   * Credits (positive) or debits (negative) a wallet by hand, as ledger reason `manual` with the
   * admin as `by`. `entryId` names the admin's message, so the same message handled twice
   * (a redelivered update) moves money once. A debit never takes the balance below zero.
   */
  async credit(buyer: string, amount: Rupiah, entry: { id: string; by: string; reason: string }): Promise<CreditResult> {
    const ledger = { id: entry.id, reason: "manual" as const, by: entry.by, note: entry.reason };
    const moved = amount > 0 ? await this.deps.wallet.credit(buyer, amount, ledger) : await this.deps.wallet.debit(buyer, -amount, ledger);
    if (!moved.ok) return { kind: "insufficient", balance: moved.balance };
    return moved.applied ? { kind: "applied", balance: moved.balance } : { kind: "duplicate", balance: moved.balance };
  }

  private mayRefund(order: Order): boolean {
    // Provider QRIS not yet paid: the buyer paid nobody, so there is nothing to give back.
    if (order.payment.method === "provider_qris" && order.payment.paidAt === undefined) return false;
    if (order.status === "failed" || order.status === "paid") return true;
    return refundableUnlessAttention.has(order.status) && order.attention !== undefined;
  }

  private async retryFailed(order: Order, by: string, round: number): Promise<RetryResult> {
    const refundEntry = ledgerIds.refund(order.id);
    if (await this.deps.wallet.hasEntry(order.buyer, refundEntry)) {
      // The refund is credited but not yet recorded: let fulfilment finish it, never re-place.
      await this.requeue(order);
      return { kind: "refunded", order };
    }
    const paid = await this.deps.orders.transition(
      order.id,
      ["failed"],
      "paid",
      () => ({ failureReason: undefined, attention: undefined }),
      `retry by ${by}`,
    );
    if (!paid) return round < maxRounds ? this.retry(order.id, by, round + 1) : { kind: "not_retryable", order };
    // A refund run that read the order as failed just before our move may have credited since:
    // then the buyer has the money back and the order must end refunded, not be placed.
    if (await this.deps.wallet.hasEntry(order.buyer, refundEntry)) {
      const back = await this.deps.orders.transition(order.id, ["paid"], "failed", () => ({}), "refund was already credited");
      await this.requeue(back ?? paid);
      return { kind: "refunded", order: paid };
    }
    await this.requeue(paid);
    return { kind: "queued", order: paid };
  }

  /** Runs the order's next step now: its queued run is moved up, or started afresh if it had failed. */
  private async requeue(order: Order): Promise<void> {
    await this.deps.fulfilment.enqueue(order);
  }
}
