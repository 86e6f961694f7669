/**
 * Builds the shop from a config: stores, providers, catalog, fulfilment, the buyer bot and the
 * channels. `main.ts` runs it; tests build it with fakes (a private Redis prefix, fake provider
 * and Bot API servers) and drive it end to end.
 */
import type { Logger } from "pino";
import type { Config } from "./config.js";
import { Translator, msg } from "./i18n.js";
import { paymentCallbackRoute } from "./payments/callback-route.js";
import { PaymentService } from "./payments/payment-service.js";
import { PaymentStore } from "./payments/payment-store.js";
import { HttpServer } from "./server/http-server.js";
import { jobDuration, orderTransitions } from "./server/metrics.js";
import { registerRoutes } from "./server/routes.js";
import { Outbox } from "./bot/outbox.js";
import { ShopBot } from "./bot/shop-bot.js";
import { CatalogService } from "./commerce/catalog-service.js";
import { DeliveryVault, parseEncryptionKey } from "./commerce/delivery-vault.js";
import { defaultFollowUpPlan, Fulfilment, type AdminAlerts, type FollowUpPlan } from "./commerce/fulfilment.js";
import { OrderStore, type Order } from "./commerce/orders.js";
import { Wallet } from "./commerce/wallet.js";
import { BullmqScheduler } from "./jobs/bullmq-scheduler.js";
import { InProcessScheduler, type JobScheduler } from "./jobs/scheduler.js";
import { adminCommandHint } from "./admin/private-hint.js";
import type { GroupHandler } from "./bot/inbound.js";
import type { AluyProvider } from "./providers/aluy.js";
import type { Provider, ProviderId } from "./providers/types.js";
import { keys } from "./store/keys.js";
import { connectRedis, isInMemory, type Redis } from "./store/redis.js";
import { ChatLock } from "./store/chat-lock.js";
import { SessionStore } from "./store/session-store.js";
import { TelegramChannel } from "./channels/telegram/telegram-channel.js";
import type { SocketFactory } from "./channels/whatsapp/socket.js";
import type { RunningWhatsApp } from "./channels/whatsapp/start.js";
import { drainRelay, WhatsAppRelaySender, WhatsAppSender } from "./channels/whatsapp/relay.js";

export interface AppOptions {
  config: Config;
  logger: Logger;
  providers: Provider[];
  /** A ready Redis client; when absent one is connected from `config.REDIS_URL`. */
  redis?: Redis;
  /** BullMQ's Redis and key prefix; default from `REDIS_URL`. Without either, jobs run in-process. */
  bullmq?: { url: string; prefix: string };
  followUpPlan?: FollowUpPlan;
  /** How often to expire payments and tell buyers about expired checkouts (default 10 s). */
  expirySweepMs?: number;
  /** How long an owed buyer message waits before a sweep sends it again, and between retries (default 1 min). */
  owedMessageRetryMs?: number;
  /** Replaces Baileys' socket (tests drive the real channel with a fake socket). */
  makeWhatsAppSocket?: SocketFactory;
  /** Port for the HTTP server; default `HTTP_PORT`; null = do not listen (most tests). */
  httpPort?: number | null;
}

/** Orders in these states have work left; the start-up sweep queues them again. */
const unfinished = new Set(["paid", "placing", "pending", "failed"]);


