/**
 * A QRIS gateway scripted in-process, for the payment service's tests before (and beside) the
 * real gateway modules and their HTTP fakes. It is strict, never kinder than a real gateway:
 *
 * - `status` says exactly what the test scripted (a new charge is `pending`; `pay` makes it `paid`
 *   with the amount and currency given), and knows only charges it made (else `refused`, as a 404).
 * - A notification is signed: `X-Scripted-Signature` = hex HMAC-SHA256 of the raw body with the
 *   gateway's secret, checked in constant time; missing → `unsigned`, wrong → `bad_signature`,
 *   unreadable JSON or fields → `malformed`, another merchant code → `wrong_merchant`; a
 *   `pending` notice is `ignored`. A `paid` notice is a hint claiming `paid`, an `expired` notice a
 *   hint claiming `ended` (like Midtrans' `expire`, Tripay's `EXPIRED`) — and a hint is only a
 *   hint: the service must still ask `status`.
 * - `status` and `cancel` find a charge by our id **and** the amount asked when the ref carries one
 *   (like Pakasir, the strictest of the three): a ref naming another amount is not found.
 * - `failCreate`/`failStatus` make the next calls throw a `GatewayError` of that kind (a down
 *   gateway); `cancelSupport: false` answers `unsupported` like an API without a cancel call.
 * - Each create is one charge per payment id: a second create for the same id is refused, like
 *   Tripay's one charge per merchant_ref (assumption: every gateway refuses a repeated order id).
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import type { RouteRequest, RouteResponse } from "../../src/core/http.js";
import {
  GatewayError,
  type ChargeRef,
  type ChargeRequest,
  type GatewayCharge,
  type GatewayFailure,
  type GatewayState,
  type GatewayStatus,
  type NotificationCheck,
  type QrisGateway,
  type StatusOptions,
} from "../../src/payments/gateway.js";

interface Charge {
  request: ChargeRequest;
  transactionId: string;
  total: number;
  fee: number;
  state: GatewayState;
  paidAmount: number;
  currency: string;
  paidAt?: number;
}

const notificationSchema = z.object({
  merchant: z.string(),
  order_id: z.string().min(1),
  transaction_id: z.string().min(1),
  status: z.enum(["pending", "paid", "expired"]),
  amount: z.number().int().positive(),
});

export interface ScriptedGatewayOptions {
  /** The fee the gateway charges per payment. */
  fee?: number;
  /** True (default): the fee is added to the payer's total; false: the merchant pays it. */
  feeOnPayer?: boolean;
  secret?: string;
  merchant?: string;
  cancelSupport?: boolean;
  /** Rewrites what `create` answers (a gateway that answers oddly); the charge itself is unchanged. */
  tamper?: (charge: GatewayCharge) => GatewayCharge;
}

export class ScriptedGateway implements QrisGateway {
  readonly acknowledgement: RouteResponse = { status: 200, body: { success: true } };
  readonly charges = new Map<string, Charge>();
  /** Every create asked, also the failed ones. */
  readonly created: ChargeRequest[] = [];
  readonly cancelled: string[] = [];
  statusCalls = 0;
  /** The options of every status call, in order (`once` for calls that must not retry). */
  readonly statusOptions: StatusOptions[] = [];
  /** Every cancel asked, also the failed ones. */
  readonly cancelCalls: ChargeRef[] = [];
  /** The next cancel calls fail this way (until cleared). */
  failCancel: GatewayFailure | null = null;
  /** The next create calls fail this way (until cleared). */
  failCreate: GatewayFailure | null = null;
  failStatus: GatewayFailure | null = null;
  private readonly secret: string;
  private readonly merchant: string;
  private counter = 0;

  constructor(
    readonly id: string,
    private readonly options: ScriptedGatewayOptions = {},
  ) {
    this.secret = options.secret ?? `${id}-secret`;
    this.merchant = options.merchant ?? `M-${id}`;
  }

  /** The QRIS text this gateway issues for a payment (what the buyer's photo must decode to). */
  qrOf(paymentId: string): string {
    const charge = this.charges.get(paymentId);
    if (!charge) throw new Error(`no charge for ${paymentId}`);
    return `00020101021226${this.id.toUpperCase()}${charge.transactionId}5303360540${charge.total}6304ABCD`;
  }

  async create(request: ChargeRequest): Promise<GatewayCharge> {
    this.created.push(request);
    if (this.failCreate) throw new GatewayError(this.id, this.failCreate, `create failed (${this.failCreate})`, this.failCreate === "unavailable" ? 503 : 400);
    if (this.charges.has(request.paymentId)) throw new GatewayError(this.id, "refused", "order id already used", 409);
    const fee = this.options.fee ?? 0;
    const feeOnPayer = this.options.feeOnPayer ?? true;
    const total = request.amount + (feeOnPayer ? fee : 0);
    const transactionId = `${this.id.toUpperCase()}-TX-${++this.counter}`;
    this.charges.set(request.paymentId, { request, transactionId, total, fee, state: "pending", paidAmount: 0, currency: "IDR" });
    const answer: GatewayCharge = { transactionId, qrString: this.qrOf(request.paymentId), total, fee, feeOnPayer, expiresAt: this.expiresAtOf(request) };
    return this.options.tamper ? this.options.tamper(answer) : answer;
  }

