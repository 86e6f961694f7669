/**
 * Fulfilment: takes a paid order to exactly one provider order and one delivery, or a refund.
 *
 * `advance(orderId)` is the only job. It reads the order and does the next thing for its state,
 * so running it twice, after a crash, or on two workers at once is safe:
 *
 * - paid      → record `placing` and count the purchase (the CAS makes one runner the owner),
 *               then send the purchase ONCE (adapters never repeat it themselves);
 * - placing   → found mid-way (crash, unknown outcome): look the order up by our reference,
 *               once the provider has had time to record it (`Provider.lookupDelayMs`), before
 *               anything else; place again only when the provider says it has none, and never
 *               more than `purchaseMaxAttempts` purchases over the order's life: past that the
 *               order waits for an admin (one alert), who ends it with `/resolve`;
 * - pending   → ask the provider for the status, again later with backoff;
 * - failed    → refund the buyer's wallet (ledger entry `refund:<id>` makes it exactly once);
 *               an admin's refund goes through the same {@link Fulfilment.refundFailed}.
 *
 * Only the runner whose transition succeeded tells the buyer, so a delivery is announced once.
 */
import type { Logger } from "pino";
import { msg, type Msg } from "../core/message.js";
import { documentReply, textReply, type Reply } from "../core/reply.js";
import type { Outbox } from "../core/outbox.js";
import { bareError } from "../core/bare-error.js";
import type { AdminAlerts } from "../core/alerts.js";
import type { Metrics } from "../core/metrics.js";
import { ledgerIds } from "./ledger-ids.js";
import { ProviderError } from "../providers/errors.js";
import type { DeliveryItem, OrderOutcome, Provider, ProviderId } from "../providers/types.js";
import type { JobScheduler, ScheduleMode } from "../jobs/scheduler.js";
import { attention, attentionMessage } from "./attention.js";
import type { DeliveryVault } from "./delivery-vault.js";
import { formatRupiah } from "../core/money.js";
import type { Order, OrderStatus, OrderStore } from "./orders.js";
import type { PricingSettlement } from "./pricing-settlement.js";
import type { Wallet } from "./wallet.js";

/** When to look at a pending order again, and when to give up. */
export interface FollowUpPlan {
  /** Delay before follow-up number `attempt` (1-based). */
  delayMs(attempt: number): number;
  /** After this long pending, stop polling and ask an admin. */
  giveUpAfterMs: number;
  /** How many times a turned-away (429/503) purchase is tried before the order is refunded. */
  maxTransientAttempts: number;
  /**
   * How long an order may sit in `placing` before it is treated as abandoned (a crash between
   * "sent" and "recorded"). Longer than the slowest purchase call, so a second runner never
   * mistakes a purchase still in flight for a lost one and buys again.
   */
  placingGraceMs: number;
}

/** 5 s, 10 s, 20 s … doubling up to 10 min, then every 10 min; give up after 24 h. */
export const defaultFollowUpPlan: FollowUpPlan = {
  delayMs: (attempt) => Math.min(5_000 * 2 ** Math.max(0, attempt - 1), 10 * 60_000),
  giveUpAfterMs: 24 * 60 * 60_000,
  maxTransientAttempts: 6,
  placingGraceMs: 3 * 60_000,
};

export interface FulfilmentDeps {
  orders: OrderStore;
  wallet: Wallet;
  providers: ReadonlyMap<ProviderId, Provider>;
  vault: DeliveryVault;
  outbox: Outbox;
  alerts: AdminAlerts;
  metrics: Metrics;
  logger: Logger;
  /** Where runs of {@link Fulfilment.advance} are queued; started with this fulfilment's handlers. */
  jobs: JobScheduler;
  plan?: FollowUpPlan;
  /** Purchase calls an order may send over its whole life (`PURCHASE_MAX_ATTEMPTS`, default 3). */
  purchaseMaxAttempts?: number;
  /**
   * The pricing settlement (issue 17): a delivered order is tracked again before an admin refunds
   * it, so its voucher use comes back and its tier spend is reversed even if a listener call is lost.
   */
  settlement?: Pick<PricingSettlement, "trackRefund">;
}

/** The default of `PURCHASE_MAX_ATTEMPTS`. */
export const defaultPurchaseMaxAttempts = 3;

