/**
 * Where a buyer's private chat is, from their buyer key (`<channel>:<user id>`). Buyers are only
 * served in private chats, where Telegram's chat id is the user id and WhatsApp's is the user's
 * JID, so the key alone is enough to reach them.
 */
import type { Channel } from "../core/inbound.js";

/** The chat of a buyer key, or null for keys no channel can reach (the console's `local`). */
export function buyerChat(buyer: string): { channel: Extract<Channel, "telegram" | "whatsapp">; chatId: string } | null {
  const match = /^(telegram|whatsapp):(.+)$/.exec(buyer);
  if (!match) return null;
  const [, channel, id] = match;
  if (channel === "telegram") return /^\d+$/.test(id!) ? { channel, chatId: id! } : null;
  // A WhatsApp sender known only by a privacy alias (LID) is keyed by that JID itself.
  return { channel: "whatsapp", chatId: id!.includes("@") ? id! : `${id!}@s.whatsapp.net` };
}