  /** When this gateway expires a charge's QR: our expiry, or later when a test says so (Tripay's minimum). */
  qrLifetimeMs: number | null = null;

  private expiresAtOf(request: ChargeRequest): number {
    return this.qrLifetimeMs === null ? request.expiresAt : Math.max(request.expiresAt, Date.now() + this.qrLifetimeMs);
  }

  async status(ref: ChargeRef, options: StatusOptions = {}): Promise<GatewayStatus> {
    this.statusCalls++;
    this.statusOptions.push(options);
    if (this.failStatus) throw new GatewayError(this.id, this.failStatus, `status failed (${this.failStatus})`, 503);
    const charge = this.find(ref);
    return {
      state: charge.state,
      paymentId: ref.paymentId,
      transactionId: charge.transactionId,
      amount: charge.state === "paid" ? charge.paidAmount : charge.total,
      currency: charge.currency,
      ...(charge.paidAt ? { paidAt: charge.paidAt } : {}),
    };
  }

  async cancel(ref: ChargeRef): Promise<"cancelled" | "final" | "unsupported"> {
    this.cancelCalls.push(ref);
    if (this.options.cancelSupport === false) return "unsupported";
    if (this.failCancel) throw new GatewayError(this.id, this.failCancel, `cancel failed (${this.failCancel})`, 503);
    const charge = this.find(ref);
    if (charge.state !== "pending") return "final";
    charge.state = "cancelled";
    this.cancelled.push(ref.paymentId);
    return "cancelled";
  }

  readNotification(request: RouteRequest): NotificationCheck {
    const signature = request.headers["x-scripted-signature"];
    if (!signature) return { kind: "rejected", reason: "unsigned" };
    const expected = createHmac("sha256", this.secret).update(request.rawBody, "utf8").digest();
    const given = /^[0-9a-f]{64}$/i.test(signature) ? Buffer.from(signature, "hex") : Buffer.alloc(0);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { kind: "rejected", reason: "bad_signature" };
    let json: unknown;
    try {
      json = JSON.parse(request.rawBody);
    } catch {
      return { kind: "rejected", reason: "malformed" };
    }
    const parsed = notificationSchema.safeParse(json);
    if (!parsed.success) return { kind: "rejected", reason: "malformed" };
    if (parsed.data.merchant !== this.merchant) return { kind: "rejected", reason: "wrong_merchant" };
    if (parsed.data.status === "pending") return { kind: "ignored", reason: parsed.data.status };
    return {
      kind: "hint",
      paymentId: parsed.data.order_id,
      transactionId: parsed.data.transaction_id,
      amount: parsed.data.amount,
      claims: parsed.data.status === "paid" ? "paid" : "ended",
    };
  }

  /** The charge a ref names: our id, its transaction, and (when given) the amount asked. */
  private find(ref: ChargeRef): Charge {
    const charge = this.charges.get(ref.paymentId);
    if (!charge || charge.transactionId !== ref.transactionId) throw new GatewayError(this.id, "refused", "transaction not found", 404);
    if (ref.amount !== undefined && ref.amount !== charge.request.amount) throw new GatewayError(this.id, "refused", "transaction not found (amount)", 404);
    return charge;
  }

  // ── scripting ──────────────────────────────────────────────────────────────────────────────

  /** The gateway expires a charge (its QR lapsed at the gateway's own time). */
  expire(paymentId: string): void {
    const charge = this.charges.get(paymentId);
    if (!charge) throw new Error(`no charge for ${paymentId}`);
    charge.state = "expired";
  }

  /** The payer pays `amount` (default the charge's total) in `currency`. */
  pay(paymentId: string, amount?: number, currency = "IDR"): void {
    const charge = this.charges.get(paymentId);
    if (!charge) throw new Error(`no charge for ${paymentId}`);
    charge.state = "paid";
    charge.paidAmount = amount ?? charge.total;
    charge.currency = currency;
    charge.paidAt = Date.now();
  }

  /** The transaction id of a payment's charge. */
  transactionOf(paymentId: string): string {
    const charge = this.charges.get(paymentId);
    if (!charge) throw new Error(`no charge for ${paymentId}`);
    return charge.transactionId;
  }

  /**
   * A notification of `paymentId` as the gateway would post it (signed), with fields overridden
   * to forge one; `sign: false` leaves the signature out, `secret` signs with another key.
   */
  notification(
    paymentId: string,
    fields: Partial<z.input<typeof notificationSchema>> = {},
    options: { sign?: boolean; secret?: string; rawBody?: string } = {},
  ): { body: string; headers: Record<string, string> } {
    const charge = this.charges.get(paymentId);
    const body =
      options.rawBody ??
      JSON.stringify({
        merchant: this.merchant,
        order_id: paymentId,
        transaction_id: charge?.transactionId ?? "UNKNOWN-TX",
        status: "paid",
        amount: charge?.total ?? 1,
        ...fields,
      });
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (options.sign !== false) headers["x-scripted-signature"] = createHmac("sha256", options.secret ?? this.secret).update(body, "utf8").digest("hex");
    return { body, headers };
  }
}
