/**
 * An in-memory aluy.net reseller API, written from /work/shared/providers/aluy.txt.
 *
 * It checks what the contract requires (the session cookie, JSON bodies, the mutually exclusive
 * preset/custom order paths, limits, balances, the POSTPAID VPS quota) and answers the way the
 * contract says the real API does. Orders create VPS services that provision after a number of
 * GET /services polls; faults (timeouts, error pages, garbage) are injected per route, either
 * before the route runs or after it changed state ("the order was made but the answer was lost").
 *
 * ASSUMPTION (labels): the document shows an order `label` and, in its examples, a service with
 * the same label ("edge-fi-01"), but never says the order's label is copied onto the service it
 * creates. `serviceLabel: "order"` (the default) copies it; `"own"` gives the service a label of
 * aluy's own (`vps-<n>`), the stricter reading, which adapters are also tested against. The
 * order's lines carrying the label is shown in the POST /orders response and is kept.
 *
 * Other ASSUMPTIONS: a service provisions after `provisionPolls` GET /services calls and boots
 * after `bootPolls` status calls (the document gives no timing); a service's `createdAt` is its
 * order's (the document: provisioning runs inline with POST /orders).
 *
 * ASSUMPTION (GET /orders body): the endpoint's example answers `{ orders, total, limit, offset }`
 * while the Conventions section says list endpoints return `{ items, total, limit, offset }`.
 * `ordersListKey: "orders"` (the default) follows the endpoint; `"items"` the conventions, and
 * the history reader is tested against both. `fake.orders` is newest first, as documented.
 *
 * ASSUMPTIONS (issue 14, subscriptions): with `pendingPayment` a new order is answered
 * `PENDING_PAYMENT`, nothing is charged and no service exists until POST /orders/:id/pay (the
 * document lists the status and the pay call, but not when an order is left unpaid). A monthly
 * service's `nextDueAt` is one month after its creation (the document: "set on monthly
 * subscriptions only", no rule given); `resume` pushes it on by a month, as the renewal it allows
 * would. POST /services/:id/retry-provision replaces the service by a new one that carries the
 * old one's label under `serviceLabel: "order"` and a label of aluy's own under `"own"` (the
 * document: "re-issues the provisioning side-effects from the original order"); whether that new
 * one deploys is `retryProvisionIssue`. Cancelling an already cancelled service answers 200 and
 * keeps the first `subscriptionCancelledAt` (the document names no error for it).
 *
 * ASSUMPTIONS (issue 14, OS at order time): GET /products carries a product's OS `templates` only
 * when a test sets them on the product (the quick start says templates "ship with the catalog
 * package", the endpoint's example shows none, so by default none are sent). GET
 * /services/:id/templates answers `fake.templates` for any service, provisioned or not (the
 * document: "even when the service has no externalId yet"). POST /orders rejects an
 * `operatingSystemId` that is not a positive integer with 400 (documented) and, like the real API
 * ("not validated against VirtFusion at order time"), takes any positive id; the id is kept on
 * the order and its service so tests can see what was installed.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** The session token the fake accepts. */
export const aluyFakeToken = "fake-session-token-7c1e9a42b";
/** The Cookie header value a browser would send with that token. */
export const aluyFakeCookie = `__Secure-next-auth.session-token=${aluyFakeToken}`;
const basePath = "/api/reseller/v1";

/** A request as the fake received it (path is relative to the API base, e.g. `/orders`). */
export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  body: unknown;
}

/** How an injected fault answers. */
export type AluyFault =
  | { kind: "timeout" }
  | { kind: "slow"; ms: number }
  | { kind: "malformed"; status?: number }
  | { kind: "html"; status: 502 | 503 }
  | { kind: "error"; status: number; body: unknown };

/** A fault for the next `times` requests to `method path`. */
export interface AluyFaultRule {
  method: "GET" | "POST";
  /** Exact path relative to the base (`/orders`), or a pattern (`/^\/services\/[^/]+\/status$/`). */
  path: string | RegExp;
  fault: AluyFault;
  /** Run the route first (its state changes happen), then answer with the fault. */
  afterEffect?: boolean;
  /** How many requests the rule hits (default 1). */
  times?: number;
}

export interface FakeVariant {
  id: string;
  sku: string;
  name: string;
  priceCents: number;
  displayOrder: number;
  active: boolean;
}

