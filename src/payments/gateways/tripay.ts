/**
 * Tripay (closed payment, QRIS channel) as a QRIS gateway. Spec: /work/shared/gateways/tripay.md
 * (from tripay.co.id/developer).
 *
 * - create: `POST {base}/transaction/create` once per payment (our `ORD-…`/`TOP-…` id is the
 *   `merchant_ref`), signed with HMAC-SHA256(privateKey, merchantCode + merchantRef + amount),
 *   our expiry sent as `expired_time` (unix seconds), one order item worth the whole amount.
 *   Never retried: a timeout is `unavailable` and the caller fails over to the next gateway.
 * - status: `GET {base}/transaction/detail?reference=…` (safe, retried by the HTTP client).
 * - cancel: the closed-payment API has no cancel or expire call, so `unsupported`; the charge
 *   expires at Tripay at the `expired_time` we sent.
 * - notifications: `X-Callback-Signature` = HMAC-SHA256 hex of the raw body with the private
 *   key, compared in constant time; only `X-Callback-Event: payment_status` is a payment event.
 *
 * Amounts: Tripay sends integers; a decimal text like `"5539.00"` is read exactly, anything with
 * cents is refused as malformed. What the payer pays is `amount + fee_customer` per the doc; since
 * Tripay's answers could also state `amount` with the payer's fee already in it, the total is
 * checked against `amount_received + total_fee` (what was paid = what the merchant gets + fees)
 * whenever the answer carries both, and an answer that fits neither reading is malformed.
 *
 * @example
 * // QRIS_GATEWAYS=tripay TRIPAY_API_KEY=… TRIPAY_PRIVATE_KEY=… TRIPAY_MERCHANT_CODE=T12345
 * const built = tripayModule.read(process.env).create?.({ logger, timeoutMs: 15_000 });
 */
import { createHmac } from "node:crypto";
import type { Logger } from "pino";
import { z } from "zod";
import { emptyToUndefined, optionalText, urlText } from "../../core/env.js";
import type { RouteRequest, RouteResponse } from "../../core/http.js";
import type { Rupiah } from "../../core/money.js";
import { ProviderError } from "../../providers/errors.js";
import { HttpClient, type HttpRequest, type HttpResponse, type HttpTransport } from "../../providers/http.js";
import {
  GatewayError,
  defineQrisGateway,
  requiredWhenListed,
  type ChargeRef,
  type ChargeRequest,
  type GatewayCharge,
  type GatewayState,
  type GatewayStatus,
  type NotificationCheck,
  type QrisGateway,
  type StatusOptions,
} from "../gateway.js";
import { QrisError, parseQris } from "../qris.js";
import { sameHexDigest } from "../hex-digest.js";
import { wholeRupiah } from "./whole-rupiah.js";

const gateway = "tripay";

/** Tripay's QRIS channels (`method`): QRIS by ShopeePay, customizable QRIS, and plain QRIS. */
export const tripayMethods = ["QRIS", "QRISC", "QRIS2"] as const;
/** One of {@link tripayMethods}, as `TRIPAY_METHOD` names it and the create call sends it. */
export type TripayMethod = (typeof tripayMethods)[number];

/** What Tripay expects back from a handled callback; anything else and it sends it again. */
export const tripayAcknowledgement: RouteResponse = { status: 200, body: { success: true } };

// assumption: the doc asks for a customer name and e-mail on every closed payment, but a chat buyer
// has neither; a fixed name and a reserved-domain address pass any format check and name nobody.
const customerName = "Pembeli Warung Bot";
const customerEmail = "pembeli@example.com";

/**
 * The create signature: hex HMAC-SHA256 keyed with the private key over merchant code, merchant
 * ref and amount, concatenated as text.
 *
 * @example
 * tripayCreateSignature("ytf6ooi2gmlNPfpchd94jDOk8hRWOu", "T0001", "INV55567", 1_500_000)
 * // → "9f167eba844d1fcb369404e2bda53702e2f78f7aa12e91da6715414e65b8c86a" (Tripay's published vector)
 */
