/**
 * Pakasir (pakasir.com) as a QRIS gateway. Spec: /work/shared/gateways/pakasir.md, from Pakasir's
 * "Panduan Integrasi" (sections C.2 create, C.4 payment simulation, C.5 cancel, D webhook, E detail).
 *
 * A project slug and its API key identify the merchant; the key travels in the JSON body of POSTs
 * and as the `api_key` query parameter of the detail call (`redactUrl` masks it in every log line,
 * and no error message here carries a body or a URL).
 *
 * What Pakasir is not, and what follows from it:
 * - It has no transaction id of its own: our payment id (`ORD-…`/`TOP-…`) is the `order_id` and
 *   doubles as the transaction id.
 * - It finds a transaction by `order_id` **and** the amount we asked for (before the payer's fee),
 *   so status and cancel need `ChargeRef.amount`; the fee is added on top for the payer
 *   (`total_payment`, `feeOnPayer: true`).
 * - It signs nothing. A webhook is only a hint: `readNotification` checks its shape and project and
 *   names the payment; the status call is the only proof that money arrived.
 * - It takes no expiry and no item name on create: the QR lives until Pakasir's `expired_at`, and
 *   the payment method cancels it when our payment expires first.
 *
 * @example
 * const gateway = new PakasirGateway({ project: "depodomain", apiKey, baseUrl: "https://app.pakasir.com" });
 * const charge = await gateway.create({ paymentId: "ORD-1", amount: 99_000, expiresAt, itemName: "Netflix 1 bulan" });
 * // charge.total === 100_003 (99.000 + Pakasir's fee 1.003), charge.qrString is the QRIS text
 */
import { z } from "zod";
import type { Logger } from "pino";
import { emptyToUndefined, urlText } from "../../core/env.js";
import type { RouteRequest, RouteResponse } from "../../core/http.js";
import type { Rupiah } from "../../core/money.js";
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
import { parseQris } from "../qris.js";
import { wholeRupiah } from "./whole-rupiah.js";

const gateway = "pakasir";

/** Pakasir's production base URL; the sandbox is the same host with a project in sandbox mode. */
export const pakasirDefaultBaseUrl = "https://app.pakasir.com";

// ---------------------------------------------------------------------------------------------
// Reading Pakasir's values
// ---------------------------------------------------------------------------------------------

// Pakasir writes RFC 3339 times, with up to nanoseconds ("2025-09-19T01:18:49.678622564Z") and
// an offset ("2024-09-10T08:07:02.819+07:00"); a time without a zone would be read in local time.
const rfc3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;

/** Reads a Pakasir timestamp to ms since the epoch; undefined when it is not RFC 3339 with a zone. */
export function readPakasirTime(text: string): number | undefined {
  if (!rfc3339.test(text)) return undefined;
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? ms : undefined;
}

const timestamp = z.string().transform((text, ctx) => {
  const ms = readPakasirTime(text);
  if (ms === undefined) {
    ctx.addIssue({ code: "custom", message: "not an RFC 3339 time" });
    return z.NEVER;
  }
  return ms;
});

const createAnswer = z.object({
  payment: z.object({
    project: z.string().min(1),
    order_id: z.string().min(1),
    amount: wholeRupiah,
    fee: wholeRupiah,
    total_payment: wholeRupiah,
    payment_method: z.literal("qris"),
    payment_number: z.string().min(1),
    expired_at: timestamp.nullish(),
  }),
});

const detailAnswer = z.object({
  transaction: z.object({
    amount: wholeRupiah,
    order_id: z.string().min(1),
    project: z.string().min(1),
    status: z.string().min(1),
    payment_method: z.string().nullish(),
    completed_at: timestamp.nullish(),
  }),
});

const webhookBody = z.object({
  amount: wholeRupiah,
  order_id: z.string().min(1).max(200),
  project: z.string().min(1).max(200),
  status: z.string().min(1).max(50),
  payment_method: z.string().max(50).nullish(),
  completed_at: z.string().max(64).nullish(),
});

