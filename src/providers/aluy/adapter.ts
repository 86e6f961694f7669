/**
 * aluy.net reseller adapter: VPS sold per month, delivered as IP + root password.
 *
 * The contract is /work/shared/providers/aluy.txt. Things worth knowing before reading on:
 * - auth is a replayed portal session cookie; it is a secret and is scrubbed from every message;
 * - money is EUR cents and becomes rupiah at the edge (rounded up, so a resale never undercharges);
 * - POST /orders is not idempotent and provisions inline, so an order call without a clear answer
 *   is resolved by finding our refId in the order lines (we send it as `label`), never by a blind
 *   second POST;
 * - a service is "ready" only when the hypervisor reports it running with an IPv4; only then do we
 *   reset the root password, because aluy shows a password exactly once and never stores it.
 */
import { z } from "zod";
import { eurCentsToRupiah } from "../../core/money.js";
import type { Logger } from "pino";
import { ProviderError, type ProviderErrorCode } from "../errors.js";
import { HttpClient, parseBody, type HttpRequest, type HttpResponse } from "../http.js";
import { chosenOs, orderUnits, osChoicesMeta, type OsChoice } from "../inputs.js";
import type { OrderOutcome, PlaceOrderRequest, Provider, ProviderBalance, ProviderHistory, ProviderProduct, ProviderRecord, StatusRef } from "../types.js";

/** The documented base URL of the reseller API. */
export const defaultAluyBaseUrl = "https://aluy.net/api/reseller/v1";

/** The cookie name the portal issues over HTTPS; used when only the bare token is configured. */
const sessionCookieName = "__Secure-next-auth.session-token";

/** A custom VPS spec we offer on top of the preset catalog (sizes in GB / cores). */
export interface AluyCustomPlan {
  ramGb: number;
  cpuCores: number;
  ssdGb: number;
}

/** Configuration of the aluy adapter; timing and `fetch` are injectable so tests run fast. */
export interface AluyProviderOptions {
  baseUrl: string;
  /** `name=value` cookie string, or just the session token value. Secret. */
  sessionCookie: string;
  /** Rupiah per euro, for converting EUR cents. */
  eurToIdr: number;
  /**
   * Billing period sent with every order. Default "monthly": a buyer pays us once for a month,
   * so we buy a month up front. aluy's own default, "hourly", would meter our account for as long
   * as the VPS exists, an open-ended cost no one-off sale covers.
   */
  period?: AluyPeriod;
  /** Custom specs to sell in every location aluy offers; each must fit `/vm-config` limits. */
  customPlans?: readonly AluyCustomPlan[];
  /**
   * How long after a POST /orders with no clear answer fulfilment waits before it looks the
   * order up with GET /orders (default 15 s): aluy provisions inside the call, so an order we gave
   * up on may appear in the list only later. Tests shorten it.
   */
  lookupDelayMs?: number;
  logger?: Logger;
  timeoutMs?: number;
  retryDelaysMs?: readonly number[];
  fetch?: typeof fetch;
}

/** The result of checking a promo code. */
export interface AluyPromoResult {
  valid: boolean;
  discountPercent?: number;
  error?: string;
}

/** Billing periods aluy accepts for an order (`ALUY_PERIOD`). */
export const aluyPeriods = ["monthly", "hourly"] as const;
export type AluyPeriod = (typeof aluyPeriods)[number];

/** Power actions the hypervisor accepts (see "VPS management" in the contract). */
export type AluyPowerAction = "start" | "shutdown" | "stop" | "restart";

// ---------------------------------------------------------------------------------------------
// Response schemas. Fields we do not use are left out; zod drops unknown keys.

const errorBodySchema = z.object({
  error: z.string(),
  current: z.number().optional(),
  limit: z.number().optional(),
});

const catalogSchema = z.object({
  products: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      category: z.string(),
      features: z.array(z.string()).nullish(),
      /**
       * ASSUMPTION: the quick start says OS templates "ship with the catalog package" and are
       * listed by GET /products, but the endpoint's example shows no such field. When a product
       * carries `templates` (GET /services/:id/templates' shape) they are its OS choices; an
       * unreadable list is ignored (the default OS), never a failed catalog.
       */
      templates: z.unknown().optional(),
      variants: z.array(
        z.object({
          id: z.string().min(1),
          sku: z.string(),
          name: z.string(),
          priceCents: z.number().int().nonnegative(),
          displayOrder: z.number().nullish(),
        }),
      ),
    }),
  ),
});

const rangeSchema = z.object({
  minRamGb: z.number(),
  maxRamGb: z.number(),
  minCpuCores: z.number(),
  maxCpuCores: z.number(),
  minSsdGb: z.number(),
  maxSsdGb: z.number(),
});

const vmConfigSchema = z.object({
  custom: z.object({
    available: z.boolean(),
    pricing: z.object({
      ramPer1GbCents: z.number().nonnegative(),
      cpuPerCoreCents: z.number().nonnegative(),
      ssdPer10GbCents: z.number().nonnegative(),
    }),
    limits: rangeSchema,
    locations: z.array(z.object({ id: z.string().min(1), label: z.string() })),
  }),
});
type CustomConfig = z.infer<typeof vmConfigSchema>["custom"];

const balanceSchema = z.object({ balanceCents: z.number().int() });

const promoSchema = z.object({
  valid: z.boolean(),
  discountPercent: z.number().optional(),
  error: z.string().optional(),
});