export function tripayCreateSignature(privateKey: string, merchantCode: string, merchantRef: string, amount: Rupiah): string {
  return createHmac("sha256", privateKey).update(`${merchantCode}${merchantRef}${amount}`).digest("hex");
}

/**
 * The callback signature: hex HMAC-SHA256 keyed with the private key over the raw body bytes, as
 * received. Re-serialising a parsed body would change the bytes and the signature.
 */
export function tripayCallbackSignature(privateKey: string, rawBody: string): string {
  return createHmac("sha256", privateKey).update(rawBody, "utf8").digest("hex");
}

// ---------------------------------------------------------------------------------------------
// Answer schemas
// ---------------------------------------------------------------------------------------------

/** Unix seconds, as an integer or a digit string (the detail answer shows `"paid_at": "1582856000"`). */
const unixSeconds = z.union([z.number().int().positive(), z.string().regex(/^\d{1,12}$/).transform(Number)]);

const stateOf: Readonly<Record<string, GatewayState>> = {
  UNPAID: "pending",
  PAID: "paid",
  EXPIRED: "expired",
  FAILED: "failed",
  REFUND: "refunded",
};
const tripayStatus = z.enum(["UNPAID", "PAID", "EXPIRED", "FAILED", "REFUND"]);

/** Every Tripay answer: `{ success, message }` around the data. */
const envelopeSchema = z.object({ success: z.boolean(), message: z.string().nullish() });

const transactionFields = {
  reference: z.string().trim().min(1).max(100),
  merchant_ref: z.string().nullable(),
  amount: wholeRupiah,
  fee_merchant: wholeRupiah,
  fee_customer: wholeRupiah,
  total_fee: wholeRupiah,
  amount_received: wholeRupiah.optional(),
  status: tripayStatus,
};

const createAnswerSchema = z.object({
  success: z.literal(true),
  data: z.object({
    ...transactionFields,
    expired_time: unixSeconds.nullish(),
    qr_string: z.string().trim().min(1),
  }),
});

const detailAnswerSchema = z.object({
  success: z.literal(true),
  data: z.object({ ...transactionFields, paid_at: unixSeconds.nullish() }),
});

const callbackSchema = z.object({
  reference: z.string().trim().min(1).max(100),
  merchant_ref: z.string().nullable(),
  total_amount: wholeRupiah,
  is_closed_payment: z.union([z.literal(0), z.literal(1)]),
  status: tripayStatus,
  paid_at: unixSeconds.nullish(),
});

// ---------------------------------------------------------------------------------------------
// The adapter
// ---------------------------------------------------------------------------------------------

/** Options for {@link TripayGateway}; the timing and `fetch` knobs exist so tests can shrink them. */
export interface TripayGatewayOptions {
  apiKey: string;
  privateKey: string;
  merchantCode: string;
  /** `https://tripay.co.id/api` (production) or `https://tripay.co.id/api-sandbox`. */
  baseUrl: string;
  method: TripayMethod;
  logger: Logger;
  timeoutMs: number;
  retryDelaysMs?: readonly number[];
  fetch?: typeof fetch;
  /** What carries the calls when no `fetch` is injected (see `GatewayShared.transport`). */
  transport?: HttpTransport;
}

/** Tripay's closed-payment QRIS behind the {@link QrisGateway} contract. */
export class TripayGateway implements QrisGateway {
  readonly id = gateway;
  readonly acknowledgement = tripayAcknowledgement;
  private readonly http: HttpClient;

  constructor(private readonly options: TripayGatewayOptions) {
    this.http = new HttpClient({
      provider: gateway,
      baseUrl: options.baseUrl,
      headers: { Authorization: `Bearer ${options.apiKey}` },
      timeoutMs: options.timeoutMs,
      logger: options.logger,
      ...(options.retryDelaysMs ? { retryDelaysMs: options.retryDelaysMs } : {}),
      ...(options.fetch ? { fetch: options.fetch } : {}),
      ...(options.transport ? { transport: options.transport } : {}),
    });
  }