/**
 * Pakasir's transaction statuses in the shop's words. The document shows `completed` and
 * `pending`; the others are the spellings public integrations report (both `canceled` and
 * `cancelled` are accepted). Anything else is `malformed`, never guessed.
 */
export const pakasirStates: Readonly<Record<string, GatewayState>> = {
  pending: "pending",
  completed: "paid",
  expired: "expired",
  canceled: "cancelled",
  cancelled: "cancelled",
  failed: "failed",
  refunded: "refunded",
};

/** True for a JSON answer that says no in words (`success: false`, an `error` text) rather than by status. */
function saysNo(json: unknown): boolean {
  if (typeof json !== "object" || json === null || Array.isArray(json)) return false;
  const body = json as Record<string, unknown>;
  return body.success === false || body.status === false || typeof body.error === "string";
}

// ---------------------------------------------------------------------------------------------
// The adapter
// ---------------------------------------------------------------------------------------------

/** Options for {@link PakasirGateway}; timing and `fetch` are knobs for tests. */
export interface PakasirGatewayOptions {
  /** The project's slug (`depodomain`). */
  project: string;
  apiKey: string;
  baseUrl: string;
  logger?: Logger;
  timeoutMs?: number;
  retryDelaysMs?: readonly number[];
  fetch?: typeof fetch;
  /** What carries the calls when no `fetch` is injected (see `GatewayShared.transport`). */
  transport?: HttpTransport;
}

/** The Pakasir QRIS adapter: create, status, cancel over its API, and a pure webhook reader. */
export class PakasirGateway implements QrisGateway {
  readonly id = gateway;
  /** The document names no answer for the webhook; a plain 200 with JSON is what any receiver sends. */
  readonly acknowledgement: RouteResponse = { status: 200, body: { success: true } };
  private readonly http: HttpClient;

  constructor(private readonly options: PakasirGatewayOptions) {
    this.http = new HttpClient({
      provider: gateway,
      baseUrl: options.baseUrl,
      timeoutMs: options.timeoutMs,
      retryDelaysMs: options.retryDelaysMs,
      logger: options.logger,
      fetch: options.fetch,
      transport: options.transport,
    });
  }

  /**
   * Creates the QRIS transaction for one payment, sent once (a timeout is `unavailable` and the
   * caller fails over; it never asks again with the same id). The answer must name this very
   * charge, its total must be amount + fee, and the QR must be a valid QRIS whose amount is that
   * total — the buyer is shown the total, and the QR must charge exactly that.
   */
  async create(request: ChargeRequest): Promise<GatewayCharge> {
    const response = await this.send(
      { method: "POST", path: "api/transactioncreate/qris", json: this.body(request.paymentId, request.amount), safe: false },
      "create",
    );
    const { payment } = this.parse(response, createAnswer, "create");
    if (payment.project !== this.options.project || payment.order_id !== request.paymentId || payment.amount !== request.amount) {
      throw new GatewayError(gateway, "malformed", `create ${request.paymentId}: the answer names another project, order or amount`);
    }
    if (payment.total_payment !== payment.amount + payment.fee) {
      throw new GatewayError(gateway, "malformed", `create ${request.paymentId}: total_payment is not amount + fee`);
    }
    checkQr(payment.payment_number, payment.total_payment, request.paymentId);
    return {
      transactionId: request.paymentId,
      qrString: payment.payment_number,
      total: payment.total_payment,
      fee: payment.fee,
      feeOnPayer: true,
      // The document always shows `expired_at`; without it the QR is taken to live as long as our payment.
      expiresAt: payment.expired_at ?? request.expiresAt,
    };
  }

