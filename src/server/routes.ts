/**
 * The routes of the one HTTP server: provider webhooks, the Telegram webhook, health and
 * metrics (the payment callback is registered with the payments). Webhooks are hints: an order
 * only moves after the provider API confirms it, so a forged hint can at most make us look.
 */
import { z } from "zod";
import type { Update } from "grammy/types";
import type { AdminAlerts } from "../core/alerts.js";
import type { Fulfilment } from "../commerce/fulfilment.js";
import type { OrderStore } from "../commerce/orders.js";
import type { JobScheduler } from "../jobs/scheduler.js";
import type { Provider } from "../providers/types.js";
import type { Redis } from "../store/redis.js";
import type { HttpServer } from "./http-server.js";
import { msg } from "../core/message.js";
import { orderStatuses } from "../commerce/orders.js";
import { ProviderError } from "../providers/errors.js";
import { sameSecret } from "../providers/webhook-auth.js";
import { parseJsonWith } from "../core/safe-json.js";
import type { ProviderId } from "../providers/types.js";
import { fail, type RouteHandler } from "../core/http.js";
import { ordersByStatus, registry } from "./metrics.js";
import { keys } from "../store/keys.js";

const updateSchema = z.object({ update_id: z.number().int() }).passthrough();

/** What the routes answer from: the stages the composition root built before them. */
export interface RouteDeps {
  config: { METRICS_TOKEN?: string | undefined };
  redis: Redis;
  jobs: Pick<JobScheduler, "healthy">;
  orders: OrderStore;
  fulfilment: Pick<Fulfilment, "enqueue">;
  providers: ReadonlyMap<ProviderId, Provider>;
  alerts: AdminAlerts;
  /** Each channel's state for /healthz ("ok", "stopped", "off"…). */
  channelHealth: () => Record<string, string>;
  /** Telegram's webhook, when this process takes updates by webhook. */
  telegramWebhook: { secret: string; handleUpdate: (update: Update) => Promise<void> } | null;
}

/** Registers every route this process serves on `http`. */
export function registerRoutes(http: HttpServer, app: RouteDeps): void {
  const { config } = app;
  http.route("GET", "/healthz", () => health(app));
  http.route("GET", "/metrics", async ({ headers }) => {
    if (config.METRICS_TOKEN && !bearerMatches(headers.authorization, config.METRICS_TOKEN)) return fail(401, "metrics need a bearer token");
    return metrics(app);
  });

  if (app.telegramWebhook) {
    const { secret, handleUpdate } = app.telegramWebhook;
    http.route("POST", `/telegram/${secret}`, async ({ headers, rawBody }) => {
      const given = headers["x-telegram-bot-api-secret-token"];
      if (given === undefined || !sameSecret(given, secret)) return fail(401, "bad secret token");
      const update = parseJsonWith(rawBody, updateSchema);
      if (!update) return fail(400, "not a Telegram update");
      await handleUpdate(update as Update);
      return { status: 200, body: { ok: true } };
    }, "/telegram/<secret>");
  }
  for (const provider of app.providers.values()) {
    if (!provider.parseWebhook) continue;
    const base = `/webhooks/${provider.id}`;
    // Also for a provider whose secret is in the path: a request without one is refused (401, alert).
    http.route("POST", base, webhookRoute(app, provider.id, base));
    if (provider.webhookSecretIn === "path") {
      http.routePrefix("POST", `${base}/`, webhookRoute(app, provider.id, base), `${base}/<secret>`);
    }
  }
}

/** How long the admins hear of refused webhooks of one provider at most once. */
export const refusedWebhookAlertSeconds = 3_600;

/**
 * A provider webhook: authenticate, read the hint, and have fulfilment check the order now.
 * `base` is `/webhooks/<id>`; anything after `base/` is the path secret.
 */
