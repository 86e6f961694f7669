/**
 * A fake ALxZen Clouds API, written from /work/shared/providers/alxzen.txt, for contract tests.
 *
 * It checks what the document asks of a client (the `x-api-key` header, JSON bodies, the order
 * and deposit fields, `paymentType` values) and answers like the real API would: products with
 * `resellerPrice` = price + margin, a balance that direct orders debit, orders kept by id so
 * `GET /order/:id` reflects earlier orders. The document names no error format; refusals here
 * use the `{ success: false, message }` envelope its responses imply, unknown routes the HTML
 * 404 an Express server gives.
 *
 * Faults (timeouts, garbage, HTML 502s, slow answers, arbitrary errors) are queued per route
 * with {@link FakeAlxzenServer.enqueue} and used up one request each, before any checking, as
 * a proxy in front of the real API would produce them.
 *
 * ASSUMPTIONS (the document is silent; adapters are tested against the stricter side):
 * - refusals: `{ success: false, message }` with 401/403/404/429/4xx statuses. The adapter reads
 *   any status ≥ 400 or `success: false` as a refusal, whatever the body says;
 * - a direct order may stay `pending` for some status checks (`directMode`), and may come back
 *   `completed` without credentials (tests set it), which the document says cannot happen;
 * - unknown body fields and a body not declared as JSON are refused (the document shows neither);
 * - `amount` on a QRIS order is what the buyer must pay (after a voucher).
 */
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { parseJson, readBody, send, sendJson } from "./http-helpers.js";

/** What a fake product is; the real API does not expose it, but it decides what an order delivers. */
export type FakeAlxzenKind = "panel" | "app" | "script" | "otp";

/** A product in the fake's stock. `resellerPrice` is derived: price + the account's margin. */
export interface FakeAlxzenProduct {
  _id: string;
  name: string;
  price: number;
  /** -1 = unlimited. */
  stock: number;
  kind: FakeAlxzenKind;
}

/** An order the fake has taken. */
export interface FakeAlxzenOrder {
  orderId: string;
  productId: string;
  paymentType: "direct" | "qris";
  status: string;
  amount: number;
  serverUsername?: string;
  voucherCode?: string;
  qrisData?: string;
  credentials?: Record<string, string>;
  /** Status checks still answered "pending" before a pending direct order completes by itself. */
  pendingChecksLeft: number;
}

/** The documented endpoints, as fault queues and recorded requests name them. */
export type FakeAlxzenRoute = "GET /account" | "GET /products" | "POST /order" | "GET /order/:id" | "POST /deposit";

/** A one-shot misbehaviour for the next request on a route. */
export type FakeAlxzenFault =
  /** A refusal in ALxZen's envelope: `{ success: false, message }`. */
  | { kind: "error"; status: number; message: string; retryAfterSeconds?: number }
  /** Any JSON body, e.g. an unexpected shape or `success: false` on HTTP 200. */
  | { kind: "json"; status: number; body: unknown }
  /** Never answers; the client has to give up. */
  | { kind: "timeout" }
  /** HTTP 200 with a body that is not JSON. */
  | { kind: "malformed" }
  /** A proxy's HTML error page. */
  | { kind: "html"; status: 502 | 503 }
  /** Waits, then handles the request normally. */
  | { kind: "slow"; delayMs: number };

/** A request as the fake received it. */
export interface FakeAlxzenRequest {
  method: string;
  path: string;
  route: FakeAlxzenRoute | undefined;
  headers: IncomingMessage["headers"];
  /** The parsed JSON body, the raw text when it is not JSON, undefined when empty. */
  body: unknown;
}

/** How direct orders end: at once, after `pendingChecks` status checks, or failed (refunded). */
export type FakeAlxzenDirectMode = "completed" | "pending" | "failed";

export interface FakeAlxzenOptions {
  apiKey?: string;
  balance?: number;
  margin?: number;
  products?: FakeAlxzenProduct[];
}