const orderSchema = z.object({
  id: z.string().min(1),
  status: z.string(),
  lines: z.array(z.object({ label: z.string().nullish() })).default([]),
  createdAt: z.string().nullish(),
});
type AluyOrder = z.infer<typeof orderSchema>;

/**
 * The POST /orders answer. The document: "Always trust the billingMode / period / hourlyRateCents
 * fields in the POST /orders response — they reflect what was actually applied."
 */
const createdOrderSchema = z.object({
  order: orderSchema.extend({
    totalCents: z.number().int().nonnegative(),
    period: z.enum(aluyPeriods).nullish(),
    hourlyRateCents: z.number().int().nonnegative().nullish(),
  }),
});

const orderDetailSchema = z.object({ order: orderSchema });

const paidSchema = z.object({ ok: z.literal(true) });

const cancelledSchema = z.object({
  service: z.object({ id: z.string().min(1), subscriptionCancelledAt: z.string().nullish() }),
});

const retriedSchema = z.object({ ok: z.literal(true), serviceId: z.string().min(1), status: z.string() });

/** A page of any list endpoint, normalised to `items` so one pager serves orders and services. */
interface Page<T> {
  items: T[];
  total: number;
}

/** GET /orders: the endpoint's example lists under `orders`, the Conventions say `items`; either is read. */
const ordersPageSchema = z
  .union([
    z.object({ orders: z.array(orderSchema), total: z.number().int() }).transform((body) => ({ items: body.orders, total: body.total })),
    z.object({ items: z.array(orderSchema), total: z.number().int() }),
  ])
  .transform((body): Page<AluyOrder> => body);

/** An order as GET /orders lists it, with what reconciliation compares. */
const historyOrderSchema = z.object({
  id: z.string().min(1),
  status: z.string(),
  currency: z.string().nullish(),
  totalCents: z.number().int().nullish(),
  lines: z.array(z.object({ label: z.string().nullish() })).default([]),
  createdAt: z.string().nullish(),
});
type AluyHistoryOrder = z.infer<typeof historyOrderSchema>;

/**
 * The endpoint's example lists orders under `orders`; the document's Conventions say every list
 * answers `{ items, total, limit, offset }`. Either is read.
 */
const historyPageSchema = z
  .union([
    z.object({ orders: z.array(historyOrderSchema), total: z.number().int() }).transform((body) => ({ items: body.orders, total: body.total })),
    z.object({ items: z.array(historyOrderSchema), total: z.number().int() }),
  ])
  .transform((body): Page<AluyHistoryOrder> => body);

/** GET /orders page size for history (the documented maximum) and the most pages read. */
const historyPageSize = 100;
const historyMaxPages = 10;

/** Order status → record status: what aluy took for it (see `ProviderRecord.status`). */
const historyStatus: Readonly<Record<string, ProviderRecord["status"]>> = {
  DRAFT: "unpaid",
  PENDING_PAYMENT: "unpaid",
  PAID: "success",
  ACTIVE: "success",
  PROVISIONING: "pending",
  CANCELLED: "failed",
  REFUNDED: "failed",
};

const serviceSchema = z.object({
  id: z.string().min(1),
  status: z.string(),
  label: z.string().nullish(),
  externalId: z.string().nullish(),
  createdAt: z.string().nullish(),
  /** The paid-until date of a monthly subscription (null for hourly services). */
  nextDueAt: z.string().nullish(),
  /** Set once renewal is cancelled: the service then ends at `nextDueAt`. */
  subscriptionCancelledAt: z.string().nullish(),
});

const relabelledSchema = z.object({ service: z.object({ id: z.string().min(1), label: z.string() }) });

/**
 * How far from its order's `createdAt` a service may have been created to be that order's. The
 * document: POST /orders "provisions inline, so by the time the response arrives the service row
 * exists"; a generous margin for clocks and slow provisioning.
 */
const serviceMatchWindowMs = { before: 5_000, after: 120_000 };
type AluyService = z.infer<typeof serviceSchema>;

const servicesPageSchema = z
  .object({ services: z.array(serviceSchema), total: z.number().int() })
  .transform((body): Page<AluyService> => ({ items: body.services, total: body.total }));

const serviceDetailSchema = z.object({
  service: serviceSchema.extend({ hasProvisionIssue: z.boolean() }),
});

const serverStatusSchema = z.object({
  serviceId: z.string(),
  externalId: z.string().nullish(),
  state: z.string(),
  hostname: z.string().nullish(),
  name: z.string().nullish(),
  cpuCores: z.number().nullish(),
  memoryMb: z.number().nullish(),
  storageGb: z.number().nullish(),
  trafficGb: z.number().nullish(),
  ipAddresses: z.array(z.object({ address: z.string().min(1), type: z.string() })).default([]),
});
/** Live state of a VPS as the hypervisor reports it. */
export type AluyServerStatus = z.infer<typeof serverStatusSchema>;

const powerSchema = z.object({ ok: z.literal(true), action: z.string(), serviceId: z.string() });
/** aluy's acknowledgement of a power action. */
export type AluyPowerResult = z.infer<typeof powerSchema>;

const passwordSchema = z.object({ ok: z.literal(true), password: z.string().min(1) });

