/**
 * Admin commands typed in a private chat. Private chats belong to the buyer bot, where such a
 * command would be "unknown"; the admin gets a refusal pointing at the admin group instead.
 * Nothing is looked up and nothing runs, so the hint is the same for anyone who types it.
 */
import { isLocale, locales, msg, type Locale } from "../core/message.js";
import type { Answer, Inbound } from "../core/inbound.js";
import { textReply } from "../core/reply.js";
import { adminOnlyCommands, readCommand } from "./commands/read.js";

/**
 * The refusal and hint for an admin-only command (`/paid`, `/refund`, `/markup`…) in a private
 * chat; null for anything else, including names the buyer side also uses (`/help`, `/orders`).
 * `locale` is the chat's; without it, the language the sender's app reports, else the default.
 */
export function adminCommandHint(inbound: Inbound, locale?: Locale): Answer | null {
  if (inbound.isGroup) return null;
  const command = readCommand(inbound.text, inbound.channel);
  if (!command || !adminOnlyCommands.has(command.name)) return null;
  const language = inbound.languageCode?.slice(0, 2).toLowerCase();
  return {
    locale: locale ?? (isLocale(language) ? language : locales[0]),
    replies: [textReply(msg("admin-private-refused"))],
  };
}
