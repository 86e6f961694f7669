/**
 * Midtrans Core API as a QRIS gateway (spec: /work/shared/gateways/midtrans.md).
 *
 * - create: `POST /v2/charge` with `payment_type: "qris"`, our payment id as `order_id` (Midtrans
 *   refuses a second charge with the same id, so a create is sent once and never retried), our
 *   expiry as `custom_expiry`; the answer's `qr_string` is checked as a real QRIS (CRC, IDR, the
 *   amount it carries). Midtrans charges the merchant (MDR): the payer pays exactly our amount.
 * - status: `GET /v2/{order_id}/status` (retried: a read), mapped onto {@link GatewayState}.
 * - cancel: `POST /v2/{order_id}/cancel`; Midtrans answers 412 for a charge no longer pending.
 * - notifications: `signature_key = hex(SHA512(order_id + status_code + gross_amount + ServerKey))`,
 *   over the values exactly as received, compared in constant time.
 *
 * Midtrans reports many failures in the body's `status_code` (e.g. `"406"` for a reused order id)
 * whatever the HTTP status, so both are read. Amounts arrive as `"5539.00"`: read exactly, and
 * anything with cents is refused as malformed rather than rounded.
 *
 * @example
 * const read = midtransModule.read({ QRIS_GATEWAYS: "midtrans", MIDTRANS_SERVER_KEY: "Mid-server-…" });
 * const gateway = read.create!({ logger, timeoutMs: 15_000 });
 * const charge = await gateway.create({ paymentId: "ORD-7KQ2ABCDEF", amount: 18_500, expiresAt, itemName: "ML 86 Diamonds" });
 */
import { createHash } from "node:crypto";
import type { Logger } from "pino";
import { z } from "zod";
import { emptyToUndefined, optionalText, urlText, type EnvProblem } from "../../core/env.js";
import type { RouteRequest, RouteResponse } from "../../core/http.js";
import type { Rupiah } from "../../core/money.js";
import { orderIdPattern } from "../../commerce/orders.js";
import { HttpClient, type HttpRequest, type HttpResponse } from "../../providers/http.js";
import { isProviderError } from "../../providers/errors.js";
import { topupIdPattern } from "../payment-store.js";
import { parseQris } from "../qris.js";
import { sameHexDigest } from "../hex-digest.js";
import { readWholeRupiah } from "./whole-rupiah.js";
import {
  GatewayError,
  defineQrisGateway,
  requiredWhenListed,
  type ChargeRef,
  type ChargeRequest,
  type GatewayCharge,
  type GatewayFailure,
  type GatewayShared,
  type GatewayState,
  type GatewayStatus,
  type NotificationCheck,
  type QrisGateway,
  type StatusOptions,
} from "../gateway.js";

const gatewayId = "midtrans";

/** The QRIS acquirers Midtrans offers (`qris.acquirer`). */
export const midtransAcquirers = ["gopay", "airpay shopee"] as const;
export type MidtransAcquirer = (typeof midtransAcquirers)[number];

export const midtransProductionUrl = "https://api.midtrans.com";
export const midtransSandboxUrl = "https://api.sandbox.midtrans.com";

// ---------------------------------------------------------------------------------------------
// Pure helpers: amounts, times, signatures
// ---------------------------------------------------------------------------------------------

const wibOffsetMs = 7 * 3_600_000;
const midtransTime = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;

/**
 * Reads a Midtrans timestamp (`"2021-06-23 14:06:48"`, always GMT+7 per its docs) as ms since
 * the epoch; null when it is not one.
 */
export function parseMidtransTime(value: string): number | null {
  const match = midtransTime.exec(value);
  if (!match) return null;
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as [number, number, number, number, number, number];
  const ms = Date.UTC(year, month - 1, day, hour, minute, second) - wibOffsetMs;
  const back = new Date(ms + wibOffsetMs);
  // Date.UTC rolls "2021-02-31" over into March; a date that does not survive the round trip is not one.
  if (back.getUTCDate() !== day || back.getUTCMonth() !== month - 1 || back.getUTCHours() !== hour) return null;
  return ms;
}

