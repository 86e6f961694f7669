/**
 * The composition root: builds every stage of the shop once, in order, each from the ones before
 * it, and starts them. Nothing is patched after it is built: a stage that needs something built
 * later gets it when it starts (channels get their handlers, the job scheduler its runner).
 *
 *   config → Redis, text, vault → channel senders → outbox → admin alerts → stores → catalog
 *   → jobs and fulfilment → payments → admin → buyer bot → recovery and sweeps → HTTP routes
 *
 * `main.ts` runs it; tests build the same stages with fakes (a private Redis prefix, fake provider
 * and Bot API servers) and drive them end to end.
 *
 * @example
 * const app = await buildApp({ config, logger, providers });
 * await app.start();
 * // …
 * await app.stop();
 */
import type { Logger } from "pino";
import { buildAdmin, buildAdminAlerts, type AdminStage, type AdminTimings } from "../admin/stage.js";
import { adminCommandHint } from "../admin/private-hint.js";
import { Backups } from "../admin/backups.js";
import { backupDocument, backupLines, maxSentBackupBytes } from "../admin/commands/backup.js";
import { ShopBot, type PricingPorts } from "../bot/shop-bot.js";
import { SessionStore } from "../bot/session-store.js";
import type { ConsoleModule } from "../channels/console/module.js";
import type { ChannelModule } from "../channels/module.js";
import { buildChannels } from "../channels/registry.js";
import type { TelegramChannel } from "../channels/telegram/telegram-channel.js";
import type { SocketFactory } from "../channels/whatsapp/socket.js";
import type { WhatsAppModule, WhatsAppTuning } from "../channels/whatsapp/start.js";
import { CatalogService } from "../commerce/catalog-service.js";
import { DeliveryVault, parseEncryptionKey } from "../commerce/delivery-vault.js";
import { defaultFollowUpPlan, Fulfilment, type FollowUpPlan } from "../commerce/fulfilment.js";
import { OrderStore } from "../commerce/orders.js";
import { Reservations } from "../commerce/reservations.js";
import type { OwnStockProvider } from "../providers/ownstock/adapter.js";
import { ownStockModule } from "../providers/ownstock/module.js";
import { warrantyFeature } from "../providers/ownstock/warranty.js";
import { ownedServices } from "../commerce/owned-services.js";
import { Recovery } from "../commerce/recovery.js";
import { Sweeper } from "../commerce/sweeper.js";
import { Subscriptions } from "../commerce/subscriptions.js";
import { WalletRenewals } from "../commerce/renewals.js";
import type { Renewals } from "../core/buyer-feature.js";
import { Wallet } from "../commerce/wallet.js";
import { PricingSettlement } from "../commerce/pricing-settlement.js";
import { ProviderPromos } from "../commerce/provider-promos.js";
import { TierStore, tierListener } from "../commerce/tiers.js";
import { VoucherStore, voucherListener } from "../commerce/vouchers.js";
import { Referrals } from "../commerce/referrals.js";
import { referralFeature } from "../commerce/referral-feature.js";
import type { Config } from "../config.js";
import type { AdminAlerts } from "../core/alerts.js";
import { channels as channelIds, type ChannelHandlers } from "../core/inbound.js";
import type { Metrics } from "../core/metrics.js";
import { ChannelOutbox, type ChannelSender } from "../core/outbox.js";
import { consoleBuyerRefs } from "../core/buyer-ref.js";
import { Translator } from "../i18n/translator.js";
import { BullmqScheduler } from "../jobs/bullmq-scheduler.js";
import { InProcessScheduler, type JobScheduler } from "../jobs/scheduler.js";
import { BullmqDaily, InProcessDaily, parseTimeOfDay, type DailyScheduler } from "../jobs/daily.js";
import { msg } from "../core/message.js";
import { textReply } from "../core/reply.js";
import type { PaymentMethodModule } from "../payments/method.js";
import { buildPaymentOffer, type PaymentOffer } from "../payments/methods/offer.js";
import { paymentMethodModules } from "../payments/methods/registry.js";
import { PaymentService } from "../payments/payment-service.js";
import { PaymentStore } from "../payments/payment-store.js";
import { buyerFeatures, providerModules } from "../providers/registry.js";
import { keepAliveTransport } from "../providers/keep-alive-transport.js";
import type { Provider, ProviderId } from "../providers/types.js";
import { HttpServer } from "../server/http-server.js";
import { prometheusMetrics } from "../server/metrics.js";
import { registerRoutes } from "../server/routes.js";
import { ChatLock } from "../store/chat-lock.js";
import { checkRedisDurability } from "../store/durability.js";
import { connectRedis, isInMemory, newRedisClient, type Redis, type RedisTarget } from "../store/redis.js";
import { InFlight, runSteps, type ShutdownReport } from "./shutdown.js";

