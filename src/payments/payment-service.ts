/**
 * Paying by the owner's QRIS: for an order, or to top up the wallet.
 *
 * All QRIS money flows through the buyer's wallet ledger, so nothing is ever dropped:
 *   confirmed payment → credit `qris:<id>` (what was actually paid)
 *   then, for an order → debit `pay:<order>` (the total asked) and hand the order to fulfilment.
 * An overpayment simply stays in the wallet; a payment that arrives after expiry is credited as
 * a late payment; the admins are told of both. Every step is idempotent, so a second
 * confirmation of the same payment (two admins, callback + admin, a retried callback) finishes
 * whatever the first left undone and changes nothing else.
 *
 * The gateway's report of money an admin already confirmed by hand is recognised as that
 * payment once; any later money of the same total is someone else's and is reported unmatched.
 */
import type { Logger } from "pino";
import { msg, type Locale, type Msg } from "../core/message.js";
import type { Channel } from "../core/inbound.js";
import type { Outbox } from "../core/outbox.js";
import { textReply, type Reply } from "../core/reply.js";
import type { Fulfilment } from "../commerce/fulfilment.js";
import type { AdminAlerts } from "../core/alerts.js";
import { formatRupiah, type Rupiah } from "../core/money.js";
import type { Order, OrderStore } from "../commerce/orders.js";
import type { Wallet } from "../commerce/wallet.js";
import { renderQrPng } from "./qr-image.js";
import { toDynamicQris } from "./qris.js";
import { newTopupId, type Payment, type PaymentStore } from "./payment-store.js";

export interface PaymentServiceDeps {
  store: PaymentStore;
  orders: OrderStore;
  wallet: Wallet;
  fulfilment: Fulfilment;
  outbox: Outbox;
  alerts: AdminAlerts;
  logger: Logger;
  /** The owner's static QRIS; null when QRIS payments are off. */
  staticQris: string | null;
  ttlMs: number;
}

/** Who or what confirms a payment, and what it knows. */
export interface Confirmation {
  /** `admin:<id>`, `callback`, … (for the audit trail). */
  by: string;
  /** What arrived; defaults to the amount asked. */
  paidAmount?: Rupiah;
  reference?: string;
}

export type ConfirmResult =
  | { kind: "confirmed"; payment: Payment; overpaid: Rupiah }
  | { kind: "already_paid"; payment: Payment }
  | { kind: "late"; payment: Payment; credited: Rupiah }
  | { kind: "underpaid"; payment: Payment }
  | { kind: "not_found" };

/**
 * How a confirmation found its payment: by hand (an admin, by id), or the gateway's report of
 * money, which named the payment's id or matched its total.
 */
type Via = "hand" | "named" | "amount";

/** Top-ups smaller than this are not worth a QR. */
export const minTopup: Rupiah = 10_000;
export const maxTopup: Rupiah = 10_000_000;

const jakartaTime = new Intl.DateTimeFormat("id-ID", { timeZone: "Asia/Jakarta", hour: "2-digit", minute: "2-digit", hour12: false });

/** `14:05 WIB`: when a payment expires, in the buyer's clock. */
export function formatJakartaTime(at: number): string {
  return `${jakartaTime.format(new Date(at)).replace(".", ":")} WIB`;
}

export class PaymentService {
  constructor(private readonly deps: PaymentServiceDeps) {}

  get enabled(): boolean {
    return this.deps.staticQris !== null;
  }

  /** Opens the QRIS payment of an order awaiting payment, and returns the QR to show. */
  async startOrderPayment(order: Order): Promise<Reply[]> {
    let payment: Payment;
    try {
      payment = await this.open(order.id, "order", order, order.price);
    } catch (error) {
      // No QR could be made (no free unique total): the order must not wait for a payment forever.
      await this.deps.orders.transition(order.id, ["awaiting_payment"], "expired", () => ({}), "no QRIS payment could be opened");
      this.deps.logger.warn({ orderId: order.id, err: error instanceof Error ? error.message : String(error) }, "could not open a QRIS payment");
      return [textReply(msg("qris-busy"))];
    }
    await this.deps.orders.update(order.id, (o) => ({ payment: { ...o.payment, amount: payment.amount } }));
    return [await this.qrReply(payment, msg("qris-purpose-order", { product: order.product.name }))];
  }

  /** Opens a wallet top-up and returns the QR to show. */
  async startTopup(recipient: { buyer: string; channel: Channel; chatId: string; locale: Locale }, amount: Rupiah): Promise<Reply[]> {
    const payment = await this.open(newTopupId(), "topup", recipient, amount);
    return [await this.qrReply(payment, msg("qris-purpose-topup"))];
  }