/** Formats ms as Midtrans's `order_time`: `"2016-12-07 11:54:12 +0700"` (WIB). */
export function formatMidtransOrderTime(ms: number): string {
  const wib = new Date(ms + wibOffsetMs).toISOString(); // 2016-12-07T11:54:12.000Z, read as WIB
  return `${wib.slice(0, 10)} ${wib.slice(11, 19)} +0700`;
}

/**
 * Midtrans's notification signature: hex SHA-512 of `order_id + status_code + gross_amount +
 * ServerKey`, each exactly as sent (`gross_amount` keeps its `".00"`).
 *
 * @example
 * midtransSignature("1111", "200", "100000.00", "askvnoibnosifnboseofinbofinfgbiufglnbfg") // "edc076b2…c231"
 */
export function midtransSignature(orderId: string, statusCode: string, grossAmount: string, serverKey: string): string {
  return createHash("sha512").update(`${orderId}${statusCode}${grossAmount}${serverKey}`, "utf8").digest("hex");
}

/** Midtrans caps `item_details[].name` at 50 characters. */
const itemNameMax = 50;

/** Our ids are what Midtrans echoes back; anything else on the account is another system's. */
const isOurPaymentId = (id: string) => orderIdPattern.test(id) || topupIdPattern.test(id);

// ---------------------------------------------------------------------------------------------
// Response schemas
// ---------------------------------------------------------------------------------------------

const statusCodeSchema = z.string().regex(/^\d{3}$/);
const amountSchema = z.union([z.string(), z.number()]);
const timeSchema = z.string().refine((value) => parseMidtransTime(value) !== null);

/** Any Midtrans body, only to read `status_code` / `status_message` of a refusal. */
const envelopeSchema = z.object({ status_code: statusCodeSchema, status_message: z.string().optional() });

const chargeSchema = z.object({
  status_code: z.literal("201"),
  transaction_id: z.string().min(1).max(100),
  order_id: z.string().min(1),
  gross_amount: amountSchema,
  currency: z.string().length(3).optional(),
  payment_type: z.literal("qris"),
  transaction_status: z.literal("pending"),
  qr_string: z.string().min(1).max(512),
  expiry_time: timeSchema.optional(),
});

/** A transaction record: the status answer (and a cancel answer) carries one. */
const transactionSchema = z.object({
  status_code: statusCodeSchema,
  transaction_id: z.string().min(1),
  order_id: z.string().min(1),
  gross_amount: amountSchema,
  currency: z.string().regex(/^[A-Z]{3}$/),
  transaction_status: z.string().min(1),
  fraud_status: z.string().optional(),
  settlement_time: timeSchema.optional(),
});
type MidtransTransaction = z.infer<typeof transactionSchema>;

const notificationSchema = z.object({
  order_id: z.string().min(1),
  status_code: statusCodeSchema,
  gross_amount: z.string().min(1),
  transaction_status: z.string().min(1),
  transaction_id: z.string().min(1),
  payment_type: z.string().min(1),
  fraud_status: z.string().optional(),
  currency: z.string().optional(),
});

const transactionStates: Readonly<Record<string, GatewayState>> = {
  pending: "pending",
  // Card-only states; a QRIS never passes them, but a status answer naming them is not garbage.
  authorize: "pending",
  settlement: "paid",
  expire: "expired",
  cancel: "cancelled",
  deny: "failed",
  failure: "failed",
  refund: "refunded",
  partial_refund: "refunded",
  chargeback: "refunded",
  partial_chargeback: "refunded",
};

/** Maps a Midtrans `transaction_status` (+ `fraud_status` for capture) onto the shop's states. */
export function midtransState(transactionStatus: string, fraudStatus: string | undefined): GatewayState | null {
  // "capture" is money taken once the fraud check accepted it; "challenge" still waits for a person.
  if (transactionStatus === "capture") return fraudStatus === "accept" ? "paid" : "pending";
  return transactionStates[transactionStatus] ?? null;
}