/** What came of an admin's `/resolve` of an order. */
export type ResolveResult =
  | { kind: "delivered"; order: Order }
  | { kind: "attached"; order: Order }
  /** Not in a state this resolution applies to (delivered, refunded, already pending…). */
  | { kind: "not_resolvable"; order: Order }
  | { kind: "not_found" };

export class Fulfilment {
  private readonly plan: FollowUpPlan;
  private readonly maxPurchases: number;

  constructor(private readonly deps: FulfilmentDeps) {
    this.plan = deps.plan ?? defaultFollowUpPlan;
    this.maxPurchases = deps.purchaseMaxAttempts ?? defaultPurchaseMaxAttempts;
  }

  /** Starts running queued jobs (in a process that works them). */
  startJobs(): void {
    this.deps.jobs.start({ run: (orderId) => this.advance(orderId), deadLetter: (orderId, error) => this.deadLetter(orderId, error) });
  }

  /**
   * Queues the next step of an order, to run within `delayMs`. A placement or a refund is named
   * by status and attempt count, so queueing the same step twice (a double tap, a repeated
   * callback) runs it once. Looking at the provider (`placing`, `pending`) is one run per order,
   * the follow-up chain: a webhook hint or an admin's /retry moves it earlier, and a run that
   * re-queues itself keeps the same chain going, so the order is never polled by two loops.
   */
  async enqueue(order: Pick<Order, "id" | "status" | "attempts">, delayMs = 0, mode: ScheduleMode = "earlier"): Promise<void> {
    await this.deps.jobs.schedule(order.id, delayMs, runStep(order), mode);
  }

  /** A run failed every retry: keep the order as it is and ask a person to look. */
  async deadLetter(orderId: string, error: unknown): Promise<void> {
    const order = await this.deps.orders.get(orderId);
    if (!order) return;
    const detail = error instanceof Error ? error.message : String(error);
    await this.needsAttention(order, attention("failing", detail.slice(0, 200)));
  }

  /** Moves an order one step forward. Safe to run any number of times. */
  async advance(orderId: string): Promise<void> {
    const order = await this.deps.orders.get(orderId);
    if (!order) return;
    const log = this.deps.logger.child({ orderId, provider: order.product.provider });
    try {
      switch (order.status) {
        case "paid":
          return await this.place(order);
        case "placing":
          return await this.resolvePlacing(order);
        case "pending":
          return await this.followUp(order);
        case "failed":
          await this.refundFailed(order.id);
          return;
        default:
          return;
      }
    } catch (error) {
      // A bug or a store outage: the order stays as it is and the scheduler retries the run.
      log.error({ err: error }, "fulfilment step failed; will retry");
      throw error;
    }
  }

  /**
   * Provider QRIS (ALxZen): the order is placed at once with `paymentType: "qris"`; the
   * provider answers with a QRIS for the buyer to pay, and we follow the order like any pending
   * one. Returns the replies to show: the QR, or why it could not be made.
   */
  async placeWithProviderQris(
    order: Order,
    qrReply: (payload: string, amount: number, expiresAt?: number) => Promise<Reply>,
  ): Promise<Reply[]> {
    const claim = await this.deps.orders.claimPurchase(order.id, ["awaiting_payment"], this.maxPurchases);
    if (claim?.kind !== "claimed") return [];
    const placing = claim.order;
    const provider = this.provider(placing);
    let outcome: OrderOutcome;
    try {
      outcome = await provider.placeOrder({ orderId: order.id, refId: order.refId, product: order.product, inputs: order.inputs, payment: "qris", ...promoOf(order) });
    } catch (error) {
      if (error instanceof ProviderError && error.outcomeUnknown) {
        await this.needsAttention(placing, attention("qris-unclear", error.code));
        return [textReply(msg("order-pending", { order: order.id }))];
      }
      const code = error instanceof ProviderError ? error.code : "upstream";
      await this.deps.orders.transition(order.id, ["placing"], "expired", () => ({ failureReason: `provider-error-${code}` }));
      return [textReply(msg("order-failed", { order: order.id, reason: msg(`provider-error-${code}`) }))];
    }
    if (outcome.state === "pending" && outcome.qris) {
      // The buyer pays the provider what its QRIS asks, not our listed price (a voucher, a price
      // that moved since the catalog was read): record that, so /stats counts money really paid.
      // The provider was paid by the buyer directly, so it cannot have cost more than that.
      const charged = outcome.qris.amount;
      const pending = await this.deps.orders.transition(order.id, ["placing"], "pending", (o) => ({
        providerRef: outcome.providerRef,
        price: charged,
        cost: Math.min(o.cost, charged),
        payment: { ...o.payment, amount: charged },
      }));
      if (pending) await this.scheduleFollowUp(pending);
      return [await qrReply(outcome.qris.payload, outcome.qris.amount, outcome.qris.expiresAt)];
    }
    await this.apply(placing, outcome);
    return [];
  }

