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
 * A later transfer that names a paid payment is its buyer's extra money: `qris-extra:<id>:<ref>`.
 * A paid payment stays marked unsettled until its money is fully applied; start-up and the sweep
 * finish any a crash left half done.
 *
 * A subscription renewal paid by QRIS ("Perpanjang") is a top-up of exactly the renewal price
 * that names the order and the paid-until date it extends: confirmed → credit `qris:<id>` → the
 * renewal's own debit (`ledgerIds.renewal`) → the date moved by compare-and-set (see
 * `commerce/renewals.ts`). A repeated or late confirmation renews at most once; when the VPS was
 * renewed meanwhile or lapsed, the money stays in the wallet.
 */
import type { Logger } from "pino";
import { bareError } from "../core/bare-error.js";
import { msg, type Locale, type Msg } from "../core/message.js";
import type { Channel } from "../core/inbound.js";
import type { Outbox } from "../core/outbox.js";
import { textReply, type Reply } from "../core/reply.js";
import type { Fulfilment } from "../commerce/fulfilment.js";
import type { AdminAlerts } from "../core/alerts.js";
import { formatRupiah, type Rupiah } from "../core/money.js";
import { formatWib } from "../core/time.js";
import type { Order, OrderStore } from "../commerce/orders.js";
import type { WalletRenewals } from "../commerce/renewals.js";
import type { FeatureChat, RenewalQrisStart } from "../core/buyer-feature.js";
import type { Wallet } from "../commerce/wallet.js";
import { ledgerIds } from "../commerce/ledger-ids.js";
import { payFromWallet } from "../commerce/pay-from-wallet.js";
import { renderQrPng } from "./qr-image.js";
import { toDynamicQris } from "./qris.js";
import { newTopupId, type OpenInput, type OpenRefusal, type Payment, type PaymentStore } from "./payment-store.js";

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
  /** Most open payments one buyer may hold (QRIS_MAX_OPEN_PER_BUYER; enforced by the store). */
  maxOpenPerBuyer: number;
  /** Subscription renewals, for renewals paid by QRIS; without it none can be opened. */
  renewals?: Pick<WalletRenewals, "quote" | "renewPaid">;
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
  /** `finished`: its money was not fully applied yet (a crash) and this call finished it. */
  | { kind: "already_paid"; payment: Payment; finished: boolean }
  | { kind: "late"; payment: Payment; credited: Rupiah }
  | { kind: "underpaid"; payment: Payment }
  | { kind: "not_found" };

/** What money reported by the gateway did. */
export type ReceiveResult =
  | ConfirmResult
  | { kind: "unmatched" }
  /** A second transfer naming a paid payment: credited to its buyer's wallet. */
  | { kind: "extra"; payment: Payment; credited: Rupiah }
  /** The reference was seen before; `finished` when its payment's money was not fully applied and now is. */
  | { kind: "repeated"; finished: boolean; id?: string };

/**
 * How a confirmation found its payment: by hand (an admin, by id), or the gateway's report of
 * money, which named the payment's id or matched its total.
 */
type Via = "hand" | "named" | "amount";

