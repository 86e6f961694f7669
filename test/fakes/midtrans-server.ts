/**
 * A fake Midtrans Core API (QRIS), written from /work/shared/gateways/midtrans.md, for tests.
 *
 * Usage:
 *   const midtrans = await FakeMidtransServer.start();           // 127.0.0.1, free port
 *   env: MIDTRANS_SERVER_KEY=midtrans.serverKey, MIDTRANS_BASE_URL=midtrans.url
 *   midtrans.pay("ORD-…")                                         // sandbox: the buyer paid (settlement)
 *   await midtrans.sendNotification(`${shop}/payments/midtrans`, "ORD-…")            // signed, real formula
 *   await midtrans.sendNotification(url, "ORD-…", "bad_signature" | "unsigned" | "wrong_amount" | "other_order" | "replay" | …)
 *   midtrans.enqueue("POST /v2/charge", { kind: "http", status: 503 })   // next create fails (also "timeout", "refuse", "garbage", "json")
 *   midtrans.calls / midtrans.callsTo("POST /v2/:id/cancel") / midtrans.wasCancelled("ORD-…")
 *   await midtrans.stop()                                         // always; cuts requests left hanging
 *
 * What it checks, per the doc: Basic auth with the Server Key and an empty password; a JSON body with
 * `payment_type: "qris"`, `transaction_details.order_id` / `gross_amount` and `qris.acquirer` in
 * `gopay | airpay shopee`; a second charge with the same order id is refused with `"406"`. Status and
 * cancel/expire take the order id (or transaction id). Notifications carry
 * `signature_key = hex(SHA512(order_id + status_code + gross_amount + ServerKey))`.
 *
 * ASSUMPTIONS (the doc is silent; each is the stricter side for the adapter):
 * - errors: Midtrans puts the code in the body's `status_code`; by default this fake answers them with
 *   HTTP 200 (`errorHttpStatus = "200"`), so an adapter that only reads the HTTP status fails here.
 *   `errorHttpStatus = "mirror"` answers with the same HTTP status instead; adapters must handle both;
 * - a bad or missing Server Key is HTTP 401 with `status_code: "401"`;
 * - a non-integer or non-positive `gross_amount`, an unknown acquirer, an `item_details` sum that
 *   differs from `gross_amount`, an item name over 50 characters or a malformed `custom_expiry` is
 *   `"400"` with `validation_messages`; unknown top-level fields are refused so drift shows;
 * - the charge answer has no `expiry_time` unless `includeExpiryTime` is set (the doc's sample has none);
 *   with `custom_expiry`, the charge expires at order_time (or now) + the duration, else after 15 minutes;
 * - status `status_code` by state: settlement/capture/cancel "200", pending "201", deny "202",
 *   expire "407" (the expire API's code); notification codes: expire/cancel/deny "202";
 * - an unknown order id is `"404"` ("Transaction doesn't exist."); cancelling or expiring a charge that
 *   is not pending is `"412"`; the fake never expires a charge by itself (tests call `expire`).
 */
