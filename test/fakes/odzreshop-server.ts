/**
 * An in-memory odzreshop (noetopup) API, written from /work/shared/providers/odzreshop.txt.
 *
 * It checks every request the way the document says the real API does: POST only (405), a JSON
 * body with `api_key` (401), an IP whitelist (403), required fields (400), known slugs and
 * invoices (404). It keeps a balance that orders debit and orders that status calls move along,
 * and it can be told to misbehave (429, 503, HTML error pages, garbage, silence, slowness).
 *
 * ASSUMPTION (targets): the document says only `"target": "string"` and shows one example,
 * `"123456789"`. It says nothing of games whose account needs a zone (server) id. The fake's
 * default, `targetFormat: "digits"`, is the stricter reading of that example: a target is one run
 * of digits, so a zone id can only be appended (`123456781234`, as most Indonesian top-up APIs
 * take Mobile Legends). `"any"` accepts any text (e.g. `12345678 (1234)`), the looser assumption
 * the adapter was first tested against. Neither is confirmed by the document.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

/** A service as `/services` lists it. */
export interface FakeService {
  sku: string;
  name: string;
  category: string;
  brand: string;
  price: number;
  status: string;
}

/** What happens to the next order placed. */
export type FakeOrderScenario =
  /** Done at once, with a serial number. */
  | { kind: "success"; sn: string }
  /** Pending (reported as `pendingStatus`, default "pending") until `after` status calls, then final. */
  | { kind: "pending"; after: number; then: "success" | "failed"; sn?: string; pendingStatus?: string; finalStatus?: string }
  /** Refused by the provider at once (status `status`, default "failed"); the balance is refunded. */
  | { kind: "failed"; message: string; status?: string };

/** Ways to misbehave, injected per path. */
export type FakeFault =
  | "rate_limited"
  | "vendor_depleted"
  | "server_error"
  | "html_502"
  | "html_503"
  | "malformed"
  | "wrong_shape"
  /** Handles the request (an order is created) but never answers. */
  | "timeout"
  /** Handles the request and answers after `slowMs`. */
  | "slow";

/** An order as the fake stores it. */
export interface FakeOrder {
  invoice: string;
  refId: string | undefined;
  sku: string;
  productName: string;
  target: string;
  price: number;
  status: string;
  sn: string | null;
  message: string;
  statusCalls: number;
  scenario: FakeOrderScenario;
}

/** A request the fake received. `path` is relative to the API root, e.g. `/order`. */
export interface RecordedRequest {
  method: string;
  path: string;
  contentType: string | undefined;
  body: Record<string, unknown>;
}

/** Starting state; defaults: key `test-key-odz`, balance 500 000, {@link defaultFakeCatalog}. */
export interface OdzreshopFakeOptions {
  apiKey?: string;
  balance?: number;
  /** Services per category slug. */
  catalog?: Record<string, FakeService[]>;
  /** What a `target` may look like (see the ASSUMPTION above); default "digits". */
  targetFormat?: "digits" | "any";
}

/** The running fake and its controls. */
export interface OdzreshopFake {
  /** API root to give the adapter as `baseUrl`. */
  url: string;
  /** An old root that answers 301 to `url` (fetch follows a redirected POST as a GET). */
  redirectingUrl: string;
  apiKey: string;
  balance: number;
  /** "ok", or the whitelist problem the real API reports with 403. */
  ipWhitelist: "ok" | "unset" | "unknown_ip";
  /** Scenario for orders placed from now on. */
  orderScenario: FakeOrderScenario;
  /** What a `target` may look like (ASSUMPTION, see the file comment). */
  targetFormat: "digits" | "any";
  slowMs: number;
  requests: RecordedRequest[];
  orders: Map<string, FakeOrder>;
  /** Makes the next `times` requests to `path` (`"*"`: any path) misbehave. */
  inject(path: string, fault: FakeFault, times?: number): void;
  /** Requests to one path, e.g. `count("/order")`. */
  count(path: string): number;
  close(): Promise<void>;
}

const apiRoot = "/api/v1";
const legacyRoot = "/v1";

/** Services listed when no catalog is given: two games (one with zones) and a pulsa operator. */
export const defaultFakeCatalog: Record<string, FakeService[]> = {
  "mobile-legends": [
    { sku: "ml-86", name: "Mobile Legends 86 Diamonds", category: "Mobile Legends", brand: "MOBILELEGEND", price: 18500, status: "active" },
    { sku: "ml-172", name: "Mobile Legends 172 Diamonds", category: "Mobile Legends", brand: "MOBILELEGEND", price: 37000, status: "inactive" },
  ],
  "free-fire": [
    { sku: "ff-70", name: "Free Fire 70 Diamonds", category: "Free Fire", brand: "FREEFIRE", price: 9500, status: "active" },
  ],
  "pulsa-telkomsel": [
    { sku: "tsel-10", name: "Telkomsel 10.000", category: "Pulsa Telkomsel", brand: "TELKOMSEL", price: 10400, status: "active" },
  ],
};