/** Notifications worth a status call: money arrived, or the charge ended (the status call decides). */
const hintStatuses: ReadonlySet<string> = new Set([
  "settlement",
  "expire",
  "cancel",
  "deny",
  "failure",
  "refund",
  "partial_refund",
  "chargeback",
  "partial_chargeback",
]);

// ---------------------------------------------------------------------------------------------
// The adapter
// ---------------------------------------------------------------------------------------------

/** Options for {@link MidtransGateway}; `now` exists so tests can fix the clock. */
export interface MidtransGatewayOptions extends GatewayShared {
  serverKey: string;
  baseUrl: string;
  acquirer: MidtransAcquirer;
  /** Sent as `X-Override-Notification`, so this charge's notifications go there instead of the dashboard's URL. */
  notificationUrl?: string;
  now?: () => number;
}

/** The Midtrans QRIS gateway. */
export class MidtransGateway implements QrisGateway {
  readonly id = gatewayId;
  /** Midtrans only needs a 2xx; anything else makes it send the notification again. */
  readonly acknowledgement: RouteResponse = { status: 200, body: { ok: true } };
  private readonly http: HttpClient;
  private readonly serverKey: string;
  private readonly acquirer: MidtransAcquirer;
  private readonly logger: Logger;
  private readonly now: () => number;
  private readonly notificationUrl: string | undefined;

  constructor(options: MidtransGatewayOptions) {
    this.serverKey = options.serverKey;
    this.acquirer = options.acquirer;
    this.logger = options.logger;
    this.now = options.now ?? Date.now;
    this.notificationUrl = options.notificationUrl;
    this.http = new HttpClient({
      provider: gatewayId,
      baseUrl: options.baseUrl,
      headers: { Authorization: `Basic ${Buffer.from(`${options.serverKey}:`).toString("base64")}` },
      timeoutMs: options.timeoutMs,
      retryDelaysMs: options.retryDelaysMs,
      logger: options.logger,
      fetch: options.fetch,
      transport: options.transport,
    });
  }

  /**
   * Charges once. The QR must outlive no more than our payment: `custom_expiry` asks for the
   * whole minutes left, counted from an `order_time` we send, so the gateway's expiry is at most
   * ours. A timeout or 5xx is `unavailable` (the caller fails over; a charge Midtrans did make
   * meanwhile stays unpaid and expires, or the caller cancels it by our id).
   */
  async create(request: ChargeRequest): Promise<GatewayCharge> {
    if (!Number.isSafeInteger(request.amount) || request.amount < 1) {
      throw this.error("refused", `amount for ${request.paymentId} must be a whole number of rupiah`);
    }
    const orderTime = Math.floor(this.now() / 1000) * 1000;
    const minutes = Math.floor((request.expiresAt - orderTime) / 60_000);
    if (minutes < 1) throw this.error("refused", `payment ${request.paymentId} expires in under a minute; no charge made`);
    const ourExpiry = orderTime + minutes * 60_000;
    const body = {
      payment_type: "qris",
      transaction_details: { order_id: request.paymentId, gross_amount: request.amount },
      item_details: [{ id: request.paymentId, price: request.amount, quantity: 1, name: itemName(request.itemName) }],
      qris: { acquirer: this.acquirer },
      custom_expiry: { order_time: formatMidtransOrderTime(orderTime), expiry_duration: minutes, unit: "minute" },
    };
    const headers = this.notificationUrl ? { "X-Override-Notification": this.notificationUrl } : undefined;
    const response = await this.send({ method: "POST", path: "/v2/charge", json: body, headers, safe: false });
    this.throwIfRefused(response, "charge");
    const charge = this.parse(response, chargeSchema, "charge");
    if (charge.order_id !== request.paymentId) throw this.error("malformed", `charge answer names another order id than ${request.paymentId}`);
    const total = readWholeRupiah(charge.gross_amount);
    if (total === null) throw this.error("malformed", `charge ${request.paymentId}: gross_amount is not a whole rupiah amount`);
    if (total !== request.amount) throw this.error("malformed", `charge ${request.paymentId}: gross_amount differs from the amount asked`);
    if (charge.currency !== undefined && charge.currency !== "IDR") throw this.error("malformed", `charge ${request.paymentId}: currency is not IDR`);
    this.checkQr(charge.qr_string, total, request.paymentId);
    const stated = charge.expiry_time === undefined ? null : parseMidtransTime(charge.expiry_time);
    this.logger.info({ gateway: gatewayId, paymentId: request.paymentId, transactionId: charge.transaction_id, total }, "midtrans QRIS charge created");
    return {
      transactionId: charge.transaction_id,
      qrString: charge.qr_string,
      total,
      fee: 0,
      feeOnPayer: false,
      expiresAt: stated ?? ourExpiry,
    };
  }

