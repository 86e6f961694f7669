/**
 * The admin side as two stages of the composition root.
 *
 * {@link buildAdminAlerts} comes early: the admin group (paced posts) and the notifier that
 * collects alerts and order changes into bursts. Everything below the edges tells the staff
 * through it (the `AdminAlerts` port), so it exists before the services that alert.
 *
 * {@link buildAdmin} comes once the services exist: saved settings (markup, hidden products, the
 * maintenance pause), admin commands, broadcasts and the provider watch. Every process builds it
 * (workers report the order changes they make), but the periodic provider watch runs only
 * outside workers: with N processes it would otherwise poll every balance N times.
 *
 * @example
 * const alerts = buildAdminAlerts({ config, outbox, logger });
 * const admin = buildAdmin({ config, logger, services, notifier: alerts.notifier, group: alerts.group, ... });
 * await admin.start(); // loads settings before the first buyer is served
 */
import type { Logger } from "pino";
import type { CatalogService } from "../commerce/catalog-service.js";
import type { Fulfilment } from "../commerce/fulfilment.js";
import type { Metrics } from "../core/metrics.js";
import type { Outbox } from "../core/outbox.js";
import { chatKey, type Answer, type Inbound } from "../core/inbound.js";
import { ChatQueue } from "../bot/chat-queue.js";
import type { Rupiah } from "../core/money.js";
import type { ProcessRole } from "../core/role.js";
import { AdminAccess, adminAccessConfig, type AdminChatsConfig } from "./access.js";
import { AdminBot } from "./admin-bot.js";
import { AdminGroup, adminGroupTargets } from "./admin-group.js";
import { AdminNotifier } from "./admin-notifier.js";
import { AuditLog } from "./audit-log.js";
import { Broadcaster, defaultTelegramBroadcastPerSecond } from "./broadcast.js";
import type { AdminCommand } from "./commands/command.js";
import type { AdminServices } from "./commands/context.js";
import { ForeignRefusals } from "./foreign-refusals.js";
import { AdminOperations } from "./operations.js";
import { ProviderWatch } from "./provider-watch.js";
import { AdminSettings } from "./settings.js";

/** Timings and rates (the defaults suit production, tests shrink them), and the commands answered. */
export interface AdminTimings {
  /** The admin commands answered (default: the registry, `commands/registry.ts`). */
  commands?: readonly AdminCommand[];
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
}

/** The admin group and the notifier that posts to it in bursts. */
export interface AdminAlertsStage {
  readonly group: AdminGroup;
  readonly notifier: AdminNotifier;
}

/** Builds the admin group and its notifier (the shop's `AdminAlerts`). */
export function buildAdminAlerts(deps: { config: AdminChatsConfig; outbox: Outbox; logger: Logger; timings?: AdminTimings }): AdminAlertsStage {
  const { timings = {} } = deps;
  const logger = deps.logger.child({ module: "admin" });
  const group = new AdminGroup({
    outbox: deps.outbox,
    targets: adminGroupTargets(deps.config),
    logger,
    ...(timings.groupMinGapMs !== undefined ? { minGapMs: timings.groupMinGapMs } : {}),
  });
  const notifier = new AdminNotifier({ group, logger, ...(timings.burstMs !== undefined ? { burstMs: timings.burstMs } : {}) });
  return { group, notifier };
}

/** What the admin stage needs from the stages before it. */
export interface AdminStageDeps {
  config: AdminChatsConfig & { MARKUP_PERCENT: number; MARKUP_FLAT: Rupiah; LOW_BALANCE_IDR: Rupiah; ROLE: ProcessRole };
  logger: Logger;
  metrics: Metrics;
  alerts: AdminAlertsStage;
  /** The shop's services the commands use (settings, audit, watch and broadcaster are made here). */
  services: Omit<AdminServices, "catalog" | "settings" | "operations" | "audit" | "watch" | "broadcaster" | "lowBalance" | "logger"> & {
    catalog: CatalogService;
    fulfilment: Fulfilment;
  };
  /** The bot's own @username on Telegram, once known. */
  botUsername: () => string | null;
  timings?: AdminTimings;
}

