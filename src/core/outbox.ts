/**
 * Messages the shop sends on its own (a delivery, a refund, an expired checkout), as opposed to
 * direct answers. Each channel registers how it sends; the outbox routes by channel.
 */
import type { Locale } from "./message.js";
import type { Channel } from "./inbound.js";
import type { Reply } from "./reply.js";

/** A channel's way of sending replies to a chat. */
export interface ChannelSender {
  readonly channel: Channel;
  send(chatId: string, replies: Reply[], locale: Locale): Promise<void>;
}

/** Where a message goes. */
export interface Recipient {
  channel: Channel;
  chatId: string;
  locale: Locale;
}

/** A send to a channel this process cannot reach now (not configured here, or not connected). */
export class ChannelUnavailableError extends Error {
  constructor(
    readonly channel: Channel,
    reason = "is not running",
  ) {
    super(`channel ${channel} ${reason}`);
    this.name = "ChannelUnavailableError";
  }
}

/** The outbox port: how any layer sends a message the shop starts (a delivery, a refund notice). */
export interface Outbox {
  /** Sends replies; throws when the channel is not running (the caller decides to retry or log). */
  send(to: Recipient, replies: Reply[]): Promise<void>;
}

/**
 * Routes each message to its channel's sender. Built once from every sender this process has.
 *
 * @example
 * const outbox = new ChannelOutbox([telegram, whatsApp]);
 * await outbox.send({ channel: "telegram", chatId: "42", locale: "id" }, replies);
 */
export class ChannelOutbox implements Outbox {
  private readonly senders: ReadonlyMap<Channel, ChannelSender>;

  constructor(senders: readonly ChannelSender[]) {
    this.senders = new Map(senders.map((sender) => [sender.channel, sender]));
  }

  async send(to: Recipient, replies: Reply[]): Promise<void> {
    const sender = this.senders.get(to.channel);
    if (!sender) throw new ChannelUnavailableError(to.channel);
    await sender.send(to.chatId, replies, to.locale);
  }
}