  /**
   * The detail call (retried: it is a read). Pakasir states the amount before the payer's fee;
   * the fee fixed at create (`total − amount` of the charge) is added back, so `amount` is the
   * gross the payer paid and compares with the charge's `total` like every other gateway's.
   * The currency is `IDR`: Pakasir states none.
   */
  async status(charge: ChargeRef, options: StatusOptions = {}): Promise<GatewayStatus> {
    const asked = askedAmount(charge);
    const response = await this.send(
      {
        method: "GET",
        path: "api/transactiondetail",
        query: { project: this.options.project, amount: asked, order_id: charge.paymentId, api_key: this.options.apiKey },
        // `once`: not retried here (a poll's next run is the retry; an unsigned webhook buys one call at most).
        safe: options.once !== true,
      },
      "status",
    );
    const { transaction } = this.parse(response, detailAnswer, "status");
    if (transaction.project !== this.options.project) {
      throw new GatewayError(gateway, "malformed", `status ${charge.paymentId}: the answer names another project`);
    }
    const state = pakasirStates[transaction.status];
    if (!state) {
      const shown = /^[a-z_]{1,20}$/i.test(transaction.status) ? ` "${transaction.status}"` : "";
      throw new GatewayError(gateway, "malformed", `status ${charge.paymentId}: unknown transaction status${shown}`);
    }
    const payerFee = Math.max(0, charge.total - asked);
    const paidAt = state === "paid" ? transaction.completed_at : undefined;
    return {
      state,
      paymentId: transaction.order_id,
      transactionId: transaction.order_id,
      amount: transaction.amount + payerFee,
      currency: "IDR",
      ...(paidAt !== undefined && paidAt !== null ? { paidAt } : {}),
    };
  }

  /**
   * `POST /api/transactioncancel`. Its answer is not documented, so only a plain 2xx counts as
   * cancelled; any other answer (a 4xx, a 2xx that says no or cannot be read) is settled by the
   * status call: cancelled → `cancelled` (an earlier cancel went through), no longer pending →
   * `final`, still pending → the refusal stands. Repeating a cancel changes nothing, so it is
   * retried like a read.
   */
  async cancel(charge: ChargeRef): Promise<"cancelled" | "final" | "unsupported"> {
    const response = await this.send(
      { method: "POST", path: "api/transactioncancel", json: this.body(charge.paymentId, askedAmount(charge)), safe: true },
      "cancel",
    );
    const unreadable = response.text.length > 0 && response.json === undefined;
    if (response.status >= 200 && response.status < 300 && !unreadable && !saysNo(response.json)) return "cancelled";
    const status = await this.status(charge);
    if (status.state === "cancelled") return "cancelled";
    if (status.state !== "pending") return "final";
    const failure = response.status >= 400 || saysNo(response.json) ? "refused" : "malformed";
    throw new GatewayError(gateway, failure, `cancel ${charge.paymentId}: not cancelled (HTTP ${response.status}), still pending`, response.status);
  }

  /**
   * Reads a webhook. Pakasir signs nothing, so this never authenticates: it checks the body is
   * well formed and for our project (`wrong_merchant` otherwise), and turns a `completed` QRIS
   * payment into a hint naming our payment. Its amount is Pakasir's, before the payer's fee (what
   * we asked, `ChargeRef.amount`), so it is the hint's `askedAmount`, never compared with the total
   * the payer paid. Any other status, or another payment method, is ignored.
   */
  readNotification(request: RouteRequest): NotificationCheck {
    let json: unknown;
    try {
      json = JSON.parse(request.rawBody);
    } catch {
      return { kind: "rejected", reason: "malformed" };
    }
    const parsed = webhookBody.safeParse(json);
    if (!parsed.success) return { kind: "rejected", reason: "malformed" };
    const body = parsed.data;
    if (body.project !== this.options.project) return { kind: "rejected", reason: "wrong_merchant" };
    if (body.status !== "completed") return { kind: "ignored", reason: "not a completed payment" };
    if (body.payment_method !== undefined && body.payment_method !== null && body.payment_method !== "qris") {
      return { kind: "ignored", reason: "not a QRIS payment" };
    }
    return { kind: "hint", paymentId: body.order_id, transactionId: body.order_id, askedAmount: body.amount, claims: "paid" };
  }

  /** The body every Pakasir POST takes: the project, the order, the amount asked and the key. */
  private body(orderId: string, amount: Rupiah) {
    return { project: this.options.project, order_id: orderId, amount, api_key: this.options.apiKey };
  }