export class App {
  readonly translator: Translator;
  readonly outbox = new Outbox();
  readonly sessions: SessionStore;
  readonly orders: OrderStore;
  readonly wallet: Wallet;
  readonly catalog: CatalogService;
  readonly fulfilment: Fulfilment;
  readonly shop: ShopBot;
  readonly vault: DeliveryVault;
  readonly jobs: JobScheduler;
  readonly payments: PaymentService;
  readonly providers: ReadonlyMap<ProviderId, Provider>;
  readonly http: HttpServer;
  /** Tells the shop's staff; replaced by the admin group once it is wired. */
  alerts: AdminAlerts;
  telegram: TelegramChannel | null = null;
  whatsapp: RunningWhatsApp | null = null;
  private stopRelay: (() => void) | null = null;
  /** Answers group messages (admin commands); set by the admin module. */
  groupHandler: GroupHandler | null = null;
  /** The owner's message while buying is paused; set by the admin module. */
  buyingPaused: () => string | null = () => null;
  private sweepTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly options: AppOptions,
    readonly redis: Redis,
  ) {
    const { config, logger } = options;
    this.translator = new Translator(config.DEFAULT_LOCALE, (key, errors) =>
      logger.warn({ key, errors: errors.map((error) => error.message) }, "a message was rendered with missing arguments"),
    );
    this.sessions = new SessionStore(redis, config.SESSION_TTL_MINUTES * 60);
    this.orders = new OrderStore(redis);
    this.wallet = new Wallet(redis);
    this.vault = new DeliveryVault(config.DATA_ENCRYPTION_KEY ? parseEncryptionKey(config.DATA_ENCRYPTION_KEY) : null);
    this.providers = new Map<ProviderId, Provider>(options.providers.map((provider) => [provider.id, provider]));
    const providers = this.providers;
    this.catalog = new CatalogService({
      redis,
      providers,
      markup: { global: { percent: config.MARKUP_PERCENT, flat: config.MARKUP_FLAT }, providers: {}, products: {} },
      logger,
      refreshMs: config.CATALOG_REFRESH_MINUTES * 60_000,
    });
    this.alerts = {
      alert: async (message) => logger.warn({ alert: this.translator.render(config.DEFAULT_LOCALE, message) }, "admin alert"),
    };
    // Components call through this indirection so the admin group can take over alerts later.
    const alerts: AdminAlerts = { alert: (message, orderId) => this.alerts.alert(message, orderId) };
    this.fulfilment = new Fulfilment({
      orders: this.orders,
      wallet: this.wallet,
      providers,
      vault: this.vault,
      outbox: this.outbox,
      alerts,
      logger,
      plan: options.followUpPlan ?? { ...defaultFollowUpPlan, placingGraceMs: config.PLACING_GRACE_SECONDS * 1000 },
    });
    const run = (orderId: string) => this.fulfilment.advance(orderId);
    const deadLetter = (orderId: string, error: unknown) => this.fulfilment.deadLetter(orderId, error);
    const durable = options.bullmq ?? (config.REDIS_URL ? { url: config.REDIS_URL, prefix: `${config.REDIS_KEY_PREFIX}bull` } : null);
    this.jobs = durable
      ? new BullmqScheduler({
          redisUrl: durable.url,
          prefix: durable.prefix,
          run,
          deadLetter,
          logger,
          work: config.ROLE !== "bot",
          onRun: (seconds, outcome) => jobDuration.observe({ outcome }, seconds),
        })
      : new InProcessScheduler({ run, deadLetter });
    this.fulfilment.useScheduler(this.jobs);
    this.payments = new PaymentService({
      store: new PaymentStore(redis, config.QRIS_UNIQUE_CODE_MAX),
      orders: this.orders,
      wallet: this.wallet,
      fulfilment: this.fulfilment,
      outbox: this.outbox,
      alerts,
      logger,
      staticQris: config.QRIS_STATIC_PAYLOAD ?? null,
      ttlMs: config.PAYMENT_TTL_MINUTES * 60_000,
    });
    this.http = new HttpServer(logger);
    if (config.PAYMENT_CALLBACK_SECRET) {
      this.http.route(
        "POST",
        "/payments/callback",
        paymentCallbackRoute({
          secret: config.PAYMENT_CALLBACK_SECRET,
          payments: this.payments,
          onRejected: (reason) => alerts.alert(msg("admin-alert-bad-callback", { reason })),
        }),
      );
    }
    this.shop = new ShopBot({
      sessions: this.sessions,
      orders: this.orders,
      wallet: this.wallet,
      catalog: this.catalog,
      fulfilment: this.fulfilment,
      vault: this.vault,
      outbox: this.outbox,
      logger,
      shopName: config.SHOP_NAME,
      defaultLocale: config.DEFAULT_LOCALE,
      sandbox: config.sandbox,
      payments: this.payments,
      aluy: (providers.get("aluy") as AluyProvider | undefined) ?? null,
      privateCommandHint: adminCommandHint,
      // Several bot processes may get updates of one chat only in webhook mode.
      ...(config.TELEGRAM_MODE === "webhook" && !isInMemory(redis) ? { chatLock: new ChatLock(redis) } : {}),
      buyingPaused: () => this.buyingPaused(),
      paymentMethods: (item) =>
        config.paymentMethods.filter((method) => method !== "provider_qris" || item.provider === "alxzen"),
    });
    this.orders.onTransition((order) => orderTransitions.inc({ status: order.status }));
    // A worker process sends deliveries through Telegram too, but never polls for updates.
    if (config.TELEGRAM_BOT_TOKEN) {
      this.telegram = new TelegramChannel({
        token: config.TELEGRAM_BOT_TOKEN,
        apiRoot: config.TELEGRAM_API_ROOT ?? "https://api.telegram.org",
        translator: this.translator,
        logger,
        handle: (inbound) => this.shop.handle(inbound),
        handleGroup: async (inbound) => (this.groupHandler ? this.groupHandler(inbound) : null),
        flood: { perSecond: config.CHAT_FLOOD_PER_SECOND, burst: config.CHAT_FLOOD_BURST },
      });
      this.outbox.register(this.telegram);
    }
    // A worker hands WhatsApp messages to the process that holds the connection.
    if (config.WHATSAPP_ENABLED && config.ROLE === "worker") this.outbox.register(new WhatsAppRelaySender(redis, this.vault));
    registerRoutes(this);
  }

  /** Connects Redis (unless given) and builds the app. */
  static async create(options: AppOptions): Promise<App> {
    const redis = options.redis ?? (await connectRedis({ url: options.config.REDIS_URL, keyPrefix: options.config.REDIS_KEY_PREFIX }));
    if (isInMemory(redis)) options.logger.warn("REDIS_URL is not set: using an in-memory store; everything is lost on exit");
    return new App(options, redis);
  }

  /**
   * Paid orders and wallets live in Redis: it must keep them across restarts and never evict
   * them. Warns when `CONFIG GET` shows otherwise (managed Redis may forbid CONFIG: then silent).
   */
  async checkRedisDurability(): Promise<string[]> {
    if (isInMemory(this.redis)) return [];
    const problems: string[] = [];
    try {
      const [, appendonly] = (await this.redis.config("GET", "appendonly")) as string[];
      const [, policy] = (await this.redis.config("GET", "maxmemory-policy")) as string[];
      if (appendonly !== "yes") problems.push("appendonly is not yes: a Redis restart loses orders and wallets");
      if (policy !== "noeviction") problems.push(`maxmemory-policy is ${policy}, not noeviction: Redis may evict orders`);
    } catch {
      return [];
    }
    for (const problem of problems) this.options.logger.warn({ problem }, "Redis is not configured for durable data");
    return problems;
  }

  /** Loads the catalog, resumes unfinished orders, starts background work and the Telegram channel. */
  async start(): Promise<void> {
    await this.checkRedisDurability();
    // WhatsApp first, so its channel is registered before resumed orders send anything (a send
    // waits for the connection). One process holds it (a Redis lock); workers never do.
    if (this.options.config.WHATSAPP_ENABLED && this.options.config.ROLE !== "worker") await this.startWhatsApp();
    await this.catalog.init();
    this.catalog.start();
    await this.resumeUnfinishedOrders();
    const every = this.options.expirySweepMs ?? 10_000;
    this.sweepTimer = setInterval(() => void this.sweep(), every);
    this.sweepTimer.unref?.();
    if (this.options.httpPort !== null) {
      const port = await this.http.listen(this.options.httpPort ?? this.options.config.HTTP_PORT);
      this.options.logger.info({ port }, "http server listening");
    }
    const { config } = this.options;
    if (this.telegram && config.ROLE !== "worker") {
      if (config.TELEGRAM_MODE === "polling") await this.telegram.startPolling();
      else await this.telegram.startWebhook(`${config.TELEGRAM_WEBHOOK_URL!.replace(/\/$/, "")}/telegram/${config.TELEGRAM_WEBHOOK_SECRET}`, config.TELEGRAM_WEBHOOK_SECRET!);
    }
  }

  /**
   * Expires unpaid payments, tells buyers about expired checkouts, recovers interrupted wallet
   * payments and retries owed buyer messages.
   */
  async sweep(): Promise<void> {
    try {
      await this.payments.expireDue();
      await this.shop.notifyExpiredCheckouts();
      const active = await this.orders.active();
      await this.recoverWalletPayments(active);
      await this.retryOwedMessages(active);
    } catch (error) {
      this.options.logger.warn({ err: error instanceof Error ? error.message : String(error) }, "sweep failed");
    }
  }

  private async startWhatsApp(): Promise<void> {
    const { config, logger } = this.options;
    // Loaded only when WhatsApp is on: Baileys and its protobufs cost ~70 MB of memory and a
    // second of start-up that a Telegram-only shop should not pay.
    const { startWhatsApp } = await import("./channels/whatsapp/start.js");
    const adminChat = config.TELEGRAM_ADMIN_CHAT_ID;
    this.whatsapp = startWhatsApp({
      config,
      redis: this.redis,
      translator: this.translator,
      logger,
      handle: (inbound) => this.shop.handle(inbound),
      handleGroup: async (inbound) => (this.groupHandler ? this.groupHandler(inbound) : null),
      outbox: this.outbox,
      // Pairing codes and QRs go to the Telegram admin group, where an owner can act on them.
      adminNotify: async (replies) => {
        if (this.telegram && adminChat) await this.telegram.send(adminChat, replies, config.DEFAULT_LOCALE);
      },
      ...(this.options.makeWhatsAppSocket ? { makeSocket: this.options.makeWhatsAppSocket } : {}),
    });
    const { channel, connection } = this.whatsapp;
    // Until this process holds the connection (another replica may), its messages go through the relay.
    this.outbox.register(new WhatsAppSender(channel, new WhatsAppRelaySender(this.redis, this.vault), () => connection.state === "waiting-for-lock"));
    this.stopRelay = drainRelay({ redis: this.redis, channel, vault: this.vault, logger, isOpen: () => connection.state === "open" });
  }

  /**
   * Queues every order that was left mid-way (by a crash or a restart), under the name of its
   * current step: an order whose run is still queued is not doubled (a pending order would
   * otherwise be followed by two polling chains from then on), and a run a killed worker was in
   * the middle of is handed to another worker by BullMQ's stalled-job check within seconds.
   */
  async resumeUnfinishedOrders(): Promise<number> {
    const active = await this.orders.active();
    await this.recoverWalletPayments(active);
    const after = await this.orders.active();
    const resumable = after.filter((order) => unfinished.has(order.status));
    for (const order of resumable) await this.fulfilment.enqueue(order);
    for (const order of after) if (order.notified === false) await this.fulfilment.tellOwedMessage(order);
    if (resumable.length > 0) this.options.logger.info({ count: resumable.length }, "resumed unfinished orders");
    return resumable.length;
  }

  /**
   * A wallet order is created, debited and marked paid in three steps; a crash or a Redis outage
   * between them leaves it `awaiting_payment`. If its `pay:` ledger entry exists the money was
   * taken: the order is paid. If not, and it has waited a minute, it never will be: expired.
   */
  async recoverWalletPayments(active?: Order[]): Promise<void> {
    const orders = active ?? (await this.orders.active());
    for (const order of orders) {
      if (order.status !== "awaiting_payment" || order.payment.method !== "wallet") continue;
      if (await this.wallet.hasEntry(order.buyer, `pay:${order.id}`)) {
        const paid = await this.orders.transition(order.id, ["awaiting_payment"], "paid", (o) => ({ payment: { ...o.payment, paidAt: Date.now() } }), "recovered: wallet was debited");
        if (paid) await this.fulfilment.enqueue(paid);
      } else if (Date.now() - order.createdAt > 60_000) {
        await this.orders.transition(order.id, ["awaiting_payment"], "expired", () => ({}), "wallet was never debited");
      }
    }
  }

  /**
   * A final order whose message could not be sent (the chat platform was away) stays owed. Once
   * it is a retry period old its message is sent again, by one process per period (a claim in
   * Redis), so several sweeping processes do not all send it.
   */
  private async retryOwedMessages(active: Order[]): Promise<void> {
    const owedRetryMs = this.options.owedMessageRetryMs ?? 60_000;
    for (const order of active) {
      if (order.notified !== false || Date.now() - order.updatedAt < owedRetryMs) continue;
      if ((await this.redis.set(keys.owedMessageRetry(order.id), "1", "PX", owedRetryMs, "NX")) !== "OK") continue;
      await this.fulfilment.tellOwedMessage(order);
    }
  }

  /** Waits until no order of `buyer` has fulfilment work left, or `timeoutMs` passes. */
  async settled(buyer: string, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const open = (await this.orders.ofBuyer(buyer, 10)).some((order) => unfinished.has(order.status));
      if (!open) return;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  async stop(): Promise<void> {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.catalog.stop();
    await this.telegram?.stop();
    this.stopRelay?.();
    await this.whatsapp?.stop();
    await this.http.close();
    await this.jobs.close();
    this.redis.disconnect();
  }
}
