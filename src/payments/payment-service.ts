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
 *
 * A payment served by a QRIS gateway is opened, confirmed, polled and cancelled by
 * {@link GatewayPayments} (`gateway-payments.ts`), which settles through this service.
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
import type { GatewayId, QrisGateway } from "./gateway.js";
import { newTopupId, type OpenInput, type OpenRefusal, type Payment, type PaymentStore } from "./payment-store.js";
import type { Confirmation, ConfirmResult, ReceiveResult, Via } from "./confirmation.js";
import {
  GatewayPayments,
  type GatewayAsker,
  type GatewayConfirmResult,
  type GatewayHint,
  type GatewayPaymentsOptions,
  type GatewayRejection,
  type GatewayRun,
  type PaymentInspection,
} from "./gateway-payments.js";

export type { Payment } from "./payment-store.js";
// Importable from here as before the gateway machinery moved to gateway-payments.ts.
export type { Confirmation, ConfirmResult, ReceiveResult } from "./confirmation.js";
export { gatewayRecord } from "./gateway-payments.js";
export type { FeePayer, GatewayAsker, GatewayConfirmResult, GatewayHint, GatewayRejection, PaymentInspection } from "./gateway-payments.js";

/** What the service needs; the gateway settings are {@link GatewayPaymentsOptions}. */
export interface PaymentServiceDeps extends GatewayPaymentsOptions {
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
  /**
   * Where a QRIS is issued, in `QRIS_GATEWAYS` order: `"static"` (the owner's QRIS, `staticQris`)
   * or an API gateway. The first that issues a QR serves the payment. Default: `["static"]` when
   * `staticQris` is set.
   */
  sources?: readonly QrisSource[];
}

/** Where one QRIS may be issued: the owner's static QRIS or an API gateway. */
export type QrisSource = "static" | QrisGateway;

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

/** A payment opened, with the QRIS text to render. */
type Opened = { ok: true; payment: Payment; qr: string } | { ok: false; reason: OpenRefusal | "unavailable" };

export class PaymentService {
  private readonly sources: readonly QrisSource[];
  private readonly gatewayPayments: GatewayPayments;

  constructor(private readonly deps: PaymentServiceDeps) {
    this.sources = deps.sources ?? (deps.staticQris ? ["static"] : []);
    const gateways = this.sources.filter((source): source is QrisGateway => source !== "static");
    this.gatewayPayments = new GatewayPayments(deps, gateways, {
      confirmVia: (id, confirmation, via, known) => this.confirmVia(id, confirmation, via, known),
      finish: (payment) => this.finish(payment),
      expireOne: (id, why, run) => this.expireOne(id, why, run),
    });
  }

  /** True when any QRIS can be issued (the owner's static one or a gateway). */
  get enabled(): boolean {
    return this.sources.length > 0;
  }

  /** The API gateways configured, in `QRIS_GATEWAYS` order (their notification routes are served). */
  get gateways(): readonly QrisGateway[] {
    return this.gatewayPayments.gateways;
  }

  /** Opens the QRIS payment of an order awaiting payment, and returns the QR to show. */
  async startOrderPayment(order: Order): Promise<Reply[]> {
    const opened = await this.open(order.id, "order", `order:${order.product.code}`, order, order.price, order.product.name);
    if (!opened.ok) {
      // No QR could be made: the order must not wait for a payment forever.
      await this.deps.orders.transition(order.id, ["awaiting_payment"], "expired", () => ({}), "no QRIS payment could be opened");
      this.deps.logger.warn({ orderId: order.id, reason: opened.reason }, "could not open a QRIS payment");
      return [textReply(refusalText(opened.reason, "order", this.deps.maxOpenPerBuyer))];
    }
    const { payment } = opened;
    const gateway = payment.gateway?.id;
    await this.deps.orders.update(order.id, (o) => ({ payment: { ...o.payment, amount: payment.amount, ...(gateway ? { gateway } : {}) } }));
    return [await this.qrReply(payment, opened.qr, msg("qris-purpose-order", { product: order.product.name }))];
  }