  /** The charge's state per `GET /v2/{order_id}/status`; a read, so the client retries it. */
  async status(charge: ChargeRef, options: StatusOptions = {}): Promise<GatewayStatus> {
    const path = `/v2/${encodeURIComponent(charge.paymentId)}/status`;
    // `once`: not retried here (a poll's next run or Midtrans' own retry is the retry).
    const response = await this.send({ method: "GET", path, safe: options.once !== true });
    const transaction = this.transaction(response, "status");
    return this.toStatus(transaction);
  }

  /** Cancels a pending charge; 412 (or any answer showing another state) means it already ended. */
  async cancel(charge: ChargeRef): Promise<"cancelled" | "final" | "unsupported"> {
    const path = `/v2/${encodeURIComponent(charge.paymentId)}/cancel`;
    // Safe to repeat: a second cancel of a cancelled charge is a 412, which reads as "final".
    const response = await this.send({ method: "POST", path, safe: true });
    const envelope = envelopeSchema.safeParse(response.json);
    if (envelope.success && envelope.data.status_code === "412") return "final";
    const transaction = this.transaction(response, "cancel");
    return transaction.transaction_status === "cancel" ? "cancelled" : "final";
  }

  /**
   * Authenticates a notification and says what it names. Order of checks: a body that is not a
   * JSON object is malformed; no `signature_key` is unsigned; the signed fields must be strings;
   * the signature must match; only then are the other fields read.
   */
  readNotification(request: RouteRequest): NotificationCheck {
    let json: unknown;
    try {
      json = JSON.parse(request.rawBody);
    } catch {
      return { kind: "rejected", reason: "malformed" };
    }
    if (typeof json !== "object" || json === null || Array.isArray(json)) return { kind: "rejected", reason: "malformed" };
    const fields = json as Record<string, unknown>;
    const signature = fields.signature_key;
    if (signature === undefined || signature === null || signature === "") return { kind: "rejected", reason: "unsigned" };
    const { order_id: orderId, status_code: statusCode, gross_amount: grossAmount } = fields;
    if (typeof orderId !== "string" || typeof statusCode !== "string" || typeof grossAmount !== "string") {
      return { kind: "rejected", reason: "malformed" };
    }
    if (typeof signature !== "string") return { kind: "rejected", reason: "bad_signature" };
    const expected = midtransSignature(orderId, statusCode, grossAmount, this.serverKey);
    if (!sameHexDigest(expected, signature)) return { kind: "rejected", reason: "bad_signature" };

    const parsed = notificationSchema.safeParse(fields);
    if (!parsed.success) return { kind: "rejected", reason: "malformed" };
    const notification = parsed.data;
    const amount = readWholeRupiah(notification.gross_amount);
    if (amount === null) return { kind: "rejected", reason: "malformed" };
    if (notification.payment_type !== "qris") return { kind: "ignored", reason: `payment_type ${notification.payment_type}` };
    if (!isOurPaymentId(notification.order_id)) return { kind: "ignored", reason: "not one of our payment ids" };
    const status = notification.transaction_status;
    const worthAsking =
      hintStatuses.has(status) || (status === "capture" && notification.fraud_status === "accept");
    if (!worthAsking) return { kind: "ignored", reason: `transaction_status ${status.slice(0, 40)}` };
    // Only settlement (or an accepted capture) claims money; every other hint status says the charge ended.
    const claims = status === "settlement" || status === "capture" ? "paid" : "ended";
    return { kind: "hint", paymentId: notification.order_id, transactionId: notification.transaction_id, amount, claims };
  }