  private provider(order: Order): Provider {
    const provider = this.deps.providers.get(order.product.provider);
    if (!provider) throw new Error(`provider ${order.product.provider} is not enabled`);
    return provider;
  }

  private async place(paid: Order): Promise<void> {
    await this.purchase(paid, ["paid"]);
  }

  /**
   * The one place a purchase is sent. The call is counted on the order (compare-and-set, from
   * `from`, and with `unchanged` only if nobody updated it since `seen` was read) BEFORE it is sent, so at most
   * `purchaseMaxAttempts` purchases ever leave for one order, across retries, crashes and
   * workers. Past the cap the order is set aside for an admin, with one alert.
   */
  private async purchase(seen: Order, from: readonly OrderStatus[], note?: string, unchanged = false): Promise<void> {
    const claim = await this.deps.orders.claimPurchase(seen.id, from, this.maxPurchases, note, unchanged ? seen.updatedAt : undefined);
    if (!claim) return; // Another runner owns it, or it moved.
    // Someone touched it while we looked it up (an admin, another runner): decide afresh.
    if (claim.kind === "changed") return this.enqueue(claim.order);
    if (claim.kind === "capped") {
      return this.needsAttention(claim.order, attention("purchase-cap", String(claim.order.purchaseAttempts)));
    }
    const order = claim.order;
    const provider = this.provider(order);
    let outcome: OrderOutcome;
    try {
      outcome = await provider.placeOrder({ orderId: order.id, refId: order.refId, product: order.product, inputs: order.inputs, payment: "direct", ...promoOf(order), ...(order.quantity ? { quantity: order.quantity } : {}) });
    } catch (error) {
      return this.onPlaceError(order, error);
    }
    await this.apply(order, outcome);
  }

  /** An order left in `placing`: find out at the provider what happened before doing anything. */
  private async resolvePlacing(order: Order): Promise<void> {
    const provider = this.provider(order);
    // Another runner may still be waiting on the provider, or the provider may not have recorded
    // an order whose answer we lost yet: look once both must be done.
    const readyAt = Math.max(placingSince(order) + this.plan.placingGraceMs, (order.purchaseUnknownAt ?? 0) + (provider.lookupDelayMs ?? 0));
    const wait = readyAt - Date.now();
    if (wait > 0) {
      await this.enqueue(order, wait);
      return;
    }
    if (order.providerRef) return this.apply(order, await provider.getStatus({ providerRef: order.providerRef, refId: order.refId, product: order.product, inputs: order.inputs }));
    if (!provider.findOrder) {
      return this.needsAttention(order, attention("no-lookup"));
    }
    let found: OrderOutcome | null;
    try {
      found = await provider.findOrder(order.refId, order.product);
    } catch (error) {
      // Whatever the lookup said (timeout, auth, garbage), whether the purchase happened is still
      // unknown: look again later; never refund or buy on it.
      if (!(error instanceof ProviderError)) throw error;
      this.deps.metrics.providerError(order.product.provider, error.code);
      this.deps.logger.warn({ orderId: order.id, code: error.code, detail: error.message }, "order lookup failed; will look again");
      const counted = (await this.deps.orders.update(order.id, (o) => ({ attempts: o.attempts + 1 }))) ?? order;
      if (counted.status !== "placing") return;
      if (Date.now() - counted.createdAt > this.plan.giveUpAfterMs) return this.needsAttention(counted, attention("unknown-outcome", error.code));
      await this.enqueue(counted, this.plan.delayMs(counted.attempts));
      return;
    }
    if (found) return this.apply(order, found);
    // The provider has no such order: the purchase never happened, so it may be sent again (from
    // this run, the order's follow-up chain), within the cap.
    await this.purchase(order, ["placing"], "not found at provider; placing again", true);
  }