const templatesSchema = z.object({
  templates: z.array(z.object({ id: z.number().int().positive(), label: z.string() })),
});
/** An OS template a VPS can be reinstalled with. */
export type AluyTemplate = z.infer<typeof templatesSchema>["templates"][number];

const consoleSchema = z.object({
  serviceId: z.string(),
  console: z.object({
    ip: z.string().min(1),
    port: z.number().int().positive(),
    password: z.string().min(1),
    wssUrl: z.string().nullish(),
    enabled: z.boolean().nullish(),
  }),
});
/** VNC console details of a VPS (the password is a secret: shown to its buyer only). */
export type AluyConsole = z.infer<typeof consoleSchema>["console"];

const reinstallSchema = z.object({ ok: z.literal(true), serviceId: z.string() });
/** aluy's acknowledgement of a reinstall (the wipe runs in the background). */
export type AluyReinstallResult = z.infer<typeof reinstallSchema>;

/** What `listProducts` stores in `ProviderProduct.meta`, read back when ordering. */
const productMetaSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("preset"), variantId: z.string().min(1) }),
  z.object({
    kind: z.literal("custom"),
    ramGb: z.number().int().positive(),
    cpuCores: z.number().int().positive(),
    ssdGb: z.number().int().positive(),
    location: z.string().min(1),
  }),
]);

// ---------------------------------------------------------------------------------------------

const provider = "aluy";
/** Lists are newest first; an order or service we are looking for is recent, so two pages do. */
const lookupPageSize = 50;
const lookupPages = 2;
/** The wait before looking up an order whose POST /orders got no clear answer (see `lookupDelayMs`). */
export const aluyDefaultLookupDelayMs = 15_000;
const maxMessageChars = 200;
/** Hours in a month (365 × 24 / 12): an hourly order's meter over the month a buyer paid for. */
const hoursPerMonth = 730;

/**
 * HTTP status → error code, from the contract's error table. 409 ("state doesn't allow it", e.g.
 * a VPS not provisioned yet) and 429 (POSTPAID VPS quota full) are `unavailable`: nothing
 * happened, and waiting a few seconds does not fix either, which `rate_limited` would suggest;
 * they clear when the state changes or an admin raises the quota. None of the statuses in
 * {@link notRetried} is retried, by the HTTP client or by the shop.
 */
const codeByStatus: Readonly<Record<number, ProviderErrorCode>> = {
  400: "invalid_input",
  401: "auth",
  402: "insufficient_balance",
  403: "auth",
  404: "not_found",
  409: "unavailable",
  429: "unavailable",
  502: "upstream",
  503: "unavailable",
};

/**
 * Answers the document says not to retry as they are: every 4xx ("4xx errors should not be
 * retried without changes — the input is the problem"), and 503 ("a required integration is not
 * configured … Contact support"), which no delay fixes. Only other 5xx are transient (502:
 * "Retrying after a short delay is usually safe").
 */
const notRetried = (status: number) => (status >= 400 && status < 500) || status === 503;


/** A label that is one of our refIds (`WB…`, see commerce/orders.ts): that service is already an order's. */
const ourRefLabel = /^WB[A-Z0-9]{6,}$/;

/** The Cookie header for a configured value: sent as is when it names its cookie. */
function cookieHeader(configured: string): string {
  const value = configured.trim();
  return value.includes("=") ? value : `${sessionCookieName}=${value}`;
}

/** Every substring of the cookie that must never leave the adapter: the header and each value. */
function cookieSecrets(header: string): string[] {
  const values = header.split(";").map((pair) => pair.slice(pair.indexOf("=") + 1).trim());
  return [header, ...values].filter((secret) => secret.length >= 4);
}

/** A product code buyers can type: letters, digits and `-` only. */
function toCode(text: string): string {
  return text.toUpperCase().replace(/[^A-Z0-9]+/g, "-").replace(/^-|-$/g, "");
}

/** True when a plan fits the live limits of the custom pool. */
function withinLimits(plan: AluyCustomPlan, limits: CustomConfig["limits"]): boolean {
  const between = (value: number, min: number, max: number) => Number.isInteger(value) && value >= min && value <= max;
  return (
    between(plan.ramGb, limits.minRamGb, limits.maxRamGb) &&
    between(plan.cpuCores, limits.minCpuCores, limits.maxCpuCores) &&
    between(plan.ssdGb, limits.minSsdGb, limits.maxSsdGb)
  );
}

/** Monthly price of a custom spec in (possibly fractional) EUR cents, per `/vm-config` pricing. */
function customPriceCents(plan: AluyCustomPlan, pricing: CustomConfig["pricing"]): number {
  return plan.ramGb * pricing.ramPer1GbCents + plan.cpuCores * pricing.cpuPerCoreCents + (plan.ssdGb / 10) * pricing.ssdPer10GbCents;
}

/**
 * Until when the buyer paid: aluy's current period end (`nextDueAt`, one month after provisioning)
 * plus the further months bought. Null for a service without one (hourly).
 */
function paidUntilOf(nextDueAt: string | null | undefined, months: number): number | null {
  const due = nextDueAt ? Date.parse(nextDueAt) : Number.NaN;
  if (!Number.isFinite(due)) return null;
  const date = new Date(due);
  date.setUTCMonth(date.getUTCMonth() + months - 1);
  return date.getTime();
}

