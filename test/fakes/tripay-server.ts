/**
 * A fake Tripay closed-payment API (QRIS channels), written from /work/shared/gateways/tripay.md.
 *
 * Usage:
 *   const tripay = await FakeTripayServer.start();            // 127.0.0.1, free port; always close()
 *   env: TRIPAY_BASE_URL=tripay.url TRIPAY_API_KEY=tripay.apiKey TRIPAY_PRIVATE_KEY=tripay.privateKey
 *        TRIPAY_MERCHANT_CODE=tripay.merchantCode (or tripayEnv(tripay))
 *   tripay.pay("ORD-1"); tripay.expire("ORD-1"); tripay.find("ORD-1")   // sandbox moves, by our id
 *   await tripay.sendNotification(url, "ORD-1")                         // signed payment_status callback
 *   await tripay.sendNotification(url, "ORD-1", "wrong_signature")      // or unsigned, wrong_amount, other_order,
 *                                                                       // replay, other_event, malformed, tampered
 *   tripay.failNextCreate("5xx" | "timeout" | "refuse"); tripay.failNextStatus("5xx"); tripay.enqueue(route, fault)
 *   tripay.callsTo("POST /transaction/create"); tripay.notifications    // everything received and sent
 *   tripay.feeOn = "customer"   // the payer pays Tripay's fee (QR total = amount + fee_customer)
 *
 * It checks what the doc asks of a client (Bearer API key, the create fields, the create signature
 * HMAC-SHA256(privateKey, merchantCode + merchantRef + amount), `order_items` summing to `amount`,
 * `expired_time` in unix seconds) and answers with the doc's envelope `{ success, message, data }`.
 * Faults are queued per route and used up one request each, before any checking, as a proxy in
 * front of the real API would produce them.
 *
 * ASSUMPTIONS (the doc is silent; each is the stricter side for the adapter):
 * - refusals are `{ success: false, message }` with HTTP 401 (bad key), 400 (bad request, bad
 *   signature, reused merchant_ref), 404 (unknown reference); the adapter must treat any 4xx or
 *   `success: false` as a refusal whatever the status;
 * - a `merchant_ref` is accepted once: a second create with it is refused;
 * - only JSON bodies are modelled (the doc also allows form bodies); unknown fields are refused;
 * - `amount` in the answer is the amount asked (before the payer's fee), as the doc's example
 *   reads; the QR carries `amount + fee_customer`, and `amount_received + total_fee` is what was paid;
 * - fee: Rp 750 + 0.7 % rounded up (the channel table's standard QRIS fee), paid by the merchant
 *   unless `feeOn` is "customer";
 * - an `expired_time` sooner than the channel's 10-minute minimum is raised to it (so the QR can
 *   outlive the shop's payment); one in the past is refused; a missing one means 24 hours (doc);
 * - an UNPAID transaction past its `expired_time` reads EXPIRED;
 * - the callback body is pretty-printed like the doc's example (4 spaces), so a receiver that
 *   re-serialises the JSON computes a different signature; `paid_at` in the detail answer is a
 *   digit string, as in the doc's example, and an integer in callbacks.
 */