  /** Sends a request; no answer in time (or a broken connection) is `unavailable`, and so are 5xx and 429. */
  private async send(request: HttpRequest, what: string): Promise<HttpResponse> {
    let response: HttpResponse;
    try {
      response = await this.http.send(request);
    } catch (error) {
      // http.ts throws only for no answer; its message names the path, never the query.
      this.options.logger?.warn({ gateway, call: what, reason: error instanceof Error ? error.name : "error" }, "pakasir call got no answer");
      throw new GatewayError(gateway, "unavailable", `${what}: no answer in time`);
    }
    if (response.status >= 500 || response.status === 429) {
      throw new GatewayError(gateway, "unavailable", `${what}: HTTP ${response.status}`, response.status);
    }
    return response;
  }

  /** A 4xx or an answer that says no is `refused`; an answer of another shape is `malformed`. */
  private parse<T>(response: HttpResponse, schema: z.ZodType<T>, what: string): T {
    if (response.status >= 400) throw new GatewayError(gateway, "refused", `${what}: HTTP ${response.status}`, response.status);
    if (response.status >= 300) throw new GatewayError(gateway, "malformed", `${what}: HTTP ${response.status}`, response.status);
    const parsed = schema.safeParse(response.json);
    if (parsed.success) return parsed.data;
    if (saysNo(response.json)) throw new GatewayError(gateway, "refused", `${what}: the answer says no`, response.status);
    const shape = response.json === undefined ? "a body that is not JSON" : "JSON of an unexpected shape";
    throw new GatewayError(gateway, "malformed", `${what}: HTTP ${response.status} with ${shape}`, response.status);
  }
}

/** The amount Pakasir knows the charge by: what we asked for, or the total for a charge recorded without it. */
function askedAmount(charge: ChargeRef): Rupiah {
  return charge.amount ?? charge.total;
}

/** The QR must be a valid QRIS (CRC, IDR, merchant) carrying exactly `total`; the message never quotes it. */
function checkQr(qrString: string, total: Rupiah, paymentId: string): void {
  let amount: Rupiah | undefined;
  try {
    amount = parseQris(qrString).amount;
  } catch {
    throw new GatewayError(gateway, "malformed", `create ${paymentId}: payment_number is not a valid QRIS`);
  }
  if (amount !== total) {
    throw new GatewayError(gateway, "malformed", `create ${paymentId}: the QRIS amount is not total_payment`);
  }
}

// ---------------------------------------------------------------------------------------------
// The module
// ---------------------------------------------------------------------------------------------

const examples = {
  PAKASIR_PROJECT: "depodomain",
  PAKASIR_API_KEY: "your-project-api-key",
  PAKASIR_BASE_URL: pakasirDefaultBaseUrl,
} as const;

const projectText = z.preprocess(
  emptyToUndefined,
  z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/, "must be the project's slug (letters, digits, - or _), as in the project's URL")
    .optional(),
);

const apiKeyText = z.preprocess(
  emptyToUndefined,
  z
    .string()
    .trim()
    .regex(/^[\x21-\x7e]{1,200}$/, "must be the project's API key as shown on its page (no spaces)")
    .optional(),
);

/**
 * The Pakasir gateway module: `QRIS_GATEWAYS=pakasir` with `PAKASIR_PROJECT` and `PAKASIR_API_KEY`
 * from the project's page; `PAKASIR_BASE_URL` only for tests.
 */
export const pakasirModule = defineQrisGateway({
  id: gateway,
  env: z.object({
    PAKASIR_PROJECT: projectText,
    PAKASIR_API_KEY: apiKeyText,
    PAKASIR_BASE_URL: urlText(pakasirDefaultBaseUrl),
  }),
  examples,
  problems: (env) => requiredWhenListed(env, ["PAKASIR_PROJECT", "PAKASIR_API_KEY"], gateway, examples),
  create: (env, shared) =>
    new PakasirGateway({
      project: env.PAKASIR_PROJECT!,
      apiKey: env.PAKASIR_API_KEY!,
      baseUrl: env.PAKASIR_BASE_URL ?? pakasirDefaultBaseUrl,
      logger: shared.logger,
      timeoutMs: shared.timeoutMs,
      retryDelaysMs: shared.retryDelaysMs,
      fetch: shared.fetch,
      transport: shared.transport,
    }),
});