  /** The QR of a provider's own QRIS (ALxZen), shown like ours; the provider confirms it. */
  async providerQrReply(order: Order, payload: string, amount: Rupiah, expiresAt?: number): Promise<Reply> {
    return {
      kind: "photo",
      png: await renderQrPng(payload),
      caption: [
        msg("qris-caption", {
          amount: formatRupiah(amount),
          id: order.id,
          purpose: msg("qris-purpose-order", { product: order.product.name }),
          expires: formatJakartaTime(expiresAt ?? Date.now() + this.deps.ttlMs),
        }),
      ],
    };
  }

  /** Confirms a payment by its id (an admin's `/paid`). */
  async confirm(id: string, confirmation: Confirmation): Promise<ConfirmResult> {
    return this.confirmVia(id, confirmation, "hand");
  }

  /**
   * Money arrived (a callback): find the payment it is for, by our id in the reference or by
   * its unique total, and confirm it. Unmatched money is reported to the admins, never dropped.
   */
  async receive(amount: Rupiah, reference?: string): Promise<ConfirmResult | { kind: "unmatched" }> {
    const report: Confirmation = { by: "callback", paidAmount: amount, ...(reference ? { reference } : {}) };
    const named = reference ? await this.deps.store.get(reference) : null;
    const target =
      named ??
      (await this.deps.store.findOpenByAmount(amount)) ??
      (await this.deps.store.findExpiredByAmount(amount)) ??
      (await this.deps.store.findPaidByAmount(amount));
    const result = target ? await this.confirmVia(target.id, report, named ? "named" : "amount") : { kind: "unmatched" as const };
    if (result.kind === "unmatched") {
      await this.deps.alerts.alert(msg("admin-alert-unmatched-payment", { amount: formatRupiah(amount), reference: reference ?? "-" }));
    }
    return result;
  }

  /** Records a callback reference; false when it was processed before. */
  rememberReference(reference: string): Promise<boolean> {
    return this.deps.store.rememberReference(reference);
  }

  /** Forgets a reference whose callback could not be processed, so its retry is accepted. */
  forgetReference(reference: string): Promise<void> {
    return this.deps.store.forgetReference(reference);
  }

  /** Expires payments past their time and tells their buyers. */
  async expireDue(now = Date.now()): Promise<number> {
    const due = await this.deps.store.claimExpired(now);
    let expired = 0;
    for (const id of due) {
      const payment = await this.deps.store.move(id, "open", "expired");
      if (!payment) continue;
      expired++;
      if (payment.kind === "order") {
        await this.deps.orders.transition(id, ["awaiting_payment"], "expired", () => ({}), "QRIS payment expired");
      }
      await this.tell(payment, textReply(msg("qris-expired", { id, amount: formatRupiah(payment.amount) })));
    }
    return expired;
  }

  private confirmVia(id: string, confirmation: Confirmation, via: "hand"): Promise<ConfirmResult>;
  private confirmVia(id: string, confirmation: Confirmation, via: Via): Promise<ConfirmResult | { kind: "unmatched" }>;
  private async confirmVia(id: string, confirmation: Confirmation, via: Via): Promise<ConfirmResult | { kind: "unmatched" }> {
    const payment = await this.deps.store.get(id);
    if (!payment) return { kind: "not_found" };
    const paidAmount = confirmation.paidAmount ?? payment.amount;
    const patch: Partial<Payment> = {
      paidAt: Date.now(),
      paidAmount,
      confirmedBy: confirmation.by,
      ...(confirmation.reference ? { reference: confirmation.reference } : {}),
      // The gateway's own report: no later report of this money is to be waited for.
      ...(via === "hand" ? {} : { reportedByGateway: true }),
    };

    if (payment.status === "paid") {
      let settled = payment;
      if (via !== "hand") {
        // The gateway reports money already confirmed: by hand (then this is that money's report,
        // recognised once), or by another report (two transfers of one total in the same instant).
        const matched = await this.deps.store.matchReport(id, confirmation.reference);
        if (matched) settled = matched;
        else if (via === "amount") return { kind: "unmatched" }; // someone else's money
      }
      await this.settle(settled); // Finishes anything a crash left undone; idempotent.
      return { kind: "already_paid", payment: settled };
    }
    if (payment.status === "expired") return this.latePayment(payment, patch, confirmation, via);
    if (paidAmount < payment.amount) {
      await this.deps.alerts.alert(msg("admin-alert-underpaid", { id, paid: formatRupiah(paidAmount), expected: formatRupiah(payment.amount) }), id);
      return { kind: "underpaid", payment };
    }
    const paid = await this.deps.store.move(id, "open", "paid", patch);
    if (!paid) return this.confirmVia(id, confirmation, via); // Someone moved it meanwhile: decide again.
    await this.settle(paid);
    const overpaid = paidAmount - payment.amount;
    if (overpaid > 0) {
      await this.deps.alerts.alert(msg("admin-alert-overpaid", { id, amount: formatRupiah(overpaid) }), id);
    }
    return { kind: "confirmed", payment: paid, overpaid };
  }