import { createHmac, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { toDynamicQris } from "../../src/payments/qris.js";
import { parseJson, readBody } from "./http-helpers.js";

/** The documented endpoints, as fault queues and recorded calls name them. */
export type FakeTripayRoute = "POST /transaction/create" | "GET /transaction/detail";

/** A Tripay transaction status; the callback sends all but UNPAID. */
export type FakeTripayStatus = "UNPAID" | "PAID" | "EXPIRED" | "FAILED" | "REFUND";

/** A one-shot misbehaviour for the next request on a route. */
export type FakeTripayFault =
  /** A refusal in Tripay's envelope: `{ success: false, message }`. */
  | { kind: "error"; status: number; message: string }
  /** Any JSON body with any status, e.g. `success: false` on HTTP 200 or an odd shape. */
  | { kind: "json"; status: number; body: unknown }
  /** A proxy's HTML error page. */
  | { kind: "html"; status: number }
  /** HTTP 200 with a body that is not JSON. */
  | { kind: "garbage" }
  /** Never answers; the client has to give up. */
  | { kind: "timeout" }
  /** Handles the request normally, then rewrites the answer's `data` (decimals, a bad QR …). */
  | { kind: "patch"; patch: (data: Record<string, unknown>) => Record<string, unknown> };

/** A transaction the fake holds. */
export interface FakeTripayTransaction {
  reference: string;
  merchantRef: string;
  method: string;
  /** The amount asked, before the payer's fee. */
  amount: number;
  feeMerchant: number;
  feeCustomer: number;
  status: FakeTripayStatus;
  /** Unix seconds. */
  expiredTime: number;
  /** Unix seconds. */
  paidAt: number | null;
  qrString: string;
  itemName: string;
  callbackUrl: string | null;
}

/** A request as the fake received it. */
export interface FakeTripayCall {
  method: string;
  path: string;
  route: FakeTripayRoute | undefined;
  query: Record<string, string>;
  headers: IncomingMessage["headers"];
  /** The parsed JSON body, the raw text when it is not JSON, undefined when empty. */
  body: unknown;
  /** The HTTP status answered, or "hung" for a timeout fault. */
  answered: number | "hung";
}

/** How {@link FakeTripayServer.sendNotification} misbehaves. */
export type FakeTripayNotificationVariant =
  /** Correctly formed and signed. */
  | "ok"
  /** Signed with another key. */
  | "wrong_signature"
  /** No X-Callback-Signature header. */
  | "unsigned"
  /** Signed, but `total_amount` claims `amount` (default: 1 000 more than the transaction's total). */
  | "wrong_amount"
  /** Signed, but `merchant_ref` names `otherOrderId` (default "ORD-NOT-OURS"). */
  | "other_order"
  /** The first body ever sent for this order, byte for byte, with its signature. */
  | "replay"
  /** Signed, with X-Callback-Event other than payment_status. */
  | "other_event"
  /** Signed, but the body is not JSON. */
  | "malformed"
  /** Signed, then `total_amount` changed in the body: the signature no longer fits the bytes. */
  | "tampered";

/** One callback the fake sent. */
export interface FakeTripayNotification {
  url: string;
  orderId: string;
  variant: FakeTripayNotificationVariant;
  headers: Record<string, string>;
  rawBody: string;
  /** What the receiver answered. */
  status: number;
  responseText: string;
}

/** Credentials and fee model of a fake; random keys by default, so each test file has its own. */
export interface FakeTripayOptions {
  apiKey?: string;
  privateKey?: string;
  merchantCode?: string;
  feeOn?: "merchant" | "customer";
}

/** A public example static QRIS (test/fixtures/qris-vectors.json) the fake turns into per-charge QRs. */
export const fakeTripayStaticQris =
  "00020101021126660017ID.CO.EXAMPLE.WWW01159360086704567890215MIDCONTOH1234560303UMI51370014ID.CO.QRIS.WWW0215ID10191234567815204123453033605802ID5914NamaMerchantA16009NamaKota16110123456789062070703K196304B1EF";

const channelNames: Readonly<Record<string, string>> = { QRIS: "QRIS by ShopeePay", QRISC: "QRIS (Customizable)", QRIS2: "QRIS" };
/** From the doc's channel table: every QRIS channel takes Rp 1.000 … Rp 5.000.000 and at least 10 minutes. */
const minAmount = 1_000;
const maxAmount = 5_000_000;
const minExpirySeconds = 10 * 60;
const defaultExpirySeconds = 24 * 60 * 60;
const createFields = new Set([
  "method",
  "merchant_ref",
  "amount",
  "customer_name",
  "customer_email",
  "customer_phone",
  "order_items",
  "callback_url",
  "return_url",
  "expired_time",
  "signature",
]);

class Refusal extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const hmac = (key: string, message: string) => createHmac("sha256", key).update(message, "utf8").digest("hex");

/** The fake server. Start with {@link FakeTripayServer.start}; always `close()` it. */
export class FakeTripayServer {
  readonly apiKey: string;
  readonly privateKey: string;
  readonly merchantCode: string;
  /** Base URL including the `/api-sandbox` prefix, to check the adapter joins paths onto it. */
  url = "";
  /** Who pays Tripay's fee for charges created from now on. */
  feeOn: "merchant" | "customer";
  /** QRIS channels enabled on the merchant; a create for another is refused. */
  enabledChannels = new Set(["QRIS", "QRISC", "QRIS2"]);
  /** The fake's clock (ms); tests move it instead of sleeping. */
  now: () => number = () => Date.now();
  readonly calls: FakeTripayCall[] = [];
  readonly notifications: FakeTripayNotification[] = [];
  /** By reference. */
  readonly transactions = new Map<string, FakeTripayTransaction>();

  private readonly faults = new Map<FakeTripayRoute, FakeTripayFault[]>();
  private readonly firstBodies = new Map<string, { rawBody: string; headers: Record<string, string> }>();
  private readonly server: Server;
  private sequence = 0;

  private constructor(options: FakeTripayOptions) {
    this.apiKey = options.apiKey ?? `DEV-${randomBytes(16).toString("hex")}`;
    this.privateKey = options.privateKey ?? `${randomBytes(4).toString("hex")}-${randomBytes(4).toString("hex")}-fake`;
    this.merchantCode = options.merchantCode ?? "T12345";
    this.feeOn = options.feeOn ?? "merchant";
    this.server = createServer((req, res) => void this.handle(req, res));
  }

  /** Starts a fake on 127.0.0.1 on a free port. */
  static async start(options: FakeTripayOptions = {}): Promise<FakeTripayServer> {
    const fake = new FakeTripayServer(options);
    await new Promise<void>((resolve) => fake.server.listen(0, "127.0.0.1", resolve));
    const { port } = fake.server.address() as AddressInfo;
    fake.url = `http://127.0.0.1:${port}/api-sandbox`;
    return fake;
  }

  /** Queues faults for the next requests on `route`, one per request. */
  enqueue(route: FakeTripayRoute, ...faults: FakeTripayFault[]): void {
    this.faults.set(route, [...(this.faults.get(route) ?? []), ...faults]);
  }

  /** The next create answers HTTP 500, hangs, or is refused (`success: false`, HTTP 400). */
  failNextCreate(kind: "5xx" | "timeout" | "refuse"): void {
    this.enqueue("POST /transaction/create", faultOf(kind));
  }

  /** The next status call answers HTTP 500 (a safe call: the adapter's retries use up more). */
  failNextStatus(kind: "5xx" | "timeout" | "refuse", times = 1): void {
    for (let i = 0; i < times; i++) this.enqueue("GET /transaction/detail", faultOf(kind));
  }

  /** Calls received on `route`. */
  callsTo(route: FakeTripayRoute): FakeTripayCall[] {
    return this.calls.filter((call) => call.route === route);
  }

  /** The transaction created for our payment id, if any. */
  find(orderId: string): FakeTripayTransaction | undefined {
    return [...this.transactions.values()].find((transaction) => transaction.merchantRef === orderId);
  }

  /** Sandbox: the payer paid the QR. */
  pay(orderId: string): FakeTripayTransaction {
    const transaction = this.mustFind(orderId);
    if (this.current(transaction).status !== "UNPAID") throw new Error(`fake tripay: ${orderId} is ${transaction.status}, cannot pay it`);
    transaction.status = "PAID";
    transaction.paidAt = Math.floor(this.now() / 1000);
    return transaction;
  }

  /** Sandbox: the charge reached its expiry unpaid. */
  expire(orderId: string): FakeTripayTransaction {
    return this.setStatus(orderId, "EXPIRED");
  }

  /** Moves a transaction to any status (FAILED, REFUND …). */
  setStatus(orderId: string, status: FakeTripayStatus): FakeTripayTransaction {
    const transaction = this.mustFind(orderId);
    transaction.status = status;
    if (status === "PAID" && transaction.paidAt === null) transaction.paidAt = Math.floor(this.now() / 1000);
    return transaction;
  }

  /** The callback body Tripay sends for a transaction now, as an object. */
  callbackBody(orderId: string): Record<string, unknown> {
    const transaction = this.current(this.mustFind(orderId));
    const totalFee = transaction.feeMerchant + transaction.feeCustomer;
    const paid = transaction.amount + transaction.feeCustomer;
    return {
      reference: transaction.reference,
      merchant_ref: transaction.merchantRef,
      payment_method: channelNames[transaction.method] ?? transaction.method,
      payment_method_code: transaction.method,
      total_amount: paid,
      fee_merchant: transaction.feeMerchant,
      fee_customer: transaction.feeCustomer,
      total_fee: totalFee,
      amount_received: paid - totalFee,
      is_closed_payment: 1,
      status: transaction.status,
      paid_at: transaction.paidAt,
      note: null,
    };
  }

  /**
   * POSTs a callback for `orderId` (its current status) to `url`, signed over the raw body with
   * the private key, or misbehaving as `variant` says. Returns what the receiver answered.
   */
  async sendNotification(
    url: string,
    orderId: string,
    variant: FakeTripayNotificationVariant = "ok",
    options: { amount?: number; otherOrderId?: string; event?: string } = {},
  ): Promise<FakeTripayNotification> {
    let rawBody: string;
    let headers: Record<string, string>;
    if (variant === "replay") {
      const first = this.firstBodies.get(orderId);
      if (!first) throw new Error(`fake tripay: no earlier notification for ${orderId} to replay`);
      ({ rawBody, headers } = first);
    } else {
      const body = this.callbackBody(orderId);
      if (variant === "wrong_amount") body.total_amount = options.amount ?? Number(body.total_amount) + 1_000;
      if (variant === "other_order") body.merchant_ref = options.otherOrderId ?? "ORD-NOT-OURS";
      rawBody = variant === "malformed" ? `{"reference": "${String(body.reference)}", "status": PAID` : JSON.stringify(body, null, 4);
      const signature = hmac(variant === "wrong_signature" ? `${this.privateKey}-not` : this.privateKey, rawBody);
      if (variant === "tampered") rawBody = JSON.stringify({ ...body, total_amount: Number(body.total_amount) * 10 }, null, 4);
      headers = {
        "Content-Type": "application/json",
        "X-Callback-Event": variant === "other_event" ? (options.event ?? "payout_status") : "payment_status",
        ...(variant === "unsigned" ? {} : { "X-Callback-Signature": signature }),
      };
      if (variant === "ok" && !this.firstBodies.has(orderId)) this.firstBodies.set(orderId, { rawBody, headers });
    }
    const response = await fetch(url, { method: "POST", headers, body: rawBody });
    const sent: FakeTripayNotification = {
      url,
      orderId,
      variant,
      headers,
      rawBody,
      status: response.status,
      responseText: await response.text(),
    };
    this.notifications.push(sent);
    return sent;
  }

  /** Stops the server, cutting requests left hanging by a timeout fault. */
  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // -------------------------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://fake");
    const text = await readBody(req);
    const route = routeOf(req.method ?? "", url.pathname);
    const call: FakeTripayCall = {
      method: req.method ?? "",
      path: url.pathname,
      route,
      query: Object.fromEntries(url.searchParams),
      headers: req.headers,
      body: parseJson(text),
      answered: "hung",
    };
    this.calls.push(call);
    const fault = route ? this.faults.get(route)?.shift() : undefined;
    const answer = (status: number, body: string, type = "application/json") => {
      call.answered = status;
      res.writeHead(status, { "Content-Type": type });
      res.end(body);
    };
    if (fault?.kind === "timeout") return; // the connection stays open until the client gives up or close()
    if (fault?.kind === "error") return answer(fault.status, JSON.stringify({ success: false, message: fault.message }));
    if (fault?.kind === "json") return answer(fault.status, JSON.stringify(fault.body));
    if (fault?.kind === "html") return answer(fault.status, `<html><body><h1>${fault.status} Bad Gateway</h1></body></html>`, "text/html");
    if (fault?.kind === "garbage") return answer(200, "<?php echo 'oops';", "text/plain");
    if (!route) return answer(404, JSON.stringify({ success: false, message: "Not found" }));
    try {
      this.authorize(req);
      const data = route === "POST /transaction/create" ? this.create(req, text) : this.detail(url.searchParams);
      const patched = fault?.kind === "patch" ? fault.patch(data) : data;
      answer(200, JSON.stringify({ success: true, message: "", data: patched }));
    } catch (error) {
      // A bug in the fake shows up as a 500 the test can see, not as a hung request.
      const refusal = error instanceof Refusal ? error : new Refusal(500, `fake tripay crashed: ${String(error)}`);
      answer(refusal.status, JSON.stringify({ success: false, message: refusal.message }));
    }
  }

  private authorize(req: IncomingMessage): void {
    if (req.headers.authorization !== `Bearer ${this.apiKey}`) throw new Refusal(401, "Invalid API Key");
  }

  private create(req: IncomingMessage, text: string): Record<string, unknown> {
    if (!(req.headers["content-type"] ?? "").toLowerCase().startsWith("application/json")) {
      throw new Refusal(400, "Unsupported content type"); // assumption: only JSON modelled
    }
    const body = parseJson(text);
    if (!isRecord(body)) throw new Refusal(400, "Invalid request body");
    const unknown = Object.keys(body).filter((key) => !createFields.has(key));
    if (unknown.length > 0) throw new Refusal(400, `Unknown field: ${unknown[0]}`);
    const { method, merchant_ref: merchantRef, amount, customer_name, customer_email, order_items, expired_time, signature } = body;
    if (typeof method !== "string" || !(method in channelNames)) throw new Refusal(400, "Invalid payment method");
    if (!this.enabledChannels.has(method)) throw new Refusal(400, "Payment channel is not enabled");
    if (typeof merchantRef !== "string" || merchantRef.length === 0) throw new Refusal(400, "The merchant ref field is required");
    if (typeof amount !== "number" || !Number.isSafeInteger(amount)) throw new Refusal(400, "The amount must be an integer");
    if (amount < minAmount || amount > maxAmount) throw new Refusal(400, "Amount is out of the channel's range");
    if (typeof customer_name !== "string" || customer_name.trim() === "") throw new Refusal(400, "The customer name field is required");
    if (typeof customer_email !== "string" || !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(customer_email)) {
      throw new Refusal(400, "The customer email must be a valid email address");
    }
    const items = readItems(order_items);
    if (items.reduce((sum, item) => sum + item.price * item.quantity, 0) !== amount) {
      throw new Refusal(400, "Total price of order items does not match the amount");
    }
    if (typeof signature !== "string" || signature !== hmac(this.privateKey, `${this.merchantCode}${merchantRef}${amount}`)) {
      throw new Refusal(400, "Invalid signature");
    }
    const nowSeconds = Math.floor(this.now() / 1000);
    let expiredTime = nowSeconds + defaultExpirySeconds;
    if (expired_time !== undefined) {
      if (typeof expired_time !== "number" || !Number.isInteger(expired_time)) throw new Refusal(400, "The expired time must be a unix timestamp");
      if (expired_time <= nowSeconds) throw new Refusal(400, "The expired time must be in the future");
      expiredTime = Math.max(expired_time, nowSeconds + minExpirySeconds);
    }
    if (this.find(merchantRef)) throw new Refusal(400, "Merchant ref already exists");

    const fee = 750 + Math.ceil((amount * 7) / 1_000);
    const feeCustomer = this.feeOn === "customer" ? fee : 0;
    this.sequence += 1;
    const reference = `DEV-${this.merchantCode}${String(this.sequence).padStart(8, "0")}${randomBytes(3).toString("hex").toUpperCase()}`;
    const transaction: FakeTripayTransaction = {
      reference,
      merchantRef,
      method,
      amount,
      feeMerchant: fee - feeCustomer,
      feeCustomer,
      status: "UNPAID",
      expiredTime,
      paidAt: null,
      qrString: toDynamicQris(fakeTripayStaticQris, amount + feeCustomer),
      itemName: items[0]?.name ?? "",
      callbackUrl: typeof body.callback_url === "string" ? body.callback_url : null,
    };
    this.transactions.set(reference, transaction);
    return { ...this.transactionData(transaction), order_items: items.map((item) => ({ ...item, subtotal: item.price * item.quantity })) };
  }

  private detail(query: URLSearchParams): Record<string, unknown> {
    const reference = query.get("reference");
    if (!reference) throw new Refusal(400, "The reference field is required");
    const transaction = this.transactions.get(reference);
    if (!transaction) throw new Refusal(404, "Transaction not found");
    const current = this.current(transaction);
    return { ...this.transactionData(current), paid_at: current.paidAt === null ? null : String(current.paidAt) };
  }

  private transactionData(transaction: FakeTripayTransaction): Record<string, unknown> {
    const totalFee = transaction.feeMerchant + transaction.feeCustomer;
    return {
      reference: transaction.reference,
      merchant_ref: transaction.merchantRef,
      payment_selection_type: "static",
      payment_method: transaction.method,
      payment_name: channelNames[transaction.method],
      customer_name: "Pembeli",
      customer_email: "pembeli@example.com",
      customer_phone: null,
      callback_url: transaction.callbackUrl,
      return_url: null,
      amount: transaction.amount,
      fee_merchant: transaction.feeMerchant,
      fee_customer: transaction.feeCustomer,
      total_fee: totalFee,
      amount_received: transaction.amount + transaction.feeCustomer - totalFee,
      pay_code: null,
      pay_url: null,
      checkout_url: `https://tripay.co.id/checkout/${transaction.reference}`,
      status: transaction.status,
      expired_time: transaction.expiredTime,
      instructions: [],
      qr_string: transaction.qrString,
      qr_url: `https://tripay.co.id/qr/${transaction.reference}`,
    };
  }

  /** The transaction with Tripay's own expiry applied. */
  private current(transaction: FakeTripayTransaction): FakeTripayTransaction {
    if (transaction.status === "UNPAID" && Math.floor(this.now() / 1000) >= transaction.expiredTime) transaction.status = "EXPIRED";
    return transaction;
  }

  private mustFind(orderId: string): FakeTripayTransaction {
    const transaction = this.find(orderId);
    if (!transaction) throw new Error(`fake tripay: no transaction for ${orderId}`);
    return transaction;
  }
}