export interface FakeProduct {
  id: string;
  slug: string;
  name: string;
  description: string;
  category: string;
  features: string[];
  variants: FakeVariant[];
  /** OS templates listed with the product (see the ASSUMPTION at the top); absent by default. */
  templates?: { id: number; label: string }[];
}

export interface FakeOrder {
  id: string;
  status: string;
  totalCents: number;
  /** The label the order was placed with (its service's, under `serviceLabel: "order"`). */
  label: string;
  /** The `operatingSystemId` the order was placed with; null or absent = the package default. */
  operatingSystemId?: number | null;
  period: "hourly" | "monthly";
  lines: { label: string; quantity: number; unitCents: number; totalCents: number }[];
  createdAt: string;
}

export interface FakeService {
  id: string;
  kind: "VPS";
  status: "PENDING" | "ACTIVE" | "SUSPENDED" | "TERMINATED";
  label: string;
  externalId: string | null;
  orderId: string;
  createdAt: string;
  /** GET /services polls left before this service becomes ACTIVE. */
  provisionPollsLeft: number;
  provisionIssue: boolean;
  /** GET /status polls left during which the new server is still stopped, without IPs. */
  bootPollsLeft: number;
  power: "running" | "stopped";
  ipv4: string;
  passwordResets: number;
  password: string | null;
  operatingSystemId: number | null;
  hostname: string | null;
  period: "hourly" | "monthly";
  nextDueAt: string | null;
  subscriptionCancelledAt: string | null;
}

/** The custom-VPS part of GET /vm-config. */
export interface FakeVmConfig {
  available: boolean;
  pricing: { ramPer1GbCents: number; cpuPerCoreCents: number; ssdPer10GbCents: number };
  limits: { minRamGb: number; maxRamGb: number; minCpuCores: number; maxCpuCores: number; minSsdGb: number; maxSsdGb: number };
  locations: { id: string; label: string }[];
}

export interface AluyFake {
  /** Base URL of the API (what the adapter's `baseUrl` is set to). */
  url: string;
  requests: RecordedRequest[];
  orders: FakeOrder[];
  services: FakeService[];
  products: FakeProduct[];
  vmConfig: FakeVmConfig;
  promos: Record<string, number>;
  templates: { id: number; label: string }[];
  billingMode: "PREPAID" | "POSTPAID";
  balanceCents: number;
  /** POSTPAID VPS cap (`resellerVpsLimit`); null = no cap. */
  vpsLimit: number | null;
  /** GET /services polls before a newly ordered service is ACTIVE with an externalId. */
  provisionPolls: number;
  /** GET /status polls before a newly provisioned server runs with an IPv4. */
  bootPolls: number;
  /** New orders fail to deploy: the service stays PENDING with hasProvisionIssue. */
  provisionIssue: boolean;
  /** Whether a new service takes the order's label ("order", ASSUMPTION) or one of its own ("own"). */
  serviceLabel: "order" | "own";
  /** The key of GET /orders' list (see the ASSUMPTION at the top). */
  ordersListKey: "orders" | "items";
  /** New orders are answered PENDING_PAYMENT, unpaid, until POST /orders/:id/pay (ASSUMPTION). */
  pendingPayment: boolean;
  /** A service made by retry-provision fails to deploy too. */
  retryProvisionIssue: boolean;
  /** Injects a fault; see {@link AluyFaultRule}. */
  fail(rule: AluyFaultRule): void;
  /** Requests received for `method path` (path relative to the base). */
  count(method: string, path: string | RegExp): number;
  close(): Promise<void>;
}

interface Reply {
  status: number;
  body: unknown;
}

type Route = (request: RecordedRequest) => Reply;

const orderStatuses = ["DRAFT", "PENDING_PAYMENT", "PAID", "PROVISIONING", "ACTIVE", "CANCELLED", "REFUNDED"];
const serviceKinds = ["VPS", "DEDICATED", "HETZNER_SERVER", "HETZNER_STORAGEBOX", "LIR", "CUSTOM"];
const serviceStatuses = ["PENDING", "ACTIVE", "SUSPENDED", "TERMINATED"];
const powerActions = ["start", "shutdown", "stop", "restart"];
const invalidJson = Symbol("invalid JSON");