  private async open(id: string, kind: Payment["kind"], who: { buyer: string; channel: Channel; chatId: string; locale: Locale }, baseAmount: Rupiah): Promise<Payment> {
    const now = Date.now();
    return this.deps.store.open({
      id,
      kind,
      buyer: who.buyer,
      channel: who.channel,
      chatId: who.chatId,
      locale: who.locale,
      baseAmount,
      createdAt: now,
      expiresAt: now + this.deps.ttlMs,
    });
  }

  private async qrReply(payment: Payment, purpose: Msg): Promise<Reply> {
    if (!this.deps.staticQris) throw new Error("QRIS payments are not configured");
    const payload = toDynamicQris(this.deps.staticQris, payment.amount);
    return {
      kind: "photo",
      png: await renderQrPng(payload),
      caption: [
        msg("qris-caption", {
          amount: formatRupiah(payment.amount),
          id: payment.id,
          purpose,
          expires: formatJakartaTime(payment.expiresAt),
        }),
        ...(payment.uniqueCode > 0 ? [msg("qris-exact-amount", { code: formatRupiah(payment.uniqueCode) })] : []),
      ],
    };
  }

  /** Moves the money of a paid payment: credit, then (for an order) debit and fulfil. Idempotent. */
  private async settle(payment: Payment): Promise<void> {
    if (payment.late) return;
    const paidAmount = payment.paidAmount ?? payment.amount;
    const credit = await this.deps.wallet.credit(payment.buyer, paidAmount, {
      id: `qris:${payment.id}`,
      reason: "topup",
      ...(payment.kind === "order" ? { orderId: payment.id } : {}),
      note: payment.reference ? `QRIS ${payment.reference}` : "QRIS",
    });
    if (payment.kind === "topup") {
      if (credit.ok && credit.applied) {
        await this.tell(payment, textReply(msg("topup-paid", { amount: formatRupiah(paidAmount), balance: formatRupiah(credit.balance) })));
      }
      return;
    }
    const order = await this.deps.orders.get(payment.id);
    if (!order || order.status !== "awaiting_payment") return;
    const debit = await this.deps.wallet.debit(payment.buyer, payment.amount, { id: `pay:${order.id}`, reason: "purchase", orderId: order.id });
    if (!debit.ok) {
      // The buyer spent the credited money elsewhere in the same instant; it stays in the wallet.
      const expired = await this.deps.orders.transition(order.id, ["awaiting_payment"], "expired", () => ({}), "QRIS credited to wallet; debit failed");
      if (expired) await this.tell(payment, textReply(msg("qris-credited-instead", { id: order.id, balance: formatRupiah(debit.balance) })));
      return;
    }
    const paid = await this.deps.orders.transition(order.id, ["awaiting_payment"], "paid", (o) => ({
      payment: { ...o.payment, paidAt: payment.paidAt ?? Date.now(), ...(payment.reference ? { reference: payment.reference } : {}) },
    }));
    if (!paid) {
      // Another settlement got there first. If it expired the order, our debit bought nothing:
      // give it back (once). If it paid the order, the debit was that same `pay:` entry.
      const now = await this.deps.orders.get(order.id);
      if (now?.status === "expired" && (await this.deps.wallet.hasEntry(payment.buyer, `pay:${order.id}`))) {
        await this.deps.wallet.credit(payment.buyer, payment.amount, { id: `payback:${order.id}`, reason: "refund", orderId: order.id, note: "order expired" });
      }
      return;
    }
    await this.tell(payment, textReply(msg("qris-paid-order", { id: order.id, product: order.product.name }), msg("order-processing")));
    await this.deps.fulfilment.enqueue(paid);
  }

  private async latePayment(payment: Payment, patch: Partial<Payment>, confirmation: Confirmation, via: Via): Promise<ConfirmResult | { kind: "unmatched" }> {
    const paid = await this.deps.store.move(payment.id, "expired", "paid", { ...patch, late: true });
    if (!paid) return this.confirmVia(payment.id, confirmation, via); // Someone moved it meanwhile: decide again.
    const credited = paid.paidAmount ?? paid.amount;
    const result = await this.deps.wallet.credit(paid.buyer, credited, { id: `late:${paid.id}`, reason: "late_payment", note: "paid after expiry" });
    await this.tell(paid, textReply(msg("qris-late-credited", { id: paid.id, amount: formatRupiah(credited), balance: formatRupiah(result.balance) })));
    await this.deps.alerts.alert(msg("admin-alert-late-payment", { id: paid.id, amount: formatRupiah(credited) }), paid.id);
    return { kind: "late", payment: paid, credited };
  }

  private async tell(payment: Payment, reply: Reply): Promise<void> {
    try {
      await this.deps.outbox.send({ channel: payment.channel, chatId: payment.chatId, locale: payment.locale }, [reply]);
    } catch (error) {
      this.deps.logger.warn({ paymentId: payment.id, err: error instanceof Error ? error.message : String(error) }, "could not message the buyer");
    }
  }
}