function webhookRoute(app: RouteDeps, providerId: ProviderId, base: string): RouteHandler {
  return async ({ headers, rawBody, path }) => {
    const provider = app.providers.get(providerId)!;
    const pathSecret = path.startsWith(`${base}/`) ? path.slice(base.length + 1) : undefined;
    let hint;
    try {
      hint = provider.parseWebhook!({ headers, rawBody, ...(pathSecret !== undefined ? { pathSecret } : {}) });
    } catch (error) {
      if (error instanceof ProviderError && error.code === "auth") {
        await alertRefusedWebhook(app, providerId);
        return fail(401, "bad webhook secret");
      }
      return fail(400, "malformed webhook");
    }
    let orderId = hint.refId?.startsWith("WB")
      ? `ORD-${hint.refId.slice(2)}`
      : hint.providerRef
        ? await app.orders.findByProviderRef(providerId, hint.providerRef)
        : null;
    if (!orderId && hint.providerRef && provider.matchLostPurchase) {
      orderId = await adoptLostPurchase(app, provider, hint.providerRef);
    }
    const order = orderId ? await app.orders.get(orderId) : null;
    if (!order || order.product.provider !== providerId) return { status: 202, body: { ok: true, matched: false } };
    if (order.status === "pending" || order.status === "placing") await app.fulfilment.enqueue(order);
    return { status: 200, body: { ok: true, matched: true } };
  };
}

/**
 * A webhook naming a transaction no order knows may be the purchase whose answer was lost (an API
 * that cannot look orders up by our reference, like premzone's). The provider says, through its
 * API, which of our lost purchases it is; that order takes the reference (only while it is still
 * `placing` without one), and fulfilment then reads its state from the provider as usual.
 */
async function adoptLostPurchase(app: RouteDeps, provider: Provider, providerRef: string): Promise<string | null> {
  const lost = (await app.orders.active())
    .filter((order) => order.product.provider === provider.id && order.status === "placing" && !order.providerRef)
    .map((order) => ({ orderId: order.id, refId: order.refId, product: order.product }));
  if (lost.length === 0) return null;
  let orderId: string | null;
  try {
    orderId = await provider.matchLostPurchase!(providerRef, lost);
  } catch {
    return null; // The provider could not confirm it: the order stays with the admins.
  }
  if (!orderId) return null;
  const adopted = await app.orders.adoptProviderRef(orderId, providerRef);
  return adopted ? orderId : null;
}

/**
 * Tells the admins of a refused webhook at most once an hour per provider: a misconfigured
 * provider (or a scanner) sending hundreds must not bury the admin group. Claimed in Redis, so
 * several processes behind a load balancer alert once between them.
 */
async function alertRefusedWebhook(app: RouteDeps, providerId: ProviderId): Promise<void> {
  const first = await app.redis.set(keys.webhookRefusedAlert(providerId), String(Date.now()), "EX", refusedWebhookAlertSeconds, "NX");
  if (first === "OK") await app.alerts.alert(msg("admin-alert-bad-webhook", { provider: providerId }));
}

async function health(app: RouteDeps) {
  const checks: Record<string, string> = {};
  try {
    await app.redis.ping();
    checks.redis = "ok";
  } catch {
    checks.redis = "down";
  }
  checks.jobs = (await app.jobs.healthy()) ? "ok" : "down";
  Object.assign(checks, app.channelHealth());
  const ok = checks.redis === "ok" && checks.jobs === "ok";
  return { status: ok ? 200 : 503, body: { ok, checks } };
}

/** `Authorization: Bearer <token>` (the scheme in any case, RFC 7235), compared in constant time. */
function bearerMatches(header: string | undefined, token: string): boolean {
  const match = /^bearer +(\S+)$/i.exec(header?.trim() ?? "");
  return match !== null && sameSecret(match[1]!, token);
}

async function metrics(app: RouteDeps) {
  // When Redis cannot answer, the gauge keeps its last values rather than dropping to zero.
  const counts = await app.orders.activeStatusCounts().catch(() => null);
  if (counts) for (const status of orderStatuses) ordersByStatus.set({ status }, counts.get(status) ?? 0);
  return { status: 200, text: await registry.metrics() };
}