const error = (status: number, message: string, extra: Record<string, unknown> = {}): Reply => ({
  status,
  body: { error: message, ...extra },
});

function matches(pattern: string | RegExp, path: string): boolean {
  return typeof pattern === "string" ? pattern === path : pattern.test(path);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function sessionToken(headers: IncomingHttpHeaders): string | undefined {
  for (const pair of (headers.cookie ?? "").split(";")) {
    const [name, ...value] = pair.trim().split("=");
    if (name === "__Secure-next-auth.session-token") return value.join("=");
  }
  return undefined;
}

function page<T>(items: T[], query: Record<string, string>): { items: T[]; limit: number; offset: number } | Reply {
  const limit = query.limit === undefined ? 50 : Number(query.limit);
  const offset = query.offset === undefined ? 0 : Number(query.offset);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) return error(400, "limit must be between 1 and 100");
  if (!Number.isInteger(offset) || offset < 0) return error(400, "offset must be 0 or more");
  return { items: items.slice(offset, offset + limit), limit, offset };
}

/** `iso` plus `months` calendar months, as an ISO string (UTC). */
export function addMonths(iso: string, months: number): string {
  const date = new Date(iso);
  date.setUTCMonth(date.getUTCMonth() + months);
  return date.toISOString();
}

function defaultProducts(): FakeProduct[] {
  return [
    {
      id: "clxprd0000000000000000001",
      slug: "vps-starter",
      name: "VPS Starter",
      description: "Entry-tier KVM",
      category: "VPS",
      features: ["1 vCPU", "1 GB RAM", "20 GB SSD"],
      variants: [
        { id: "clxvar0000000000000000001", sku: "vps-1g", name: "1 GB", priceCents: 499, displayOrder: 1, active: true },
        { id: "clxvar0000000000000000002", sku: "vps-2g", name: "2 GB", priceCents: 899, displayOrder: 2, active: true },
        { id: "clxvar0000000000000000003", sku: "vps-4g-old", name: "4 GB (old)", priceCents: 1299, displayOrder: 3, active: false },
      ],
    },
    {
      id: "clxprd0000000000000000002",
      slug: "storage-box",
      name: "Storage Box",
      description: "Not sold to resellers",
      category: "STORAGE",
      features: ["1 TB"],
      variants: [{ id: "clxvar0000000000000000009", sku: "box-1t", name: "1 TB", priceCents: 300, displayOrder: 1, active: true }],
    },
  ];
}

function defaultVmConfig(): FakeVmConfig {
  return {
    available: true,
    pricing: { ramPer1GbCents: 200, cpuPerCoreCents: 300, ssdPer10GbCents: 100 },
    limits: { minRamGb: 1, maxRamGb: 64, minCpuCores: 1, maxCpuCores: 16, minSsdGb: 20, maxSsdGb: 1000 },
    locations: [
      { id: "fi-hel", label: "Helsinki, FI" },
      { id: "de-fra", label: "Frankfurt, DE" },
    ],
  };
}