  async create(request: ChargeRequest): Promise<GatewayCharge> {
    if (!Number.isSafeInteger(request.amount) || request.amount <= 0) {
      throw new GatewayError(gateway, "refused", `cannot charge ${request.amount}: not a positive whole rupiah amount`);
    }
    const signature = tripayCreateSignature(this.options.privateKey, this.options.merchantCode, request.paymentId, request.amount);
    const body = await this.call(
      {
        method: "POST",
        path: "transaction/create",
        safe: false,
        json: {
          method: this.options.method,
          merchant_ref: request.paymentId,
          amount: request.amount,
          customer_name: customerName,
          customer_email: customerEmail,
          // One item worth the whole amount, so the items sum to `amount` as the doc requires.
          order_items: [{ sku: request.paymentId, name: request.itemName, price: request.amount, quantity: 1 }],
          expired_time: Math.floor(request.expiresAt / 1000),
          signature,
        },
      },
      createAnswerSchema,
      "create",
      [signature],
    );
    const data = body.data;
    if (data.merchant_ref !== request.paymentId) throw this.malformed("create", "the answer names another merchant_ref");
    if (data.status !== "UNPAID") throw this.malformed("create", `a new charge is ${data.status}, not UNPAID`);
    const total = payerTotal(data, request.amount);
    if (total === undefined) throw this.malformed("create", "the amounts in the answer do not add up to the amount asked");
    checkQrString(data.qr_string, total);
    const feeOnPayer = data.fee_customer > 0;
    const expiresAt = data.expired_time ? data.expired_time * 1000 : request.expiresAt;
    if (expiresAt > request.expiresAt) {
      // Tripay clamps expiries to a channel's minimum; the QR then outlives our payment.
      this.options.logger.warn({ gateway, paymentId: request.paymentId, expiresAt, asked: request.expiresAt }, "tripay kept the QR longer than asked");
    }
    return {
      transactionId: data.reference,
      qrString: data.qr_string,
      total,
      // The payer's part when the payer pays a fee (so total = amount + fee); else what the merchant pays.
      fee: feeOnPayer ? data.fee_customer : data.total_fee,
      feeOnPayer,
      // A split fee: the merchant's part is the shop's cost whoever pays the payer's part.
      ...(feeOnPayer && data.fee_merchant > 0 ? { merchantFee: data.fee_merchant } : {}),
      expiresAt,
    };
  }

  async status(charge: ChargeRef, options: StatusOptions = {}): Promise<GatewayStatus> {
    const body = await this.call(
      // `once`: not retried here (a poll's next run or Tripay's own callback retry is the retry).
      { method: "GET", path: "transaction/detail", query: { reference: charge.transactionId }, safe: options.once !== true },
      detailAnswerSchema,
      "status",
    );
    const data = body.data;
    if (data.reference !== charge.transactionId) throw this.malformed("status", "the answer is about another transaction");
    if (data.merchant_ref === null) throw this.malformed("status", "the transaction names no merchant_ref");
    const amount = payerTotal(data);
    if (amount === undefined) throw this.malformed("status", "the amounts in the answer do not add up");
    return {
      state: stateOf[data.status]!,
      paymentId: data.merchant_ref,
      transactionId: data.reference,
      amount,
      // The API states no currency; Tripay charges in rupiah only.
      currency: "IDR",
      ...(data.paid_at ? { paidAt: data.paid_at * 1000 } : {}),
    };
  }

  /** The closed-payment API has no cancel or expire call: the charge lapses at its `expired_time`. */
  async cancel(_charge: ChargeRef): Promise<"cancelled" | "final" | "unsupported"> {
    return "unsupported";
  }