/** The running admin side. */
export interface AdminStage {
  readonly broadcaster: Broadcaster;
  readonly notifier: AdminNotifier;
  readonly settings: AdminSettings;
  /** Answers a group message (admin commands); null when it is not ours to answer. */
  handleGroup(inbound: Inbound): Promise<Answer | null>;
  /** The owner's message while buying is paused, or null. */
  buyingPaused(): string | null;
  /** Loads the saved settings, then starts the reload timer and (outside workers) the provider watch. */
  start(): Promise<void>;
  /** Stops timers and a running broadcast, and sends the notifications still queued. */
  stop(): Promise<void>;
}

/** Builds the admin side (see the module comment). */
export function buildAdmin(deps: AdminStageDeps): AdminStage {
  const { config, timings = {}, services } = deps;
  const logger = deps.logger.child({ module: "admin" });
  const locale = config.DEFAULT_LOCALE;
  const { group, notifier } = deps.alerts;

  const audit = new AuditLog(services.redis);
  const settings = new AdminSettings({
    redis: services.redis,
    catalog: services.catalog,
    defaultGlobal: { percent: config.MARKUP_PERCENT, flat: config.MARKUP_FLAT },
    logger,
  });
  const watch = new ProviderWatch({
    catalog: services.catalog,
    providers: services.providers,
    notify: (line) => notifier.notify(line),
    lowBalance: config.LOW_BALANCE_IDR,
    logger,
    ...(timings.healthEveryMs !== undefined ? { healthEveryMs: timings.healthEveryMs } : {}),
    ...(timings.balanceEveryMs !== undefined ? { balanceEveryMs: timings.balanceEveryMs } : {}),
  });
  const broadcaster = new Broadcaster({
    redis: services.redis,
    outbox: services.outbox,
    group,
    audit,
    logger,
    locale,
    // The WhatsApp channel paces every send itself (WHATSAPP_SEND_PER_SECOND, with jitter): its
    // lane only bounds how many wait at once.
    perSecond: { telegram: timings.telegramBroadcastPerSecond ?? defaultTelegramBroadcastPerSecond, whatsapp: Number.POSITIVE_INFINITY },
    ...(timings.broadcastProgressEveryMs !== undefined ? { progressEveryMs: timings.broadcastProgressEveryMs } : {}),
  });
  const operations = new AdminOperations({ orders: services.orders, wallet: services.wallet, fulfilment: services.fulfilment });

  const load = () => settings.load().catch((error: unknown) => logger.error({ err: error }, "could not load admin settings"));
  // Commands wait for the first load, so they never act on default settings.
  let settingsLoaded = () => {};
  const ready = new Promise<void>((resolve) => (settingsLoaded = resolve));
  const groupQueue = new ChatQueue();
  const bot = new AdminBot({
    access: new AdminAccess(adminAccessConfig(config)),
    services: { ...services, settings, operations, audit, watch, broadcaster, lowBalance: config.LOW_BALANCE_IDR, logger },
    audit,
    foreignRefusals: new ForeignRefusals(services.redis, deps.metrics),
    locale,
    logger,
    botUsername: deps.botUsername,
    ready,
    ...(timings.commands ? { commands: timings.commands } : {}),
  });

  let reload: NodeJS.Timeout | undefined;
  return {
    broadcaster,
    notifier,
    settings,
    // One group's commands in order, as ShopBot does for a buyer's chat: the channels only hand
    // messages over in arrival order (see the table in channels/module.ts).
    handleGroup: (inbound) => groupQueue.run(chatKey(inbound), () => bot.handle(inbound)),
    buyingPaused: () => settings.buyingPaused(),
    async start() {
      await load();
      settingsLoaded();
      if (config.ROLE !== "worker") watch.start();
      reload = setInterval(() => void load(), timings.settingsReloadMs ?? 60_000);
      reload.unref?.();
    },
    async stop() {
      if (reload) clearInterval(reload);
      watch.stop();
      await broadcaster.stop();
      await notifier.stop();
    },
  };
}