  /** Opens a wallet top-up and returns the QR to show. */
  async startTopup(recipient: { buyer: string; channel: Channel; chatId: string; locale: Locale }, amount: Rupiah): Promise<Reply[]> {
    // A top-up's purpose is its amount: asking again for the same amount replaces the older QR,
    // another amount is another open payment (and counts against the buyer's limit).
    const opened = await this.open(newTopupId(), "topup", `topup:${amount}`, recipient, amount, "Top up saldo");
    if (!opened.ok) return [textReply(refusalText(opened.reason, "topup", this.deps.maxOpenPerBuyer))];
    return [await this.qrReply(opened.payment, opened.qr, msg("qris-purpose-topup"))];
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
    const opened = await this.open(newTopupId(), "topup", `renew:${orderId}`, recipient, quote.monthly * months, `Perpanjang ${orderId}`, { renewal });
    if (!opened.ok) return { kind: "opened", replies: [textReply(refusalText(opened.reason, "topup", this.deps.maxOpenPerBuyer))] };
    return { kind: "opened", replies: [await this.qrReply(opened.payment, opened.qr, msg("qris-purpose-renewal", { order: orderId }))] };
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
    // A gateway payment is confirmed only through its gateway (confirmAtGateway), never by this callback.
    const namedPayment = reference ? await this.deps.store.get(reference) : null;
    const named = namedPayment && !namedPayment.gateway ? namedPayment : null;
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

  /**
   * Expires payments past their time and tells their buyers. A gateway payment's status is asked
   * first (money paid just before the deadline is then confirmed on time, not credited late), once
   * per gateway per run: a gateway found down is not asked again this run (its payments expire,
   * and their late polls find any money). A payment that fails is logged and the rest go on.
   */
  async expireDue(now = Date.now()): Promise<number> {
    const due = await this.deps.store.claimExpired(now);
    const run = this.gatewayPayments.newRun();
    let expired = 0;
    for (const id of due) {
      try {
        if (await this.expireOne(id, "QRIS payment expired", run)) expired++;
      } catch (error) {
        this.deps.logger.warn({ paymentId: id, err: error }, "could not expire a payment");
      }
    }
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

  /**
   * Expires an open payment. A gateway payment's status is asked first: money that arrived before
   * the deadline but was not reported yet (a sweep at 15:00:01 for money paid at 14:59:55) is
   * confirmed on time and the order goes on, instead of expiring it and crediting the money late.
   * The gateway down (or already down in this run): the payment expires, and its late polls find
   * any money. After expiry the charge is cancelled at the gateway; its polls go on (see
   * {@link pollGateways}).
   */
  private async expireOne(id: string, why: string, run: GatewayRun = this.gatewayPayments.newRun()): Promise<boolean> {
    const current = await this.deps.store.get(id);
    if (current?.status === "open" && current.gateway && this.gatewayPayments.serves(current.gateway.id) && !run.down.has(current.gateway.id)) {
      const checked = await this.gatewayPayments.confirmAtGateway(id, current.gateway.id, {}, "gateway:expiry", "expiry");
      if (checked.kind === "unavailable") run.down.add(current.gateway.id);
    }
    const payment = await this.deps.store.move(id, "open", "expired");
    if (!payment) return false;
    if (payment.kind === "order") {
      await this.deps.orders.transition(id, ["awaiting_payment"], "expired", () => ({}), why);
    }
    await this.tell(payment, textReply(msg("qris-expired", { id, amount: formatRupiah(payment.gateway?.total ?? payment.amount) })));
    if (payment.gateway) await this.gatewayPayments.cancelAtGateway(payment, payment.gateway, run);
    return true;
  }

  /** A gateway payment's one confirmation path (notifications, polls, expiry): see {@link GatewayPayments.confirmAtGateway}. */
  confirmAtGateway(id: string, gatewayId: GatewayId, hint: GatewayHint, by: string, asker: GatewayAsker = "notification"): Promise<GatewayConfirmResult> {
    return this.gatewayPayments.confirmAtGateway(id, gatewayId, hint, by, asker);
  }

  /** A notification a gateway module refused: see {@link GatewayPayments.notificationRejected}. */
  notificationRejected(gatewayId: GatewayId, reason: GatewayRejection): Promise<void> {
    return this.gatewayPayments.notificationRejected(gatewayId, reason);
  }

  /** Asks the gateways about payments whose notification has not come: see {@link GatewayPayments.pollGateways}. */
  pollGateways(now = Date.now()): Promise<number> {
    return this.gatewayPayments.pollGateways(now);
  }

  /** `/payment <id>`: see {@link GatewayPayments.inspect}. */
  inspect(id: string): Promise<PaymentInspection> {
    return this.gatewayPayments.inspect(id);
  }

  /** The gateway fees the shop bore for payments paid at or after `since` (/stats). */
  gatewayFeesSince(since: number): Promise<Rupiah> {
    return this.deps.store.feesSince(since);
  }

  private confirmVia(id: string, confirmation: Confirmation, via: "hand"): Promise<ConfirmResult>;
  private confirmVia(id: string, confirmation: Confirmation, via: Via, known?: Payment): Promise<ReceiveResult>;
  private async confirmVia(id: string, confirmation: Confirmation, via: Via, known?: Payment): Promise<ReceiveResult> {
    const payment = known ?? (await this.deps.store.get(id));
    if (!payment) return { kind: "not_found" };
    // What arriving in full means for the wallet: the amount asked, or a gateway charge's credit.
    const expected = payment.gateway?.credit ?? payment.amount;
    const paidAmount = confirmation.paidAmount ?? expected;
    const patch: Partial<Payment> = {
      paidAt: Date.now(),
      paidAmount,
      confirmedBy: confirmation.by,
      ...(confirmation.reference ? { reference: confirmation.reference } : {}),
      // The gateway's own report: no later report of this money is to be waited for.
      ...(via === "hand" ? {} : { reportedByGateway: true }),
    };

    if (payment.status === "paid") {
      // One gateway transaction per payment: any report of a paid gateway payment is that money again.
      if (via === "hand" || payment.gateway) return { kind: "already_paid", payment, finished: await this.finish(payment) };
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
    if (paidAmount < expected) {
      await this.deps.alerts.alert(msg("admin-alert-underpaid", { id, paid: formatRupiah(paidAmount), expected: formatRupiah(expected) }), id);
      return { kind: "underpaid", payment };
    }
    const paid = await this.deps.store.move(id, "open", "paid", patch);
    if (!paid) return this.afterLostMove(id, confirmation, via);
    await this.finish(paid);
    const overpaid = paidAmount - expected;
    if (overpaid > 0) {
      await this.deps.alerts.alert(msg("admin-alert-overpaid", { id, amount: formatRupiah(overpaid) }), id);
    }
    return { kind: "confirmed", payment: paid, overpaid };
  }

  /**
   * Opens a payment for `purpose` at the first source of `QRIS_GATEWAYS` that issues a QR: the
   * owner's static QRIS (a unique total, see {@link openStatic}) or a gateway's charge (see
   * {@link GatewayPayments.openAtGateway}). A source that fails (a gateway's timeout, 5xx or refusal; the static
   * pool full) hands over to the next, and the admins hear of it (grouped per source, with a
   * count). The buyer's limit of open payments ends the search at once; when every source failed,
   * nothing is open.
   */
  private async open(
    id: string,
    kind: Payment["kind"],
    purpose: string,
    who: { buyer: string; channel: Channel; chatId: string; locale: Locale },
    baseAmount: Rupiah,
    itemName: string,
    extra: Pick<OpenInput, "renewal"> = {},
  ): Promise<Opened> {
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
    const failures: { source: string; detail: string }[] = [];
    for (const source of this.sources) {
      const opened = source === "static" ? await this.openStatic(input) : await this.gatewayPayments.openAtGateway(source, input, itemName);
      if (opened.ok) {
        await this.gatewayPayments.tellFailover(failures, source === "static" ? "static" : source.id, id);
        return opened;
      }
      if (opened.reason === "buyer_limit") return { ok: false, reason: "buyer_limit" };
      failures.push({ source: source === "static" ? "static" : source.id, detail: opened.detail });
    }
    await this.gatewayPayments.tellFailover(failures, null, id);
    // Only the static pool was tried and it is full: the buyer is told so (try again shortly).
    return { ok: false, reason: failures.length > 0 && failures.every((failure) => failure.source === "static") ? "full" : "unavailable" };
  }

  /**
   * The owner's static QRIS. The buyer's older open payment for the same purpose is replaced: at
   * the same price the new one takes over its total (so asking again and again holds one total,
   * and a late scan of the old QR still pays this buyer's same purpose); at another price (the
   * product's price changed), or an older one served by a gateway, the older one expires.
   */
  private async openStatic(input: OpenInput): Promise<{ ok: true; payment: Payment; qr: string } | { ok: false; reason: OpenRefusal; detail: string }> {
    const staticQris = this.deps.staticQris;
    if (!staticQris) return { ok: false, reason: "full", detail: "no static QRIS" };
    const qrOf = (payment: Payment) => ({ ok: true as const, payment, qr: toDynamicQris(staticQris, payment.amount) });
    for (const older of await this.deps.store.openOfBuyer(input.buyer)) {
      if (older.purpose !== input.purpose) continue;
      if (older.baseAmount === input.baseAmount && !older.gateway) {
        const payment = await this.deps.store.replace(older, input);
        if (!payment) continue; // paid or expired meanwhile
        if (older.kind === "order") await this.deps.orders.transition(older.id, ["awaiting_payment"], "expired", () => ({}), "QRIS payment replaced by a newer one");
        return qrOf(payment);
      }
      await this.expireOne(older.id, "QRIS payment replaced by a newer one");
    }
    const opened = await this.deps.store.open(input);
    if (!opened.ok) return { ...opened, detail: opened.reason };
    if (opened.poolUsed > opened.poolSize * poolAlertShare && (await this.deps.store.firstPoolAlert(input.baseAmount, poolAlertEveryMs))) {
      await this.deps.alerts.alert(msg("admin-alert-qris-pool", { price: formatRupiah(input.baseAmount), used: opened.poolUsed, size: opened.poolSize }));
    }
    return qrOf(opened.payment);
  }

  private async qrReply(payment: Payment, qr: string, purpose: Msg): Promise<Reply> {
    const gateway = payment.gateway;
    const payerFee = gateway && gateway.credit < gateway.total ? gateway.total - gateway.credit : 0;
    return {
      kind: "photo",
      png: await renderQrPng(qr),
      caption: [
        msg("qris-caption", {
          amount: formatRupiah(gateway?.total ?? payment.amount),
          id: payment.id,
          purpose,
          expires: formatJakartaTime(payment.expiresAt),
        }),
        ...(payment.uniqueCode > 0 ? [msg("qris-exact-amount", { code: formatRupiah(payment.uniqueCode) })] : []),
        ...(payerFee > 0 ? [msg("qris-gateway-fee", { fee: formatRupiah(payerFee) })] : []),
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
    // The gateway kept its fee of this money: the shop's cost, recorded once per payment.
    if (payment.gateway && payment.gateway.feeCost > 0) await this.deps.store.recordFee(payment.id, payment.gateway.feeCost, payment.paidAt ?? Date.now());
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

/** The buyer's answer when no QR could be opened. */
function refusalText(reason: OpenRefusal | "unavailable", kind: Payment["kind"], max: number): Msg {
  if (reason === "buyer_limit") return msg("qris-too-many-open", { max });
  if (reason === "unavailable") return msg(kind === "order" ? "qris-unavailable" : "qris-unavailable-topup");
  return msg(kind === "order" ? "qris-busy" : "qris-busy-topup");
}
