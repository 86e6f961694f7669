/**
 * A fake Pakasir API (app.pakasir.com), written from /work/shared/gateways/pakasir.md (Pakasir's
 * "Panduan Integrasi" C.2 create, C.4 payment simulation, C.5 cancel, D webhook, E detail).
 *
 * Usage:
 *   const fake = await FakePakasirServer.start({ webhookUrl });    // fake.url is PAKASIR_BASE_URL
 *   const gw = new PakasirGateway({ project: fake.project, apiKey: fake.apiKey, baseUrl: fake.url });
 *   await gw.create({ paymentId: "ORD-1", amount: 99_000, ... });  // fake.transactions.get("ORD-1")
 *   fake.pay("ORD-1");                      // the buyer paid (no webhook), or, as a client would:
 *   await fake.simulatePayment("ORD-1");    // POST /api/paymentsimulation → webhook to webhookUrl
 *   await fake.sendNotification(url, "ORD-1", "wrong_project");   // any webhook variant to any URL
 *   fake.failNext("create", { kind: "status", status: 503 });     // or timeout / html / malformed / json
 *   fake.expire("ORD-1"); fake.setStatus("ORD-1", "failed");
 *   fake.callsTo("cancel", "ORD-1").length; // every request is logged, api_key masked
 *   await fake.stop();
 *
 * What the document states is enforced as stated: the body `{project, order_id, amount, api_key}`
 * on every POST, the key as a query parameter on the detail call, the answers' shapes, the
 * webhook's shape. Everything else is marked `// assumption:` and kept on the strict side.
 * Pakasir signs nothing, so there is no "bad signature" or "unsigned" variant: anyone can POST
 * a perfectly formed `valid` webhook for an order nobody paid — which is why it is only a hint.
 */
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { buildQris } from "../../src/payments/qris.js";
import { encodeField } from "../../src/payments/tlv.js";
import { parseJson, readBody, send, sendJson } from "./http-helpers.js";

/** The documented endpoints, as fault queues and the call log name them. */
export type FakePakasirRoute = "create" | "detail" | "cancel" | "simulation";

/**
 * A transaction status as the fake writes it.
 * assumption: the document shows only `completed` and `pending` (and "…"); the other spellings are
 * the ones public integrations report.
 */
export type FakePakasirStatus = "pending" | "completed" | "expired" | "canceled" | "failed" | "refunded";

/** One transaction the fake holds, keyed by order id. */
export interface FakePakasirTransaction {
  orderId: string;
  amount: number;
  fee: number;
  total: number;
  status: FakePakasirStatus;
  qrString: string;
  /** RFC 3339 with nanoseconds, like the document's example. */
  expiredAt: string;
  completedAt: string | null;
}

/** A one-shot misbehaviour for the next request on a route, used before any checking. */
export type FakePakasirFault =
  /** An error status with a JSON body (default `{ error }`). */
  | { kind: "status"; status: number; body?: unknown }
  /** Never answers; the client has to give up (close() cuts it). */
  | { kind: "timeout" }
  /** A proxy's HTML error page. */
  | { kind: "html"; status: 502 | 503 }
  /** HTTP 200 with a body that is not JSON. */
  | { kind: "malformed" }
  /** Any JSON answer (default HTTP 200), e.g. an unexpected shape. */
  | { kind: "json"; status?: number; body: unknown };

/** A request as the fake received it; the API key is never kept, only whether it matched. */
export interface FakePakasirCall {
  route: FakePakasirRoute | undefined;
  method: string;
  path: string;
  orderId?: string;
  amount?: unknown;
  apiKeyOk: boolean;
  /** Query (GET) or body (POST) with `api_key` replaced by "***". */
  params: Record<string, unknown>;
}

/**
 * Webhook variants {@link FakePakasirServer.sendNotification} can send:
 * - `valid`: the documented body for the order (`completed`), whether or not it was paid;
 * - `wrong_project`: another project's webhook; `wrong_amount`: the amount plus Rp 1.000;
 * - `other_order`: an order id that is not the one given; `pending`: `status: "pending"`;
 * - `not_qris`: a virtual-account payment; `replay`: the first body sent for this order, verbatim;
 * - `malformed`: not JSON; `missing_fields`: JSON without amount and project.
 */