export interface AppOptions {
  config: Config;
  logger: Logger;
  providers: Provider[];
  /** A ready Redis client; when absent one is connected from `config.REDIS_URL`. */
  redis?: Redis;
  /**
   * BullMQ's Redis (a URL, or a target such as Sentinel) and key prefix; default from the
   * config's Redis (`REDIS_URL` or `REDIS_SENTINELS`). Without either, jobs run in-process.
   */
  bullmq?: { url: string; prefix: string } | { target: RedisTarget; prefix: string };
  followUpPlan?: FollowUpPlan;
  /** How often to expire payments and tell buyers about expired checkouts (default 10 s). */
  expirySweepMs?: number;
  /** How long an owed buyer message waits before a sweep sends it again, and between retries (default 1 min). */
  owedMessageRetryMs?: number;
  /** How long a `paid` or `pending` order may go untouched before the periodic sweep re-queues its lost job (default 2 min). */
  paidRequeueMs?: number;
  /** Replaces Baileys' socket (tests drive the real channel with a fake socket). */
  makeWhatsAppSocket?: SocketFactory;
  whatsAppTuning?: WhatsAppTuning;
  /** Telegram updates handled at once in polling mode (default: the runner settings'). */
  telegramConcurrency?: number;
  /** Port for the HTTP server; default `HTTP_PORT`; null = do not listen (most tests). */
  httpPort?: number | null;
  /** Admin timings (tests shorten bursts and gaps). */
  admin?: AdminTimings;
  /** More channel senders (tests record what the shop sends through a channel of their own). */
  senders?: ChannelSender[];
  /** Replaces the admin group as the shop's alerts (tests record alerts). */
  alerts?: AdminAlerts;
  metrics?: Metrics;
  /**
   * Wraps the handlers every channel gets (tests record what reaches the shop, or stand in for
   * the admin side; a deployment could add tracing).
   */
  wrapHandlers?: (handlers: ChannelHandlers) => ChannelHandlers;
  /** The payment method modules to build (default: the registry's); `config.paymentMethods` picks the offered ones. */
  paymentMethods?: readonly PaymentMethodModule[];
}