/** Above this share of a price's totals in use, the admins are told (once per `poolAlertEveryMs`). */
const poolAlertShare = 0.8;
const poolAlertEveryMs = 3_600_000;

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
    const opened = await this.open(order.id, "order", `order:${order.product.code}`, order, order.price);
    if (!opened.ok) {
      // No QR could be made: the order must not wait for a payment forever.
      await this.deps.orders.transition(order.id, ["awaiting_payment"], "expired", () => ({}), "no QRIS payment could be opened");
      this.deps.logger.warn({ orderId: order.id, reason: opened.reason }, "could not open a QRIS payment");
      return [textReply(msg(opened.reason === "full" ? "qris-busy" : "qris-too-many-open", { max: this.deps.maxOpenPerBuyer }))];
    }
    const { payment } = opened;
    await this.deps.orders.update(order.id, (o) => ({ payment: { ...o.payment, amount: payment.amount } }));
    return [await this.qrReply(payment, msg("qris-purpose-order", { product: order.product.name }))];
  }

  /** Opens a wallet top-up and returns the QR to show. */
  async startTopup(recipient: { buyer: string; channel: Channel; chatId: string; locale: Locale }, amount: Rupiah): Promise<Reply[]> {
    // A top-up's purpose is its amount: asking again for the same amount replaces the older QR,
    // another amount is another open payment (and counts against the buyer's limit).
    const opened = await this.open(newTopupId(), "topup", `topup:${amount}`, recipient, amount);
    if (!opened.ok) return [textReply(msg(opened.reason === "full" ? "qris-busy-topup" : "qris-too-many-open", { max: this.deps.maxOpenPerBuyer }))];
    return [await this.qrReply(opened.payment, msg("qris-purpose-topup"))];
  }

  /**
   * Opens a QRIS payment of one renewal ("Perpanjang") of the buyer's subscription `orderId`:
   * `months` at the monthly price, extending the current paid-until date. Asking again for the
   * same order replaces the older QR.
   */
  async startRenewal(recipient: FeatureChat & { buyer: string }, orderId: string, months: number): Promise<RenewalQrisStart> {
    if (!this.deps.renewals) return { kind: "not_found" };
    const quote = await this.deps.renewals.quote(recipient.buyer, orderId);
    if (quote.kind !== "quote") return quote;
    const renewal = { orderId, from: quote.expiresAt, months };
    const opened = await this.open(newTopupId(), "topup", `renew:${orderId}`, recipient, quote.monthly * months, { renewal });
    if (!opened.ok) return { kind: "opened", replies: [textReply(msg(opened.reason === "full" ? "qris-busy-topup" : "qris-too-many-open", { max: this.deps.maxOpenPerBuyer }))] };
    return { kind: "opened", replies: [await this.qrReply(opened.payment, msg("qris-purpose-renewal", { order: orderId }))] };
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
   * A reference does something once: seen again, it only finishes what its first call left
   * undone (a crash), and changes nothing else.
   */
  async receive(amount: Rupiah, reference?: string): Promise<ReceiveResult> {
    if (reference) {
      const outcome = await this.deps.store.referenceOutcome(reference);
      if (outcome !== null) return this.repeated(outcome);
    }
    const report: Confirmation = { by: "callback", paidAmount: amount, ...(reference ? { reference } : {}) };
    const named = reference ? await this.deps.store.get(reference) : null;
    const target =
      named ??
      (await this.deps.store.findOpenByAmount(amount)) ??
      (await this.deps.store.findExpiredByAmount(amount)) ??
      (await this.deps.store.findPaidByAmount(amount));
    const result = target ? await this.confirmVia(target.id, report, named ? "named" : "amount") : { kind: "unmatched" as const };
    if (result.kind === "unmatched") {
      // Told once per reference, also when the gateway sends it twice at once.
      if (reference && !(await this.deps.store.recordReference(reference, "none"))) return { kind: "repeated", finished: false };
      await this.deps.alerts.alert(msg("admin-alert-unmatched-payment", { amount: formatRupiah(amount), reference: reference ?? "-" }));
    } else if (result.kind === "underpaid" && reference) {
      await this.deps.store.recordReference(reference, "none");
    }
    return result;
  }

  /** Expires payments past their time and tells their buyers. */
  async expireDue(now = Date.now()): Promise<number> {
    const due = await this.deps.store.claimExpired(now);
    let expired = 0;
    for (const id of due) if (await this.expireOne(id, "QRIS payment expired")) expired++;
    return expired;
  }

  /**
   * Finishes every paid payment whose money a crash left half applied (its credit, its order's
   * debit or move to paid missing). Start-up and the periodic sweep call it; idempotent.
   */
  async finishUnsettled(active: Order[] = []): Promise<number> {
    let finished = 0;
    // Orders still waiting on a QRIS payment that is paid: also those a crash left before paid
    // payments were marked unsettled (at start-up, which passes the active orders).
    const waiting = active.filter((order) => order.status === "awaiting_payment" && order.payment.method === "qris").map((order) => order.id);
    for (const id of new Set([...(await this.deps.store.unsettled()), ...waiting])) {
      const payment = await this.deps.store.get(id);
      if (!payment || payment.status !== "paid") {
        await this.deps.store.markSettled(id);
        continue;
      }
      if (await this.finish(payment)) finished++;
    }
    if (finished > 0) this.deps.logger.info({ count: finished }, "finished paid payments a crash left unsettled");
    return finished;
  }

  private async repeated(outcome: string): Promise<ReceiveResult> {
    if (!outcome.startsWith("pay:")) return { kind: "repeated", finished: false };
    const payment = await this.deps.store.get(outcome.slice("pay:".length));
    if (!payment || payment.status !== "paid") return { kind: "repeated", finished: false };
    return { kind: "repeated", finished: await this.finish(payment), id: payment.id };
  }

  private async expireOne(id: string, why: string): Promise<boolean> {
    const payment = await this.deps.store.move(id, "open", "expired");
    if (!payment) return false;
    if (payment.kind === "order") {
      await this.deps.orders.transition(id, ["awaiting_payment"], "expired", () => ({}), why);
    }
    await this.tell(payment, textReply(msg("qris-expired", { id, amount: formatRupiah(payment.amount) })));
    return true;
  }

  private confirmVia(id: string, confirmation: Confirmation, via: "hand"): Promise<ConfirmResult>;
  private confirmVia(id: string, confirmation: Confirmation, via: Via): Promise<ReceiveResult>;
  private async confirmVia(id: string, confirmation: Confirmation, via: Via): Promise<ReceiveResult> {
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
      if (via === "hand") return { kind: "already_paid", payment, finished: await this.finish(payment) };
      // The same report again (the gateway sent it twice at once): finish, change nothing else.
      if (confirmation.reference && payment.reference === confirmation.reference) {
        return { kind: "already_paid", payment, finished: await this.finish(payment) };
      }
      // The gateway reports money already confirmed by hand: that money's report, recognised once.
      const matched = await this.deps.store.matchReport(id, confirmation.reference);
      if (matched) return { kind: "already_paid", payment: matched, finished: await this.finish(matched) };
      if (via === "amount") return { kind: "unmatched" }; // someone else's money of the same total
      return this.extraTransfer(payment, paidAmount, confirmation.reference ?? id);
    }
    if (payment.status === "expired") return this.latePayment(payment, patch, confirmation, via);
    if (paidAmount < payment.amount) {
      await this.deps.alerts.alert(msg("admin-alert-underpaid", { id, paid: formatRupiah(paidAmount), expected: formatRupiah(payment.amount) }), id);
      return { kind: "underpaid", payment };
    }
    const paid = await this.deps.store.move(id, "open", "paid", patch);
    if (!paid) return this.afterLostMove(id, confirmation, via);
    await this.finish(paid);
    const overpaid = paidAmount - payment.amount;
    if (overpaid > 0) {
      await this.deps.alerts.alert(msg("admin-alert-overpaid", { id, amount: formatRupiah(overpaid) }), id);
    }
    return { kind: "confirmed", payment: paid, overpaid };
  }

  /**
   * Opens a payment for `purpose`. The buyer's older open payment for the same purpose is
   * replaced: at the same price the new one takes over its total (so asking again and again
   * holds one total, and a late scan of the old QR still pays this buyer's same purpose);
   * at another price (the product's price changed) the older one expires.
   */
  private async open(
    id: string,
    kind: Payment["kind"],
    purpose: string,
    who: { buyer: string; channel: Channel; chatId: string; locale: Locale },
    baseAmount: Rupiah,
    extra: Pick<OpenInput, "renewal"> = {},
  ): Promise<{ ok: true; payment: Payment } | { ok: false; reason: OpenRefusal }> {
    const now = Date.now();
    const input: OpenInput = {
      id,
      kind,
      purpose,
      buyer: who.buyer,
      channel: who.channel,
      chatId: who.chatId,
      locale: who.locale,
      baseAmount,
      createdAt: now,
      expiresAt: now + this.deps.ttlMs,
      ...extra,
    };
    for (const older of await this.deps.store.openOfBuyer(who.buyer)) {
      if (older.purpose !== purpose) continue;
      if (older.baseAmount === baseAmount) {
        const payment = await this.deps.store.replace(older, input);
        if (!payment) continue; // paid or expired meanwhile
        if (older.kind === "order") await this.deps.orders.transition(older.id, ["awaiting_payment"], "expired", () => ({}), "QRIS payment replaced by a newer one");
        return { ok: true, payment };
      }
      await this.expireOne(older.id, "QRIS payment replaced by a newer one");
    }
    const opened = await this.deps.store.open(input);
    if (opened.ok && opened.poolUsed > opened.poolSize * poolAlertShare && (await this.deps.store.firstPoolAlert(baseAmount, poolAlertEveryMs))) {
      await this.deps.alerts.alert(msg("admin-alert-qris-pool", { price: formatRupiah(baseAmount), used: opened.poolUsed, size: opened.poolSize }));
    }
    return opened;
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

  /** Settles a paid payment and marks it settled; true when anything was left to do. */
  private async finish(payment: Payment): Promise<boolean> {
    const did = await this.settle(payment);
    await this.deps.store.markSettled(payment.id);
    return did;
  }

  /**
   * Moves the money of a paid payment: credit, then (for an order) debit and fulfil; a late one
   * is credited as such. Idempotent; true when this call applied or moved anything.
   */
  private async settle(payment: Payment): Promise<boolean> {
    const paidAmount = payment.paidAmount ?? payment.amount;
    if (payment.late) {
      const late = await this.deps.wallet.credit(payment.buyer, paidAmount, { id: ledgerIds.latePayment(payment.id), reason: "late_payment", note: "paid after expiry" });
      // A late renewal payment still renews, once, when the period it extends is still the current one.
      const renewed = payment.renewal ? await this.applyRenewal(payment) : false;
      if (!late.ok || !late.applied) return renewed;
      if (!renewed) await this.tell(payment, textReply(msg("qris-late-credited", { id: payment.id, amount: formatRupiah(paidAmount), balance: formatRupiah(late.balance) })));
      await this.deps.alerts.alert(msg("admin-alert-late-payment", { id: payment.id, amount: formatRupiah(paidAmount) }), payment.id);
      return true;
    }
    const credit = await this.deps.wallet.credit(payment.buyer, paidAmount, {
      id: ledgerIds.qrisPayment(payment.id),
      reason: "topup",
      ...(payment.kind === "order" ? { orderId: payment.id } : {}),
      note: payment.reference ? `QRIS ${payment.reference}` : "QRIS",
    });
    const credited = credit.ok && credit.applied;
    if (payment.renewal) {
      const renewed = await this.applyRenewal(payment);
      if (!renewed && credited) {
        await this.tell(payment, textReply(msg("renewal-qris-kept", { order: payment.renewal.orderId, amount: formatRupiah(paidAmount), balance: formatRupiah(credit.balance) })));
      }
      return credited || renewed;
    }
    if (payment.kind === "topup") {
      if (credited) await this.tell(payment, textReply(msg("topup-paid", { amount: formatRupiah(paidAmount), balance: formatRupiah(credit.balance) })));
      return credited;
    }
    const order = await this.deps.orders.get(payment.id);
    if (!order || order.status !== "awaiting_payment") return credited;
    const paid = await payFromWallet(this.deps, order, {
      amount: payment.amount,
      paidAt: payment.paidAt ?? Date.now(),
      ...(payment.reference ? { reference: payment.reference } : {}),
    });
    if (paid.kind === "insufficient") {
      // The buyer spent the credited money elsewhere in the same instant; it stays in the wallet.
      const expired = await this.deps.orders.transition(order.id, ["awaiting_payment"], "expired", () => ({}), "QRIS credited to wallet; debit failed");
      if (expired) await this.tell(payment, textReply(msg("qris-credited-instead", { id: order.id, balance: formatRupiah(paid.balance) })));
      return credited || expired !== null;
    }
    if (paid.kind === "lost") return credited || paid.debitApplied;
    await this.tell(payment, textReply(msg("qris-paid-order", { id: order.id, product: order.product.name }), msg("order-processing")));
    return true;
  }

  /**
   * Applies the renewal a paid payment was for (its money is in the wallet by now) and tells the
   * buyer when this call did it; true when it did.
   */
  private async applyRenewal(payment: Payment): Promise<boolean> {
    if (!payment.renewal || !this.deps.renewals) return false;
    const { orderId, from, months } = payment.renewal;
    const result = await this.deps.renewals.renewPaid(payment.buyer, orderId, { from, months, price: payment.baseAmount });
    if (result.kind !== "renewed" || !result.applied) return false;
    await this.tell(
      payment,
      textReply(msg("vps-renewed", { date: formatWib(result.expiresAt), price: formatRupiah(payment.baseAmount), balance: formatRupiah(result.balance) })),
    );
    return true;
  }

  private async latePayment(payment: Payment, patch: Partial<Payment>, confirmation: Confirmation, via: Via): Promise<ReceiveResult> {
    const paid = await this.deps.store.move(payment.id, "expired", "paid", { ...patch, late: true });
    if (!paid) return this.afterLostMove(payment.id, confirmation, via);
    await this.finish(paid);
    return { kind: "late", payment: paid, credited: paid.paidAmount ?? paid.amount };
  }

  /**
   * A move that lost: someone moved the payment meanwhile (decide again), or the report's
   * reference already did something else (a reference is accepted once).
   */
  private async afterLostMove(id: string, confirmation: Confirmation, via: Via): Promise<ReceiveResult> {
    if (confirmation.reference) {
      const outcome = await this.deps.store.referenceOutcome(confirmation.reference);
      if (outcome !== null && outcome !== `pay:${id}`) return this.repeated(outcome);
    }
    return this.confirmVia(id, confirmation, via);
  }

  /**
   * A second transfer naming a payment already paid: it is the buyer's money all the same, so it
   * goes to their wallet (once per reference), and the admins are told.
   */
  private async extraTransfer(payment: Payment, amount: Rupiah, reference: string): Promise<ReceiveResult> {
    const credit = await this.deps.wallet.credit(payment.buyer, amount, {
      id: ledgerIds.qrisExtra(payment.id, reference),
      reason: "overpayment",
      note: `QRIS ${reference}: another transfer for a paid payment`,
    });
    if (await this.deps.store.recordReference(reference, `extra:${payment.id}`)) {
      await this.tell(payment, textReply(msg("qris-extra-credited", { id: payment.id, amount: formatRupiah(amount), balance: formatRupiah(credit.balance) })));
      await this.deps.alerts.alert(msg("admin-alert-extra-transfer", { id: payment.id, amount: formatRupiah(amount), reference }), payment.id);
    }
    return { kind: "extra", payment, credited: amount };
  }

  private async tell(payment: Payment, reply: Reply): Promise<void> {
    try {
      await this.deps.outbox.send({ channel: payment.channel, chatId: payment.chatId, locale: payment.locale }, [reply]);
    } catch (error) {
      this.deps.logger.warn({ paymentId: payment.id, err: bareError(error) }, "could not message the buyer");
    }
  }
}