export type FakePakasirNotification =
  | "valid"
  | "wrong_project"
  | "wrong_amount"
  | "other_order"
  | "pending"
  | "not_qris"
  | "replay"
  | "malformed"
  | "missing_fields";

export interface FakePakasirOptions {
  project?: string;
  apiKey?: string;
  /** Where `POST /api/paymentsimulation` delivers its webhook (the project's Webhook URL). */
  webhookUrl?: string;
  /** Pakasir's fee for an amount; default 0.7 % rounded up + Rp 310 (the doc's 99.000 → 1.003). */
  fee?: (amount: number) => number;
  /** How long a new QR lives. */
  expiryMs?: number;
}

const postFields = ["project", "order_id", "amount", "api_key"] as const;

class Refusal extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The fake server. Start with {@link FakePakasirServer.start}; always `stop()` it. */
export class FakePakasirServer {
  readonly project: string;
  readonly apiKey: string;
  /** Base URL (no `/api`): the adapter joins `api/…` onto it, as onto https://app.pakasir.com. */
  url = "";
  webhookUrl: string | undefined;
  /** Payment simulation works only for a project in sandbox mode (document C.4). */
  sandbox = true;
  /**
   * Write amounts as text with cents ("99000.00") instead of JSON numbers.
   * assumption: the document shows numbers; this stands for a proxy or an API version that writes
   * decimals, so the adapter is tested reading them exactly.
   */
  amountsAsText = false;
  readonly transactions = new Map<string, FakePakasirTransaction>();
  readonly calls: FakePakasirCall[] = [];
  /** Every webhook the fake sent, with its raw body. */
  readonly notifications: Array<{ url: string; orderId: string; variant: FakePakasirNotification; body: string; status: number }> = [];

  private readonly fee: (amount: number) => number;
  private readonly expiryMs: number;
  private readonly faults = new Map<FakePakasirRoute, FakePakasirFault[]>();
  private readonly firstBodies = new Map<string, string>();
  private readonly server: Server;

  private constructor(options: FakePakasirOptions) {
    this.project = options.project ?? "warungtest";
    this.apiKey = options.apiKey ?? `pk-${randomBytes(12).toString("hex")}`;
    this.webhookUrl = options.webhookUrl;
    // assumption: Pakasir's QRIS fee; only the doc's example (99.000 → 1.003) is known.
    this.fee = options.fee ?? ((amount) => Math.ceil((amount * 7) / 1000) + 310);
    // assumption: how long Pakasir's QR lives; the document gives only an `expired_at` example.
    this.expiryMs = options.expiryMs ?? 60 * 60_000;
    this.server = createServer((req, res) => void this.handle(req, res));
  }

  /** Starts a fake on 127.0.0.1 on a free port. */
  static async start(options: FakePakasirOptions = {}): Promise<FakePakasirServer> {
    const fake = new FakePakasirServer(options);
    await new Promise<void>((resolve) => fake.server.listen(0, "127.0.0.1", resolve));
    const { port } = fake.server.address() as AddressInfo;
    fake.url = `http://127.0.0.1:${port}`;
    return fake;
  }

  /** Queues faults for the next requests on `route`, one per request. */
  failNext(route: FakePakasirRoute, ...faults: FakePakasirFault[]): void {
    this.faults.set(route, [...(this.faults.get(route) ?? []), ...faults]);
  }

  /** Requests received on `route`, optionally only those naming `orderId`. */
  callsTo(route: FakePakasirRoute, orderId?: string): FakePakasirCall[] {
    return this.calls.filter((call) => call.route === route && (orderId === undefined || call.orderId === orderId));
  }

  /** The buyer paid: a pending transaction completes now. Sends no webhook. */
  pay(orderId: string): FakePakasirTransaction {
    const transaction = this.mustFind(orderId);
    if (transaction.status !== "pending") throw new Error(`fake pakasir: ${orderId} is ${transaction.status}, not pending`);
    transaction.status = "completed";
    transaction.completedAt = wibTime(Date.now());
    return transaction;
  }