/** aluy's current period is the last one paid for (or the service has no period: hourly). */
function lastPeriod(nextDueAt: string | null | undefined, paidUntil: number | null): boolean {
  const due = nextDueAt ? Date.parse(nextDueAt) : Number.NaN;
  return !Number.isFinite(due) || paidUntil === null || due >= paidUntil;
}

/** Where an order found in the list stands: cancelled or refunded orders will never deliver. */
function outcomeOfOrder(order: AluyOrder): OrderOutcome {
  if (order.status === "CANCELLED" || order.status === "REFUNDED") {
    return { state: "failed", providerRef: order.id, reason: `aluy order ${order.status.toLowerCase()}` };
  }
  return { state: "pending", providerRef: order.id };
}

/** Product meta with its OS choices, when there are any. */
function withOsChoices<T extends Record<string, string | number>>(meta: T, choices: readonly OsChoice[]): T | (T & { osChoices: string }) {
  return choices.length > 0 ? { ...meta, osChoices: osChoicesMeta(choices) } : meta;
}

/** Adapter for the aluy.net reseller API (VPS). */
export class AluyProvider implements Provider {
  readonly id = "aluy" as const;
  private readonly http: HttpClient;
  private readonly secrets: string[];
  private readonly period: AluyPeriod;
  private readonly customPlans: readonly AluyCustomPlan[];
  readonly lookupDelayMs: number;

  constructor(private readonly options: AluyProviderOptions) {
    const cookie = cookieHeader(options.sessionCookie);
    this.secrets = cookieSecrets(cookie);
    this.period = options.period ?? "monthly";
    this.customPlans = options.customPlans ?? [];
    this.lookupDelayMs = options.lookupDelayMs ?? aluyDefaultLookupDelayMs;
    this.http = new HttpClient({
      provider,
      baseUrl: options.baseUrl,
      headers: { cookie },
      retryStatus: (status) => status >= 500 && !notRetried(status),
      timeoutMs: options.timeoutMs,
      retryDelaysMs: options.retryDelaysMs,
      logger: options.logger,
      fetch: options.fetch,
    });
  }

  /**
   * Preset variants plus, when configured and the custom pool is open, each custom plan in each
   * location. aluy only sells VPS to resellers (other categories are refused at order time), so
   * other catalog entries are left out. A failing `/vm-config` fails the whole listing rather
   * than returning a catalog that silently lost its custom products.
   */
  async listProducts(): Promise<ProviderProduct[]> {
    let templates: Promise<OsChoice[]> | undefined;
    const defaultTemplates = () => (templates ??= this.defaultTemplates());
    const presets = await this.presetProducts(defaultTemplates);
    if (this.customPlans.length === 0) return presets;
    return [...presets, ...(await this.customProducts(defaultTemplates))];
  }

  /** The wallet balance (EUR cents; negative on a POSTPAID account that owes). */
  async getBalance(): Promise<ProviderBalance> {
    const body = await this.call({ method: "GET", path: "/balance" }, balanceSchema);
    return { amount: body.balanceCents, currency: "EUR", idr: this.toRupiah(body.balanceCents) };
  }

  /** Checks a promo code, optionally for a variant. An unusable code is `valid: false`, not an error. */
  async validatePromo(code: string, variantId?: string): Promise<AluyPromoResult> {
    const body = await this.call({ method: "POST", path: "/promo/validate", json: { code, variantId } }, promoSchema);
    return {
      valid: body.valid,
      ...(body.discountPercent !== undefined ? { discountPercent: body.discountPercent } : {}),
      ...(body.error !== undefined ? { error: body.error } : {}),
    };
  }

  /**
   * `/promo`'s check (the {@link Provider} port): the code against the product's variant when it
   * is a preset (a custom plan has none, so aluy checks the code alone). aluy answers an unusable
   * code with `valid: false` and its reason, never a 4xx.
   */
  async checkPromo(code: string, product: ProviderProduct): Promise<{ valid: boolean; reason?: string; discountPercent?: number }> {
    const meta = productMetaSchema.safeParse(product.meta);
    const result = await this.validatePromo(code, meta.success && meta.data.kind === "preset" ? meta.data.variantId : undefined);
    return {
      valid: result.valid,
      ...(result.error !== undefined ? { reason: result.error } : {}),
      ...(result.discountPercent !== undefined ? { discountPercent: result.discountPercent } : {}),
    };
  }

  /**
   * Orders a VPS labelled with our refId, once. A 201 means the order exists and provisioning
   * started; the VPS is not usable yet, so the outcome is pending with the order id. Per the
   * contract ("if POST /orders times out, fetch GET /orders before retrying") an unclear answer is
   * thrown as outcome-unknown: fulfilment looks the label up with {@link findOrder}, after
   * `lookupDelayMs`, before it may send the POST again.
   */
  async placeOrder(request: PlaceOrderRequest): Promise<OrderOutcome> {
    const { order } = await this.call({ method: "POST", path: "/orders", json: this.orderBody(request) }, createdOrderSchema);
    // An order aluy leaves unpaid is paid from the reseller balance (POST /orders/:id/pay). A
    // refusal (402) throws: nothing was charged, so fulfilment may refund the buyer.
    if (order.status === "PENDING_PAYMENT") await this.payOrder(order.id);
    return { state: "pending", providerRef: order.id, cost: this.costOf(order) * orderUnits(request.inputs) };
  }