  readNotification(request: RouteRequest): NotificationCheck {
    const given = request.headers["x-callback-signature"]?.trim();
    if (!given) return { kind: "rejected", reason: "unsigned" };
    if (!sameHexDigest(tripayCallbackSignature(this.options.privateKey, request.rawBody), given)) {
      return { kind: "rejected", reason: "bad_signature" };
    }
    const event = request.headers["x-callback-event"]?.trim();
    if (event !== "payment_status") return { kind: "ignored", reason: "not a payment_status event" };
    let json: unknown;
    try {
      json = JSON.parse(request.rawBody);
    } catch {
      return { kind: "rejected", reason: "malformed" };
    }
    const parsed = callbackSchema.safeParse(json);
    if (!parsed.success) return { kind: "rejected", reason: "malformed" };
    const callback = parsed.data;
    if (callback.is_closed_payment !== 1 || callback.merchant_ref === null || callback.merchant_ref.trim() === "") {
      return { kind: "ignored", reason: "an open payment, not one of our charges" };
    }
    if (callback.status === "UNPAID") return { kind: "ignored", reason: "still unpaid" };
    // EXPIRED, FAILED and REFUND are hints too: the status call that follows settles what they mean.
    return {
      kind: "hint",
      paymentId: callback.merchant_ref,
      transactionId: callback.reference,
      ...(callback.status === "PAID" ? { amount: callback.total_amount } : {}),
      claims: callback.status === "PAID" ? "paid" : "ended",
    };
  }

  /**
   * Sends one request and reads Tripay's envelope: no answer, 5xx or 429 is `unavailable`; any
   * other 4xx or `success: false` is `refused`; a body `schema` cannot read is `malformed`.
   * `secrets` are values of this request (a signature) kept out of the error along with the keys.
   */
  private async call<T>(request: HttpRequest, schema: z.ZodType<T>, what: string, secrets: readonly string[] = []): Promise<T> {
    let response: HttpResponse;
    try {
      response = await this.http.send(request);
    } catch (error) {
      if (error instanceof ProviderError) throw new GatewayError(gateway, "unavailable", `${what}: no answer in time`);
      throw error;
    }
    const envelope = envelopeSchema.safeParse(response.json);
    const said = envelope.success ? this.quote(envelope.data.message, secrets) : "";
    if (response.status >= 500 || response.status === 429) {
      throw new GatewayError(gateway, "unavailable", `${what}: HTTP ${response.status}${said}`, response.status);
    }
    if (response.status >= 400) throw new GatewayError(gateway, "refused", `${what}: HTTP ${response.status}${said}`, response.status);
    if (envelope.success && !envelope.data.success) {
      throw new GatewayError(gateway, "refused", `${what}: success false${said}`, response.status);
    }
    const parsed = schema.safeParse(response.json);
    if (!parsed.success) {
      const shape = response.json === undefined ? "a body that is not JSON" : "JSON of an unexpected shape";
      throw this.malformed(what, `HTTP ${response.status} with ${shape}`, response.status);
    }
    return parsed.data;
  }

  private malformed(what: string, detail: string, httpStatus?: number): GatewayError {
    return new GatewayError(gateway, "malformed", `${what}: ${detail}`, httpStatus);
  }

  /** Tripay's own message, short, on one line, with our secrets masked in case it echoes one. */
  private quote(message: string | null | undefined, secrets: readonly string[]): string {
    if (!message) return "";
    let text = message.replace(/[\p{Cc}\p{Cf}]+/gu, " ").trim();
    for (const secret of [this.options.apiKey, this.options.privateKey, ...secrets]) {
      if (secret.length > 0) text = text.split(secret).join("***");
    }
    if (text.length > 120) text = `${text.slice(0, 117)}...`;
    return text ? ` (${JSON.stringify(text)})` : "";
  }
}

/**
 * What the payer pays for a transaction. The doc: `amount + fee_customer`. When the answer also
 * carries `amount_received`, that plus `total_fee` must be the same figure — or `amount` itself,
 * should Tripay have stated `amount` with the payer's fee already in it. `asked` (on create) must
 * be the amount before the fee. Undefined when nothing fits.
 */