type Reply = { status: number; body: unknown } | { status: number; html: string } | { status: number; raw: string };

function htmlPage(status: number): string {
  return `<!DOCTYPE html><html><head><title>${status} Bad Gateway</title></head><body><h1>${status}</h1><p>cloudflare</p></body></html>`;
}

const faultReplies: Record<Exclude<FakeFault, "timeout" | "slow">, Reply> = {
  rate_limited: { status: 429, body: { success: false, message: "Too Many Requests" } },
  vendor_depleted: { status: 503, body: { success: false, message: "Vendor balance depleted" } },
  server_error: { status: 500, body: { success: false, message: "Internal server error" } },
  html_502: { status: 502, html: htmlPage(502) },
  html_503: { status: 503, html: htmlPage(503) },
  malformed: { status: 200, raw: '{"success": true, "data": {"invoice": "INV-' },
  wrong_shape: { status: 200, body: { success: true, data: { result: "ok" } } },
};

function refuse(status: number, message: string): Reply {
  return { status, body: { success: false, message } };
}

function ok(message: string, data: unknown): Reply {
  return { status: 200, body: { success: true, message, data } };
}

function text(value: unknown): string | undefined {
  return typeof value === "string" && value.length > 0 ? value : undefined;
}

/** Starts the fake on 127.0.0.1 with a free port. */
export async function startOdzreshopFake(options: OdzreshopFakeOptions = {}): Promise<OdzreshopFake> {
  const catalog = options.catalog ?? defaultFakeCatalog;
  const faults: { path: string; fault: FakeFault; left: number }[] = [];
  const sockets = new Set<Socket>();
  let invoiceSeq = 0;

  const fake: OdzreshopFake = {
    url: "",
    redirectingUrl: "",
    apiKey: options.apiKey ?? "test-key-odz",
    balance: options.balance ?? 500_000,
    ipWhitelist: "ok",
    orderScenario: { kind: "pending", after: 1, then: "success", sn: "SN123456789" },
    targetFormat: options.targetFormat ?? "digits",
    slowMs: 100,
    requests: [],
    orders: new Map(),
    inject(path, fault, times = 1) {
      faults.push({ path, fault, left: times });
    },
    count(path) {
      return fake.requests.filter((request) => request.path === path).length;
    },
    close: () => Promise.resolve(),
  };

  function takeFault(path: string): FakeFault | undefined {
    const entry = faults.find((candidate) => candidate.left > 0 && (candidate.path === path || candidate.path === "*"));
    if (!entry) return undefined;
    entry.left -= 1;
    return entry.fault;
  }

  /** The checks every endpoint makes, in the order the document lists them. */
  function checkAccess(method: string, body: Record<string, unknown>): Reply | undefined {
    if (method !== "POST") return refuse(405, "Method not supported");
    const key = text(body.api_key);
    if (!key) return refuse(401, "API key is required");
    if (key !== fake.apiKey) return refuse(401, "Invalid API key");
    if (fake.ipWhitelist === "unset") return refuse(403, "IP whitelist is required");
    if (fake.ipWhitelist === "unknown_ip") return refuse(403, "Unknown IP");
    return undefined;
  }

  function profile(): Reply {
    return ok("Profile retrieved successfully", {
      name: "John Doe",
      email: "john@example.com",
      username: "johndoe",
      tier: "gold",
      balance: fake.balance,
    });
  }

  function services(body: Record<string, unknown>): Reply {
    const slug = text(body.slug);
    if (!slug) return refuse(400, "Missing fields");
    const list = catalog[slug];
    if (!list) return refuse(404, "Category not found");
    const data = list.map((service) => ({ ...service, price_formatted: `Rp ${service.price.toLocaleString("id-ID")}` }));
    return ok("Services retrieved successfully", data);
  }

  function orderView(order: FakeOrder) {
    return {
      invoice: order.invoice,
      sku: order.sku,
      product_name: order.productName,
      target: order.target,
      price: order.price,
      status: order.status,
      sn: order.sn,
      message: order.message,
    };
  }

  function placeOrder(body: Record<string, unknown>): Reply {
    const sku = text(body.sku);
    const target = text(body.target);
    if (!sku || !target) return refuse(400, "Missing fields");
    // ASSUMPTION: the document gives no error for a malformed target; 400 is its "Missing fields" row.
    if (fake.targetFormat === "digits" && !/^\d+$/.test(target)) return refuse(400, "Missing fields");
    const service = Object.values(catalog)
      .flat()
      .find((candidate) => candidate.sku === sku && candidate.status === "active");
    // The document lists no error for an unknown SKU; a 404 is the closest documented answer.
    if (!service) return refuse(404, "Service not found");
    if (fake.balance < service.price) return refuse(400, "Insufficient balance");
    const balanceBefore = fake.balance;
    fake.balance -= service.price;
    invoiceSeq += 1;
    const scenario = fake.orderScenario;
    const order: FakeOrder = {
      invoice: `INV-${invoiceSeq.toString(16).toUpperCase().padStart(8, "0")}-1708300000`,
      refId: text(body.ref_id),
      sku,
      productName: service.name,
      target,
      price: service.price,
      status: "pending",
      sn: null,
      message: "Transaksi sedang diproses",
      statusCalls: 0,
      scenario,
    };
    if (scenario.kind === "success") settle(order, "success", scenario.sn);
    if (scenario.kind === "failed") settle(order, scenario.status ?? "failed", null, scenario.message);
    if (scenario.kind === "pending" && scenario.pendingStatus) order.status = scenario.pendingStatus;
    fake.orders.set(order.invoice, order);
    return ok("Order processed successfully", {
      ...orderView(order),
      ref_id: order.refId ?? null,
      balance_before: balanceBefore,
      balance_after: fake.balance,
    });
  }

  /** Makes an order final; a failed one gives the money back, as a reseller API does. */
  function settle(order: FakeOrder, status: string, sn: string | null, message?: string): void {
    const failed = status !== "success";
    order.status = status;
    order.sn = sn;
    order.message = message ?? (failed ? "Transaksi gagal" : "Transaksi berhasil");
    if (failed) fake.balance += order.price;
  }

  function status(body: Record<string, unknown>): Reply {
    const invoice = text(body.invoice);
    if (!invoice) return refuse(400, "Missing fields");
    const order = fake.orders.get(invoice);
    if (!order) return refuse(404, "Transaction not found");
    order.statusCalls += 1;
    const { scenario } = order;
    if (scenario.kind === "pending" && order.statusCalls === scenario.after) {
      if (scenario.then === "success") settle(order, scenario.finalStatus ?? "success", scenario.sn ?? "SN000000001");
      else settle(order, scenario.finalStatus ?? "failed", null);
    }
    return ok("Transaction found", {
      ...orderView(order),
      created_at: "2026-02-19T15:00:00+07:00",
      updated_at: "2026-02-19T15:00:05+07:00",
    });
  }

  const routes: Record<string, (body: Record<string, unknown>) => Reply> = {
    "/profile": profile,
    "/services": services,
    "/order": placeOrder,
    "/status": status,
  };

  function send(response: ServerResponse, reply: Reply): void {
    if ("html" in reply) {
      response.writeHead(reply.status, { "content-type": "text/html; charset=utf-8" }).end(reply.html);
    } else if ("raw" in reply) {
      response.writeHead(reply.status, { "content-type": "application/json" }).end(reply.raw);
    } else {
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (reply.status === 429) headers["retry-after"] = "2";
      response.writeHead(reply.status, headers).end(JSON.stringify(reply.body));
    }
  }

  /** Reads a JSON body; anything else (wrong content type, bad JSON) reads as no fields at all. */
  function readBody(request: IncomingMessage, raw: string): Record<string, unknown> {
    if (!request.headers["content-type"]?.includes("application/json")) return {};
    try {
      const parsed: unknown = JSON.parse(raw);
      return parsed && typeof parsed === "object" && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
    } catch {
      return {};
    }
  }

  async function handle(request: IncomingMessage, response: ServerResponse, raw: string): Promise<void> {
    const pathname = new URL(request.url ?? "/", "http://fake").pathname;
    if (pathname.startsWith(`${legacyRoot}/`)) {
      response.writeHead(301, { location: `${apiRoot}${pathname.slice(legacyRoot.length)}` }).end();
      return;
    }
    const path = pathname.startsWith(`${apiRoot}/`) ? pathname.slice(apiRoot.length) : pathname;
    const body = readBody(request, raw);
    fake.requests.push({ method: request.method ?? "", path, contentType: request.headers["content-type"], body });
    const fault = takeFault(path);
    if (fault && fault !== "timeout" && fault !== "slow") return send(response, faultReplies[fault]);
    const route = routes[path];
    const reply = checkAccess(request.method ?? "", body) ?? (route ? route(body) : refuse(404, "Not found"));
    if (fault === "timeout") return; // handled, never answered: the caller cannot know
    if (fault === "slow") await new Promise((resolve) => setTimeout(resolve, fake.slowMs));
    send(response, reply);
  }

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => void handle(request, response, Buffer.concat(chunks).toString("utf8")));
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  fake.url = `http://127.0.0.1:${port}${apiRoot}`;
  fake.redirectingUrl = `http://127.0.0.1:${port}${legacyRoot}`;
  fake.close = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });
  return fake;
}
