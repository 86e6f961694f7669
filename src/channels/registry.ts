/**
 * Every channel the shop knows, as one list of factories: each builds its {@link ChannelModule}
 * from the config when it is enabled in this process, or returns null. The composition root
 * iterates the result for senders, start, stop and /healthz; adding a channel is one line here
 * (plus its folder).
 *
 * @example
 * const channels = await buildChannels(config, { redis, translator, vault, logger });
 * const outbox = new ChannelOutbox(channels.all.map((channel) => channel.sender));
 * for (const channel of channels.all) await channel.start(handlers);
 */
import type { Logger } from "pino";
import type { DeliveryVault } from "../commerce/delivery-vault.js";
import type { Locale } from "../core/message.js";
import type { Translator } from "../i18n/translator.js";
import type { Redis } from "../store/redis.js";
import { consoleModule, type ConsoleModule } from "./console/module.js";
import type { ChannelModule } from "./module.js";
import { telegramModule, type TelegramModule } from "./telegram/module.js";
import { whatsAppRelayModule } from "./whatsapp/relay-module.js";
import type { SocketFactory } from "./whatsapp/socket.js";
import type { WhatsAppConfig, WhatsAppModule, WhatsAppTuning } from "./whatsapp/start.js";

/** The variables the channels read, as the root config has them. */
export interface ChannelsConfig extends WhatsAppConfig {
  ROLE: "all" | "bot" | "worker";
  DEFAULT_LOCALE: Locale;
  TELEGRAM_BOT_TOKEN?: string | undefined;
  TELEGRAM_API_ROOT?: string | undefined;
  TELEGRAM_MODE: "polling" | "webhook";
  TELEGRAM_WEBHOOK_URL?: string | undefined;
  TELEGRAM_WEBHOOK_SECRET?: string | undefined;
  TELEGRAM_ADMIN_CHAT_ID?: string | undefined;
  WHATSAPP_ENABLED: boolean;
  /** True when the console chat runs (no platform configured, or CONSOLE=on). */
  console: boolean;
  /** Where the console chat writes documents it is sent (default: the system temp dir). */
  CONSOLE_FILES_DIR?: string | undefined;
}

/** What the channels get from the stages built before them, and the knobs tests turn. */
export interface ChannelsShared {
  redis: Redis;
  translator: Translator;
  vault: DeliveryVault;
  logger: Logger;
  /** Telegram updates handled at once in polling mode (default: the runner settings'). */
  telegramConcurrency?: number;
  /** Replaces Baileys' socket (tests drive the real channel with a fake socket). */
  makeWhatsAppSocket?: SocketFactory;
  whatsAppTuning?: WhatsAppTuning;
  /** Resolves when the console buyer has nothing in flight (the demo waits for it at end of input). */
  consoleSettled?: () => Promise<void>;
}

/** Builds one channel when it is enabled here; `earlier` are the channels built before it. */
type ChannelFactory = (config: ChannelsConfig, shared: ChannelsShared, earlier: readonly ChannelModule[]) => Promise<ChannelModule | null>;

/** Telegram: a worker sends deliveries through it too, but never takes updates. */
const telegram: ChannelFactory = async (config, shared) => {
  if (!config.TELEGRAM_BOT_TOKEN) return null;
  const receive =
    config.ROLE === "worker"
      ? null
      : config.TELEGRAM_MODE === "polling"
        ? ({ mode: "polling" } as const)
        : {
            mode: "webhook" as const,
            url: `${config.TELEGRAM_WEBHOOK_URL!.replace(/\/$/, "")}/telegram/${config.TELEGRAM_WEBHOOK_SECRET}`,
            secret: config.TELEGRAM_WEBHOOK_SECRET!,
          };
  return telegramModule({
    token: config.TELEGRAM_BOT_TOKEN,
    apiRoot: config.TELEGRAM_API_ROOT ?? "https://api.telegram.org",
    translator: shared.translator,
    logger: shared.logger,
    flood: { perSecond: config.CHAT_FLOOD_PER_SECOND, burst: config.CHAT_FLOOD_BURST },
    receive,
    ...(config.TELEGRAM_ADMIN_CHAT_ID ? { adminChatId: config.TELEGRAM_ADMIN_CHAT_ID } : {}),
    ...(shared.telegramConcurrency !== undefined ? { concurrency: shared.telegramConcurrency } : {}),
  });
};

/** WhatsApp: the connection in a bot process; in a worker only the relay to the process holding it. */
const whatsapp: ChannelFactory = async (config, shared, earlier) => {
  if (!config.WHATSAPP_ENABLED) return null;
  if (config.ROLE === "worker") return whatsAppRelayModule({ redis: shared.redis, vault: shared.vault, adminGroup: config.WHATSAPP_ADMIN_GROUP_JID ?? null });
  // Loaded only when WhatsApp is on: Baileys and its protobufs cost ~70 MB of memory and a
  // second of start-up that a Telegram-only shop should not pay.
  const { buildWhatsApp } = await import("./whatsapp/start.js");
  const telegramAdmins = earlier.find((channel) => channel.id === "telegram" && channel.adminGroup !== null);
  return buildWhatsApp({
    config,
    redis: shared.redis,
    translator: shared.translator,
    logger: shared.logger,
    vault: shared.vault,
    // Pairing codes and QRs go to the Telegram admin group, where an owner can act on them.
    adminNotify: async (replies) => {
      if (telegramAdmins) await telegramAdmins.sender.send(telegramAdmins.adminGroup!, replies, config.DEFAULT_LOCALE);
    },
    ...(shared.makeWhatsAppSocket ? { makeSocket: shared.makeWhatsAppSocket } : {}),
    ...(shared.whatsAppTuning ? { tuning: shared.whatsAppTuning } : {}),
  });
};

const console: ChannelFactory = async (config, shared) =>
  config.console
    ? consoleModule({
        translator: shared.translator,
        locale: config.DEFAULT_LOCALE,
        ...(config.CONSOLE_FILES_DIR ? { filesDir: config.CONSOLE_FILES_DIR } : {}),
        ...(shared.consoleSettled ? { settled: shared.consoleSettled } : {}),
      })
    : null;

/** Every channel, in the order they are built, started and stopped. */
export const channelFactories: readonly ChannelFactory[] = [telegram, whatsapp, console];

/** The enabled channels, and typed handles on those whose platform-specific parts are used. */
export interface BuiltChannels {
  readonly all: readonly ChannelModule[];
  /** For the webhook route and the bot's @username. */
  readonly telegram: TelegramModule | null;
  /** The WhatsApp connection, when this process may hold it (tests drive it). */
  readonly whatsapp: WhatsAppModule | null;
  /** The demo ends when the console chat does. */
  readonly console: ConsoleModule | null;
}

/** Builds every enabled channel (nothing connects until `start`). */
export async function buildChannels(config: ChannelsConfig, shared: ChannelsShared): Promise<BuiltChannels> {
  const all: ChannelModule[] = [];
  for (const factory of channelFactories) {
    const built = await factory(config, shared, all);
    if (built) all.push(built);
  }
  return {
    all,
    telegram: all.find((channel): channel is TelegramModule => channel.id === "telegram" && "channel" in channel) ?? null,
    whatsapp: all.find((channel): channel is WhatsAppModule => channel.id === "whatsapp" && "connection" in channel) ?? null,
    console: all.find((channel): channel is ConsoleModule => channel.id === "console" && "ended" in channel) ?? null,
  };
}