  /** Pays through `POST /api/paymentsimulation`, as a client in sandbox mode would; resolves with the HTTP status. */
  async simulatePayment(orderId: string): Promise<number> {
    const transaction = this.mustFind(orderId);
    const response = await fetch(`${this.url}/api/paymentsimulation`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ project: this.project, order_id: orderId, amount: transaction.amount, api_key: this.apiKey }),
    });
    await response.text();
    return response.status;
  }

  /** The QR ran out. */
  expire(orderId: string): void {
    this.setStatus(orderId, "expired");
  }

  /** Moves a transaction to any status. */
  setStatus(orderId: string, status: FakePakasirStatus): void {
    this.mustFind(orderId).status = status;
  }

  /**
   * POSTs a webhook for `orderId` to `url`, like Pakasir does after a payment (document D), or a
   * variant of it; resolves with the receiver's HTTP status and body.
   */
  async sendNotification(url: string, orderId: string, variant: FakePakasirNotification = "valid"): Promise<{ status: number; text: string }> {
    const body = this.notificationBody(orderId, variant);
    if (!this.firstBodies.has(orderId) && variant === "valid") this.firstBodies.set(orderId, body);
    const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body });
    const text = await response.text();
    this.notifications.push({ url, orderId, variant, body, status: response.status });
    return { status: response.status, text };
  }

  /** The raw body a webhook variant would carry, without sending it (for pure readers). */
  notificationBody(orderId: string, variant: FakePakasirNotification = "valid"): string {
    if (variant === "replay") {
      const first = this.firstBodies.get(orderId);
      if (!first) throw new Error(`fake pakasir: no webhook was sent for ${orderId} yet, nothing to replay`);
      return first;
    }
    if (variant === "malformed") return '{"amount": 22000, "order_id": ';
    const transaction = this.mustFind(orderId);
    const valid = {
      amount: this.amount(transaction.amount),
      order_id: transaction.orderId,
      project: this.project,
      status: "completed",
      payment_method: "qris",
      completed_at: transaction.completedAt ?? wibTime(Date.now()),
    };
    switch (variant) {
      case "valid":
        return JSON.stringify(valid);
      case "wrong_project":
        return JSON.stringify({ ...valid, project: `${this.project}-other` });
      case "wrong_amount":
        return JSON.stringify({ ...valid, amount: this.amount(transaction.amount + 1_000) });
      case "other_order":
        return JSON.stringify({ ...valid, order_id: `${orderId}-OTHER` });
      case "pending":
        return JSON.stringify({ ...valid, status: "pending", completed_at: null });
      case "not_qris":
        return JSON.stringify({ ...valid, payment_method: "bni_va" });
      case "missing_fields":
        return JSON.stringify({ order_id: valid.order_id, status: valid.status });
    }
  }

  /** Stops the server, cutting requests left hanging by a timeout fault. */
  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Same as {@link stop}, named like the other fakes. */
  close(): Promise<void> {
    return this.stop();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://fake");
    const text = await readBody(req);
    const route = routeOf(req.method ?? "", url.pathname);
    const params: Record<string, unknown> = route === "detail" ? Object.fromEntries(url.searchParams) : objectOrEmpty(parseJson(text));
    this.calls.push({
      route,
      method: req.method ?? "",
      path: url.pathname,
      ...(typeof params.order_id === "string" ? { orderId: params.order_id } : {}),
      ...(params.amount !== undefined ? { amount: params.amount } : {}),
      apiKeyOk: params.api_key === this.apiKey,
      params: { ...params, ...(params.api_key !== undefined ? { api_key: "***" } : {}) },
    });
    const fault = route ? this.faults.get(route)?.shift() : undefined;
    if (fault) return this.misbehave(fault, res);
    // assumption: an unknown path answers like the Go server behind app.pakasir.com, a plain 404.
    if (!route) return send(res, 404, "404 page not found", "text/plain");
    try {
      const answer = await this.answer(route, req, text, url);
      sendJson(res, 200, answer);
    } catch (error) {
      // A bug in the fake shows as a 500 the test can see, not as a hung request.
      const refusal = error instanceof Refusal ? error : new Refusal(500, `fake pakasir crashed: ${String(error)}`);
      // assumption: refusals are an HTTP 4xx with `{ error }`; the document shows no error answer.
      sendJson(res, refusal.status, { error: refusal.message });
    }
  }

  private misbehave(fault: FakePakasirFault, res: ServerResponse): void {
    switch (fault.kind) {
      case "timeout":
        return; // the socket stays open until the client aborts or stop() cuts it
      case "malformed":
        return send(res, 200, '{"payment": {"project": ', "application/json");
      case "html":
        return send(res, fault.status, `<html><head><title>${fault.status}</title></head><body>cloudflare</body></html>`, "text/html");
      case "json":
        return sendJson(res, fault.status ?? 200, fault.body);
      case "status":
        return sendJson(res, fault.status, fault.body ?? { error: `fake fault ${fault.status}` });
    }
  }

  private async answer(route: FakePakasirRoute, req: IncomingMessage, text: string, url: URL): Promise<unknown> {
    if (route === "detail") return this.detail(url.searchParams);
    const body = this.postBody(req, text);
    switch (route) {
      case "create":
        return this.create(body);
      case "cancel":
        return this.cancel(body);
      case "simulation":
        return this.simulate(body);
    }
  }

  /** Checks a POST body: JSON with exactly the four documented fields, and the right project and key. */
  private postBody(req: IncomingMessage, text: string): { orderId: string; amount: number } {
    // assumption: Pakasir reads JSON only (the document's curl sends Content-Type: application/json).
    if (!(req.headers["content-type"] ?? "").includes("application/json")) throw new Refusal(400, "invalid request body");
    const body = parseJson(text);
    if (typeof body !== "object" || body === null || Array.isArray(body)) throw new Refusal(400, "invalid request body");
    const fields = body as Record<string, unknown>;
    // assumption: unknown fields are refused, so drift from the documented body shows.
    const extra = Object.keys(fields).filter((key) => !(postFields as readonly string[]).includes(key));
    if (extra.length > 0) throw new Refusal(400, `unknown field ${extra.join(", ")}`);
    this.authorize(fields.project, fields.api_key);
    return { orderId: orderIdOf(fields.order_id), amount: amountOf(fields.amount) };
  }

  private authorize(project: unknown, apiKey: unknown): void {
    // assumption: a wrong or missing project/key is a 401; the document shows no error answer.
    if (project !== this.project || apiKey !== this.apiKey) throw new Refusal(401, "invalid project or api key");
  }

  private create({ orderId, amount }: { orderId: string; amount: number }): unknown {
    // assumption: an order id is one transaction; a second create with it is refused, not answered
    // with the first (the document is silent — the adapter never relies on either).
    if (this.transactions.has(orderId)) throw new Refusal(400, "order_id already exists");
    const fee = this.fee(amount);
    const total = amount + fee;
    const transaction: FakePakasirTransaction = {
      orderId,
      amount,
      fee,
      total,
      status: "pending",
      qrString: fakeQris(total, orderId),
      expiredAt: nanoTime(Date.now() + this.expiryMs),
      completedAt: null,
    };
    this.transactions.set(orderId, transaction);
    return {
      payment: {
        project: this.project,
        order_id: orderId,
        amount: this.amount(amount),
        fee: this.amount(fee),
        total_payment: this.amount(total),
        payment_method: "qris",
        payment_number: transaction.qrString,
        expired_at: transaction.expiredAt,
      },
    };
  }

  private detail(query: URLSearchParams): unknown {
    this.authorize(query.get("project"), query.get("api_key"));
    const orderId = orderIdOf(query.get("order_id"));
    const amountText = query.get("amount") ?? "";
    if (!/^\d+$/.test(amountText)) throw new Refusal(400, "invalid amount");
    const transaction = this.find(orderId, Number(amountText));
    return {
      transaction: {
        amount: this.amount(transaction.amount),
        order_id: transaction.orderId,
        project: this.project,
        status: this.currentStatus(transaction),
        payment_method: "qris",
        // assumption: a transaction not completed has `completed_at: null`.
        completed_at: transaction.completedAt,
      },
    };
  }

  private cancel({ orderId, amount }: { orderId: string; amount: number }): unknown {
    const transaction = this.find(orderId, amount);
    // assumption: only a pending transaction can be cancelled; anything else is a 400. The
    // document gives no answer for cancel; `{ success: true }` stands for "done".
    if (this.currentStatus(transaction) !== "pending") throw new Refusal(400, "transaction cannot be canceled");
    // assumption: the status is then spelled "canceled".
    transaction.status = "canceled";
    return { success: true };
  }

  private async simulate({ orderId, amount }: { orderId: string; amount: number }): Promise<unknown> {
    // assumption: simulation outside sandbox mode is a 403.
    if (!this.sandbox) throw new Refusal(403, "project is not in sandbox mode");
    const transaction = this.find(orderId, amount);
    if (this.currentStatus(transaction) !== "pending") throw new Refusal(400, "transaction is not pending");
    this.pay(orderId);
    // assumption: the webhook is delivered before the simulation answers, so tests need no waiting.
    if (this.webhookUrl) await this.sendNotification(this.webhookUrl, orderId, "valid");
    return { success: true };
  }

  /** Finds a transaction by order id and the amount asked at create (not the total), as document E names them. */
  private find(orderId: string, amount: number): FakePakasirTransaction {
    const transaction = this.transactions.get(orderId);
    // assumption: a transaction is found only by its order id together with its created amount.
    if (!transaction || transaction.amount !== amount) throw new Refusal(404, "transaction not found");
    return transaction;
  }

  /** A pending transaction past its `expired_at` reads as expired. */
  private currentStatus(transaction: FakePakasirTransaction): FakePakasirStatus {
    if (transaction.status === "pending" && Date.parse(transaction.expiredAt) <= Date.now()) transaction.status = "expired";
    return transaction.status;
  }

  private amount(value: number): number | string {
    return this.amountsAsText ? `${value}.00` : value;
  }

  private mustFind(orderId: string): FakePakasirTransaction {
    const transaction = this.transactions.get(orderId);
    if (!transaction) throw new Error(`fake pakasir: no transaction ${orderId}`);
    return transaction;
  }
}