  /**
   * What an order costs us, from aluy's answer: a monthly order's `totalCents`; for an hourly one
   * its `hourlyRateCents` over the hours of the month sold (the meter runs while the VPS exists).
   */
  private costOf(order: z.infer<typeof createdOrderSchema>["order"]): number {
    const period = order.period ?? this.period;
    if (period === "hourly") return this.toRupiah((order.hourlyRateCents ?? 0) * hoursPerMonth);
    return this.toRupiah(order.totalCents);
  }

  /**
   * POST /orders/:id/pay from the balance. Safe to repeat: aluy answers 404 once the order is no
   * longer PENDING_PAYMENT, which means an earlier call paid it.
   */
  private async payOrder(orderId: string): Promise<void> {
    try {
      await this.call({ method: "POST", path: `/orders/${encodeURIComponent(orderId)}/pay`, json: { method: "balance" }, safe: true }, paidSchema);
    } catch (error) {
      if (error instanceof ProviderError && error.code === "not_found") return;
      throw error;
    }
  }

  /**
   * With no service for the order yet: an order aluy still holds as PENDING_PAYMENT (its payment
   * failed or never ran) is paid now; one the balance cannot pay failed, with nothing charged.
   */
  private async unpaidOrPending(orderId: string, pending: OrderOutcome): Promise<OrderOutcome> {
    let order: AluyOrder;
    try {
      ({ order } = await this.call({ method: "GET", path: `/orders/${encodeURIComponent(orderId)}` }, orderDetailSchema));
    } catch (error) {
      if (error instanceof ProviderError && error.code === "not_found") return pending;
      throw error;
    }
    if (order.status !== "PENDING_PAYMENT") return pending;
    try {
      await this.payOrder(order.id);
    } catch (error) {
      if (error instanceof ProviderError && error.code === "insufficient_balance") {
        return { state: "failed", providerRef: order.id, reason: "aluy: the reseller balance cannot pay the order; nothing was charged" };
      }
      throw error;
    }
    return pending;
  }

  /** Finds the order whose line is labelled with our refId among the newest orders; null if none. */
  async findOrder(refId: string): Promise<OrderOutcome | null> {
    const order = await this.findInPages("/orders", {}, ordersPageSchema, (item) =>
      item.lines.some((line) => line.label === refId),
    );
    return order ? outcomeOfOrder(order) : null;
  }

  /**
   * Our account's orders from GET /orders (newest first, as documented) back to `range.from`,
   * at most {@link historyMaxPages} pages. Read-only: never `getStatus`, which resets passwords.
   * Amounts are EUR cents at the configured rate; with hourly billing an order's total is 0 while
   * the meter runs, so no amount is claimed (`charged: null`). An unknown status counts as under way.
   */
  async history(range: { from: number; to: number }): Promise<ProviderHistory> {
    const records: ProviderRecord[] = [];
    for (let page = 0; page < historyMaxPages; page++) {
      const offset = page * historyPageSize;
      const body = await this.call({ method: "GET", path: "/orders", query: { limit: historyPageSize, offset } }, historyPageSchema);
      records.push(...body.items.map((order) => this.historyRecord(order)));
      const last = records.at(-1)?.at ?? null;
      if (body.items.length === 0 || offset + body.items.length >= body.total) return { records, complete: true };
      if (last !== null && last < range.from) return { records, complete: true };
    }
    return { records, complete: false };
  }

  private historyRecord(order: AluyHistoryOrder): ProviderRecord {
    const refId = order.lines.map((line) => line.label ?? "").find((label) => ourRefLabel.test(label));
    const inEuro = (order.currency ?? "EUR").toUpperCase() === "EUR";
    const at = order.createdAt ? Date.parse(order.createdAt) : Number.NaN;
    return {
      providerRef: order.id,
      ...(refId ? { refId } : {}),
      status: historyStatus[order.status.toUpperCase()] ?? "pending",
      charged: this.period === "monthly" && inEuro && order.totalCents != null ? this.toRupiah(order.totalCents) : null,
      at: Number.isFinite(at) ? at : null,
    };
  }

  /**
   * Follows the service the order created (found by its label) until the VPS runs with an IPv4,
   * then resets the root password to deliver it. The reset is NOT idempotent: every call makes a
   * new password and invalidates the one delivered before, so it happens only once the server is
   * running, and the caller must stop polling after a success (the bot does).
   */
  async getStatus(ref: StatusRef): Promise<OrderOutcome> {
    const pending: OrderOutcome = { state: "pending", providerRef: ref.providerRef };
    const service = (await this.findService(ref.refId)) ?? (await this.claimServiceOf(ref.providerRef, ref.refId));
    if (!service) return this.unpaidOrPending(ref.providerRef, pending);
    if (service.status === "TERMINATED") {
      return { state: "failed", providerRef: service.id, reason: "aluy terminated the VPS before it was delivered" };
    }
    if (service.status === "PENDING" || !service.externalId) return this.provisioningOutcome(service.id, ref.providerRef, pending);
    // Provisioned: renewal off at once when the buyer paid for one month, so the VPS ends with
    // what was paid; for more months aluy renews until the last paid month has started, and the
    // subscriptions sweep then turns renewal off (syncSubscription).
    const paidUntil = paidUntilOf(service.nextDueAt, orderUnits(ref.inputs ?? {}));
    if (!service.subscriptionCancelledAt && lastPeriod(service.nextDueAt, paidUntil)) await this.cancelRenewal(service.id);
    const status = await this.serviceStatus(service.id);
    const ipv4 = status.ipAddresses.find((address) => address.type === "ipv4")?.address;
    if (status.state !== "running" || !ipv4) return pending;
    const password = await this.resetPassword(service.id);
    return {
      state: "success",
      providerRef: service.id,
      delivery: [
        { label: "ip", value: ipv4 },
        { label: "username", value: "root" },
        { label: "password", value: password, secret: true },
        { label: "note", value: service.id },
        ...(paidUntil !== null ? [{ label: "expires" as const, value: new Date(paidUntil).toISOString() }] : []),
      ],
    };
  }