  private async onPlaceError(order: Order, error: unknown): Promise<void> {
    if (!(error instanceof ProviderError)) throw error;
    this.deps.metrics.providerError(order.product.provider, error.code);
    this.deps.logger.warn({ orderId: order.id, code: error.code, err: error }, "provider refused or did not answer an order");
    if (error.outcomeUnknown) {
      const provider = this.provider(order);
      // Remember when the answer was lost: the lookup waits until the provider has recorded it.
      const unknown = (await this.deps.orders.update(order.id, () => ({ purchaseUnknownAt: Date.now() }))) ?? order;
      if (provider.findOrder) {
        await this.enqueue(unknown, Math.max(this.plan.delayMs(unknown.attempts), provider.lookupDelayMs ?? 0));
        return;
      }
      return this.needsAttention(unknown, attention("unknown-outcome", error.code));
    }
    // Turned away (429/503): nothing was bought, so it may be tried again, within both limits.
    if (error.transient && order.attempts < this.plan.maxTransientAttempts && order.purchaseAttempts < this.maxPurchases) {
      const again = await this.deps.orders.transition(order.id, ["placing"], "paid", () => ({}), `provider ${error.code}; will try again`);
      if (again) await this.enqueue(again, this.plan.delayMs(order.attempts));
      return;
    }
    await this.fail(order, `provider-error-${error.code}`);
  }

  /** Applies what the provider said about an order in `placing` or `pending`. */
  private async apply(order: Order, outcome: OrderOutcome): Promise<void> {
    switch (outcome.state) {
      case "success":
        return this.deliver(order, outcome.providerRef, outcome.delivery, outcome.cost);
      case "failed":
        return this.fail(order, "provider-error-failed", outcome.reason, outcome.providerRef);
      case "stuck":
        return this.stuck(order, outcome.providerRef, outcome.reason);
      case "pending": {
        // The provider's own word on what it charged (aluy's order total) replaces our estimate.
        const cost = outcome.cost;
        const pending =
          order.status === "placing"
            ? await this.deps.orders.transition(order.id, ["placing"], "pending", () => ({
                providerRef: outcome.providerRef,
                ...(cost !== undefined ? { cost } : {}),
              }))
            : order;
        if (!pending) return;
        if (order.status === "placing") await this.tellBuyer(pending, textReply(msg("order-pending", { order: order.id })));
        await this.scheduleFollowUp(pending);
        return;
      }
    }
  }

  /**
   * The provider holds the charge but cannot deliver (aluy: the VPS failed to deploy). Never a
   * refund: the provider is asked to repair it ONCE over the order's life (counted on the order
   * before the call, so no crash or second runner repeats it), and its answer is applied like a
   * status; if it is still stuck, or the repair fails, an admin is asked (one alert) and the order
   * stays pending without further follow-ups.
   */
  private async stuck(order: Order, providerRef: string, reason: string): Promise<void> {
    const current =
      order.status === "placing"
        ? await this.deps.orders.transition(order.id, ["placing"], "pending", () => ({ providerRef }))
        : order;
    if (!current || current.status !== "pending") return;
    const provider = this.provider(current);
    let claimed = false;
    const counted = provider.repair
      ? await this.deps.orders.update(current.id, (o) => {
          claimed = o.status === "pending" && (o.repairAttempts ?? 0) < 1;
          return claimed ? { repairAttempts: (o.repairAttempts ?? 0) + 1 } : {};
        })
      : null;
    if (!provider.repair || !counted || !claimed) {
      return this.needsAttention(counted ?? current, attention("provision-issue", reason.slice(0, 200)));
    }
    let repaired: OrderOutcome;
    try {
      repaired = await provider.repair({ providerRef: counted.providerRef ?? providerRef, refId: counted.refId, product: counted.product, inputs: counted.inputs });
    } catch (error) {
      if (!(error instanceof ProviderError)) throw error;
      this.deps.metrics.providerError(counted.product.provider, error.code);
      this.deps.logger.warn({ orderId: counted.id, err: error }, "provider repair failed; an admin is asked");
      return this.needsAttention(counted, attention("provision-issue", `repair: ${error.code}`));
    }
    if (repaired.state === "stuck") return this.needsAttention(counted, attention("provision-issue", repaired.reason.slice(0, 200)));
    await this.apply(counted, repaired);
  }