/** Products covering each kind ALxZen sells, with limited, unlimited and empty stock. */
export const defaultAlxzenProducts: readonly FakeAlxzenProduct[] = [
  { _id: "60d5ecb8b392d7a1f0c0a123", name: "VPS Node.js 1GB", price: 15_000, stock: -1, kind: "panel" },
  { _id: "60d5ecb8b392d7a1f0c0b456", name: "Panel Pterodactyl 2GB", price: 10_000, stock: -1, kind: "panel" },
  { _id: "60d5ecb8b392d7a1f0c0c789", name: "Netflix Premium 1 Bulan", price: 25_000, stock: 5, kind: "app" },
  { _id: "60d5ecb8b392d7a1f0c0d0ab", name: "Spotify Premium Family", price: 12_000, stock: 0, kind: "app" },
  { _id: "60d5ecb8b392d7a1f0c0e1cd", name: "Script Bot WhatsApp MD", price: 30_000, stock: -1, kind: "script" },
  { _id: "60d5ecb8b392d7a1f0c0f2ef", name: "Nokos WhatsApp Indonesia", price: 3_000, stock: 50, kind: "otp" },
];

const orderFields = new Set(["productId", "paymentType", "serverUsername", "serverPassword", "otpNumberId", "voucherCode"]);

class HttpRefusal extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const secret = () => randomBytes(6).toString("hex");

/** The fake server. Start with {@link FakeAlxzenServer.start}; always `close()` it. */
export class FakeAlxzenServer {
  readonly apiKey: string;
  /** Base URL including the `/api` prefix, to check the adapter joins paths onto it. */
  url = "";
  readonly requests: FakeAlxzenRequest[] = [];
  readonly products: FakeAlxzenProduct[];
  readonly account: { username: string; role: string; balance: number; margin: number };
  readonly orders = new Map<string, FakeAlxzenOrder>();
  readonly deposits: Array<{ depositId: string; amount: number }> = [];
  /** Voucher code → discount in rupiah. */
  readonly vouchers = new Map<string, number>([["HEMAT2K", 2_000]]);
  directMode: FakeAlxzenDirectMode = "completed";
  pendingChecks = 1;
  /** When true every request is refused as coming from an IP outside the allowlist. */
  ipBlocked = false;

  private readonly faults = new Map<FakeAlxzenRoute, FakeAlxzenFault[]>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly server: Server;
  private sequence = 0;

  private constructor(options: FakeAlxzenOptions) {
    this.apiKey = options.apiKey ?? "AOC-test-secret-key-0001";
    this.products = (options.products ?? defaultAlxzenProducts).map((product) => ({ ...product }));
    this.account = { username: "AlxzyReseller", role: "reseller", balance: options.balance ?? 150_000, margin: options.margin ?? 5_000 };
    this.server = createServer((req, res) => void this.handle(req, res));
  }

  /** Starts a fake on 127.0.0.1 on a free port. */
  static async start(options: FakeAlxzenOptions = {}): Promise<FakeAlxzenServer> {
    const fake = new FakeAlxzenServer(options);
    await new Promise<void>((resolve) => fake.server.listen(0, "127.0.0.1", resolve));
    const { port } = fake.server.address() as AddressInfo;
    fake.url = `http://127.0.0.1:${port}/api`;
    return fake;
  }

  /** Queues faults for the next requests on `route`, one per request. */
  enqueue(route: FakeAlxzenRoute, ...faults: FakeAlxzenFault[]): void {
    this.faults.set(route, [...(this.faults.get(route) ?? []), ...faults]);
  }

  /** Requests received on `route`. */
  requestsTo(route: FakeAlxzenRoute): FakeAlxzenRequest[] {
    return this.requests.filter((request) => request.route === route);
  }

  /** The buyer paid a QRIS order: it completes with its credentials. */
  pay(orderId: string): void {
    const order = this.mustFindOrder(orderId);
    this.complete(order);
  }

  /** Moves an order to any status, e.g. "expired" or "cancelled". */
  setStatus(orderId: string, status: string): void {
    this.mustFindOrder(orderId).status = status;
  }