/** Starts the fake on 127.0.0.1 at a free port. */
export async function startAluyFake(): Promise<AluyFake> {
  let sequence = 0;
  const nextId = (prefix: string) => `${prefix}${String(++sequence).padStart(25 - prefix.length, "0")}`;
  const rules: (AluyFaultRule & { left: number })[] = [];

  const fake: AluyFake = {
    url: "",
    requests: [],
    orders: [],
    services: [],
    products: defaultProducts(),
    vmConfig: defaultVmConfig(),
    promos: { SUMMER10: 10 },
    templates: [
      { id: 1, label: "Ubuntu 24.04 LTS" },
      { id: 2, label: "Debian 12" },
      { id: 3, label: "Rocky Linux 9" },
    ],
    billingMode: "PREPAID",
    balanceCents: 10_000,
    vpsLimit: null,
    provisionPolls: 2,
    bootPolls: 0,
    provisionIssue: false,
    serviceLabel: "order",
    ordersListKey: "orders",
    pendingPayment: false,
    retryProvisionIssue: false,
    fail: (rule) => rules.push({ ...rule, left: rule.times ?? 1 }),
    count: (method, path) => fake.requests.filter((r) => r.method === method && matches(path, r.path)).length,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  // --- Account and catalog ------------------------------------------------------------------

  const balance: Route = () => ({
    status: 200,
    body: {
      balanceCents: fake.balanceCents,
      billingMode: fake.billingMode,
      invoiceAutoCharge: { enabled: true, locked: fake.billingMode === "PREPAID" },
      transactions: [],
    },
  });

  const products: Route = () => ({
    status: 200,
    body: {
      products: fake.products
        .map(({ variants, ...product }) => ({
          ...product,
          variants: variants
            .filter((variant) => variant.active)
            .map(({ active: _active, ...variant }) => ({ ...variant, period: "MONTHLY" })),
        }))
        .filter((product) => product.variants.length > 0),
    },
  });

  const vmConfig: Route = () => ({
    status: 200,
    body: {
      custom: fake.vmConfig,
      storage: { available: false, pricing: {}, limits: {}, locations: [] },
      extraIpv4: { monthlyCents: 100, max: 4 },
    },
  });

  const findVariant = (id: unknown) =>
    fake.products.flatMap((product) => product.variants.map((variant) => ({ product, variant }))).find((entry) => entry.variant.id === id);

  const promo: Route = ({ body }) => {
    if (!isRecord(body)) return error(400, "Invalid JSON body");
    const code = typeof body.code === "string" ? body.code.trim().toUpperCase() : "";
    const percent = fake.promos[code];
    if (percent === undefined) return { status: 200, body: { valid: false, error: "Invalid promo code" } };
    const variant = body.variantId === undefined ? undefined : findVariant(body.variantId);
    if (body.variantId !== undefined && !variant?.variant.active) {
      return { status: 200, body: { valid: false, error: "Variant not found" } };
    }
    const priceCents = variant?.variant.priceCents ?? 0;
    const discountCents = Math.round((priceCents * percent) / 100);
    return {
      status: 200,
      body: { valid: true, code, discountPercent: percent, discountCents, newSubtotalCents: priceCents - discountCents },
    };
  };

  // --- Orders -----------------------------------------------------------------------------------

  const bothOrNeither =
    'Provide either variantId (preset) or type with specs (custom). type must be "vm-custom" or "vm-storage".';

  /** The monthly price of the order body, or the error the real API gives for it. */
  const priceOf = (body: Record<string, unknown>): number | Reply => {
    if ("variantId" in body) {
      const found = findVariant(body.variantId);
      if (!found?.variant.active) return error(404, "Variant not found or inactive");
      if (found.product.category !== "VPS") return error(400, "Reseller orders are limited to VPS products");
      return found.variant.priceCents;
    }
    if (body.type === "vm-storage") return error(400, "Storage VPS is currently unavailable");
    const config = fake.vmConfig;
    if (!config.available) return error(400, "Custom VPS is currently unavailable");
    const { limits, pricing } = config;
    const specs: [string, number, number][] = [
      ["ramGb", limits.minRamGb, limits.maxRamGb],
      ["cpuCores", limits.minCpuCores, limits.maxCpuCores],
      ["ssdGb", limits.minSsdGb, limits.maxSsdGb],
    ];
    for (const [field, min, max] of specs) {
      const value = body[field];
      if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
        return error(400, `${field} must be an integer between ${min} and ${max}`);
      }
    }
    if (!config.locations.some((location) => location.id === body.location)) {
      const available = config.locations.map((location) => location.id).join(", ");
      return error(400, `Invalid location "${String(body.location)}". Available: ${available}`);
    }
    const { ramGb, cpuCores, ssdGb } = body as { ramGb: number; cpuCores: number; ssdGb: number };
    return ramGb * pricing.ramPer1GbCents + cpuCores * pricing.cpuPerCoreCents + (ssdGb / 10) * pricing.ssdPer10GbCents;
  };

  /** Charges the order the way the billing model says, or returns the refusal. */
  const charge = (priceCents: number, period: "hourly" | "monthly"): Reply | null => {
    const hourlyRateCents = Math.max(1, Math.ceil(priceCents / 730));
    if (fake.billingMode === "PREPAID") {
      if (period === "hourly" && fake.balanceCents < hourlyRateCents) {
        return error(402, `Insufficient balance for hourly billing (need at least €${(hourlyRateCents / 100).toFixed(2)} for one hour).`);
      }
      if (period === "monthly" && fake.balanceCents < priceCents) return error(402, "Insufficient balance");
      if (period === "monthly") fake.balanceCents -= Math.ceil(priceCents);
      return null;
    }
    const current = fake.services.filter((service) => service.status !== "TERMINATED").length;
    if (fake.vpsLimit !== null && current >= fake.vpsLimit) {
      return error(429, `VPS limit reached (${current}/${fake.vpsLimit}). Contact support to increase your limit.`, {
        current,
        limit: fake.vpsLimit,
      });
    }
    return null;
  };

  const createOrder: Route = ({ body }) => {
    if (!isRecord(body)) return error(400, "Invalid JSON body");
    const preset = "variantId" in body;
    const custom = "type" in body;
    if (preset === custom || (custom && body.type !== "vm-custom" && body.type !== "vm-storage")) {
      return error(400, bothOrNeither);
    }
    const period = body.period ?? "hourly";
    if (period !== "hourly" && period !== "monthly") return error(400, 'period must be "hourly" or "monthly"');
    if (body.label !== undefined && (typeof body.label !== "string" || body.label.trim().length === 0)) {
      return error(400, "label must be a non-empty string");
    }
    const os = body.operatingSystemId;
    if (os !== undefined && (typeof os !== "number" || !Number.isInteger(os) || os <= 0)) {
      return error(400, "operatingSystemId must be a positive integer");
    }
    const listCents = priceOf(body);
    if (typeof listCents !== "number") return listCents;
    // "promoCode optional … 400 promoCode is invalid or not eligible": a known code takes its
    // percent off what is charged (the discount shows in the answer's discountCents).
    let discountCents = 0;
    if (body.promoCode !== undefined) {
      const percent = typeof body.promoCode === "string" ? fake.promos[body.promoCode.trim().toUpperCase()] : undefined;
      if (percent === undefined) return error(400, "Promo code expired");
      discountCents = Math.round((listCents * percent) / 100);
    }
    const priceCents = listCents - discountCents;
    if (!fake.pendingPayment) {
      const refused = charge(priceCents, period);
      if (refused) return refused;
    }

    const label = typeof body.label === "string" ? body.label : `vps-${sequence + 1}`;
    const totalCents = period === "monthly" ? Math.ceil(priceCents) : 0;
    const createdAt = new Date().toISOString();
    const order: FakeOrder = {
      id: nextId("clxord"),
      status: fake.pendingPayment ? "PENDING_PAYMENT" : "PAID",
      totalCents,
      label,
      operatingSystemId: typeof os === "number" ? os : null,
      period,
      lines: [{ label, quantity: 1, unitCents: totalCents, totalCents }],
      createdAt,
    };
    fake.orders.unshift(order);
    if (!fake.pendingPayment) provision(order, fake.provisionIssue);
    return {
      status: 201,
      body: {
        order: {
          id: order.id,
          status: order.status,
          totalCents,
          discountCents: period === "monthly" ? discountCents : 0,
          billingMode: fake.billingMode,
          period,
          ...(period === "hourly" ? { hourlyRateCents: Math.max(1, Math.ceil(priceCents / 730)) } : {}),
          lines: order.lines.map((line) => ({ label: line.label, totalCents: line.totalCents })),
          createdAt,
        },
      },
    };
  };

  /** The service an order deploys (inline with the order, or with its payment). */
  const provision = (order: FakeOrder, issue: boolean, label = order.label): FakeService => {
    const createdAt = new Date().toISOString();
    const service: FakeService = {
      id: nextId("clxsvc"),
      kind: "VPS",
      status: "PENDING",
      label: fake.serviceLabel === "order" ? label : `vps-${fake.services.length + 1001}`,
      externalId: null,
      orderId: order.id,
      createdAt: order.status === "PENDING_PAYMENT" ? createdAt : order.createdAt,
      provisionPollsLeft: fake.provisionPolls,
      provisionIssue: issue,
      bootPollsLeft: fake.bootPolls,
      power: "running",
      ipv4: `203.0.113.${fake.services.length + 5}`,
      passwordResets: 0,
      password: null,
      operatingSystemId: order.operatingSystemId ?? null,
      hostname: null,
      period: order.period,
      nextDueAt: order.period === "monthly" ? addMonths(order.createdAt, 1) : null,
      subscriptionCancelledAt: null,
    };
    fake.services.unshift(service);
    return service;
  };

  const orderView = (order: FakeOrder) => ({
    id: order.id,
    status: order.status,
    currency: "EUR",
    subtotalCents: order.totalCents,
    vatCents: 0,
    totalCents: order.totalCents,
    reverseCharge: false,
    lines: order.lines,
    createdAt: order.createdAt,
  });

  /** GET /orders/:id and POST /orders/:id/pay. */
  const orderRoute = (request: RecordedRequest): Reply | undefined => {
    const match = /^\/orders\/([^/]+)(?:\/(pay))?$/.exec(request.path);
    if (!match) return undefined;
    const order = fake.orders.find((candidate) => candidate.id === decodeURIComponent(match[1]!));
    if (request.method === "GET" && !match[2]) return order ? { status: 200, body: { order: orderView(order) } } : error(404, "Order not found");
    if (request.method !== "POST" || match[2] !== "pay") return undefined;
    if (!isRecord(request.body) || request.body.method !== "balance") return error(400, "Only balance payment is supported");
    if (!order || order.status !== "PENDING_PAYMENT") return error(404, "Pending order not found");
    if (fake.billingMode === "PREPAID") {
      if (fake.balanceCents < order.totalCents) return error(402, "Insufficient balance");
      fake.balanceCents -= order.totalCents;
    }
    order.status = "PAID";
    provision(order, fake.provisionIssue);
    return { status: 200, body: { ok: true } };
  };

  const listOrders: Route = ({ query }) => {
    if (query.status !== undefined && !orderStatuses.includes(query.status)) {
      return error(400, `Invalid status. Valid values: ${orderStatuses.join(", ")}`);
    }
    const all = fake.orders.filter((order) => query.status === undefined || order.status === query.status);
    const result = page(all, query);
    if ("status" in result) return result;
    return {
      status: 200,
      body: {
        [fake.ordersListKey]: result.items.map(orderView),
        total: all.length,
        limit: result.limit,
        offset: result.offset,
      },
    };
  };

  // --- Services ---------------------------------------------------------------------------------

  /** One provisioning step for every service still deploying: a "status poll" in the contract's flow. */
  const advanceProvisioning = () => {
    for (const service of fake.services) {
      if (service.status !== "PENDING" || service.provisionIssue) continue;
      service.provisionPollsLeft -= 1;
      if (service.provisionPollsLeft <= 0) {
        service.status = "ACTIVE";
        service.externalId = String(1000 + fake.services.indexOf(service));
      }
    }
  };

  const summary = (service: FakeService) => ({
    id: service.id,
    kind: service.kind,
    status: service.status,
    label: service.label,
    externalId: service.externalId,
    createdAt: service.createdAt,
    nextDueAt: service.nextDueAt,
    subscriptionBillingPeriod: service.period === "monthly" ? "MONTHLY" : "HOURLY",
    subscriptionCancelledAt: service.subscriptionCancelledAt,
  });

  /** POST /services/:id/cancel: renewal off; the service runs to the end of its period. */
  const cancel = (service: FakeService): Reply => {
    if (service.status === "TERMINATED") return error(400, "Service is already terminated");
    service.subscriptionCancelledAt ??= new Date().toISOString();
    return { status: 200, body: { service: { id: service.id, label: service.label, status: service.status, subscriptionCancelledAt: service.subscriptionCancelledAt } } };
  };

  /** POST /services/:id/resume: renewal back on (ASSUMPTION: the renewal extends nextDueAt by a month). */
  const resume = (service: FakeService): Reply => {
    if (!service.subscriptionCancelledAt) return error(400, "Service is not cancelled");
    service.subscriptionCancelledAt = null;
    if (service.nextDueAt) service.nextDueAt = addMonths(service.nextDueAt, 1);
    return { status: 200, body: { ok: true } };
  };

  /** POST /services/:id/retry-provision: only for a PENDING service whose deployment failed. */
  const retryProvision = (service: FakeService): Reply => {
    if (service.status !== "PENDING") return error(400, "Only pending services can be retried");
    if (!service.provisionIssue) return error(409, "Service is still being set up — please wait");
    const order = fake.orders.find((candidate) => candidate.id === service.orderId);
    if (!order) return error(400, "Cannot retry — missing order information");
    fake.services.splice(fake.services.indexOf(service), 1);
    const replaced = provision(order, fake.retryProvisionIssue, service.label);
    if (!replaced.provisionIssue) {
      replaced.status = "ACTIVE";
      replaced.externalId = String(1000 + fake.services.length);
    }
    return { status: 200, body: { ok: true, serviceId: replaced.id, status: replaced.status } };
  };

  const listServices: Route = ({ query }) => {
    if (query.kind !== undefined && !serviceKinds.includes(query.kind)) {
      return error(400, `Invalid kind. Valid values: ${serviceKinds.join(", ")}`);
    }
    if (query.status !== undefined && !serviceStatuses.includes(query.status)) {
      return error(400, `Invalid status. Valid values: ${serviceStatuses.join(", ")}`);
    }
    advanceProvisioning();
    const all = fake.services.filter(
      (service) => (query.kind ?? service.kind) === service.kind && (query.status ?? service.status) === service.status,
    );
    const result = page(all, query);
    if ("status" in result) return result;
    return {
      status: 200,
      body: {
        services: result.items.map(summary),
        total: all.length,
        limit: result.limit,
        offset: result.offset,
        quota: { vps: { used: fake.services.length, limit: fake.vpsLimit }, billingMode: fake.billingMode },
        hourly: { billingMode: fake.billingMode, balanceCents: fake.balanceCents, hoursRemaining: null },
      },
    };
  };

  const serviceDetail = (service: FakeService): Reply => ({
    status: 200,
    body: {
      service: { ...summary(service), metadata: { vmType: "preset" }, hasProvisionIssue: service.provisionIssue },
    },
  });

  const notProvisioned = () => error(409, "Service not yet provisioned");

  const serverStatus = (service: FakeService): Reply => {
    if (!service.externalId) return notProvisioned();
    const booting = service.bootPollsLeft > 0;
    if (booting) service.bootPollsLeft -= 1;
    const state = booting ? "stopped" : service.power;
    return {
      status: 200,
      body: {
        serviceId: service.id,
        externalId: service.externalId,
        state,
        hostname: service.hostname,
        name: `vps-${service.externalId}`,
        cpuCores: 1,
        memoryMb: 1024,
        storageGb: 20,
        trafficGb: 1000,
        ipAddresses: booting
          ? []
          : [
              { address: service.ipv4, type: "ipv4" },
              { address: "2001:db8::1", type: "ipv6" },
            ],
      },
    };
  };

  const power = (service: FakeService, body: unknown): Reply => {
    if (!isRecord(body) || typeof body.action !== "string" || !powerActions.includes(body.action)) {
      return error(400, "Invalid action. Use: start | shutdown | stop | restart");
    }
    if (!service.externalId) return notProvisioned();
    service.power = body.action === "start" || body.action === "restart" ? "running" : "stopped";
    return { status: 200, body: { ok: true, action: body.action, serviceId: service.id } };
  };

  const resetPassword = (service: FakeService): Reply => {
    if (!service.externalId) return notProvisioned();
    service.passwordResets += 1;
    service.password = `Pw-${service.passwordResets}-${Math.random().toString(36).slice(2, 12)}`;
    return { status: 200, body: { ok: true, password: service.password } };
  };

  const reinstall = (service: FakeService, body: unknown): Reply => {
    if (!isRecord(body) || typeof body.operatingSystemId !== "number") return error(400, "operatingSystemId is required");
    if (!service.externalId) return notProvisioned();
    if (!fake.templates.some((template) => template.id === body.operatingSystemId)) {
      return error(502, "Upstream provider error");
    }
    service.operatingSystemId = body.operatingSystemId;
    service.hostname = typeof body.hostname === "string" ? body.hostname : null;
    return { status: 200, body: { ok: true, serviceId: service.id } };
  };

  /** PATCH /services/:id: the label, 1–200 characters after trim. */
  const relabel = (service: FakeService, body: unknown): Reply => {
    const label = isRecord(body) && typeof body.label === "string" ? body.label.trim() : "";
    if (label.length === 0 || label.length > 200) return error(400, "No valid fields to update");
    service.label = label;
    return { status: 200, body: { service: { id: service.id, label, kind: service.kind, status: service.status } } };
  };

  const serviceRoute = (request: RecordedRequest): Reply | undefined => {
    const match = /^\/services\/([^/]+)(?:\/([a-z-]+))?$/.exec(request.path);
    if (!match) return undefined;
    const service = fake.services.find((candidate) => candidate.id === decodeURIComponent(match[1]!));
    const key = `${request.method} ${match[2] ?? ""}`;
    const handlers: Record<string, (found: FakeService) => Reply> = {
      "GET ": serviceDetail,
      "GET status": serverStatus,
      "GET templates": () => ({ status: 200, body: { templates: fake.templates } }),
      "PATCH ": (found) => relabel(found, request.body),
      "POST power": (found) => power(found, request.body),
      "POST reset-password": resetPassword,
      "POST reinstall": (found) => reinstall(found, request.body),
      "GET console": (found) =>
        found.externalId
          ? {
              status: 200,
              body: {
                serviceId: found.id,
                console: { ip: "192.168.4.2", port: 5903, password: `vnc-${found.id.slice(-6)}`, wssUrl: `wss://panel.host/vnc/?token=${found.id}`, enabled: true },
              },
            }
          : notProvisioned(),
      "POST cancel": cancel,
      "POST resume": resume,
      "POST retry-provision": retryProvision,
    };
    const handler = handlers[key];
    if (!handler) return undefined;
    return service ? handler(service) : error(404, "Service not found");
  };

  // --- Dispatch -----------------------------------------------------------------------------------

  const routes: Record<string, Route> = {
    "GET /balance": balance,
    "GET /products": products,
    "GET /vm-config": vmConfig,
    "POST /promo/validate": promo,
    "POST /orders": createOrder,
    "GET /orders": listOrders,
    "GET /services": listServices,
  };

  const route = (request: RecordedRequest): Reply => {
    if (sessionToken(request.headers) !== aluyFakeToken) return error(403, "Reseller access required");
    if (request.body === invalidJson) return error(400, "Invalid JSON body");
    const handler = routes[`${request.method} ${request.path}`];
    return handler?.(request) ?? serviceRoute(request) ?? orderRoute(request) ?? error(404, "Not found");
  };

  const send = (res: ServerResponse, reply: Reply) => {
    res.writeHead(reply.status, { "content-type": "application/json" });
    res.end(JSON.stringify(reply.body));
  };

  /** Answers with a fault. `routed` is the route's own answer when the route ran first. */
  const answerWithFault = async (res: ServerResponse, fault: AluyFault, routed: Reply | undefined) => {
    switch (fault.kind) {
      case "timeout":
        return; // never answers; close() destroys the socket
      case "slow":
        await new Promise((resolve) => setTimeout(resolve, fault.ms));
        if (!res.destroyed) send(res, routed ?? error(500, "slow fault without a route"));
        return;
      case "malformed":
        res.writeHead(fault.status ?? routed?.status ?? 200, { "content-type": "application/json" });
        res.end('{"order": {"id": "clxord');
        return;
      case "html":
        res.writeHead(fault.status, { "content-type": "text/html" });
        res.end(`<!DOCTYPE html><html><body><h1>${fault.status} Bad Gateway</h1><p>cloudflare</p></body></html>`);
        return;
      case "error":
        send(res, { status: fault.status, body: fault.body });
        return;
    }
  };

  const takeFault = (request: RecordedRequest) => {
    const rule = rules.find((r) => r.left > 0 && r.method === request.method && matches(r.path, request.path));
    if (rule) rule.left -= 1;
    return rule;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    const url = new URL(req.url ?? "/", "http://fake");
    let body: unknown;
    try {
      body = text.length > 0 ? JSON.parse(text) : undefined;
    } catch {
      body = invalidJson;
    }
    const path = url.pathname.startsWith(basePath) ? url.pathname.slice(basePath.length) || "/" : url.pathname;
    const request: RecordedRequest = {
      method: req.method ?? "GET",
      path,
      query: Object.fromEntries(url.searchParams),
      headers: req.headers,
      body,
    };
    fake.requests.push(request);
    if (!url.pathname.startsWith(basePath)) return send(res, error(404, "Not found"));
    const rule = takeFault(request);
    if (!rule) return send(res, route(request));
    // "slow" always runs the route; other faults only when asked to (the effect happened, the answer is lost).
    const runsRoute = rule.afterEffect === true || rule.fault.kind === "slow";
    await answerWithFault(res, rule.fault, runsRoute ? route(request) : undefined);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) send(res, error(500, "fake crashed"));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${basePath}`;
  return fake;
}