  private async followUp(order: Order): Promise<void> {
    const provider = this.provider(order);
    const counted = await this.deps.orders.update(order.id, (o) => ({ attempts: o.attempts + 1 }));
    if (!counted || counted.status !== "pending") return;
    let outcome: OrderOutcome;
    try {
      outcome = await provider.getStatus({ providerRef: order.providerRef ?? order.refId, refId: order.refId, product: order.product, inputs: order.inputs });
    } catch (error) {
      // Not knowing is not failing: keep following, never refund on a guess.
      const code = error instanceof ProviderError ? error.code : "error";
      this.deps.metrics.providerError(order.product.provider, code);
      this.deps.logger.warn({ orderId: order.id, code }, "status check failed; will check again");
      return this.scheduleFollowUp(counted);
    }
    await this.apply(counted, outcome);
  }

  private async scheduleFollowUp(order: Order): Promise<void> {
    if (Date.now() - order.createdAt > this.plan.giveUpAfterMs) {
      return this.needsAttention(order, attention("still-pending"));
    }
    await this.enqueue(order, this.plan.delayMs(Math.max(1, order.attempts)));
  }

  private async deliver(order: Order, providerRef: string, items: DeliveryItem[], cost?: number): Promise<void> {
    const expiresAt = expiryOf(items);
    const delivered = await this.deps.orders.transition(order.id, ["placing", "pending"], "delivered", (o) => ({
      providerRef,
      // The provider's own word on what it charged (a promo code applied) replaces our estimate.
      ...(cost !== undefined ? { cost } : {}),
      ...(expiresAt !== undefined ? { expiresAt } : {}),
      payment: o.payment.paidAt === undefined ? { ...o.payment, paidAt: Date.now() } : o.payment,
      delivered: this.deps.vault.seal(items),
      notified: false,
    }));
    if (!delivered) return;
    await this.tellOwed(delivered, deliveryReply(delivered, items));
  }

  private async fail(order: Order, reasonKey: string, detail?: string, providerRef?: string): Promise<void> {
    if (order.payment.method === "provider_qris" && order.payment.paidAt === undefined) {
      // The buyer paid the provider nothing (the QR expired or was refused): nothing to refund.
      const expired = await this.deps.orders.transition(order.id, ["placing", "pending"], "expired", () => ({ failureReason: reasonKey }), detail);
      if (expired) await this.tellBuyer(expired, textReply(msg("order-expired-unpaid", { order: order.id })));
      return;
    }
    const failed = await this.deps.orders.transition(
      order.id,
      ["paid", "placing", "pending"],
      "failed",
      () => ({ failureReason: reasonKey, ...(providerRef ? { providerRef } : {}) }),
      detail,
    );
    if (!failed) return;
    await this.refundFailed(failed.id);
  }

  /**
   * An admin's resolution of an order left without a clear outcome (`/resolve <id> delivered`):
   * they bought or found the goods themselves, and `text` (a serial, or login details) is what
   * the buyer gets. One compare-and-set `placing | pending → delivered`, the text sealed by the
   * delivery vault like any delivery, so it happens once: a second resolution, or fulfilment
   * finding the order later, changes nothing. The buyer is told as for any delivery (a message
   * lost to a crash is sent by the start-up sweep).
   */
  async resolveDelivered(orderId: string, by: string, text: string): Promise<ResolveResult> {
    const order = await this.deps.orders.get(orderId);
    if (!order) return { kind: "not_found" };
    const items: DeliveryItem[] = [{ label: "note", value: text, secret: true }];
    const delivered = await this.deps.orders.transition(
      order.id,
      ["placing", "pending"],
      "delivered",
      (o) => ({
        payment: o.payment.paidAt === undefined ? { ...o.payment, paidAt: Date.now() } : o.payment,
        delivered: this.deps.vault.seal(items),
        notified: false,
        attention: undefined,
        purchaseUnknownAt: undefined,
      }),
      `resolved as delivered by ${by}`,
    );
    if (!delivered) return { kind: "not_resolvable", order: (await this.deps.orders.get(orderId)) ?? order };
    return { kind: "delivered", order: await this.tellOwed(delivered, deliveryReply(delivered, items)) };
  }

  /**
   * An admin's resolution with the provider's own reference (`/resolve <id> ref <ref>`): they
   * found the order at the provider. `placing → pending` with the reference (compare-and-set),
   * and the status follow-up resumes, which delivers or refunds as the provider says.
   */
  async resolveRef(orderId: string, by: string, providerRef: string): Promise<ResolveResult> {
    const order = await this.deps.orders.get(orderId);
    if (!order) return { kind: "not_found" };
    const pending = await this.deps.orders.transition(
      order.id,
      ["placing"],
      "pending",
      () => ({ providerRef, attention: undefined, purchaseUnknownAt: undefined }),
      `provider reference attached by ${by}`,
    );
    if (!pending) return { kind: "not_resolvable", order: (await this.deps.orders.get(orderId)) ?? order };
    await this.enqueue(pending);
    return { kind: "attached", order: pending };
  }