  /**
   * The one repair of a VPS that failed to deploy: POST /services/:id/retry-provision, which
   * replaces the service by a new one (fulfilment calls this at most once per order). The new
   * service is labelled with our refId, so every later look finds it. A service that has no
   * provisioning issue (any more) is not touched: its status is returned instead.
   */
  async repair(ref: StatusRef): Promise<OrderOutcome> {
    const pending: OrderOutcome = { state: "pending", providerRef: ref.providerRef };
    const found = (await this.findService(ref.refId)) ?? (await this.claimServiceOf(ref.providerRef, ref.refId));
    if (!found) return pending;
    const { service } = await this.call({ method: "GET", path: this.servicePath(found.id) }, serviceDetailSchema);
    if (!service.hasProvisionIssue || service.status !== "PENDING") return this.getStatus(ref);
    const retried = await this.call({ method: "POST", path: this.servicePath(found.id, "retry-provision") }, retriedSchema);
    this.options.logger?.warn({ provider, serviceId: found.id, newServiceId: retried.serviceId }, "aluy VPS failed to deploy; provisioning retried once");
    await this.call({ method: "PATCH", path: this.servicePath(retried.serviceId), json: { label: ref.refId } }, relabelledSchema);
    return pending;
  }

  /**
   * Turns aluy's renewal off once its current period is the last one the buyer paid for
   * (`paidUntil`); before that aluy renews the VPS monthly, so a cancelled renewal is resumed
   * when the buyer paid for more (Perpanjang). A terminated service is left as it is.
   */
  async syncSubscription(ref: { providerRef: string; paidUntil: number }): Promise<void> {
    const { service } = await this.call({ method: "GET", path: this.servicePath(ref.providerRef) }, serviceDetailSchema);
    if (service.status === "TERMINATED") return;
    const last = lastPeriod(service.nextDueAt, ref.paidUntil);
    if (!service.subscriptionCancelledAt && last) await this.cancelRenewal(service.id);
    // Renewed by the buyer (Perpanjang): aluy must renew at the end of its current period.
    if (service.subscriptionCancelledAt && !last) await this.resumeRenewal(service.id);
  }

  /** POST /services/:id/resume: renewal back on. aluy answers 400 when it was not cancelled: done. */
  async resumeRenewal(serviceId: string): Promise<void> {
    try {
      await this.call({ method: "POST", path: this.servicePath(serviceId, "resume"), safe: true }, paidSchema);
    } catch (error) {
      if (error instanceof ProviderError && error.code === "invalid_input") return;
      throw error;
    }
  }

  /**
   * POST /services/:id/cancel: no automatic renewal; the service stays active to the end of the
   * period paid. Safe to repeat (it only sets `subscriptionCancelledAt`).
   */
  async cancelRenewal(serviceId: string): Promise<void> {
    await this.call({ method: "POST", path: this.servicePath(serviceId, "cancel"), safe: true }, cancelledSchema);
  }

  /** Live state, resources and IPs of a VPS. */
  async serviceStatus(serviceId: string): Promise<AluyServerStatus> {
    return this.call({ method: "GET", path: this.servicePath(serviceId, "status") }, serverStatusSchema);
  }

  /** Runs a power action. Not retried here: a repeated restart is a second reboot. */
  async power(serviceId: string, action: AluyPowerAction): Promise<AluyPowerResult> {
    return this.call({ method: "POST", path: this.servicePath(serviceId, "power"), json: { action } }, powerSchema);
  }

  /**
   * Sets a new root password and returns it; aluy shows it this once and keeps no copy. Each call
   * replaces the previous password, so never call it to "read" the password.
   */
  async resetPassword(serviceId: string): Promise<string> {
    const body = await this.call({ method: "POST", path: this.servicePath(serviceId, "reset-password") }, passwordSchema);
    return body.password;
  }

  /** VNC console connection details (GET /services/:id/console). */
  async console(serviceId: string): Promise<AluyConsole> {
    const body = await this.call({ method: "GET", path: this.servicePath(serviceId, "console") }, consoleSchema);
    return body.console;
  }

  /** OS templates the VPS can be reinstalled with. */
  async templates(serviceId: string): Promise<AluyTemplate[]> {
    const body = await this.call({ method: "GET", path: this.servicePath(serviceId, "templates") }, templatesSchema);
    return body.templates.map(({ id, label }) => ({ id, label }));
  }

  /** Wipes the VPS and installs `operatingSystemId` (destructive: all data on it is lost). */
  async reinstall(serviceId: string, operatingSystemId: number, hostname?: string): Promise<AluyReinstallResult> {
    const json = { operatingSystemId, ...(hostname !== undefined ? { hostname } : {}) };
    return this.call({ method: "POST", path: this.servicePath(serviceId, "reinstall"), json }, reinstallSchema);
  }