/** The built shop. Every field is a stage, built once. */
export interface App {
  readonly config: Config;
  readonly logger: Logger;
  readonly redis: Redis;
  readonly translator: Translator;
  readonly metrics: Metrics;
  readonly vault: DeliveryVault;
  readonly outbox: ChannelOutbox;
  /** Every channel this process has (`channels/registry.ts`), in start order. */
  readonly channels: readonly ChannelModule[];
  readonly telegram: TelegramChannel | null;
  readonly whatsapp: WhatsAppModule | null;
  readonly console: ConsoleModule | null;
  readonly alerts: AdminAlerts;
  readonly sessions: SessionStore;
  readonly orders: OrderStore;
  readonly wallet: Wallet;
  /** Price tiers, vouchers and provider promo codes (issue 17). */
  readonly pricing: PricingPorts;
  /** Referral codes, links, rewards and their reversal (issue 17). */
  readonly referrals: Referrals;
  readonly providers: ReadonlyMap<ProviderId, Provider>;
  /** The shop's own stock (`/stock`): also in `providers` as `stock`. */
  readonly stock: OwnStockProvider;
  /** Holds of own-stock units for orders awaiting payment. */
  readonly reservations: Reservations;
  readonly catalog: CatalogService;
  readonly jobs: JobScheduler;
  readonly fulfilment: Fulfilment;
  /** The owner's QRIS engine (admins' `/paid`, the callback). */
  readonly payments: PaymentService;
  /** Every payment method, built; which are offered for an item or a top-up. */
  readonly paymentMethods: PaymentOffer;
  readonly admin: AdminStage;
  readonly shop: ShopBot;
  readonly recovery: Recovery;
  readonly sweeper: Sweeper;
  /** Keeps providers' renewals in line with what subscription buyers paid (aluy VPS). */
  readonly subscriptions: Subscriptions;
  /** Perpanjang: subscription renewals paid from the wallet. */
  readonly renewals: WalletRenewals;
  readonly http: HttpServer;
  /** `/backup` and the daily backup at `BACKUP_AT`. */
  readonly backups: Backups;
  /** Daily chores at a WIB time (the backup), BullMQ job schedulers or in-process timers. */
  readonly daily: DailyScheduler;
  /** The channels' handlers: buyer messages to the shop, group messages to the admin side. */
  readonly handlers: ChannelHandlers;
  /** Loads settings and the catalog, resumes unfinished orders, starts sweeps, HTTP and the channels. */
  start(): Promise<void>;
  /** Runs the periodic chores once (tests call it instead of waiting for the timer). */
  sweep(): Promise<void>;
  /** Waits until no order of `buyer` has fulfilment work left, or `timeoutMs` passes. */
  settled(buyer: string, timeoutMs?: number): Promise<void>;
  /**
   * Graceful shutdown within `budgetMs` (default {@link shutdownBudgetMs}): stop taking updates
   * and requests, finish handlers and running jobs, send what is queued, close connections.
   * Reports the steps cut by the budget. A second call returns the first one's promise.
   */
  stop(budgetMs?: number): Promise<ShutdownReport>;
}

/** How long a graceful shutdown may take in all (SIGTERM → exit, issue 18). */
export const shutdownBudgetMs = 9_000;

/**
 * How long past the payment lifetime an unpaid QRIS order is left before the pricing sweep
 * calls it dead: the expiry chore and a gateway's last status poll get there first.
 */
const unpaidMarginMs = 10 * 60_000;