  /**
   * Refunds a failed order to the buyer's wallet, once, and tells the buyer: claim (no retry can
   * place it again after this), credit under `ledgerIds.refund`, `failed → refunded` owing
   * the message, then send it and record that it was sent. A crash or a failed send leaves the
   * message owed, and the start-up sweep sends it ({@link tellOwedMessage}).
   *
   * `admin` marks an admin's refund: who and why go on the ledger entry and in the order history,
   * and the buyer is told the shop cancelled the order. Returns the refunded order, or null when
   * this call did not refund it (not failed, a retry won, or another runner recorded it first).
   */
  async refundFailed(orderId: string, admin?: AdminRefund): Promise<Order | null> {
    const order = await this.deps.orders.claimRefund(orderId);
    if (!order) return null; // An admin's retry moved it back to paid first, or it is refunded.
    await this.deps.wallet.credit(order.buyer, order.payment.amount, {
      id: ledgerIds.refund(order.id),
      reason: "refund",
      orderId: order.id,
      ...(admin ? { by: admin.by, ...(admin.reason ? { note: admin.reason } : {}) } : {}),
    });
    const refunded = await this.deps.orders.transition(order.id, ["failed"], "refunded", () => ({ notified: false }), admin ? adminRefundNote(admin) : undefined);
    if (!refunded) return null;
    return this.tellOwed(refunded, await this.refundReply(refunded));
  }

  /**
   * An admin's refund of a delivered order (the goods did not work, a warranty claim): the payment
   * back to the buyer's wallet under the same `refund:<id>` entry as any refund, then
   * `delivered → refunded` owing the message, then the message. The order's pricing (voucher use,
   * tier spend) is tracked for settlement first (see `pricing-settlement.ts`). The credit goes first: a crash in
   * between leaves the money given back and the order delivered, and the admin's repeated
   * `/refund` finishes it (the credit is then a duplicate). Returns the refunded order, or null
   * when this call did not refund it (not delivered, or another admin's refund got there first).
   */
  async refundDelivered(orderId: string, admin: AdminRefund): Promise<Order | null> {
    const order = await this.deps.orders.get(orderId);
    if (!order || order.status !== "delivered") return null;
    // Before any move: if Redis is away this throws and nothing was refunded (the admin repeats it).
    await this.deps.settlement?.trackRefund(order);
    await this.deps.wallet.credit(order.buyer, order.payment.amount, {
      id: ledgerIds.refund(order.id),
      reason: "refund",
      orderId: order.id,
      by: admin.by,
      ...(admin.reason ? { note: admin.reason } : {}),
    });
    const refunded = await this.deps.orders.transition(order.id, ["delivered"], "refunded", () => ({ notified: false }), adminRefundNote(admin));
    if (!refunded) return null;
    return this.tellOwed(refunded, await this.refundReply(refunded));
  }

  private async refundReply(order: Order) {
    const balance = await this.deps.wallet.balance(order.buyer);
    const why = refundedByAdmin(order)
      ? msg("admin-refund-buyer", { order: order.id })
      : msg("order-failed", { order: order.id, reason: msg(order.failureReason ?? "provider-error-failed") });
    return textReply(why, msg("order-refunded", { amount: formatRupiah(order.payment.amount), balance: formatRupiah(balance) }));
  }

  /**
   * Sends the delivery or refund message of a final order that is still owed one (a process
   * died between recording the outcome and telling the buyer). Called by the start-up sweep.
   * Credentials come from the encrypted record; without an encryption key they were never
   * stored, and the buyer is told to ask the shop.
   */
  async tellOwedMessage(order: Order): Promise<void> {
    if (order.notified !== false) return;
    if (order.status === "refunded") {
      await this.tellOwed(order, await this.refundReply(order));
      return;
    }
    if (order.status !== "delivered" || !order.delivered) return;
    const { items, secretsWithheld } = this.deps.vault.open(order.delivered, true);
    await this.tellOwed(order, deliveryReply(order, items, secretsWithheld));
  }

