/**
 * A QRIS gateway scripted in-process, for the payment service's tests before (and beside) the
 * real gateway modules and their HTTP fakes. It is strict, never kinder than a real gateway:
 *
 * - `status` says exactly what the test scripted (a new charge is `pending`; `pay` makes it `paid`
 *   with the amount and currency given), and knows only charges it made (else `refused`, as a 404).
 * - A notification is signed: `X-Scripted-Signature` = hex HMAC-SHA256 of the raw body with the
 *   gateway's secret, checked in constant time; missing → `unsigned`, wrong → `bad_signature`,
 *   unreadable JSON or fields → `malformed`, another merchant code → `wrong_merchant`; a
 *   `pending` notice is `ignored`. Only a `paid` notice is a hint — and a hint is only a hint:
 *   the service must still ask `status`.
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
}

export class ScriptedGateway implements QrisGateway {
  readonly acknowledgement: RouteResponse = { status: 200, body: { success: true } };
  readonly charges = new Map<string, Charge>();
  /** Every create asked, also the failed ones. */
  readonly created: ChargeRequest[] = [];
  readonly cancelled: string[] = [];
  statusCalls = 0;
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
    return { transactionId, qrString: this.qrOf(request.paymentId), total, fee, feeOnPayer, expiresAt: request.expiresAt };
  }

  async status(ref: ChargeRef): Promise<GatewayStatus> {
    this.statusCalls++;
    if (this.failStatus) throw new GatewayError(this.id, this.failStatus, `status failed (${this.failStatus})`, 503);
    const charge = this.charges.get(ref.paymentId);
    if (!charge || charge.transactionId !== ref.transactionId) throw new GatewayError(this.id, "refused", "transaction not found", 404);
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
    if (this.options.cancelSupport === false) return "unsupported";
    const charge = this.charges.get(ref.paymentId);
    if (!charge) throw new GatewayError(this.id, "refused", "transaction not found", 404);
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
    if (parsed.data.status !== "paid") return { kind: "ignored", reason: parsed.data.status };
    return { kind: "hint", paymentId: parsed.data.order_id, transactionId: parsed.data.transaction_id, amount: parsed.data.amount };
  }

  // ── scripting ──────────────────────────────────────────────────────────────────────────────

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