/** Builds every stage (see the module comment); connects Redis unless one is given. */
export async function buildApp(options: AppOptions): Promise<App> {
  const { config, logger } = options;
  const metrics = options.metrics ?? prometheusMetrics;
  const redis =
    options.redis ??
    (await connectRedis({
      target: config.redis,
      keyPrefix: config.REDIS_KEY_PREFIX,
      replicaWait: {
        ...config.redisWait,
        onOutcome: (outcome) => metrics.replicaWait(outcome),
        onChange: ({ degraded, ...detail }) =>
          degraded
            ? logger.warn(detail, "a money write was not acknowledged by enough Redis replicas; money writes go on without waiting until one is back")
            : logger.info(detail, "Redis replicas acknowledge money writes again"),
      },
    }));
  if (isInMemory(redis)) logger.warn("REDIS_URL is not set: using an in-memory store; everything is lost on exit");
  const translator = new Translator(config.DEFAULT_LOCALE, (key, errors) =>
    logger.warn({ key, errors: errors.map((error) => error.message) }, "a message was rendered with missing arguments"),
  );
  const vault = new DeliveryVault(config.DATA_ENCRYPTION_KEY ? parseEncryptionKey(config.DATA_ENCRYPTION_KEY) : null);

  // Channel senders come first: everything below sends through the outbox they make up.
  const channels = await buildChannels(config, {
    redis,
    translator,
    vault,
    logger,
    // Called only when the console's piped input ends, long after `recovery` below exists.
    consoleSettled: () => recovery.settled(consoleBuyerRefs.buyerRef("local")),
    ...(options.telegramConcurrency !== undefined ? { telegramConcurrency: options.telegramConcurrency } : {}),
    ...(options.makeWhatsAppSocket ? { makeWhatsAppSocket: options.makeWhatsAppSocket } : {}),
    ...(options.whatsAppTuning ? { whatsAppTuning: options.whatsAppTuning } : {}),
  });
  const outbox = new ChannelOutbox([...channels.all.map((channel) => channel.sender), ...(options.senders ?? [])]);
  const adminAlerts = buildAdminAlerts({ config, outbox, logger, ...(options.admin ? { timings: options.admin } : {}) });
  const alerts = options.alerts ?? adminAlerts.notifier;

  const sessions = new SessionStore(redis, config.SESSION_TTL_MINUTES * 60);
  // The shop's own stock is always on (its catalog is empty until the owner creates products).
  const stock = ownStockModule.build({
    redis,
    dataKey: config.DATA_ENCRYPTION_KEY ? parseEncryptionKey(config.DATA_ENCRYPTION_KEY) : null,
    alerts,
    outbox,
    logger,
    onChange: () => catalog.refreshProvider(stock.id),
  });
  const providers = new Map<ProviderId, Provider>([...options.providers, stock].map((provider) => [provider.id, provider]));
  // Units are held for the payment's lifetime (plus a minute), so a QRIS payer keeps them while paying.
  const reservations = new Reservations({ providers, holdMs: config.PAYMENT_TTL_MINUTES * 60_000 + 60_000, logger });
  // Pricing (issue 17): voucher uses are redeemed or given back, and delivered spend counted for
  // tier upgrades, by listening to order transitions.
  // A sweep chore (pricing.settlement) settles whatever a listener call lost.
  const vouchers = new VoucherStore(redis);
  const tiers = new TierStore(redis, config.priceTiers, config.tierUpgrades);
  const orders = new OrderStore(redis, [
    (order) => metrics.orderTransition(order.status),
    adminAlerts.notifier.onTransition,
    voucherListener(vouchers, logger),
    tierListener(tiers, logger),
    // Referral rewards on delivery, reversals on refund (built just below; called only later).
    (order, from) => referrals.onTransition(order, from),
    reservations.onTransition,
  ], reservations);
  const pricing: PricingPorts = {
    vouchers,
    tiers,
    promos: new ProviderPromos(redis),
    settlement: new PricingSettlement({
      redis,
      orders,
      vouchers,
      tiers,
      logger,
      // A QRIS order whose payment was never opened (a crash between) is expired once no payment could still come (issue 17 review).
      unpaid: {
        methods: new Set((options.paymentMethods ?? paymentMethodModules).filter((module) => module.awaitsOutsidePayment).map((module) => module.id)),
        afterMs: config.PAYMENT_TTL_MINUTES * 60_000 + unpaidMarginMs,
        paymentPending: async (orderId) => ((await paymentStore.get(orderId))?.status ?? "expired") !== "expired",
      },
    }),
  };
  const wallet = new Wallet(redis);
  const referrals = new Referrals({ redis, orders, wallet, logger, percent: config.REFERRAL_PERCENT, days: config.REFERRAL_DAYS });
  const catalog = new CatalogService({
    redis,
    providers,
    markup: { global: { percent: config.MARKUP_PERCENT, flat: config.MARKUP_FLAT }, providers: {}, products: {} },
    logger,
    refreshMs: config.CATALOG_REFRESH_MINUTES * 60_000,
  });

  const jobs = buildJobs(options, metrics);
  const fulfilment = new Fulfilment({
    orders,
    wallet,
    providers,
    vault,
    outbox,
    alerts,
    metrics,
    logger,
    jobs,
    plan: options.followUpPlan ?? { ...defaultFollowUpPlan, placingGraceMs: config.PLACING_GRACE_SECONDS * 1000 },
    purchaseMaxAttempts: config.PURCHASE_MAX_ATTEMPTS,
    settlement: pricing.settlement,
  });
  const renewals = new WalletRenewals({ orders, wallet, providers, logger, tierOf: (buyer) => pricing.tiers.of(buyer) });
  // QRIS gateways in QRIS_GATEWAYS order; "static" is the owner's QRIS (issue 15).
  // One keep-alive transport for every gateway's calls: a burst of notifications reuses a few
  // connections instead of opening one per status call (bench 8). Idle connections hold no process open.
  const gatewayTransport = keepAliveTransport();
  const qrisSources = config.qrisGateways.map((setup) =>
    setup.create
      ? setup.create({ logger: logger.child({ gateway: setup.id }), timeoutMs: config.QRIS_GATEWAY_TIMEOUT_MS, transport: gatewayTransport })
      : ("static" as const),
  );
  const paymentStore = new PaymentStore(redis, config.QRIS_UNIQUE_CODE_MAX, config.QRIS_MAX_OPEN_PER_BUYER);
  const payments = new PaymentService({
    store: paymentStore,
    orders,
    wallet,
    fulfilment,
    outbox,
    alerts,
    logger,
    staticQris: config.QRIS_STATIC_PAYLOAD ?? null,
    ttlMs: config.PAYMENT_TTL_MINUTES * 60_000,
    maxOpenPerBuyer: config.QRIS_MAX_OPEN_PER_BUYER,
    renewals,
    sources: qrisSources,
    feePayer: config.QRIS_FEE_PAYER,
  });
  const qrisProviders = new Set(providerModules.filter((module) => module.capabilities.providerQris).map((module) => module.id));
  const paymentMethods = buildPaymentOffer(options.paymentMethods ?? paymentMethodModules, config.paymentMethods, {
    orders,
    wallet,
    fulfilment,
    qris: payments,
    alerts,
    logger,
    sandbox: config.sandbox,
    callbackSecret: config.PAYMENT_CALLBACK_SECRET ?? null,
    providerQris: (provider) => qrisProviders.has(provider),
  });

  const backups = new Backups({
    redis,
    key: config.BACKUP_KEY ?? null,
    dir: config.BACKUP_DIR ?? null,
    keep: config.BACKUP_KEEP,
    logger: logger.child({ module: "backups" }),
    postDaily: (made) =>
      adminAlerts.group.post(
        "failed" in made
          ? [textReply(msg("admin-backup-daily-failed"))]
          : made.bytes.length > maxSentBackupBytes
            ? [textReply(msg("admin-backup-daily"), ...backupLines(made), msg("admin-backup-too-big-to-send", { mb: maxSentBackupBytes / 1024 / 1024 }))]
            : [textReply(msg("admin-backup-daily")), backupDocument(made)],
      ),
  });
  const daily = buildDaily(options);

  const admin = buildAdmin({
    config,
    logger,
    metrics,
    alerts: adminAlerts,
    services: { orders, wallet, payments, catalog, providers, vault, sessions, outbox, redis, translator, fulfilment, pricing, backups, stock },
    botUsername: () => (channels.telegram?.channel.bot.isInited() ? channels.telegram.channel.bot.botInfo.username : null),
    ...(options.admin ? { timings: options.admin } : {}),
  });
  // Perpanjang by QRIS only when the owner QRIS payment method is on.
  const renewalPort: Renewals = {
    quote: (buyer, orderId) => renewals.quote(buyer, orderId),
    renew: (buyer, orderId, months) => renewals.renew(buyer, orderId, months),
    ...(payments.enabled && config.paymentMethods.includes("qris")
      ? { payByQris: (recipient: Parameters<NonNullable<Renewals["payByQris"]>>[0], orderId: string, months: number) => payments.startRenewal(recipient, orderId, months) }
      : {}),
  };
  const shop = new ShopBot({
    sessions,
    orders,
    wallet,
    catalog,
    vault,
    outbox,
    metrics,
    logger,
    shopName: config.SHOP_NAME,
    defaultLocale: config.DEFAULT_LOCALE,
    sandbox: config.sandbox,
    paymentMethods,
    features: [
      ...buyerFeatures(options.providers, { services: ownedServices(orders), renewals: renewalPort }),
      referralFeature(
        referrals,
        {
          telegramUsername: () => (channels.telegram?.channel.bot.isInited() ? channels.telegram.channel.bot.botInfo.username : null),
          whatsappNumber: config.WHATSAPP_ENABLED ? (config.WHATSAPP_PHONE ?? null) : null,
        },
        { percent: config.REFERRAL_PERCENT, days: config.REFERRAL_DAYS },
      ),
      warrantyFeature(stock, { services: ownedServices(orders), alerts }),
    ],
    notifyWhenBack: (code, recipient) => stock.notifyWhenBack(code, recipient),
    privateCommandHint: adminCommandHint,
    pricing,
    // Several bot processes may get updates of one chat only in webhook mode.
    ...(config.TELEGRAM_MODE === "webhook" && !isInMemory(redis) ? { chatLock: new ChatLock(redis) } : {}),
    buyingPaused: () => admin.buyingPaused(),
  });
  const built: ChannelHandlers = { handle: (inbound) => shop.handle(inbound), handleGroup: (inbound) => admin.handleGroup(inbound) };
  const wrapped = options.wrapHandlers ? options.wrapHandlers(built) : built;
  // Counted, so a shutdown waits for handlers still running before it closes what they use.
  const busy = new InFlight();
  const handlers: ChannelHandlers = {
    handle: (inbound) => busy.track(() => wrapped.handle(inbound)),
    handleGroup: (inbound) => busy.track(() => wrapped.handleGroup(inbound)),
  };

  const recovery = new Recovery({
    orders,
    wallet,
    fulfilment,
    redis,
    logger,
    settlePayments: (active) => paymentMethods.resume(active),
    ...(options.owedMessageRetryMs !== undefined ? { owedMessageRetryMs: options.owedMessageRetryMs } : {}),
    // A paid order untouched for the placing grace (or 2 min, whichever is shorter) has lost its job.
    ...(options.paidRequeueMs !== undefined ? { paidRequeueMs: options.paidRequeueMs } : {}),
  });
  const subscriptions = new Subscriptions({ orders, providers, redis, logger, outbox });
  const sweeper = new Sweeper({
    everyMs: options.expirySweepMs ?? 10_000,
    logger,
    chores: [
      ...paymentMethods.chores,
      { name: "tell expired checkouts", run: () => shop.notifyExpiredCheckouts() },
      { name: "recover orders", run: () => recovery.sweep() },
      { name: "sync subscriptions", run: () => subscriptions.sync() },
      { name: "remind expiring subscriptions", run: () => subscriptions.remind() },
      { name: "catch up referral rewards", run: () => referrals.catchUp() },
      { name: "settle voucher uses and tier spend", run: () => pricing.settlement.sweep() },
      { name: "release stock holds", run: () => reservations.sweep(orders) },
    ],
  });

  const http = new HttpServer(logger);
  for (const route of paymentMethods.routes) http.route(route.method, route.path, route.handler);
  const telegram = channels.telegram?.channel ?? null;
  registerRoutes(http, {
    config,
    redis,
    jobs,
    orders,
    fulfilment,
    providers,
    alerts,
    channelHealth: () => Object.fromEntries(channelIds.map((id) => [id, channels.all.find((channel) => channel.id === id)?.health() ?? "off"])),
    telegramWebhook:
      telegram && config.TELEGRAM_MODE === "webhook" && config.TELEGRAM_WEBHOOK_SECRET
        ? { secret: config.TELEGRAM_WEBHOOK_SECRET, handleUpdate: (update) => telegram.handleUpdate(update) }
        : null,
  });

  const app: App = {
    config,
    logger,
    redis,
    translator,
    metrics,
    vault,
    outbox,
    channels: channels.all,
    telegram,
    whatsapp: channels.whatsapp,
    console: channels.console,
    alerts,
    sessions,
    orders,
    wallet,
    pricing,
    referrals,
    providers,
    stock,
    reservations,
    catalog,
    jobs,
    fulfilment,
    payments,
    paymentMethods,
    admin,
    shop,
    recovery,
    sweeper,
    subscriptions,
    renewals,
    http,
    backups,
    daily,
    handlers,
    start: () => startApp(app, options),
    sweep: () => sweeper.sweep(),
    settled: (buyer, timeoutMs) => recovery.settled(buyer, timeoutMs),
    stop: (budgetMs = shutdownBudgetMs) => (stopping ??= stopApp(app, busy, budgetMs)),
  };
  let stopping: Promise<ShutdownReport> | undefined;
  return app;
}

