/**
 * Telegram as a {@link ChannelModule}: a thin adapter over {@link TelegramChannel} that knows how
 * this process takes updates (long polling, a webhook, or not at all in a worker, which only
 * sends deliveries).
 *
 * @example
 * const telegram = telegramModule({ token, apiRoot, translator, logger, receive: { mode: "polling" }, adminChatId: "-100…" });
 * const outbox = new ChannelOutbox([telegram.sender]);
 * await telegram.start(handlers);
 */
import { telegramBuyerRefs } from "../../core/buyer-ref.js";
import type { ChannelModule } from "../module.js";
import { TelegramChannel, type TelegramChannelOptions } from "./telegram-channel.js";

/** How this process takes updates: null in a process that only sends. */
export type TelegramReceive = { mode: "polling" } | { mode: "webhook"; url: string; secret: string } | null;

export interface TelegramModuleOptions extends TelegramChannelOptions {
  receive: TelegramReceive;
}

/** The Telegram module, with its channel for what only Telegram has (the webhook route, the bot's name). */
export interface TelegramModule extends ChannelModule {
  readonly id: "telegram";
  readonly channel: TelegramChannel;
}

export function telegramModule(options: TelegramModuleOptions): TelegramModule {
  const { receive, ...channelOptions } = options;
  const channel = new TelegramChannel(channelOptions);
  return {
    id: "telegram",
    channel,
    sender: channel,
    adminGroup: options.adminChatId ?? null,
    ...telegramBuyerRefs,
    start: async (handlers) => {
      if (!receive) return;
      if (receive.mode === "polling") await channel.startPolling(handlers);
      else await channel.startWebhook(receive.url, receive.secret, handlers);
    },
    stopReceiving: () => channel.stopReceiving(),
    stop: () => channel.stop(),
    health: () => (channel.running() ? "ok" : "stopped"),
  };
}
