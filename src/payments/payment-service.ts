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
import { GatewayError, type ChargeRef, type GatewayCharge, type GatewayId, type GatewayState, type GatewayStatus, type HintClaim, type QrisGateway } from "./gateway.js";
import { newTopupId, type GatewayRecord, type OpenInput, type OpenRefusal, type Payment, type PaymentStore } from "./payment-store.js";

export type { Payment } from "./payment-store.js";

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
  /**
   * Where a QRIS is issued, in `QRIS_GATEWAYS` order: `"static"` (the owner's QRIS, `staticQris`)
   * or an API gateway. The first that issues a QR serves the payment. Default: `["static"]` when
   * `staticQris` is set.
   */
  sources?: readonly QrisSource[];
  /** `QRIS_FEE_PAYER`: who bears a gateway's fee (default `buyer`); see {@link gatewayRecord}. */
  feePayer?: FeePayer;
  /** How often an open gateway payment's status is asked while no notification came (default 30 s). */
  pollEveryMs?: number;
  /** The longest a gateway's create call may take before the next gateway is tried (default 20 s; the gateway's own timeout should come first). */
  createTimeoutMs?: number;
  /**
   * How often an expired gateway payment's charge is still asked about (default 3 min), until the
   * gateway's own expiry plus {@link PaymentServiceDeps.lateCheckMarginMs}: a late payment whose
   * notification was lost is still found.
   */
  latePollEveryMs?: number;
  /** How long after the gateway's expiry of a charge it is still asked about (default 10 min; clocks and settlement lag). */
  lateCheckMarginMs?: number;
  /** The most one poll (or expiry) run spends on gateway calls before it leaves the rest to the next run (default 20 s). */
  runBudgetMs?: number;
  /** At most one notification-driven status call per payment per this window (default 10 s). */
  notificationGateMs?: number;
}

/** Where one QRIS may be issued: the owner's static QRIS or an API gateway. */
export type QrisSource = "static" | QrisGateway;

/** Who bears a gateway's fee (`QRIS_FEE_PAYER`). */
export type FeePayer = "buyer" | "shop";

/**
 * What a payment keeps of a gateway charge, with the fee rule applied:
 * - `buyer` pays the fee and the gateway added it to the total: the payer pays `total`, the
 *   wallet is credited `total - fee` (what the shop receives for the order: the base amount), so
 *   the fee never enters the wallet and the ledger reads `qris:<id>` +base, `pay:<id>` −base.
 * - otherwise (`shop`, or a gateway that charges the merchant): the wallet is credited what the
 *   payer paid, and the fee is the shop's cost (`feeCost`, summed in /stats). Where the gateway
 *   still added it to the payer's total, the extra stays in the buyer's wallet: the shop bears it.
 *
 * @example
 * gatewayRecord("tripay", { transactionId: "T1", qrString, total: 10_860, fee: 860, feeOnPayer: true, expiresAt }, "buyer");
 * // → { total: 10_860, credit: 10_000, feeCost: 0, … }
 */
export function gatewayRecord(id: GatewayId, charge: GatewayCharge, feePayer: FeePayer): GatewayRecord {
  const payerFee = charge.feeOnPayer ? charge.fee : 0;
  const buyerPaysFee = feePayer === "buyer" && payerFee > 0;
  return {
    id,
    transactionId: charge.transactionId,
    total: charge.total,
    fee: charge.fee,
    feeOnPayer: charge.feeOnPayer,
    credit: buyerPaysFee ? charge.total - payerFee : charge.total,
    // A split fee's merchant part (Tripay `fee_merchant`) is the shop's cost whoever pays the rest.
    feeCost: (buyerPaysFee ? 0 : charge.fee) + (charge.merchantFee ?? 0),
    expiresAt: charge.expiresAt,
  };
}

/** Why a gateway's report (a notification or a status poll) was refused: nothing moved, the admins are told. */
export type GatewayRejection =
  | "unknown_payment"
  | "other_gateway"
  | "wrong_transaction"
  | "wrong_amount"
  | "wrong_order"
  | "wrong_currency"
  | "unsigned"
  | "bad_signature"
  | "malformed"
  | "wrong_merchant"
  /** The notification claimed the charge paid; the gateway's status says it is not (a forgery, or a replay). */
  | "unconfirmed";