  // -------------------------------------------------------------------------------------------

  private async presetProducts(defaultTemplates: () => Promise<OsChoice[]>): Promise<ProviderProduct[]> {
    const body = await this.call({ method: "GET", path: "/products" }, catalogSchema);
    const vps = body.products.filter((product) => product.category.toUpperCase() === "VPS");
    const listed = vps.map((product) => templatesSchema.shape.templates.safeParse(product.templates));
    // Without a list on the catalog, the documented one: GET /services/:id/templates.
    const fallback = listed.some((list) => list.success) ? [] : await defaultTemplates();
    return vps
      .flatMap((product, index) =>
        [...product.variants]
          .sort((a, b) => (a.displayOrder ?? 0) - (b.displayOrder ?? 0))
          .map(
            (variant): ProviderProduct => ({
              provider,
              sku: variant.id,
              code: toCode(variant.sku),
              category: "vps",
              group: product.name,
              name: `${product.name} ${variant.name}`,
              ...(product.features?.length ? { description: product.features.join(", ") } : {}),
              basePrice: this.toRupiah(variant.priceCents),
              stock: null,
              input: "months",
              delivery: "vps",
              meta: withOsChoices({ kind: "preset", variantId: variant.id }, listed[index]?.data ?? fallback),
            }),
          ),
      );
  }

  private async customProducts(defaultTemplates: () => Promise<OsChoice[]>): Promise<ProviderProduct[]> {
    const { custom } = await this.call({ method: "GET", path: "/vm-config" }, vmConfigSchema);
    if (!custom.available) return [];
    const plans = this.customPlans.filter((plan) => {
      const fits = withinLimits(plan, custom.limits);
      if (!fits) this.options.logger?.warn({ provider, plan }, "aluy custom plan is outside the live limits; not listed");
      return fits;
    });
    const templates = plans.length > 0 ? await defaultTemplates() : [];
    return plans.flatMap((plan) => custom.locations.map((location) => this.customProduct(plan, location, custom.pricing, templates)));
  }

  /**
   * The OS templates to offer before an order. The document: GET /services/:id/templates "returns
   * the package's default template list even when the service has no externalId yet — useful for
   * choosing an OS before placing an order"; it needs a service, so our newest VPS service is
   * asked. No service, or any error: no list (the checkout skips the step and aluy installs its
   * default OS); the catalog never fails over it.
   */
  private async defaultTemplates(): Promise<OsChoice[]> {
    try {
      const services = await this.call({ method: "GET", path: "/services", query: { kind: "VPS", limit: 1, offset: 0 } }, servicesPageSchema);
      const service = services.items[0];
      if (!service) return [];
      return await this.templates(service.id);
    } catch (error) {
      this.options.logger?.warn({ provider, err: error }, "aluy OS templates could not be read; the default OS is used");
      return [];
    }
  }

  private customProduct(
    plan: AluyCustomPlan,
    location: CustomConfig["locations"][number],
    pricing: CustomConfig["pricing"],
    templates: readonly OsChoice[],
  ): ProviderProduct {
    const spec = `${plan.cpuCores} vCPU, ${plan.ramGb} GB RAM, ${plan.ssdGb} GB SSD`;
    return {
      provider,
      sku: `custom-${plan.ramGb}g-${plan.cpuCores}c-${plan.ssdGb}g-${location.id}`,
      code: toCode(`VPS-${plan.ramGb}G-${plan.cpuCores}C-${plan.ssdGb}G-${location.id}`),
      category: "vps",
      group: "Custom VPS",
      name: `Custom VPS ${spec} (${location.label})`,
      description: `${spec}, ${location.label}`,
      basePrice: this.toRupiah(customPriceCents(plan, pricing)),
      stock: null,
      input: "months",
      delivery: "vps",
      meta: withOsChoices(
        { kind: "custom", ramGb: plan.ramGb, cpuCores: plan.cpuCores, ssdGb: plan.ssdGb, location: location.id },
        templates,
      ),
    };
  }

  /** The POST /orders body: exactly one of the two documented paths, labelled with our refId. */
  private orderBody(request: PlaceOrderRequest): Record<string, string | number> {
    const meta = productMetaSchema.safeParse(request.product.meta);
    if (!meta.success) {
      throw new ProviderError("invalid_input", `aluy: product ${request.product.sku} carries no aluy order data`, { provider });
    }
    const os = chosenOs(request.inputs, request.product.meta);
    if (os === "invalid") {
      throw new ProviderError("invalid_input", `aluy: the OS chosen for ${request.refId} is not one of the product's templates`, { provider });
    }
    const common = {
      label: request.refId,
      period: this.period,
      ...(os ? { operatingSystemId: os.id } : {}),
      ...(request.promoCode ? { promoCode: request.promoCode } : {}),
    };
    if (meta.data.kind === "preset") return { variantId: meta.data.variantId, ...common };
    const { ramGb, cpuCores, ssdGb, location } = meta.data;
    return { type: "vm-custom", ramGb, cpuCores, ssdGb, location, ...common };
  }

