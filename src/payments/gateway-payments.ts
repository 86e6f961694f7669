/**
 * Payments served by a QRIS gateway (Midtrans, Tripay, Pakasir; issue 15), composed by
 * `PaymentService`: opening a charge (with failover to the next source), confirming what a
 * gateway reports only after its status API says paid, polling payments whose notification has not
 * come, cancelling an expired payment's charge, and `/payment` inspection.
 *
 * Money never moves here: a confirmed charge goes through the service's one settlement path,
 * reached through the small {@link GatewaySettlement} port.
 */
import type { Logger } from "pino";
import { bareError } from "../core/bare-error.js";
import type { AdminAlerts } from "../core/alerts.js";
import { msg } from "../core/message.js";
import { formatRupiah, type Rupiah } from "../core/money.js";
import type { Confirmation, ReceiveResult, Via } from "./confirmation.js";
import { GatewayError, type ChargeRef, type GatewayCharge, type GatewayId, type GatewayState, type GatewayStatus, type HintClaim, type QrisGateway } from "./gateway.js";
import type { GatewayRecord, OpenInput, OpenRefusal, Payment, PaymentStore } from "./payment-store.js";

/** The gateway settings of `PaymentServiceDeps` (all optional, with defaults). */
export interface GatewayPaymentsOptions {
  /** `QRIS_FEE_PAYER`: who bears a gateway's fee (default `buyer`); see {@link gatewayRecord}. */
  feePayer?: FeePayer;
  /** How often an open gateway payment's status is asked while no notification came (default 30 s). */
  pollEveryMs?: number;
  /** The longest a gateway's create call may take before the next gateway is tried (default 20 s; the gateway's own timeout should come first). */
  createTimeoutMs?: number;
  /**
   * How often an expired gateway payment's charge is still asked about (default 3 min), until the
   * gateway's own expiry plus {@link GatewayPaymentsOptions.lateCheckMarginMs}: a late payment whose
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

/** What the gateway payments need besides their settings. */
export interface GatewayPaymentsDeps extends GatewayPaymentsOptions {
  store: PaymentStore;
  alerts: AdminAlerts;
  logger: Logger;
  /** Most open payments one buyer may hold (checked before a charge is made). */
  maxOpenPerBuyer: number;
}

/**
 * The payment service's settlement, as far as gateway payments need it: a charge the gateway says
 * is paid is confirmed like every payment, and an older or overdue payment expires like every
 * payment. A port, so this module never holds the whole service.
 */
export interface GatewaySettlement {
  /** Confirms payment `id` (`known`: the record already read) and moves its money. */
  confirmVia(id: string, confirmation: Confirmation, via: Via, known?: Payment): Promise<ReceiveResult>;
  /** Finishes whatever a paid payment's money left undone; true when anything was. */
  finish(payment: Payment): Promise<boolean>;
  /** Expires an open payment (asking its gateway first); true when this call expired it. */
  expireOne(id: string, why: string, run?: GatewayRun): Promise<boolean>;
}

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
export interface GatewayRun {
  deadline: number;
  down: Set<GatewayId>;
}

/** One charge per payment at the gateway that issued it: opening, confirmation, polls, expiry, inspection. */
export class GatewayPayments {
  private readonly gatewaysById: ReadonlyMap<GatewayId, QrisGateway>;

  constructor(
    private readonly deps: GatewayPaymentsDeps,
    gateways: readonly QrisGateway[],
    private readonly settlement: GatewaySettlement,
  ) {
    this.gatewaysById = new Map(gateways.map((gateway) => [gateway.id, gateway]));
  }

  /** The API gateways configured, in `QRIS_GATEWAYS` order. */
  get gateways(): readonly QrisGateway[] {
    return [...this.gatewaysById.values()];
  }

  /** True when `gatewayId` is still configured (in `QRIS_GATEWAYS`). */
  serves(gatewayId: GatewayId): boolean {
    return this.gatewaysById.has(gatewayId);
  }

  /**
   * A gateway's charge: our payment id is its order id, one charge per payment (a replacement is
   * a new payment id with its own charge; the older one expires and is cancelled at its gateway
   * once the new charge exists). The buyer's limit is checked before the charge is made, and
   * again atomically when the payment is stored (losing that race cancels the fresh charge).
   */
  async openAtGateway(
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
    for (const older of olders) await this.settlement.expireOne(older.id, "QRIS payment replaced by a newer one");
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
  async tellFailover(failures: readonly { source: string; detail: string }[], servedBy: string | null, paymentId: string): Promise<void> {
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
    if (payment.status === "paid") return { kind: "already_paid", payment, finished: await this.settlement.finish(payment) };
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
    return this.settlement.confirmVia(id, { by, paidAmount, reference: `${gatewayId}:${record.transactionId}` }, "named", payment);
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

  private async rejectReport(gatewayId: GatewayId, reason: GatewayRejection, paymentId?: string): Promise<GatewayConfirmResult> {
    this.deps.logger.warn({ gateway: gatewayId, reason, paymentId }, "gateway report refused");
    const count = await this.deps.store.burstAlert(`rejected:${gatewayId}`, rejectedAlertEveryMs);
    if (count > 0) await this.deps.alerts.alert(msg("admin-alert-gateway-rejected", { gateway: gatewayId, reason, id: paymentId ?? "-", count }));
    return { kind: "rejected", reason };
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
      await this.settlement.expireOne(id, "QRIS payment expired", run);
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

  /** A fresh poll or expiry run: the time it may spend on gateway calls, and the gateways found down in it. */
  newRun(): GatewayRun {
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
   * Cancels an expired payment's charge at its gateway, so a late scan fails at the payer's app.
   * A cancel proves nothing by itself (a 2xx may not have cancelled, a payment may race it): the
   * payment stays in the status polls, which check it after this. `final` (paid meanwhile): the
   * status decides now, and money found is credited late, once. A failed cancel is counted and
   * tried again by the late polls, {@link cancelAttemptsMax} times in all.
   */
  async cancelAtGateway(payment: Payment, record: GatewayRecord, run: GatewayRun): Promise<void> {
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