  /** Stops the server, cutting requests left hanging by a timeout fault. */
  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? "/", "http://fake").pathname;
    const text = await readBody(req);
    const route = routeOf(req.method ?? "", path);
    this.requests.push({ method: req.method ?? "", path, route, headers: req.headers, body: parseJson(text) });
    const fault = route ? this.faults.get(route)?.shift() : undefined;
    if (fault?.kind === "slow") await this.sleep(fault.delayMs);
    else if (fault) return this.misbehave(fault, res);
    if (!route) return send(res, 404, `<!DOCTYPE html><html><body><pre>Cannot ${req.method} ${path}</pre></body></html>`, "text/html");
    try {
      this.authorize(req);
      const body = route.startsWith("POST") ? jsonBody(req, text) : {};
      sendJson(res, 200, this.answer(route, path, body));
    } catch (error) {
      // A bug in the fake shows up as a 500 the test can see, not as a hung request.
      const refusal = error instanceof HttpRefusal ? error : new HttpRefusal(500, `fake alxzen crashed: ${String(error)}`);
      sendJson(res, refusal.status, { success: false, message: refusal.message });
    }
  }

  private misbehave(fault: Exclude<FakeAlxzenFault, { kind: "slow" }>, res: ServerResponse): void {
    switch (fault.kind) {
      case "timeout":
        return; // the socket stays open until the client aborts or close() cuts it
      case "malformed":
        return send(res, 200, '{"success": true, "data": [{"_id": ', "application/json");
      case "html":
        return send(res, fault.status, `<html><head><title>${fault.status} ${fault.status === 502 ? "Bad Gateway" : "Service Unavailable"}</title></head><body>nginx</body></html>`, "text/html");
      case "json":
        return sendJson(res, fault.status, fault.body);
      case "error":
        if (fault.retryAfterSeconds !== undefined) res.setHeader("retry-after", String(fault.retryAfterSeconds));
        return sendJson(res, fault.status, { success: false, message: fault.message });
    }
  }

  private authorize(req: IncomingMessage): void {
    const key = req.headers["x-api-key"];
    if (!key) throw new HttpRefusal(401, "API key is required");
    if (key !== this.apiKey) throw new HttpRefusal(401, "Invalid API key");
    if (this.ipBlocked) throw new HttpRefusal(403, "Access denied: your IP address is not whitelisted");
  }

  private answer(route: FakeAlxzenRoute, path: string, body: Record<string, unknown>): unknown {
    switch (route) {
      case "GET /account":
        return { success: true, data: { ...this.account } };
      case "GET /products":
        return { success: true, count: this.products.length, data: this.products.map((product) => this.listed(product)) };
      case "POST /order":
        return this.order(body);
      case "GET /order/:id":
        return { success: true, data: this.checkOrder(decodeURIComponent(path.slice("/api/order/".length))) };
      case "POST /deposit":
        return this.deposit(body);
    }
  }

  private listed({ _id, name, price, stock }: FakeAlxzenProduct) {
    return { _id, name, price, resellerPrice: price + this.account.margin, stock };
  }

  private order(body: Record<string, unknown>): unknown {
    const request = orderRequest(body);
    const product = this.products.find((candidate) => candidate._id === request.productId);
    if (!product) throw new HttpRefusal(404, "Product not found");
    if (product.kind === "otp") {
      if (!request.otpNumberId) throw new HttpRefusal(400, "otpNumberId is required for OTP products");
      throw new HttpRefusal(400, "Nomor OTP tidak ditemukan");
    }
    if (product.stock === 0) throw new HttpRefusal(400, "Stok produk habis");
    const amount = Math.max(0, product.price + this.account.margin - this.discount(request.voucherCode));
    if (request.paymentType === "direct" && this.account.balance < amount) {
      throw new HttpRefusal(400, "Saldo tidak mencukupi, silakan deposit terlebih dahulu");
    }
    if (product.stock > 0) product.stock -= 1;
    const order = this.createOrder(request, amount);
    if (request.paymentType === "qris") {
      order.qrisData = `00020101021226570011ID.ESPAY.WWW${order.orderId}5204481253033605802ID6304ABCD`;
      return {
        success: true,
        message: "QRIS generated successfully. Order is pending payment.",
        data: { orderId: order.orderId, amount, status: "pending", qris_data: order.qrisData },
      };
    }
    this.account.balance -= amount;
    this.settleDirect(order);
    return {
      success: true,
      message: "Order placed successfully via balance.",
      data: { orderId: order.orderId, status: order.status, ...(order.credentials ? { data: order.credentials } : {}) },
    };
  }

  private createOrder(request: ReturnType<typeof orderRequest>, amount: number): FakeAlxzenOrder {
    const order: FakeAlxzenOrder = {
      orderId: `API-${String(++this.sequence).padStart(4, "0")}${secret().slice(0, 4).toUpperCase()}`,
      productId: request.productId,
      paymentType: request.paymentType,
      status: "pending",
      amount,
      serverUsername: request.serverUsername,
      voucherCode: request.voucherCode,
      pendingChecksLeft: request.paymentType === "direct" ? this.pendingChecks : 0,
    };
    this.orders.set(order.orderId, order);
    return order;
  }

  private settleDirect(order: FakeAlxzenOrder): void {
    if (this.directMode === "completed") this.complete(order);
    if (this.directMode === "failed") {
      order.status = "failed";
      this.account.balance += order.amount;
    }
  }

  private discount(code: string | undefined): number {
    if (code === undefined) return 0;
    const discount = this.vouchers.get(code);
    if (discount === undefined) throw new HttpRefusal(400, "Voucher tidak valid atau sudah kedaluwarsa");
    return discount;
  }

  private checkOrder(orderId: string): unknown {
    const order = this.orders.get(orderId);
    if (!order) throw new HttpRefusal(404, "Order not found");
    if (order.status === "pending" && order.paymentType === "direct") {
      if (order.pendingChecksLeft > 0) order.pendingChecksLeft -= 1;
      else this.complete(order);
    }
    const credentials = order.status === "completed" ? { data: order.credentials } : {};
    return { orderId: order.orderId, status: order.status, amount: order.amount, ...credentials };
  }

  private complete(order: FakeAlxzenOrder): void {
    order.status = "completed";
    const kind = this.products.find((product) => product._id === order.productId)?.kind;
    if (kind === "panel") {
      order.credentials = {
        serverUsername: order.serverUsername ?? this.account.username.toLowerCase(),
        serverPassword: secret(),
        panelUrl: "https://panel.alxzen.test",
      };
    } else if (kind === "app") {
      order.credentials = { accountEmail: `acc${this.sequence}@mail.alxzen.test`, accountPassword: secret() };
    } else {
      order.credentials = { downloadUrl: `https://files.alxzen.test/${order.orderId}.zip` };
    }
  }

  private deposit(body: Record<string, unknown>): unknown {
    const extra = Object.keys(body).filter((key) => key !== "amount");
    if (extra.length > 0) throw new HttpRefusal(400, `Unknown field: ${extra.join(", ")}`);
    const { amount } = body;
    if (typeof amount !== "number" || !Number.isInteger(amount)) throw new HttpRefusal(400, "amount must be a number");
    if (amount < 1_000) throw new HttpRefusal(400, "Minimal deposit Rp 1.000");
    const depositId = `DEP-${secret().toUpperCase()}`;
    this.deposits.push({ depositId, amount });
    return {
      success: true,
      message: "Deposit QRIS generated successfully",
      data: { depositId, amount, qris_data: `00020101021226570011ID.ESPAY.WWW${depositId}5802ID6304BEEF` },
    };
  }

  private mustFindOrder(orderId: string): FakeAlxzenOrder {
    const order = this.orders.get(orderId);
    if (!order) throw new Error(`fake alxzen: no order ${orderId}`);
    return order;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }
}