import { createHash, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { buildQris } from "../../src/payments/qris.js";
import { serialiseTlv } from "../../src/payments/tlv.js";
import { parseJson, send, sendJson } from "./http-helpers.js";

/** Midtrans's `transaction_status` values. */
export type FakeMidtransStatus = "pending" | "settlement" | "capture" | "expire" | "cancel" | "deny" | "refund" | "partial_refund";

/** A charge the fake has made. */
export interface FakeMidtransTransaction {
  orderId: string;
  transactionId: string;
  grossAmount: number;
  acquirer: string;
  status: FakeMidtransStatus;
  fraudStatus: "accept" | "challenge" | "deny";
  qrString: string;
  /** "YYYY-MM-DD HH:mm:ss", WIB. */
  transactionTime: string;
  expiryTime: string;
  settlementTime?: string;
  /** The `X-Override-Notification` URL sent with the charge, if any. */
  notificationUrl?: string;
}

/** The documented endpoints, as fault queues and the call log name them. */
export type FakeMidtransRoute = "POST /v2/charge" | "GET /v2/:id/status" | "POST /v2/:id/cancel" | "POST /v2/:id/expire";

/** A one-shot misbehaviour for the next request on a route. */
export type FakeMidtransFault =
  /** An HTTP error status: a JSON body in Midtrans's envelope, or an nginx HTML page for 502/503/504. */
  | { kind: "http"; status: number; html?: boolean }
  /** Never answers; the client has to give up. */
  | { kind: "timeout" }
  /** A refusal in the body: HTTP 200 (or mirrored) with `status_code` (default "400"). */
  | { kind: "refuse"; statusCode?: string; message?: string }
  /** HTTP 200 with a body that is not JSON. */
  | { kind: "garbage" }
  /** Any JSON body and status, e.g. a charge answer with a broken QR or `"5539.50"`. */
  | { kind: "json"; status: number; body: unknown }
  /** Runs the request normally, then rewrites the answer's fields (e.g. `{ gross_amount: "1000.50" }`). */
  | { kind: "patch"; fields: Record<string, unknown> };

/** A request as the fake received it. */
export interface FakeMidtransCall {
  method: string;
  path: string;
  route: FakeMidtransRoute | undefined;
  /** The order (or transaction) id in the path, or the charge's `order_id`. */
  orderId: string | undefined;
  headers: IncomingMessage["headers"];
  /** The parsed JSON body, the raw text when it is not JSON, undefined when empty. */
  body: unknown;
}

/**
 * How a notification is made. `signed` (default) is what Midtrans sends for the charge's current
 * state. The rest are attacks or accidents: `bad_signature` (signed with another key), `unsigned`
 * (no signature_key), `wrong_amount` (gross_amount 1.000 higher, correctly signed: what a holder of
 * the key could forge), `other_order` (another order id, correctly signed), `replay` (the first body
 * ever sent for this order, byte for byte), `pending` (a signed pending notice), `malformed` (not JSON),
 * `cents` (gross_amount with non-zero cents, correctly signed).
 */
export type FakeMidtransNotificationVariant =
  | "signed"
  | "bad_signature"
  | "unsigned"
  | "wrong_amount"
  | "other_order"
  | "replay"
  | "pending"
  | "malformed"
  | "cents";

export interface FakeMidtransOptions {
  serverKey?: string;
  merchantId?: string;
}

class Refusal extends Error {
  constructor(
    readonly statusCode: string,
    message: string,
    readonly validation?: string[],
  ) {
    super(message);
  }
}

const wibOffsetMs = 7 * 3_600_000;
const orderIdPattern = /^[A-Za-z0-9\-_.~]{1,50}$/;
const chargeFields = new Set(["payment_type", "transaction_details", "item_details", "customer_details", "qris", "custom_expiry", "metadata"]);

/** Formats ms as Midtrans prints times: "2021-06-23 14:06:48", WIB. */
export function midtransTimeText(ms: number): string {
  const iso = new Date(ms + wibOffsetMs).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
}

/** The documented signature formula, written out again here so the adapter is checked against it. */
export function fakeMidtransSignature(orderId: string, statusCode: string, grossAmount: string, serverKey: string): string {
  return createHash("sha512").update(orderId + statusCode + grossAmount + serverKey).digest("hex");
}

/** The fake server. Start with {@link FakeMidtransServer.start}; always `stop()` it. */
export class FakeMidtransServer {
  readonly serverKey: string;
  readonly merchantId: string;
  /** Base URL, e.g. `http://127.0.0.1:41234` (paths start with `/v2`). */
  url = "";
  readonly calls: FakeMidtransCall[] = [];
  readonly transactions = new Map<string, FakeMidtransTransaction>();
  /** Every notification body sent, per order id, oldest first. */
  readonly sentNotifications = new Map<string, string[]>();
  /** See the assumptions above: errors as HTTP 200 with a body code (default), or mirrored. */
  errorHttpStatus: "200" | "mirror" = "200";
  /** Adds `expiry_time` to charge answers. */
  includeExpiryTime = false;
  /** The fake's clock (ms); tests may move it. */
  now: () => number = Date.now;

  private readonly faults = new Map<FakeMidtransRoute, FakeMidtransFault[]>();
  private readonly server: Server;

  private constructor(options: FakeMidtransOptions) {
    this.serverKey = options.serverKey ?? `SB-Mid-server-${randomUUID().replace(/-/g, "").slice(0, 24)}`;
    this.merchantId = options.merchantId ?? "G490526303";
    this.server = createServer((req, res) => void this.handle(req, res));
  }

  /** Starts a fake on 127.0.0.1 on a free port. */
  static async start(options: FakeMidtransOptions = {}): Promise<FakeMidtransServer> {
    const fake = new FakeMidtransServer(options);
    await new Promise<void>((resolve) => fake.server.listen(0, "127.0.0.1", resolve));
    fake.url = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}`;
    return fake;
  }

  /** Queues faults for the next requests on `route`, one per request. */
  enqueue(route: FakeMidtransRoute, ...faults: FakeMidtransFault[]): void {
    this.faults.set(route, [...(this.faults.get(route) ?? []), ...faults]);
  }

  /** Calls received on `route` (optionally for one order id). */
  callsTo(route: FakeMidtransRoute, orderId?: string): FakeMidtransCall[] {
    return this.calls.filter((call) => call.route === route && (orderId === undefined || call.orderId === orderId));
  }

  /** True when a cancel (or expire) call for `orderId` reached the fake. */
  wasCancelled(orderId: string): boolean {
    return this.callsTo("POST /v2/:id/cancel", orderId).length + this.callsTo("POST /v2/:id/expire", orderId).length > 0;
  }

  /** The charge for `orderId`; throws when there is none. */
  transaction(orderId: string): FakeMidtransTransaction {
    const found = this.transactions.get(orderId);
    if (!found) throw new Error(`fake midtrans: no charge for ${orderId}`);
    return found;
  }

  /** Sandbox: the payer scanned and paid; the charge settles. */
  pay(orderId: string): FakeMidtransTransaction {
    const transaction = this.transaction(orderId);
    if (transaction.status !== "pending") throw new Error(`fake midtrans: ${orderId} is ${transaction.status}, not pending`);
    transaction.status = "settlement";
    transaction.settlementTime = midtransTimeText(this.now());
    return transaction;
  }

  /** The charge ran out of time (what Midtrans does at `expiry_time`). */
  expire(orderId: string): void {
    this.transaction(orderId).status = "expire";
  }

  /** Moves a charge to any state, e.g. `deny` or `refund`. */
  setStatus(orderId: string, status: FakeMidtransStatus, fraudStatus: FakeMidtransTransaction["fraudStatus"] = "accept"): void {
    const transaction = this.transaction(orderId);
    transaction.status = status;
    transaction.fraudStatus = fraudStatus;
    if ((status === "settlement" || status === "capture") && !transaction.settlementTime) transaction.settlementTime = midtransTimeText(this.now());
  }

  /** The raw body of a notification for `orderId` (see {@link FakeMidtransNotificationVariant}). */
  notificationBody(orderId: string, variant: FakeMidtransNotificationVariant = "signed", otherOrderId = "ORD-OTHER00000"): string {
    if (variant === "replay") {
      const first = this.sentNotifications.get(orderId)?.[0];
      if (first === undefined) throw new Error(`fake midtrans: nothing sent for ${orderId} yet to replay`);
      return first;
    }
    if (variant === "malformed") return '{"order_id": "' + orderId + '", "transaction_status": "settlement", ';
    const transaction = this.transaction(orderId);
    const status: FakeMidtransStatus = variant === "pending" ? "pending" : transaction.status;
    const grossAmount =
      variant === "wrong_amount" ? `${transaction.grossAmount + 1_000}.00` : variant === "cents" ? `${transaction.grossAmount}.50` : `${transaction.grossAmount}.00`;
    const namedOrder = variant === "other_order" ? otherOrderId : orderId;
    const statusCode = notificationCode(status);
    const key = variant === "bad_signature" ? `${this.serverKey}x` : this.serverKey;
    const body: Record<string, unknown> = {
      transaction_type: "on-us",
      transaction_time: transaction.transactionTime,
      transaction_status: status,
      transaction_id: transaction.transactionId,
      status_message: "midtrans payment notification",
      status_code: statusCode,
      ...(variant === "unsigned" ? {} : { signature_key: fakeMidtransSignature(namedOrder, statusCode, grossAmount, key) }),
      ...(status === "settlement" && transaction.settlementTime ? { settlement_time: transaction.settlementTime } : {}),
      payment_type: "qris",
      order_id: namedOrder,
      merchant_id: this.merchantId,
      issuer: transaction.acquirer === "gopay" ? "gopay" : "shopeepay",
      gross_amount: grossAmount,
      fraud_status: transaction.fraudStatus,
      currency: "IDR",
      acquirer: transaction.acquirer,
    };
    return JSON.stringify(body);
  }

  /**
   * POSTs a notification for `orderId` to `url` as Midtrans does (JSON, no auth header) and returns
   * the answer. Every body sent is remembered, so `replay` can send the first one again.
   */
  async sendNotification(
    url: string,
    orderId: string,
    variant: FakeMidtransNotificationVariant = "signed",
    otherOrderId?: string,
  ): Promise<{ status: number; body: string; sent: string }> {
    const sent = this.notificationBody(orderId, variant, otherOrderId);
    const history = this.sentNotifications.get(orderId) ?? [];
    history.push(sent);
    this.sentNotifications.set(orderId, history);
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json", "user-agent": "Veritrans" },
      body: sent,
      signal: AbortSignal.timeout(10_000),
    });
    return { status: response.status, body: await response.text(), sent };
  }

  /** Stops the server, cutting requests left hanging by a timeout fault. */
  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Same as {@link stop}, under the name the other fakes use. */
  close(): Promise<void> {
    return this.stop();
  }

  // -------------------------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? "/", "http://fake").pathname;
    const text = await readBody(req);
    const { route, id } = routeOf(req.method ?? "", path);
    const body = parseJson(text);
    const chargeOrder = route === "POST /v2/charge" ? orderIdOf(body) : undefined;
    this.calls.push({ method: req.method ?? "", path, route, orderId: id ?? chargeOrder, headers: req.headers, body });
    const fault = route ? this.faults.get(route)?.shift() : undefined;
    if (fault && fault.kind !== "patch") return this.misbehave(fault, res);
    if (!route) return send(res, 404, `<html><body>404 Not Found</body></html>`, "text/html");
    try {
      this.authorize(req);
      let answer = this.answer(route, id, req, text);
      if (fault?.kind === "patch") answer = { ...answer, ...fault.fields };
      this.reply(res, answer);
    } catch (error) {
      const refusal = error instanceof Refusal ? error : new Refusal("500", `fake midtrans crashed: ${String(error)}`);
      this.reply(res, {
        status_code: refusal.statusCode,
        status_message: refusal.message,
        ...(refusal.validation ? { validation_messages: refusal.validation } : {}),
        id: randomUUID(),
      });
    }
  }

  /** Answers a body; its `status_code` decides the HTTP status only in `mirror` mode (and for 401). */
  private reply(res: ServerResponse, body: Record<string, unknown>): void {
    const code = Number(body.status_code);
    const isError = code >= 400 && !("transaction_status" in body);
    const http = isError && (this.errorHttpStatus === "mirror" || code === 401) ? code : 200;
    sendJson(res, http, body);
  }

  private misbehave(fault: Exclude<FakeMidtransFault, { kind: "patch" }>, res: ServerResponse): void {
    switch (fault.kind) {
      case "timeout":
        return; // the socket stays open until the client aborts or stop() cuts it
      case "garbage":
        return send(res, 200, '{"status_code": "201", "qr_string": ', "application/json");
      case "json":
        return sendJson(res, fault.status, fault.body);
      case "http":
        if (fault.html) return send(res, fault.status, `<html><head><title>${fault.status}</title></head><body>nginx</body></html>`, "text/html");
        return sendJson(res, fault.status, { status_code: String(fault.status), status_message: "Sorry. Our system is recovering from unexpected issues. Please retry." });
      case "refuse":
        return this.reply(res, { status_code: fault.statusCode ?? "400", status_message: fault.message ?? "One or more parameters in the payload is invalid." });
    }
  }

  private authorize(req: IncomingMessage): void {
    const expected = `Basic ${Buffer.from(`${this.serverKey}:`).toString("base64")}`;
    if (req.headers.authorization !== expected) {
      throw new Refusal("401", "Access denied due to unauthorized transaction, please check client or server key");
    }
  }

  private answer(route: FakeMidtransRoute, id: string | undefined, req: IncomingMessage, text: string): Record<string, unknown> {
    switch (route) {
      case "POST /v2/charge":
        return this.charge(req, text);
      case "GET /v2/:id/status":
        return this.statusOf(this.find(id));
      case "POST /v2/:id/cancel":
        return this.end(this.find(id), "cancel");
      case "POST /v2/:id/expire":
        return this.end(this.find(id), "expire");
    }
  }

  private charge(req: IncomingMessage, text: string): Record<string, unknown> {
    if (!(req.headers["content-type"] ?? "").includes("application/json")) throw new Refusal("400", "Content-Type must be application/json");
    const body = parseJson(text);
    if (typeof body !== "object" || body === null || Array.isArray(body)) throw new Refusal("400", "Invalid JSON body");
    const request = body as Record<string, unknown>;
    const problems: string[] = [];
    const extra = Object.keys(request).filter((key) => !chargeFields.has(key));
    if (extra.length > 0) problems.push(`unknown field ${extra.join(", ")}`);
    if (request.payment_type !== "qris") problems.push("payment_type must be qris");
    const details = request.transaction_details as Record<string, unknown> | undefined;
    const orderId = details?.order_id;
    const gross = details?.gross_amount;
    if (typeof orderId !== "string" || !orderIdPattern.test(orderId)) problems.push("transaction_details.order_id is invalid");
    if (typeof gross !== "number" || !Number.isSafeInteger(gross) || gross < 1) problems.push("transaction_details.gross_amount must be a positive integer");
    const acquirer = (request.qris as Record<string, unknown> | undefined)?.acquirer ?? "gopay";
    if (acquirer !== "gopay" && acquirer !== "airpay shopee") problems.push("qris.acquirer must be gopay or airpay shopee");
    problems.push(...itemProblems(request.item_details, gross));
    const expiry = this.expiryOf(request.custom_expiry, problems);
    if (problems.length > 0) throw new Refusal("400", "One or more parameters in the payload is invalid.", problems);
    const id = orderId as string;
    if (this.transactions.has(id)) throw new Refusal("406", "The request could not be completed due to a conflict with the current state of the target resource, please try again");
    const transactionId = randomUUID();
    const transaction: FakeMidtransTransaction = {
      orderId: id,
      transactionId,
      grossAmount: gross as number,
      acquirer: acquirer as string,
      status: "pending",
      fraudStatus: "accept",
      qrString: fakeQris(gross as number, transactionId),
      transactionTime: midtransTimeText(this.now()),
      expiryTime: midtransTimeText(expiry),
      ...(typeof req.headers["x-override-notification"] === "string" ? { notificationUrl: req.headers["x-override-notification"] } : {}),
    };
    this.transactions.set(id, transaction);
    return {
      status_code: "201",
      status_message: "QRIS transaction is created",
      transaction_id: transactionId,
      order_id: id,
      merchant_id: this.merchantId,
      gross_amount: `${transaction.grossAmount}.00`,
      currency: "IDR",
      payment_type: "qris",
      transaction_time: transaction.transactionTime,
      transaction_status: "pending",
      fraud_status: "accept",
      actions: [{ name: "generate-qr-code", method: "GET", url: `${this.url}/v2/qris/${transactionId}/qr-code` }],
      qr_string: transaction.qrString,
      acquirer: transaction.acquirer,
      ...(this.includeExpiryTime ? { expiry_time: transaction.expiryTime } : {}),
    };
  }

  /** When a charge expires: `custom_expiry` from its `order_time` (or now), else 15 minutes. */
  private expiryOf(custom: unknown, problems: string[]): number {
    const now = this.now();
    if (custom === undefined) return now + 15 * 60_000;
    const { order_time: orderTime, expiry_duration: duration, unit } = (custom ?? {}) as Record<string, unknown>;
    const units: Record<string, number> = { second: 1_000, minute: 60_000, hour: 3_600_000, day: 86_400_000 };
    const unitMs = units[typeof unit === "string" ? unit : "minute"];
    if (unitMs === undefined) problems.push("custom_expiry.unit must be second, minute, hour or day");
    if (typeof duration !== "number" || !Number.isSafeInteger(duration) || duration < 1) problems.push("custom_expiry.expiry_duration must be a positive integer");
    let start = now;
    if (orderTime !== undefined) {
      const match = typeof orderTime === "string" ? /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}) \+0700$/.exec(orderTime) : null;
      if (!match) problems.push("custom_expiry.order_time must be yyyy-MM-dd HH:mm:ss +0700");
      else start = Date.parse(`${match[1]}T${match[2]}+07:00`);
    }
    return start + (typeof duration === "number" ? duration : 0) * (unitMs ?? 0);
  }

  private find(id: string | undefined): FakeMidtransTransaction {
    const found = id === undefined ? undefined : (this.transactions.get(id) ?? [...this.transactions.values()].find((t) => t.transactionId === id));
    if (!found) throw new Refusal("404", "Transaction doesn't exist.");
    return found;
  }

  private statusOf(transaction: FakeMidtransTransaction): Record<string, unknown> {
    const statusCode = statusApiCode(transaction.status);
    const grossAmount = `${transaction.grossAmount}.00`;
    return {
      status_code: statusCode,
      status_message: "Success, transaction is found",
      transaction_id: transaction.transactionId,
      order_id: transaction.orderId,
      merchant_id: this.merchantId,
      gross_amount: grossAmount,
      currency: "IDR",
      payment_type: "qris",
      transaction_time: transaction.transactionTime,
      transaction_status: transaction.status,
      fraud_status: transaction.fraudStatus,
      signature_key: fakeMidtransSignature(transaction.orderId, statusCode, grossAmount, this.serverKey),
      expiry_time: transaction.expiryTime,
      ...(transaction.settlementTime ? { settlement_time: transaction.settlementTime } : {}),
      acquirer: transaction.acquirer,
    };
  }

  private end(transaction: FakeMidtransTransaction, to: "cancel" | "expire"): Record<string, unknown> {
    if (transaction.status !== "pending") throw new Refusal("412", "Merchant cannot modify the status of the transaction");
    transaction.status = to;
    return {
      status_code: to === "cancel" ? "200" : "407",
      status_message: to === "cancel" ? "Success, transaction is canceled" : "Success, transaction has expired",
      transaction_id: transaction.transactionId,
      order_id: transaction.orderId,
      merchant_id: this.merchantId,
      gross_amount: `${transaction.grossAmount}.00`,
      currency: "IDR",
      payment_type: "qris",
      transaction_time: transaction.transactionTime,
      transaction_status: to,
      fraud_status: transaction.fraudStatus,
    };
  }
}

/** Status API codes per state (assumption, see the header). */
function statusApiCode(status: FakeMidtransStatus): string {
  if (status === "pending") return "201";
  if (status === "deny") return "202";
  if (status === "expire") return "407";
  return "200";
}

/** Notification codes per state (assumption, see the header). */
function notificationCode(status: FakeMidtransStatus): string {
  if (status === "pending") return "201";
  if (status === "expire" || status === "cancel" || status === "deny") return "202";
  return "200";
}

function itemProblems(items: unknown, gross: unknown): string[] {
  if (items === undefined) return [];
  if (!Array.isArray(items) || items.length === 0) return ["item_details must be a non-empty array"];
  const problems: string[] = [];
  let sum = 0;
  for (const item of items as Array<Record<string, unknown>>) {
    const { price, quantity, name } = item ?? {};
    if (typeof price !== "number" || !Number.isSafeInteger(price)) problems.push("item_details.price must be an integer");
    if (typeof quantity !== "number" || !Number.isSafeInteger(quantity) || quantity < 1) problems.push("item_details.quantity must be a positive integer");
    if (typeof name !== "string" || name.length === 0 || name.length > 50) problems.push("item_details.name must be 1..50 characters");
    if (typeof price === "number" && typeof quantity === "number") sum += price * quantity;
  }
  if (problems.length === 0 && sum !== gross) problems.push("transaction_details.gross_amount is not equal to the sum of item_details");
  return problems;
}

/** A real dynamic QRIS (valid CRC, IDR, the amount in tag 54), like the one GoPay issues. */
function fakeQris(amount: number, transactionId: string): string {
  return buildQris([
    { id: "00", value: "01" },
    { id: "01", value: "12" },
    { id: "26", value: serialiseTlv([{ id: "00", value: "COM.GO-JEK.WWW" }, { id: "01", value: "936009140000000000" }, { id: "02", value: "G490526303" }, { id: "03", value: "UMI" }]) },
    { id: "52", value: "5734" },
    { id: "53", value: "360" },
    { id: "54", value: String(amount) },
    { id: "58", value: "ID" },
    { id: "59", value: "WARUNG BOT" },
    { id: "60", value: "JAKARTA" },
    { id: "62", value: serialiseTlv([{ id: "05", value: transactionId.replace(/-/g, "").slice(0, 25) }]) },
  ]);
}

function routeOf(method: string, path: string): { route: FakeMidtransRoute | undefined; id?: string } {
  if (method === "POST" && path === "/v2/charge") return { route: "POST /v2/charge" };
  const match = /^\/v2\/([^/]+)\/(status|cancel|expire)$/.exec(path);
  if (!match) return { route: undefined };
  const id = decodeURIComponent(match[1]!);
  if (method === "GET" && match[2] === "status") return { route: "GET /v2/:id/status", id };
  if (method === "POST" && match[2] === "cancel") return { route: "POST /v2/:id/cancel", id };
  if (method === "POST" && match[2] === "expire") return { route: "POST /v2/:id/expire", id };
  return { route: undefined };
}

function orderIdOf(body: unknown): string | undefined {
  const details = (body as { transaction_details?: { order_id?: unknown } } | undefined)?.transaction_details;
  return typeof details?.order_id === "string" ? details.order_id : undefined;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