  // -------------------------------------------------------------------------------------------

  private async send(request: HttpRequest): Promise<HttpResponse> {
    try {
      return await this.http.send(request);
    } catch (error) {
      // The client throws only when no answer came (timeout, connection refused or cut).
      if (isProviderError(error)) throw this.error("unavailable", `no answer from ${request.method} ${request.path}`);
      throw error;
    }
  }

  /** Throws for a 5xx/429 (unavailable) or a 4xx, by HTTP status or by the body's `status_code`. */
  private throwIfRefused(response: HttpResponse, what: string): void {
    const envelope = envelopeSchema.safeParse(response.json);
    const bodyCode = envelope.success ? Number(envelope.data.status_code) : undefined;
    const said = envelope.success ? this.clean(envelope.data.status_message) : "";
    const code = response.status >= 400 ? response.status : bodyCode !== undefined && bodyCode >= 400 ? bodyCode : undefined;
    if (code === undefined) return;
    const failure: GatewayFailure = code >= 500 || code === 429 ? "unavailable" : "refused";
    throw this.error(failure, `${what} → ${code}${said ? `: ${said}` : ""}`, code);
  }

  /**
   * Reads a transaction record (status, cancel). A record's `status_code` is the transaction's
   * (an expired charge's status answer says `"407"`), so a body that is a record is read as one;
   * anything else is a failure by its status codes, or malformed.
   */
  private transaction(response: HttpResponse, what: string): MidtransTransaction {
    if (response.status < 400) {
      const record = transactionSchema.safeParse(response.json);
      if (record.success) return record.data;
    }
    this.throwIfRefused(response, what);
    if (response.status >= 500) throw this.error("unavailable", `${what} → HTTP ${response.status}`, response.status);
    throw this.error("malformed", `${what}: HTTP ${response.status} with ${response.json === undefined ? "a body that is not JSON" : "JSON of an unexpected shape"}`, response.status);
  }

  private toStatus(transaction: MidtransTransaction): GatewayStatus {
    const state = midtransState(transaction.transaction_status, transaction.fraud_status);
    if (state === null) throw this.error("malformed", `status of ${transaction.order_id}: unknown transaction_status`);
    const amount = readWholeRupiah(transaction.gross_amount);
    if (amount === null) throw this.error("malformed", `status of ${transaction.order_id}: gross_amount is not a whole rupiah amount`);
    const paidAt = state === "paid" && transaction.settlement_time ? parseMidtransTime(transaction.settlement_time) : null;
    return {
      state,
      paymentId: transaction.order_id,
      transactionId: transaction.transaction_id,
      amount,
      currency: transaction.currency,
      ...(paidAt !== null ? { paidAt } : {}),
    };
  }

  private parse<T>(response: HttpResponse, schema: z.ZodType<T>, what: string): T {
    const result = schema.safeParse(response.json);
    if (result.success) return result.data;
    if (response.status >= 500) throw this.error("unavailable", `${what} → HTTP ${response.status}`, response.status);
    const shape = response.json === undefined ? "a body that is not JSON" : `unexpected ${result.error.issues.map((issue) => issue.path.join(".")).filter(Boolean).slice(0, 3).join(", ") || "shape"}`;
    throw this.error("malformed", `${what}: HTTP ${response.status} with ${shape}`, response.status);
  }