function routeOf(method: string, path: string): FakeAlxzenRoute | undefined {
  if (method === "GET" && path === "/api/account") return "GET /account";
  if (method === "GET" && path === "/api/products") return "GET /products";
  if (method === "POST" && path === "/api/order") return "POST /order";
  if (method === "GET" && /^\/api\/order\/[^/]+$/.test(path)) return "GET /order/:id";
  if (method === "POST" && path === "/api/deposit") return "POST /deposit";
  return undefined;
}

/** Checks an order body against the documented parameters; extra fields are refused so drift shows. */
function orderRequest(body: Record<string, unknown>) {
  const extra = Object.keys(body).filter((key) => !orderFields.has(key));
  if (extra.length > 0) throw new HttpRefusal(400, `Unknown field: ${extra.join(", ")}`);
  const { productId, paymentType } = body;
  if (typeof productId !== "string" || productId === "") throw new HttpRefusal(400, "productId is required");
  if (paymentType !== "direct" && paymentType !== "qris") throw new HttpRefusal(400, 'paymentType must be "direct" or "qris"');
  for (const field of ["serverUsername", "serverPassword", "otpNumberId", "voucherCode"]) {
    if (body[field] !== undefined && typeof body[field] !== "string") throw new HttpRefusal(400, `${field} must be a string`);
  }
  return {
    productId,
    paymentType,
    serverUsername: body.serverUsername as string | undefined,
    otpNumberId: body.otpNumberId as string | undefined,
    voucherCode: body.voucherCode as string | undefined,
  } as const;
}

function jsonBody(req: IncomingMessage, text: string): Record<string, unknown> {
  if (!(req.headers["content-type"] ?? "").includes("application/json")) {
    throw new HttpRefusal(400, "Content-Type must be application/json");
  }
  const body = parseJson(text);
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw new HttpRefusal(400, "Invalid JSON body");
  return body as Record<string, unknown>;
}

