/**
 * Wires the admin side into a built {@link App}: the group handler (admin commands), the admin
 * alerts (to the admin group, in bursts), the maintenance pause, order notifications, provider
 * health and balance checks, and the saved settings (markup, hidden products, maintenance).
 *
 * Every process attaches it (workers report the order changes they make, and raise alerts), but
 * the periodic provider watch runs only outside workers (ROLE all or bot): with N processes it
 * would otherwise poll every balance N times and post each "provider down" line N times.
 *
 * Call it before `app.start()` and await `ready`, so the first buyer already sees the saved
 * markup and pause; call `stop()` before `app.stop()` (it still needs Redis and the channels).
 */
import type { App } from "../app.js";
import { AdminAccess, adminAccessConfig } from "./access.js";
import { AdminBot } from "./admin-bot.js";
import { AdminGroup, adminGroupTargets } from "./admin-group.js";
import { AdminNotifier } from "./admin-notifier.js";
import { AuditLog } from "./audit-log.js";
import { Broadcaster, defaultTelegramBroadcastPerSecond } from "./broadcast.js";
import type { AdminCommand } from "./commands/command.js";
import { ForeignRefusals } from "./foreign-refusals.js";
import { AdminOperations } from "./operations.js";
import { ProviderWatch } from "./provider-watch.js";
import { AdminSettings } from "./settings.js";

/** Timings and rates; the defaults suit production, tests shrink them. */
export interface AttachAdminOptions {
  /** How long notifications are collected into one message (default 2 s). */
  burstMs?: number;
  /** Least time between two posts to the admin group (default 3 s: Telegram's 20 a minute per group). */
  groupMinGapMs?: number;
  /** How often provider health is compared (default 30 s). */
  healthEveryMs?: number;
  /** How often reseller balances are checked (default 10 min). */
  balanceEveryMs?: number;
  /** How often settings are re-read, to pick up changes made by another process (default 1 min). */
  settingsReloadMs?: number;
  /** Broadcast messages per second on Telegram (default {@link defaultTelegramBroadcastPerSecond}). */
  telegramBroadcastPerSecond?: number;
  /** How often broadcast progress is posted (default 10 s). */
  broadcastProgressEveryMs?: number;
  /** The admin commands answered (default: the registry, `commands/registry.ts`). */
  commands?: readonly AdminCommand[];
}

/** The attached admin side. */
export interface AdminHandle {
  /** Settles once the saved settings were loaded (or loading failed and was logged). */
  readonly ready: Promise<void>;
  readonly broadcaster: Broadcaster;
  readonly notifier: AdminNotifier;
  /** Detaches: stops timers and a running broadcast, and sends the notifications still queued. */
  stop(): Promise<void>;
}

/** Attaches the admin side to `app` (see the module comment for when to call it). */
export function attachAdmin(app: App, options: AttachAdminOptions = {}): AdminHandle {
  const { config } = app.options;
  const logger = app.options.logger.child({ module: "admin" });
  const locale = config.DEFAULT_LOCALE;

  const group = new AdminGroup({
    outbox: app.outbox,
    targets: adminGroupTargets(config),
    logger,
    ...(options.groupMinGapMs !== undefined ? { minGapMs: options.groupMinGapMs } : {}),
  });
  const notifier = new AdminNotifier({ group, logger, ...(options.burstMs !== undefined ? { burstMs: options.burstMs } : {}) });
  const audit = new AuditLog(app.redis);
  const settings = new AdminSettings({ redis: app.redis, catalog: app.catalog, defaultGlobal: { percent: config.MARKUP_PERCENT, flat: config.MARKUP_FLAT }, logger });
  const watch = new ProviderWatch({
    catalog: app.catalog,
    providers: app.providers,
    notify: (line) => notifier.notify(line),
    lowBalance: config.LOW_BALANCE_IDR,
    logger,
    ...(options.healthEveryMs !== undefined ? { healthEveryMs: options.healthEveryMs } : {}),
    ...(options.balanceEveryMs !== undefined ? { balanceEveryMs: options.balanceEveryMs } : {}),
  });
  const broadcaster = new Broadcaster({
    redis: app.redis,
    outbox: app.outbox,
    group,
    audit,
    logger,
    locale,
    // The WhatsApp channel paces every send itself (WHATSAPP_SEND_PER_SECOND, with jitter): its
    // lane only bounds how many wait at once.
    perSecond: { telegram: options.telegramBroadcastPerSecond ?? defaultTelegramBroadcastPerSecond, whatsapp: Number.POSITIVE_INFINITY },
    ...(options.broadcastProgressEveryMs !== undefined ? { progressEveryMs: options.broadcastProgressEveryMs } : {}),
  });
  const operations = new AdminOperations({ orders: app.orders, wallet: app.wallet, fulfilment: app.fulfilment });

  const load = () => settings.load().catch((error: unknown) => logger.error({ err: error }, "could not load admin settings"));
  const ready = load();
  const bot = new AdminBot({
    access: new AdminAccess(adminAccessConfig(config)),
    services: {
      orders: app.orders,
      wallet: app.wallet,
      payments: app.payments,
      catalog: app.catalog,
      providers: app.providers,
      vault: app.vault,
      sessions: app.sessions,
      outbox: app.outbox,
      redis: app.redis,
      translator: app.translator,
      settings,
      operations,
      audit,
      watch,
      broadcaster,
      lowBalance: config.LOW_BALANCE_IDR,
      logger,
    },
    audit,
    foreignRefusals: new ForeignRefusals(app.redis, app.metrics),
    locale,
    logger,
    botUsername: () => (app.telegram?.bot.isInited() ? app.telegram.bot.botInfo.username : null),
    ready,
    ...(options.commands ? { commands: options.commands } : {}),
  });

  const previous = { groupHandler: app.groupHandler, alerts: app.alerts, buyingPaused: app.buyingPaused };
  const groupHandler = (inbound: Parameters<AdminBot["handle"]>[0]) => bot.handle(inbound);
  app.groupHandler = groupHandler;
  app.alerts = notifier;
  app.buyingPaused = () => settings.buyingPaused();
  // The order store has no way to unsubscribe, so a detached listener just goes quiet.
  let listening = true;
  app.orders.onTransition((order, from) => {
    if (listening) notifier.onTransition(order, from);
  });
  if (config.ROLE !== "worker") watch.start();
  const reload = setInterval(() => void load(), options.settingsReloadMs ?? 60_000);
  reload.unref?.();

  return {
    ready,
    broadcaster,
    notifier,
    async stop() {
      listening = false;
      clearInterval(reload);
      watch.stop();
      if (app.groupHandler === groupHandler) app.groupHandler = previous.groupHandler;
      if (app.alerts === notifier) app.alerts = previous.alerts;
      app.buyingPaused = previous.buyingPaused;
      await broadcaster.stop();
      await notifier.stop();
    },
  };
}
