/**
 * What every channel turns a platform event into. The core never sees a grammY context or a
 * Baileys message; it sees this.
 */

import type { InboundDocument } from "./document.js";
import type { Locale } from "./message.js";
import type { Reply } from "./reply.js";

export const channels = ["telegram", "whatsapp", "console"] as const;
export type Channel = (typeof channels)[number];

export interface Inbound {
  channel: Channel;
  /** Where replies go (Telegram chat id, WhatsApp JID, "local"). */
  chatId: string;
  /** Who sent it (Telegram user id, WhatsApp number, "local"). */
  userId: string;
  /** True in groups; buyers are served only in private chats. */
  isGroup: boolean;
  /** Message text or media caption, if any. */
  text?: string;
  /**
   * A document sent with the message (its caption is {@link text}); the bytes are downloaded only
   * when a handler calls `read()`, under a size cap (see `core/document.ts`).
   */
  document?: InboundDocument;
  /** Callback data of a tapped button (Telegram), if any. */
  action?: string;
  /** The platform's message id (for dedupe and edits). */
  messageId?: string;
  /**
   * True when the text is not the sender's own typing: forwarded (Telegram `forward_origin`, an
   * automatic forward, sent via an inline bot; WhatsApp's forwarded context). Such text must
   * never act with the forwarder's rights.
   */
  forwarded?: boolean;
  /** The sender's display name, if the platform gives one. */
  displayName?: string;
  /** The language the sender's app reports (e.g. "en", "id"), for a first guess at the locale. */
  languageCode?: string;
}

/** The key a buyer's wallet and orders hang on: `<channel>:<userId>`. */
export function buyerKey(inbound: Pick<Inbound, "channel" | "userId">): string {
  return `${inbound.channel}:${inbound.userId}`;
}

/** The key a chat's session hangs on: `<channel>:<chatId>`. */
export function chatKey(inbound: Pick<Inbound, "channel" | "chatId">): string {
  return `${inbound.channel}:${inbound.chatId}`;
}

/** What a channel gets back for one inbound message: the replies and the locale to render them in. */
export interface Answer {
  locale: Locale;
  replies: Reply[];
}

/** Handles a buyer's message (private chat). */
export type InboundHandler = (inbound: Inbound) => Promise<Answer>;

/** Handles a group message (admin commands); null when the group is not ours to answer. */
export type GroupHandler = (inbound: Inbound) => Promise<Answer | null>;

/** What a channel hands its messages to, given when it starts. */
export interface ChannelHandlers {
  /** Buyer messages (private chats). */
  handle: InboundHandler;
  /** Group messages: admin commands in the admin group. */
  handleGroup: GroupHandler;
}