function buildJobs(options: AppOptions, metrics: Metrics): JobScheduler {
  const { config, logger } = options;
  const durable = options.bullmq ?? (config.redis ? { target: config.redis, prefix: `${config.REDIS_KEY_PREFIX}bull` } : null);
  if (!durable) return new InProcessScheduler();
  const target: RedisTarget = "target" in durable ? durable.target : { kind: "url", url: durable.url };
  return new BullmqScheduler({
    // The same target as the shop's own client: after a Sentinel failover both follow the new master.
    newConnection: () => newRedisClient(target, "jobs"),
    prefix: durable.prefix,
    logger,
    work: config.ROLE !== "bot",
    onRun: (seconds, outcome) => metrics.jobRun(outcome, seconds),
  });
}

/** Daily chores share BullMQ's Redis and prefix with fulfilment; the demo uses timers. */
function buildDaily(options: AppOptions): DailyScheduler {
  const { config, logger } = options;
  const durable = options.bullmq ?? (config.redis ? { target: config.redis, prefix: `${config.REDIS_KEY_PREFIX}bull` } : null);
  if (!durable) return new InProcessDaily(logger);
  const target: RedisTarget = "target" in durable ? durable.target : { kind: "url", url: durable.url };
  return new BullmqDaily({ newConnection: () => newRedisClient(target, "jobs"), prefix: durable.prefix, logger, work: config.ROLE !== "bot" });
}