  /**
   * The document never says an order's label is copied onto the service it creates, so when no
   * service carries our refId, the service is matched to the order by time: only when our order
   * is the one order aluy took around then, and exactly one VPS not labelled by us was created in
   * that window. It is then labelled with our refId (PATCH /services/:id), so every later look
   * finds it by label. Anything less certain stays pending (an admin resolves it): guessing would
   * reset the root password of somebody else's VPS.
   */
  private async claimServiceOf(orderId: string, refId: string): Promise<AluyService | null> {
    const orders = await this.call({ method: "GET", path: "/orders", query: { limit: lookupPageSize, offset: 0 } }, ordersPageSchema);
    const ours = orders.items.find((order) => order.id === orderId);
    const at = ours?.createdAt ? Date.parse(ours.createdAt) : Number.NaN;
    if (!Number.isFinite(at)) return null;
    const near = (createdAt: string | null | undefined) => {
      const time = createdAt ? Date.parse(createdAt) : Number.NaN;
      return time >= at - serviceMatchWindowMs.before && time <= at + serviceMatchWindowMs.after;
    };
    if (orders.items.filter((order) => near(order.createdAt)).length !== 1) return null;
    const services = await this.call(
      { method: "GET", path: "/services", query: { kind: "VPS", limit: lookupPageSize, offset: 0 } },
      servicesPageSchema,
    );
    const candidates = services.items.filter((service) => near(service.createdAt) && !ourRefLabel.test(service.label ?? ""));
    if (candidates.length !== 1) return null;
    const service = candidates[0]!;
    await this.call({ method: "PATCH", path: this.servicePath(service.id), json: { label: refId } }, relabelledSchema);
    this.options.logger?.info({ provider, orderId, serviceId: service.id }, "aluy service matched to its order by time and labelled with our refId");
    return { ...service, label: refId };
  }

  private findService(refId: string): Promise<AluyService | null> {
    return this.findInPages("/services", { kind: "VPS" }, servicesPageSchema, (service) => service.label === refId);
  }

  /**
   * A service still provisioning is pending, unless aluy flags a failed deployment. aluy holds the
   * charge for it, so it is `stuck`, never failed (a failure would refund the buyer): fulfilment
   * asks {@link repair} once (retry-provision), then an admin. Not done here on a poll.
   */
  private async provisioningOutcome(serviceId: string, orderRef: string, pending: OrderOutcome): Promise<OrderOutcome> {
    const { service } = await this.call({ method: "GET", path: this.servicePath(serviceId) }, serviceDetailSchema);
    if (!service.hasProvisionIssue) return pending;
    this.options.logger?.warn({ provider, serviceId }, "aluy reports a provisioning issue");
    return { state: "stuck", providerRef: orderRef, reason: `aluy could not provision VPS ${service.id}` };
  }

  /** Walks a newest-first list a couple of pages deep for the first item that matches. */
  private async findInPages<T>(
    path: string,
    query: Record<string, string>,
    schema: z.ZodType<Page<T>>,
    matches: (item: T) => boolean,
  ): Promise<T | null> {
    for (let page = 0; page < lookupPages; page++) {
      const offset = page * lookupPageSize;
      const body = await this.call({ method: "GET", path, query: { ...query, limit: lookupPageSize, offset } }, schema);
      const found = body.items.find(matches);
      if (found) return found;
      if (body.items.length < lookupPageSize || offset + body.items.length >= body.total) return null;
    }
    return null;
  }

  private servicePath(serviceId: string, action?: string): string {
    const base = `/services/${encodeURIComponent(serviceId)}`;
    return action ? `${base}/${action}` : base;
  }

  private toRupiah(cents: number): number {
    return eurCentsToRupiah(cents, this.options.eurToIdr);
  }

  /** Sends a request; a 2xx body is parsed with `schema`, anything else becomes a ProviderError. */
  private async call<T>(request: HttpRequest, schema: z.ZodType<T>): Promise<T> {
    const response = await this.http.send(request);
    if (response.status >= 200 && response.status < 300) return parseBody(provider, response, schema);
    throw this.errorFor(request, response);
  }

  /**
   * Maps an error answer by status (the contract: "switch on the status code, not the message").
   * A 5xx without aluy's JSON error body is an error page from something in front of aluy, which
   * may have forwarded the request: that is `upstream` (outcome unknown), even for a 503.
   */
  private errorFor(request: HttpRequest, response: HttpResponse): ProviderError {
    const parsed = errorBodySchema.safeParse(response.json);
    const where = `aluy: ${request.method} ${request.path} → HTTP ${response.status}`;
    if (!parsed.success) {
      const details = { provider, status: response.status, ...(response.status < 500 ? { noRetry: true } : {}) };
      const code = response.status >= 500 ? "upstream" : (codeByStatus[response.status] ?? "malformed");
      return new ProviderError(code, `${where} without an error body`, details);
    }
    const details = { provider, status: response.status, ...(notRetried(response.status) ? { noRetry: true } : {}) };
    const code = codeByStatus[response.status] ?? (response.status >= 500 ? "upstream" : "malformed");
    const { current, limit } = parsed.data;
    const quota = current !== undefined && limit !== undefined ? ` (VPS quota: ${current} of ${limit} in use)` : "";
    return new ProviderError(code, `${where}: ${this.scrub(parsed.data.error)}${quota}`, details);
  }

  /** Removes the session cookie from provider text and caps its length, so messages are safe to log. */
  private scrub(text: string): string {
    const clean = this.secrets.reduce((result, secret) => result.split(secret).join("[redacted]"), text);
    return clean.length > maxMessageChars ? `${clean.slice(0, maxMessageChars)}…` : clean;
  }
}