/** What asking a gateway about one of our payments did. */
export type GatewayConfirmResult =
  | ReceiveResult
  /** The gateway's status API does not say paid (yet): nothing moved. */
  | { kind: "not_paid"; state: GatewayState }
  /** The report or the status contradicts our record: nothing moved, the admins were told. */
  | { kind: "rejected"; reason: GatewayRejection }
  /** The gateway could not be asked (timeout, 5xx): the notification is to be retried, the poll goes on. */
  | { kind: "unavailable"; detail: string }
  /**
   * Nothing to do and nothing wrong (answered as handled, so the gateway stops retrying): a status
   * asked moments ago for this payment, a payment past its charge's life, an abandoned charge's
   * end, or a paid charge we do not hold (the admins were told once).
   */
  | { kind: "ignored"; reason: string };

/** What a notification says, as far as it is to be checked against our record before any status call. */
export interface GatewayHint {
  transactionId?: string;
  /** The total the notification claims, the payer's fee included (Midtrans, Tripay). */
  amount?: Rupiah;
  /** The amount it claims before the payer's fee (Pakasir's webhook): compared with what the shop asked. */
  askedAmount?: Rupiah;
  /** What the notification claims happened (`NotificationCheck` in gateway.ts). */
  claims?: HintClaim;
}

/**
 * Who asks the gateway, which decides how: a `notification` is gated (one status call per payment
 * per window; a paid payment needs none; a payment past its charge's life is ignored), a
 * `poll`/`expiry` call is made once without retries (the next run is the retry). `/payment` and
 * the admins' tools use `inspect`.
 */
export type GatewayAsker = "notification" | "poll" | "expiry";

/** `/payment <id>`: our record and what its gateway says now. */
export type PaymentInspection =
  | { kind: "not_found" }
  | {
      kind: "found";
      payment: Payment;
      live: { kind: "static" } | { kind: "status"; status: GatewayStatus } | { kind: "error"; detail: string } | { kind: "gateway_off" };
    };

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

/** A gateway's failures are told to the admins at most once per this window, with a count. */
const failoverAlertEveryMs = 10 * 60_000;
/** Refused gateway reports are told at most once a minute per gateway, with a count. */
const rejectedAlertEveryMs = 60_000;
/** A poll run's claim on a payment lasts this long: one not reached by then (a crash, a throw) is due again. */
const pollLeaseMs = 120_000;
/** Failed cancels of an expired payment's charge are tried again by its late polls, this many times in all. */
const cancelAttemptsMax = 3;
/** Told once per this window: a payment's gateway left QRIS_GATEWAYS; a paid charge we do not hold. */
const onceAlertMs = 24 * 3_600_000;
/** Status calls for ids a gateway names that we do not hold: at most one per gateway per this window. */
const foreignGateMs = 10_000;