function routeOf(method: string, path: string): FakePakasirRoute | undefined {
  if (method === "POST" && path === "/api/transactioncreate/qris") return "create";
  if (method === "GET" && path === "/api/transactiondetail") return "detail";
  if (method === "POST" && path === "/api/transactioncancel") return "cancel";
  if (method === "POST" && path === "/api/paymentsimulation") return "simulation";
  return undefined;
}

function orderIdOf(value: unknown): string {
  if (typeof value !== "string" || value.trim() === "") throw new Refusal(400, "order_id is required");
  return value;
}

function amountOf(value: unknown): number {
  // assumption: amount must be a positive JSON integer ("nominal tanpa titik dan spasi").
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value <= 0) throw new Refusal(400, "invalid amount");
  return value;
}

/** A CRC-valid dynamic QRIS carrying `total` (tag 54 with cents, like the document's example). */
function fakeQris(total: number, orderId: string): string {
  return buildQris([
    { id: "00", value: "01" },
    { id: "01", value: "12" },
    { id: "26", value: `${encodeField("00", "ID.CO.SHOPEE.WWW")}${encodeField("01", "936009180021600523")}${encodeField("03", "UME")}` },
    { id: "51", value: `${encodeField("00", "ID.CO.QRIS.WWW")}${encodeField("02", "ID1024322842930")}${encodeField("03", "UME")}` },
    { id: "52", value: "7929" },
    { id: "53", value: "360" },
    { id: "54", value: `${total}.00` },
    { id: "58", value: "ID" },
    { id: "59", value: "Pakasir" },
    { id: "60", value: "KAB. KEBUMEN" },
    { id: "61", value: "54392" },
    { id: "62", value: encodeField("05", orderId.replace(/[^A-Za-z0-9]/g, "").slice(0, 25) || "X") },
  ]);
}

/** RFC 3339 UTC with nanoseconds, like `expired_at` in the document. */
function nanoTime(ms: number): string {
  return new Date(ms).toISOString().replace(/Z$/, "622564Z");
}

/** RFC 3339 in WIB (+07:00), like `completed_at` in the document. */
function wibTime(ms: number): string {
  return `${new Date(ms + 7 * 3_600_000).toISOString().replace(/Z$/, "")}+07:00`;
}

function objectOrEmpty(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