  /** The QR text must be a valid QRIS (CRC, IDR) and, when it carries an amount, carry ours. */
  private checkQr(qrString: string, total: Rupiah, paymentId: string): void {
    let qrAmount: Rupiah | undefined;
    try {
      qrAmount = parseQris(qrString).amount;
    } catch {
      throw this.error("malformed", `charge ${paymentId}: qr_string is not a valid QRIS`);
    }
    if (qrAmount !== undefined && qrAmount !== total) throw this.error("malformed", `charge ${paymentId}: the QRIS carries another amount`);
  }

  /** Midtrans's words, without the key should it ever echo it, on one short line. */
  private clean(text: string | undefined): string {
    if (!text) return "";
    return text.split(this.serverKey).join("***").replace(/[\u0000-\u001f\u007f]/g, " ").slice(0, 160);
  }

  private error(failure: GatewayFailure, message: string, httpStatus?: number): GatewayError {
    return new GatewayError(gatewayId, failure, message, httpStatus);
  }
}

/** One line, at most 50 characters (Midtrans's limit), never empty. */
function itemName(name: string): string {
  const line = name.replace(/\s+/g, " ").trim();
  return (line || "Pembayaran").slice(0, itemNameMax);
}

// ---------------------------------------------------------------------------------------------
// The module
// ---------------------------------------------------------------------------------------------

const examples = {
  MIDTRANS_SERVER_KEY: "Mid-server-xxxxxxxxxxxxxxxxxxxxxxxx",
  MIDTRANS_BASE_URL: midtransProductionUrl,
  MIDTRANS_ACQUIRER: "gopay",
  MIDTRANS_NOTIFICATION_URL: "https://shop.example.com/payments/midtrans",
};

const env = z.object({
  // A colon would split the Basic credentials; whitespace is a copy-paste accident.
  MIDTRANS_SERVER_KEY: optionalText.refine((value) => value === undefined || /^[\x21-\x39\x3b-\x7e]+$/.test(value), {
    message: "must be the Server Key from the Midtrans dashboard (Settings → Access Keys): no spaces or colons",
  }),
  MIDTRANS_BASE_URL: urlText(midtransProductionUrl),
  MIDTRANS_ACQUIRER: z
    .preprocess(emptyToUndefined, z.enum(midtransAcquirers, { error: 'must be gopay or "airpay shopee"' }).optional())
    .transform((value): MidtransAcquirer => value ?? "gopay"),
  // Optional: without it Midtrans posts to the Payment Notification URL set in its dashboard.
  MIDTRANS_NOTIFICATION_URL: urlText(),
});
type MidtransEnv = z.infer<typeof env>;

function problems(values: MidtransEnv): EnvProblem[] {
  const missing = requiredWhenListed(values, ["MIDTRANS_SERVER_KEY"], gatewayId, examples);
  if (missing.length > 0) return missing;
  const sandboxKey = values.MIDTRANS_SERVER_KEY?.startsWith("SB-") ?? false;
  const production = new URL(values.MIDTRANS_BASE_URL!).host === new URL(midtransProductionUrl).host;
  if (sandboxKey && production) {
    return [
      {
        variable: "MIDTRANS_BASE_URL",
        problem: `is the production API but MIDTRANS_SERVER_KEY is a sandbox key (SB-…); use ${midtransSandboxUrl} or the production key`,
        example: midtransSandboxUrl,
      },
    ];
  }
  return [];
}

/** The Midtrans QRIS gateway module: `QRIS_GATEWAYS=midtrans` with `MIDTRANS_SERVER_KEY`. */
export const midtransModule = defineQrisGateway({
  id: gatewayId,
  env,
  examples,
  problems,
  create: (values, shared) =>
    new MidtransGateway({
      ...shared,
      serverKey: values.MIDTRANS_SERVER_KEY!,
      baseUrl: values.MIDTRANS_BASE_URL!,
      acquirer: values.MIDTRANS_ACQUIRER,
      ...(values.MIDTRANS_NOTIFICATION_URL ? { notificationUrl: values.MIDTRANS_NOTIFICATION_URL } : {}),
    }),
});