/** One poll or expiry run: its deadline, and the gateways found down in it (not asked again this run). */
interface GatewayRun {
  deadline: number;
  down: Set<GatewayId>;
}

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
  private readonly gatewaysById: ReadonlyMap<GatewayId, QrisGateway>;

  constructor(private readonly deps: PaymentServiceDeps) {
    this.sources = deps.sources ?? (deps.staticQris ? ["static"] : []);
    this.gatewaysById = new Map(this.sources.filter((source): source is QrisGateway => source !== "static").map((gateway) => [gateway.id, gateway]));
  }

  /** True when any QRIS can be issued (the owner's static one or a gateway). */
  get enabled(): boolean {
    return this.sources.length > 0;
  }

  /** The API gateways configured, in `QRIS_GATEWAYS` order (their notification routes are served). */
  get gateways(): readonly QrisGateway[] {
    return [...this.gatewaysById.values()];
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
    const run = this.newRun();
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
  private async expireOne(id: string, why: string, run: GatewayRun = this.newRun()): Promise<boolean> {
    const current = await this.deps.store.get(id);
    if (current?.status === "open" && current.gateway && this.gatewaysById.has(current.gateway.id) && !run.down.has(current.gateway.id)) {
      const checked = await this.confirmAtGateway(id, current.gateway.id, {}, "gateway:expiry", "expiry");
      if (checked.kind === "unavailable") run.down.add(current.gateway.id);
    }
    const payment = await this.deps.store.move(id, "open", "expired");
    if (!payment) return false;
    if (payment.kind === "order") {
      await this.deps.orders.transition(id, ["awaiting_payment"], "expired", () => ({}), why);
    }
    await this.tell(payment, textReply(msg("qris-expired", { id, amount: formatRupiah(payment.gateway?.total ?? payment.amount) })));
    if (payment.gateway) await this.cancelAtGateway(payment, payment.gateway, run);
    return true;
  }

  /**
   * Cancels an expired payment's charge at its gateway, so a late scan fails at the payer's app.
   * A cancel proves nothing by itself (a 2xx may not have cancelled, a payment may race it): the
   * payment stays in the status polls, which check it after this. `final` (paid meanwhile): the
   * status decides now, and money found is credited late, once. A failed cancel is counted and
   * tried again by the late polls, {@link cancelAttemptsMax} times in all.
   */
  private async cancelAtGateway(payment: Payment, record: GatewayRecord, run: GatewayRun): Promise<void> {
    const gateway = this.gatewaysById.get(record.id);
    if (!gateway) {
      await this.tellUnconfigured(record.id, payment.id);
      return;
    }
    if (run.down.has(record.id)) return; // the late polls try it later
    const state = await this.deps.store.cancelState(payment.id);
    if (state.done || state.attempts >= cancelAttemptsMax) return;
    const attempt = await this.deps.store.countCancelAttempt(payment.id);
    try {
      const cancelled = await gateway.cancel(chargeRef(payment, record));
      await this.deps.store.markCancelDone(payment.id);
      if (cancelled === "final") await this.confirmAtGateway(payment.id, record.id, {}, "gateway:expiry", "expiry");
      else if (cancelled === "unsupported") this.deps.logger.info({ paymentId: payment.id, gateway: record.id }, "gateway cannot cancel; its QR expires on its own");
    } catch (error) {
      if (error instanceof GatewayError && error.failure === "unavailable") run.down.add(record.id);
      this.deps.logger.warn({ paymentId: payment.id, gateway: record.id, attempt, err: bareError(error) }, "could not cancel an expired gateway payment; its polls try again");
    }
  }

  /** A fresh poll or expiry run: the time it may spend on gateway calls, and the gateways found down in it. */
  private newRun(): GatewayRun {
    return { deadline: Date.now() + (this.deps.runBudgetMs ?? 20_000), down: new Set() };
  }

  /**
   * Until when a gateway payment's charge is still asked about: the later of our expiry and the
   * gateway's own (Tripay may keep its QR longer; Pakasir takes no expiry), plus a margin.
   */
  private checkUntil(payment: Payment): number {
    return Math.max(payment.expiresAt, payment.gateway?.expiresAt ?? 0) + (this.deps.lateCheckMarginMs ?? 10 * 60_000);
  }

  /**
   * A payment names a gateway that is no longer in `QRIS_GATEWAYS`: its notifications are not
   * served (404) and its status cannot be asked, so money paid to it is found by no one. The
   * admins are told, once a day per gateway (see README, "Removing a gateway").
   */
  private async tellUnconfigured(gatewayId: GatewayId, paymentId: string): Promise<void> {
    this.deps.logger.warn({ paymentId, gateway: gatewayId }, "payment of a gateway no longer configured");
    if (await this.deps.store.firstIn(`unconfigured:${gatewayId}`, onceAlertMs)) {
      await this.deps.alerts.alert(msg("admin-alert-gateway-unconfigured", { gateway: gatewayId, id: paymentId }));
    }
  }

  /**
   * The one confirmation path of a gateway payment, used by its notifications, the status poll,
   * expiry and `/payment`: the payment must be ours and served by `gatewayId`, the hint must agree
   * with our record, and the gateway's status API must say `paid` for our id and transaction, in
   * IDR, for at least the charge's total. Only then does money move, through the same confirmation
   * as every payment (reference `<gateway>:<transaction>`, so the wallet is credited once per
   * gateway transaction; expired → credited late; repeated → nothing). A status short of the
   * total moves nothing and tells the admins.
   */
  async confirmAtGateway(id: string, gatewayId: GatewayId, hint: GatewayHint, by: string, asker: GatewayAsker = "notification"): Promise<GatewayConfirmResult> {
    const payment = await this.deps.store.get(id);
    const notification = asker === "notification";
    if (!payment?.gateway || payment.gateway.id !== gatewayId) {
      const reason = payment?.gateway ? "other_gateway" : "unknown_payment";
      return notification ? this.foreignNotification(id, gatewayId, hint, reason) : this.rejectReport(gatewayId, reason, id);
    }
    const record = payment.gateway;
    if (hint.transactionId !== undefined && hint.transactionId !== record.transactionId) return this.rejectReport(gatewayId, "wrong_transaction", id);
    if (hint.amount !== undefined && hint.amount !== record.total) return this.rejectReport(gatewayId, "wrong_amount", id);
    if (hint.askedAmount !== undefined && hint.askedAmount !== payment.baseAmount) return this.rejectReport(gatewayId, "wrong_amount", id);
    // Paid already: one gateway transaction per payment, so any report is that money again. Finish
    // what a crash may have left, ask nothing (a replayed or forged notification buys no call).
    if (payment.status === "paid") return { kind: "already_paid", payment, finished: await this.finish(payment) };
    const gateway = this.gatewaysById.get(gatewayId);
    if (!gateway) {
      await this.tellUnconfigured(gatewayId, id);
      return { kind: "unavailable", detail: `${gatewayId} is not configured` };
    }
    const gate = `status:${gatewayId}:${id}`;
    if (notification) {
      // Past its charge's life, and polled until then: nothing a notification could add.
      if (payment.status === "expired" && Date.now() > this.checkUntil(payment)) return { kind: "ignored", reason: "past the charge's life" };
      // One status call per payment per window from notifications: a flood of forged (Pakasir
      // signs nothing) or replayed notifications costs the gateway one call. The polls go on.
      // A real notification right after a forged one is not lost: the poll asks as soon as the window ends.
      const gateMs = this.deps.notificationGateMs ?? 10_000;
      if (!(await this.deps.store.firstIn(gate, gateMs))) {
        await this.deps.store.pollNoLaterThan(id, Date.now() + gateMs);
        return { kind: "ignored", reason: "status asked moments ago" };
      }
    }
    let status: GatewayStatus;
    try {
      // Not retried inside the call: the poll's next run, or the gateway's retry of its notification, is the retry.
      status = await gateway.status(chargeRef(payment, record), { once: true });
    } catch (error) {
      // The call did not happen: the gateway's retry of this notification may ask again.
      if (notification) await this.deps.store.reopen(gate);
      const detail = error instanceof GatewayError ? error.message : "status call failed";
      this.deps.logger.warn({ paymentId: id, gateway: gatewayId, err: bareError(error) }, "gateway status unavailable");
      return { kind: "unavailable", detail };
    }
    if (status.paymentId !== id) return this.rejectReport(gatewayId, "wrong_order", id);
    if (status.transactionId !== record.transactionId) return this.rejectReport(gatewayId, "wrong_transaction", id);
    if (status.state !== "paid") {
      // A notification that claimed money the gateway does not have: forged (or a replay); the
      // admins are told. A status that moved on (refunded) is not a contradiction.
      if (notification && hint.claims === "paid" && contradictsPaid(status.state)) return this.rejectReport(gatewayId, "unconfirmed", id);
      return { kind: "not_paid", state: status.state };
    }
    if (status.currency.toUpperCase() !== "IDR") return this.rejectReport(gatewayId, "wrong_currency", id);
    if (status.amount < record.total) {
      if ((await this.deps.store.burstAlert(`underpaid:${id}`, 3_600_000)) > 0) {
        await this.deps.alerts.alert(msg("admin-alert-underpaid", { id, paid: formatRupiah(status.amount), expected: formatRupiah(record.total) }), id);
      }
      return { kind: "underpaid", payment };
    }
    // The payer's share of the fee (when the buyer bears it) never enters the wallet.
    const paidAmount = status.amount - (record.total - record.credit);
    // The record read above is passed on, not read again: every move from it is a compare-and-set,
    // so one gone stale during the status call loses its move and is read afresh (afterLostMove).
    return this.confirmVia(id, { by, paidAmount, reference: `${gatewayId}:${record.transactionId}` }, "named", payment);
  }

  /**
   * An authentic-looking notification naming an id we do not hold under this gateway: a charge we
   * abandoned (a create that timed out before failover to another gateway; a cancelled unused one),
   * or a forgery. An `ended` claim is acknowledged quietly (the gateway stops retrying, no false
   * alarm). A `paid` claim is checked at the gateway's status (one call per gateway per window, so
   * a forger naming new ids buys few): really paid → money may be stranded at the gateway, the
   * admins are told once per payment and the gateway is answered so it stops retrying; otherwise
   * refused as before.
   */
  private async foreignNotification(id: string, gatewayId: GatewayId, hint: GatewayHint, reason: "unknown_payment" | "other_gateway"): Promise<GatewayConfirmResult> {
    if (hint.claims === "ended") {
      this.deps.logger.info({ paymentId: id, gateway: gatewayId, reason }, "gateway notified the end of a charge we do not hold");
      return { kind: "ignored", reason: "an ended charge we do not hold" };
    }
    const gateway = this.gatewaysById.get(gatewayId);
    if (hint.claims !== "paid" || !gateway || !(await this.deps.store.firstIn(`foreign:${gatewayId}`, foreignGateMs))) return this.rejectReport(gatewayId, reason, id);
    let status: GatewayStatus;
    try {
      // Pakasir finds a charge by the amount asked (before its fee); the others by id.
      const asked = hint.askedAmount ?? hint.amount;
      const ref = { paymentId: id, transactionId: hint.transactionId ?? id, total: hint.amount ?? asked ?? 0, ...(asked !== undefined ? { amount: asked } : {}) };
      status = await gateway.status(ref, { once: true });
    } catch (error) {
      this.deps.logger.warn({ paymentId: id, gateway: gatewayId, err: bareError(error) }, "status of a charge we do not hold cannot be read");
      return this.rejectReport(gatewayId, reason, id);
    }
    if (status.state !== "paid" || status.paymentId !== id) return this.rejectReport(gatewayId, reason, id);
    if (await this.deps.store.firstIn(`stranded:${gatewayId}:${id}`, onceAlertMs)) {
      await this.deps.alerts.alert(msg("admin-alert-gateway-stranded", { gateway: gatewayId, id, transaction: status.transactionId, amount: formatRupiah(status.amount) }), id);
    }
    return { kind: "ignored", reason: "a paid charge we do not hold; the admins were told" };
  }

  /**
   * A notification a gateway module refused (unsigned, bad signature, malformed, another
   * merchant's): nothing moves; the admins are told, at most once a minute per gateway, with a count.
   */
  async notificationRejected(gatewayId: GatewayId, reason: GatewayRejection): Promise<void> {
    await this.rejectReport(gatewayId, reason);
  }

  /**
   * Asks the gateways about payments whose notification has not come; returns how many it found
   * paid (on time or late).
   *
   * - Open payments every `pollEveryMs` (30 s). Expired ones every `latePollEveryMs` (3 min)
   *   until {@link checkUntil} (the gateway's own expiry plus a margin), with a last check then:
   *   money paid late whose notification was lost is still credited (late, once). A failed cancel
   *   is tried again meanwhile. Polls end when the payment is paid, or its charge is over at the
   *   gateway (expired, cancelled, failed), or its time is up.
   * - Each due payment is claimed with a lease ({@link PaymentStore.claimPolls}), never removed
   *   before it is final: a crash or a throw only delays it. Each is handled on its own; an error
   *   is logged and the rest go on.
   * - A run spends at most `runBudgetMs` (20 s); a gateway found down is not asked again in the
   *   run, and status calls are made once, without retries: the next run is the retry. What the
   *   run did not reach is due again at once.
   */
  async pollGateways(now = Date.now()): Promise<number> {
    const run = this.newRun();
    const ids = await this.deps.store.claimPolls(now, pollLeaseMs);
    let found = 0;
    for (const [index, id] of ids.entries()) {
      if (Date.now() > run.deadline) {
        for (const rest of ids.slice(index)) await this.deps.store.schedulePoll(rest, now);
        this.deps.logger.warn({ left: ids.length - index }, "gateway poll run out of time; the rest are polled next run");
        break;
      }
      try {
        if (await this.pollOne(id, now, run)) found++;
      } catch (error) {
        this.deps.logger.warn({ paymentId: id, err: error }, "gateway poll failed; polled again after its lease");
      }
    }
    return found;
  }

  /** One payment's poll (see {@link pollGateways}); true when it found the payment paid. */
  private async pollOne(id: string, now: number, run: GatewayRun): Promise<boolean> {
    const payment = await this.deps.store.get(id);
    if (!payment?.gateway || payment.status === "paid") {
      await this.deps.store.endPolls(id);
      return false;
    }
    const record = payment.gateway;
    const late = payment.status === "expired";
    const over = now > this.checkUntil(payment);
    const next = now + (late ? (this.deps.latePollEveryMs ?? 3 * 60_000) : (this.deps.pollEveryMs ?? 30_000));
    if (!this.gatewaysById.has(record.id)) {
      await this.tellUnconfigured(record.id, id);
      if (over) await this.deps.store.endPolls(id);
      else await this.deps.store.schedulePoll(id, next);
      return false;
    }
    // Scheduled before the call: a crash in it does not end the polling.
    await this.deps.store.schedulePoll(id, next);
    if (run.down.has(record.id)) return false;
    // An open payment well past its time: the expiry chore missed it (a crash after its claim).
    if (!late && payment.expiresAt + 2 * (this.deps.pollEveryMs ?? 30_000) < now) {
      await this.expireOne(id, "QRIS payment expired", run);
      return (await this.deps.store.get(id))?.status === "paid";
    }
    if (late) await this.cancelAtGateway(payment, record, run);
    const result = await this.confirmAtGateway(id, record.id, {}, "gateway:poll", "poll");
    if (result.kind === "unavailable") {
      run.down.add(record.id);
      // Its time is up and the gateway is down: keep trying (late) for up to a day more, then give up.
      if (over && now > this.checkUntil(payment) + onceAlertMs) await this.deps.store.endPolls(id);
      return false;
    }
    if (result.kind === "confirmed" || result.kind === "late") return true;
    // Over at the gateway (no money can come), or its time up after this last check.
    if (late && ((result.kind === "not_paid" && result.state !== "pending") || over)) await this.deps.store.endPolls(id);
    return false;
  }

  /** `/payment <id>`: our record, and the live status at its gateway (static payments have none). */
  async inspect(id: string): Promise<PaymentInspection> {
    const payment = await this.deps.store.get(id);
    if (!payment) return { kind: "not_found" };
    if (!payment.gateway) return { kind: "found", payment, live: { kind: "static" } };
    const gateway = this.gatewaysById.get(payment.gateway.id);
    if (!gateway) return { kind: "found", payment, live: { kind: "gateway_off" } };
    try {
      return { kind: "found", payment, live: { kind: "status", status: await gateway.status(chargeRef(payment, payment.gateway)) } };
    } catch (error) {
      return { kind: "found", payment, live: { kind: "error", detail: error instanceof GatewayError ? error.failure : "error" } };
    }
  }

  /** The gateway fees the shop bore for payments paid at or after `since` (/stats). */
  gatewayFeesSince(since: number): Promise<Rupiah> {
    return this.deps.store.feesSince(since);
  }

  private async rejectReport(gatewayId: GatewayId, reason: GatewayRejection, paymentId?: string): Promise<GatewayConfirmResult> {
    this.deps.logger.warn({ gateway: gatewayId, reason, paymentId }, "gateway report refused");
    const count = await this.deps.store.burstAlert(`rejected:${gatewayId}`, rejectedAlertEveryMs);
    if (count > 0) await this.deps.alerts.alert(msg("admin-alert-gateway-rejected", { gateway: gatewayId, reason, id: paymentId ?? "-", count }));
    return { kind: "rejected", reason };
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
   * {@link openAtGateway}). A source that fails (a gateway's timeout, 5xx or refusal; the static
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
      const opened = source === "static" ? await this.openStatic(input) : await this.openAtGateway(source, input, itemName);
      if (opened.ok) {
        await this.tellFailover(failures, source === "static" ? "static" : source.id, id);
        return opened;
      }
      if (opened.reason === "buyer_limit") return { ok: false, reason: "buyer_limit" };
      failures.push({ source: source === "static" ? "static" : source.id, detail: opened.detail });
    }
    await this.tellFailover(failures, null, id);
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

  /**
   * A gateway's charge: our payment id is its order id, one charge per payment (a replacement is
   * a new payment id with its own charge; the older one expires and is cancelled at its gateway
   * once the new charge exists). The buyer's limit is checked before the charge is made, and
   * again atomically when the payment is stored (losing that race cancels the fresh charge).
   */
  private async openAtGateway(
    gateway: QrisGateway,
    input: OpenInput,
    itemName: string,
  ): Promise<{ ok: true; payment: Payment; qr: string } | { ok: false; reason: OpenRefusal | "failed"; detail: string }> {
    const open = await this.deps.store.openOfBuyer(input.buyer);
    const olders = open.filter((older) => older.purpose === input.purpose);
    if (open.length - olders.length >= this.deps.maxOpenPerBuyer) return { ok: false, reason: "buyer_limit", detail: "buyer_limit" };
    let record: GatewayRecord;
    let qr: string;
    try {
      const charge = await withTimeout(
        gateway.create({ paymentId: input.id, amount: input.baseAmount, expiresAt: input.expiresAt, itemName }),
        this.deps.createTimeoutMs ?? 20_000,
        () => new GatewayError(gateway.id, "unavailable", "create timed out"),
      );
      record = gatewayRecord(gateway.id, charge, this.deps.feePayer ?? "buyer");
      qr = charge.qrString;
      // A charge we could not honour (no QR, a total short of what is asked) is a failed gateway.
      if (qr.length === 0 || record.credit < input.baseAmount) {
        await this.cancelFresh(gateway, input.id, record, input.baseAmount);
        throw new GatewayError(gateway.id, "malformed", `charge of ${record.total} for ${input.baseAmount} cannot be honoured`);
      }
    } catch (error) {
      this.deps.logger.warn({ paymentId: input.id, gateway: gateway.id, err: bareError(error) }, "gateway could not issue a QRIS");
      return { ok: false, reason: "failed", detail: error instanceof GatewayError ? error.failure : "error" };
    }
    for (const older of olders) await this.expireOne(older.id, "QRIS payment replaced by a newer one");
    const opened = await this.deps.store.openGateway(input, record, Date.now() + (this.deps.pollEveryMs ?? 30_000));
    if (!opened.ok) {
      await this.cancelFresh(gateway, input.id, record, input.baseAmount);
      return { ok: false, reason: opened.reason, detail: opened.reason };
    }
    return { ok: true, payment: opened.payment, qr };
  }

  /** Cancels a charge just made that no payment of ours will use (best effort: it expires anyway). */
  private async cancelFresh(gateway: QrisGateway, paymentId: string, record: GatewayRecord, baseAmount: Rupiah): Promise<void> {
    try {
      // The amount asked (before the payer's fee): Pakasir finds a charge by it. `credit` is the
      // total under QRIS_FEE_PAYER=shop, which would name no charge.
      await gateway.cancel({ paymentId, transactionId: record.transactionId, total: record.total, amount: baseAmount });
    } catch (error) {
      this.deps.logger.warn({ paymentId, gateway: gateway.id, err: bareError(error) }, "could not cancel an unused gateway charge");
    }
  }

  /**
   * Tells the admins that sources failed before `servedBy` issued the QR (or that none could):
   * once per failing source per window, with how often it failed meanwhile.
   */
  private async tellFailover(failures: readonly { source: string; detail: string }[], servedBy: string | null, paymentId: string): Promise<void> {
    for (const failure of failures) {
      const count = await this.deps.store.burstAlert(`failover:${failure.source}`, failoverAlertEveryMs);
      if (count === 0) continue;
      await this.deps.alerts.alert(
        servedBy
          ? msg("admin-alert-qris-failover", { from: failure.source, to: servedBy, reason: failure.detail, id: paymentId, count })
          : msg("admin-alert-qris-unavailable", { gateway: failure.source, reason: failure.detail, id: paymentId, count }),
      );
    }
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

/** What a gateway needs to find a payment's charge again. */
function chargeRef(payment: Payment, record: GatewayRecord): ChargeRef {
  return { paymentId: payment.id, transactionId: record.transactionId, total: record.total, amount: payment.baseAmount };
}

/**
 * A status that contradicts a notification's claim of money: the charge is still waiting, or ended
 * without it. A refund (or chargeback) follows a payment, so it contradicts nothing.
 */
function contradictsPaid(state: GatewayState): boolean {
  return state === "pending" || state === "expired" || state === "cancelled" || state === "failed";
}

/** The buyer's answer when no QR could be opened. */
function refusalText(reason: OpenRefusal | "unavailable", kind: Payment["kind"], max: number): Msg {
  if (reason === "buyer_limit") return msg("qris-too-many-open", { max });
  if (reason === "unavailable") return msg(kind === "order" ? "qris-unavailable" : "qris-unavailable-topup");
  return msg(kind === "order" ? "qris-busy" : "qris-busy-topup");
}

/** `promise`, or `timeout()` thrown after `ms` (the call itself is left to finish on its own). */
async function withTimeout<T>(promise: Promise<T>, ms: number, timeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(timeout()), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