  /**
   * Tells the buyer, then records that they were told (so a crash in between re-sends, not
   * loses). Returns the order as it now is.
   */
  private async tellOwed(order: Order, reply: Reply): Promise<Order> {
    if (!(await this.tellBuyer(order, reply))) return order;
    return (await this.deps.orders.update(order.id, () => ({ notified: true }))) ?? order;
  }

  /** `why` comes from {@link attention}. */
  private async needsAttention(order: Order, why: string): Promise<void> {
    if (order.attention) return;
    const marked = await this.deps.orders.update(order.id, () => ({ attention: why }));
    if (!marked) return;
    this.deps.logger.error({ orderId: order.id, why }, "order needs attention");
    await this.deps.alerts.alert(msg("admin-alert-attention", { order: order.id, why: attentionMessage(why) }), order.id);
  }

  /** Sends a message to the order's buyer; false when it could not be sent. */
  private async tellBuyer(order: Order, reply: Reply): Promise<boolean> {
    try {
      await this.deps.outbox.send({ channel: order.channel, chatId: order.chatId, locale: order.locale }, [reply]);
      return true;
    } catch (error) {
      // The failed send can carry the message itself, and that may be a delivered login.
      this.deps.logger.warn({ orderId: order.id, err: bareError(error) }, "could not message the buyer");
      return false;
    }
  }
}

/** When the order last entered `placing` (its last purchase claim), else its last update. */
function placingSince(order: Order): number {
  for (let i = order.history.length - 1; i >= 0; i--) if (order.history[i]!.status === "placing") return order.history[i]!.at;
  return order.updatedAt;
}

/** The run name of an order's next step: one follow-up chain for `placing` and `pending`. */
export function runStep(order: Pick<Order, "status" | "attempts">): string {
  return order.status === "placing" || order.status === "pending" ? "follow" : `${order.status}-${order.attempts}`;
}

/** The paid-until time of a delivery: its `expires` line, when that is a date (ISO). */
function expiryOf(items: readonly DeliveryItem[]): number | undefined {
  const value = items.find((item) => item.label === "expires" && !item.secret)?.value;
  const at = value === undefined ? Number.NaN : Date.parse(value);
  return Number.isFinite(at) ? at : undefined;
}

/** An admin's refund: who asked, and the reason they gave (if any). */
export interface AdminRefund {
  by: string;
  reason: string | null;
}

const adminRefundPrefix = "refund by ";

/** The order-history note of an admin's refund. */
export function adminRefundNote({ by, reason }: AdminRefund): string {
  return reason ? `${adminRefundPrefix}${by}: ${reason}` : `${adminRefundPrefix}${by}`;
}

/** Whether an admin refunded the order (its move to `refunded` carries the admin's note). */
function refundedByAdmin(order: Order): boolean {
  return order.history.some((step) => step.status === "refunded" && step.note?.startsWith(adminRefundPrefix) === true);
}

/**
 * Longest delivery (roughly, in characters) sent as one text message; a longer one (ten long
 * account lines of own stock) goes as a `.txt` document, since Telegram cuts a message at 4,096.
 */
export const deliveryTextLimit = 3_000;

/** The message that hands over what was bought: text, or a `.txt` document when it would not fit in one message. */
export function deliveryReply(order: Order, items: DeliveryItem[], secretsWithheld = false): Reply {
  const size = items.reduce((total, item) => total + item.value.length + 16, 0);
  if (size > deliveryTextLimit) {
    const text = `${items.map((item) => (item.label === "serial" ? item.value : `${item.label}: ${item.value}`)).join("\n")}\n`;
    const caption = [msg("order-delivered", { order: order.id, product: order.product.name }), msg("delivery-in-file")];
    if (secretsWithheld) caption.push(msg("delivery-secrets-withheld"));
    return documentReply(`${order.id}.txt`, Buffer.from(text, "utf8"), "text/plain", ...caption);
  }
  const lines: Msg[] = [msg("order-delivered", { order: order.id, product: order.product.name })];
  for (const item of items) lines.push(msg(`delivery-${item.label}`, { value: item.value }));
  if (secretsWithheld) lines.push(msg("delivery-secrets-withheld"));
  return textReply(...lines);
}

/** The provider promo code an order carries, as the purchase request's optional field. */
function promoOf(order: Order): { promoCode?: string } {
  return order.promoCode ? { promoCode: order.promoCode } : {};
}
