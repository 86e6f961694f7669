/**
 * Builds the shop from a config: stores, providers, catalog, fulfilment, the buyer bot and the
 * channels. `main.ts` runs it; tests build it with fakes (a private Redis prefix, fake provider
 * and Bot API servers) and drive it end to end.
 */
import type { Logger } from "pino";
import type { Config } from "./config.js";
import { Translator } from "./i18n.js";
import { Outbox } from "./bot/outbox.js";
import { ShopBot } from "./bot/shop-bot.js";
import { CatalogService } from "./commerce/catalog-service.js";
import { DeliveryVault, parseEncryptionKey } from "./commerce/delivery-vault.js";
import { Fulfilment, type AdminAlerts, type FollowUpPlan } from "./commerce/fulfilment.js";
import { OrderStore } from "./commerce/orders.js";
import { Wallet } from "./commerce/wallet.js";
import { InProcessScheduler, type JobScheduler } from "./jobs/scheduler.js";
import type { Provider, ProviderId } from "./providers/types.js";
import { connectRedis, isInMemory, type Redis } from "./store/redis.js";
import { SessionStore } from "./store/session-store.js";
import { TelegramChannel } from "./channels/telegram/telegram-channel.js";

export interface AppOptions {
  config: Config;
  logger: Logger;
  providers: Provider[];
  /** A ready Redis client; when absent one is connected from `config.REDIS_URL`. */
  redis?: Redis;
  /** Key prefix for a Redis connected here (tests use a fresh one). */
  keyPrefix?: string;
  followUpPlan?: FollowUpPlan;
  /** How often to tell buyers about expired checkouts (default 30 s). */
  expirySweepMs?: number;
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
  telegram: TelegramChannel | null = null;
  private sweepTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly options: AppOptions,
    readonly redis: Redis,
  ) {
    const { config, logger } = options;
    this.translator = new Translator(config.DEFAULT_LOCALE);
    this.sessions = new SessionStore(redis, config.SESSION_TTL_MINUTES * 60);
    this.orders = new OrderStore(redis);
    this.wallet = new Wallet(redis);
    this.vault = new DeliveryVault(config.DATA_ENCRYPTION_KEY ? parseEncryptionKey(config.DATA_ENCRYPTION_KEY) : null);
    const providers = new Map<ProviderId, Provider>(options.providers.map((provider) => [provider.id, provider]));
    this.catalog = new CatalogService({
      redis,
      providers,
      markup: { global: { percent: config.MARKUP_PERCENT, flat: config.MARKUP_FLAT }, providers: {}, products: {} },
      logger,
      refreshMs: config.CATALOG_REFRESH_MINUTES * 60_000,
    });
    const alerts: AdminAlerts = {
      alert: async (message) => logger.warn({ alert: this.translator.render(config.DEFAULT_LOCALE, message) }, "admin alert"),
    };
    this.fulfilment = new Fulfilment({
      orders: this.orders,
      wallet: this.wallet,
      providers,
      vault: this.vault,
      outbox: this.outbox,
      alerts,
      logger,
      ...(options.followUpPlan ? { plan: options.followUpPlan } : {}),
    });
    this.jobs = new InProcessScheduler((orderId) => this.fulfilment.advance(orderId));
    this.fulfilment.useScheduler(this.jobs);
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
    });
    if (config.TELEGRAM_BOT_TOKEN) {
      this.telegram = new TelegramChannel({
        token: config.TELEGRAM_BOT_TOKEN,
        apiRoot: config.TELEGRAM_API_ROOT ?? "https://api.telegram.org",
        translator: this.translator,
        logger,
        handle: (inbound) => this.shop.handle(inbound),
      });
      this.outbox.register(this.telegram);
    }
  }

  /** Connects Redis (unless given) and builds the app. */
  static async create(options: AppOptions): Promise<App> {
    const redis = options.redis ?? (await connectRedis({ url: options.config.REDIS_URL, keyPrefix: options.keyPrefix }));
    if (isInMemory(redis)) options.logger.warn("REDIS_URL is not set: using an in-memory store; everything is lost on exit");
    return new App(options, redis);
  }

  /** Loads the catalog, resumes unfinished orders, starts background work and the Telegram channel. */
  async start(): Promise<void> {
    await this.catalog.init();
    this.catalog.start();
    await this.resumeUnfinishedOrders();
    const every = this.options.expirySweepMs ?? 30_000;
    this.sweepTimer = setInterval(() => {
      this.shop.notifyExpiredCheckouts().catch((error: unknown) => this.options.logger.warn({ err: String(error) }, "expiry sweep failed"));
    }, every);
    this.sweepTimer.unref?.();
    if (this.telegram && this.options.config.TELEGRAM_MODE === "polling") await this.telegram.startPolling();
  }

  /** Queues every order that was left mid-way (by a crash or a restart). */
  async resumeUnfinishedOrders(): Promise<number> {
    const active = await this.orders.active();
    const resumable = active.filter((order) => unfinished.has(order.status));
    for (const order of resumable) await this.fulfilment.enqueue(order.id);
    if (resumable.length > 0) this.options.logger.info({ count: resumable.length }, "resumed unfinished orders");
    return resumable.length;
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
    await this.jobs.close();
    this.redis.disconnect();
  }
}