/** The gateway's environment variables pointing at a fake. */
export function tripayEnv(fake: FakeTripayServer, method = "QRIS"): Record<string, string> {
  return {
    TRIPAY_API_KEY: fake.apiKey,
    TRIPAY_PRIVATE_KEY: fake.privateKey,
    TRIPAY_MERCHANT_CODE: fake.merchantCode,
    TRIPAY_BASE_URL: fake.url,
    TRIPAY_METHOD: method,
  };
}

function faultOf(kind: "5xx" | "timeout" | "refuse"): FakeTripayFault {
  if (kind === "5xx") return { kind: "error", status: 500, message: "Internal Server Error" };
  if (kind === "timeout") return { kind: "timeout" };
  return { kind: "error", status: 400, message: "Payment channel is under maintenance" };
}

function readItems(value: unknown): Array<{ sku?: string; name: string; price: number; quantity: number }> {
  if (!Array.isArray(value) || value.length === 0) throw new Refusal(400, "The order items field is required");
  return value.map((item) => {
    if (!isRecord(item)) throw new Refusal(400, "Invalid order item");
    const { sku, name, price, quantity } = item;
    if (typeof name !== "string" || name.trim() === "") throw new Refusal(400, "Order item name is required");
    if (typeof price !== "number" || !Number.isSafeInteger(price) || price < 0) throw new Refusal(400, "Order item price must be an integer");
    if (typeof quantity !== "number" || !Number.isSafeInteger(quantity) || quantity < 1) throw new Refusal(400, "Order item quantity must be an integer");
    return { ...(typeof sku === "string" ? { sku } : {}), name, price, quantity };
  });
}

function routeOf(method: string, path: string): FakeTripayRoute | undefined {
  if (method === "POST" && path === "/api-sandbox/transaction/create") return "POST /transaction/create";
  if (method === "GET" && path === "/api-sandbox/transaction/detail") return "GET /transaction/detail";
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

