/**
 * Posts to the admin group(s): the Telegram admin chat and, when configured, the WhatsApp admin
 * group. Each channel is tried on its own, so a channel that is down or not running (WhatsApp is
 * optional) never keeps the other from getting the message.
 *
 * Posts go out one at a time with a minimum gap: Telegram lets a bot send about 20 messages a
 * minute to one group (and one a second to any chat), and a notification burst, broadcast
 * progress and its final count can otherwise land within the same second.
 */
import type { Logger } from "pino";
import type { Locale } from "../core/message.js";
import type { AdminChatsConfig } from "./access.js";
import type { Outbox, Recipient } from "../core/outbox.js";
import type { Reply } from "../core/reply.js";
import { sanitizeReplies } from "./sanitize.js";

/** Where admin posts go and how they are sent. */
export interface AdminGroupDeps {
  outbox: Pick<Outbox, "send">;
  targets: Recipient[];
  logger: Logger;
  /** Least time between two posts (default 3 s, i.e. 20 a minute). */
  minGapMs?: number;
}

/** The admin chats a config names, in the group's locale (the shop's default). */
export function adminGroupTargets(config: AdminChatsConfig): Recipient[] {
  const locale: Locale = config.DEFAULT_LOCALE;
  return [
    ...(config.TELEGRAM_ADMIN_CHAT_ID ? [{ channel: "telegram" as const, chatId: config.TELEGRAM_ADMIN_CHAT_ID, locale }] : []),
    ...(config.WHATSAPP_ADMIN_GROUP_JID ? [{ channel: "whatsapp" as const, chatId: config.WHATSAPP_ADMIN_GROUP_JID, locale }] : []),
  ];
}

/** The admin chats, posted to in order and spaced out. */
export class AdminGroup {
  private queue: Promise<void> = Promise.resolve();
  private lastPostAt = 0;

  constructor(private readonly deps: AdminGroupDeps) {}

  /**
   * Sends `replies` to every admin chat after the posts queued before it; resolves once sent.
   * Failures are logged per channel, never thrown. Text arguments often come from outside (gateway
   * references, provider messages, buyer names), so they are sanitized here, for every post.
   */
  post(replies: Reply[]): Promise<void> {
    const safe = sanitizeReplies(replies);
    this.queue = this.queue.then(() => this.sendSpaced(safe));
    return this.queue;
  }

  private async sendSpaced(replies: Reply[]): Promise<void> {
    const wait = this.lastPostAt + (this.deps.minGapMs ?? 3_000) - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    this.lastPostAt = Date.now();
    await Promise.all(
      this.deps.targets.map(async (target) => {
        try {
          await this.deps.outbox.send(target, replies);
        } catch (error) {
          this.deps.logger.warn({ channel: target.channel, err: error }, "could not post to the admin group");
        }
      }),
    );
  }
}