async function startApp(app: App, options: AppOptions): Promise<void> {
  const { config, logger } = app;
  await checkRedisDurability(app.redis, logger);
  // Settings first, so the first buyer already sees the saved markup and pause.
  await app.admin.start();
  await app.catalog.init();
  app.catalog.start();
  // Channels before resuming orders: a resumed order's message to WhatsApp waits for the
  // connection, which only a started channel opens. (In webhook mode Telegram may post before the
  // HTTP server listens below; it retries a refused post.)
  for (const channel of app.channels) await channel.start(app.handlers);
  // Resume before this process runs any job: resuming re-sends messages owed by a process that
  // died, and a job of ours delivering meanwhile would be owed for a moment too, and told twice.
  await app.recovery.resume();
  app.fulfilment.startJobs();
  // Last: a gateway retrying a payment the start-up just finished gets "already processed".
  if (options.httpPort !== null) {
    const port = await app.http.listen(options.httpPort ?? config.HTTP_PORT, config.HTTP_HOST);
    logger.info({ host: config.HTTP_HOST, port }, "http server listening");
  }
  app.sweeper.start();
  if (config.BACKUP_AT && app.backups.enabled) {
    await app.daily.start([{ name: "backup", at: parseTimeOfDay(config.BACKUP_AT), run: () => app.backups.daily() }]);
  }
}