function payerTotal(
  data: { amount: Rupiah; fee_customer: Rupiah; total_fee: Rupiah; amount_received?: Rupiah | undefined },
  asked?: Rupiah,
): Rupiah | undefined {
  const readings = [data.amount + data.fee_customer, data.amount].filter((total, index, all) => all.indexOf(total) === index);
  const fits = readings.filter((total) => {
    const base = total === data.amount ? data.amount - data.fee_customer : data.amount;
    if (base < 0 || (asked !== undefined && base !== asked)) return false;
    if (data.amount_received !== undefined && data.amount_received + data.total_fee !== total) return false;
    return true;
  });
  // Without amount_received and with a payer's fee both readings fit; the doc's wins.
  return fits[0];
}

/** The QR text must be a valid QRIS (TLV, CRC, IDR) and, when it carries an amount, ask for `total`. */
function checkQrString(qr: string, total: Rupiah): void {
  let amount: Rupiah | undefined;
  try {
    amount = parseQris(qr).amount;
  } catch (error) {
    const reason = error instanceof QrisError ? error.reason : "unreadable";
    throw new GatewayError(gateway, "malformed", `create: qr_string is not a valid QRIS (${reason})`);
  }
  if (amount !== undefined && amount !== total) {
    throw new GatewayError(gateway, "malformed", `create: the QR asks for ${amount}, not the total ${total}`);
  }
}

// ---------------------------------------------------------------------------------------------
// The module
// ---------------------------------------------------------------------------------------------

const examples = {
  TRIPAY_API_KEY: "DEV-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
  TRIPAY_PRIVATE_KEY: "xxxxx-xxxxx-xxxxx-xxxxx-xxxxx",
  TRIPAY_MERCHANT_CODE: "T12345",
  TRIPAY_BASE_URL: "https://tripay.co.id/api-sandbox",
  TRIPAY_METHOD: "QRIS",
};

/** A credential: optional, one token without spaces (a pasted line break or quote is a mistake). */
const credentialText = optionalText.refine((value) => value === undefined || /^[\x21\x23-\x26\x28-\x7e]+$/.test(value), {
  message: "must be one token without spaces or quotes, as the Tripay dashboard shows it",
});

const merchantCodeText = optionalText.refine((value) => value === undefined || /^[A-Za-z0-9]{2,32}$/.test(value), {
  message: "must be your Tripay merchant code, letters and digits",
});

const methodText = z
  .preprocess((value) => {
    const unset = emptyToUndefined(value);
    return typeof unset === "string" ? unset.trim().toUpperCase() : unset;
  }, z.enum(tripayMethods, { message: `must be one of ${tripayMethods.join(", ")}` }).optional())
  .transform((value): TripayMethod => value ?? "QRIS");

/**
 * Tripay as a `QRIS_GATEWAYS` entry: `TRIPAY_API_KEY`, `TRIPAY_PRIVATE_KEY` and
 * `TRIPAY_MERCHANT_CODE` are required when listed; `TRIPAY_BASE_URL` defaults to production;
 * `TRIPAY_METHOD` picks the merchant's QRIS channel.
 */
export const tripayModule = defineQrisGateway({
  id: gateway,
  env: z.object({
    TRIPAY_API_KEY: credentialText,
    TRIPAY_PRIVATE_KEY: credentialText,
    TRIPAY_MERCHANT_CODE: merchantCodeText,
    TRIPAY_BASE_URL: urlText("https://tripay.co.id/api"),
    TRIPAY_METHOD: methodText,
  }),
  examples,
  problems: (env) => requiredWhenListed(env, ["TRIPAY_API_KEY", "TRIPAY_PRIVATE_KEY", "TRIPAY_MERCHANT_CODE"], gateway, examples),
  create: (env, shared) =>
    new TripayGateway({
      ...shared,
      apiKey: env.TRIPAY_API_KEY!,
      privateKey: env.TRIPAY_PRIVATE_KEY!,
      merchantCode: env.TRIPAY_MERCHANT_CODE!,
      baseUrl: env.TRIPAY_BASE_URL!,
      method: env.TRIPAY_METHOD,
    }),
});