/**
 * The graceful shutdown, in order: stop taking updates (polling stops, the HTTP server answers
 * 503 to new requests) and let the handlers and requests in progress finish; stop the sweeps;
 * close the job worker, which waits for running jobs; flush the admin notices; stop the channels,
 * which sends what they have queued; close Redis. Bounded by `budgetMs` (see `shutdown.ts`).
 */
async function stopApp(app: App, busy: InFlight, budgetMs: number): Promise<ShutdownReport> {
  const report = await runSteps(
    [
      { name: "stop taking updates", run: () => stopTakingUpdates(app) },
      { name: "finish handlers", run: () => busy.idle() },
      { name: "finish http requests", run: () => app.http.idle() },
      { name: "close http", run: () => app.http.close() },
      { name: "stop sweeps", run: () => Promise.all([app.sweeper.stop(), app.catalog.stop()]).then(() => undefined) },
      { name: "finish running jobs", run: () => app.jobs.close() },
      { name: "stop the daily backup", run: () => app.daily.close() },
      { name: "finish referral rewards", run: () => app.referrals.idle() },
      { name: "send admin notices", run: () => app.admin.stop() },
      { name: "stop channels", run: () => Promise.all(app.channels.map((channel) => channel.stop())).then(() => undefined) },
    ],
    budgetMs,
    app.logger,
  );
  await closeRedis(app.redis);
  return report;
}

async function stopTakingUpdates(app: App): Promise<void> {
  app.http.drain();
  await Promise.all(app.channels.map((channel) => channel.stopReceiving?.()));
}

/** QUIT lets replies in flight arrive; a connection that is down is simply dropped. */
async function closeRedis(redis: Redis): Promise<void> {
  if (isInMemory(redis) || redis.status !== "ready") {
    redis.disconnect();
    return;
  }
  await Promise.race([redis.quit().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 500).unref())]);
  redis.disconnect();
}
