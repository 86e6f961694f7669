/**
 * Who may run admin commands. Both must hold: the message comes from a configured admin group,
 * and its sender is a configured admin of that platform. Being an admin in another chat, or
 * anyone at all in the admin group, is not enough: a leaked group invite or a hijacked admin
 * account alone then cannot move money.
 */
import type { Channel, Inbound } from "../core/inbound.js";
import type { Locale } from "../core/message.js";

/** Where the sender of a message stands. */
export type Standing =
  /** In an admin group and a configured admin: commands run. */
  | "admin"
  /** In an admin group but not an admin: refused. */
  | "stranger"
  /** Anywhere else (another group, a private chat): refused, and mostly ignored. */
  | "elsewhere";

/** The admin groups and admins of each channel. */
export interface AdminAccessConfig {
  groups: Partial<Record<Channel, string>>;
  admins: Partial<Record<Channel, ReadonlySet<string>>>;
}

/** The admin groups and admin ids as the environment names them. */
export interface AdminChatsConfig {
  DEFAULT_LOCALE: Locale;
  TELEGRAM_ADMIN_CHAT_ID?: string | undefined;
  WHATSAPP_ADMIN_GROUP_JID?: string | undefined;
  ADMIN_TELEGRAM_IDS: readonly string[];
  ADMIN_WHATSAPP_NUMBERS: readonly string[];
}

/** Reads the admin groups and admin ids from the config. */
export function adminAccessConfig(config: AdminChatsConfig): AdminAccessConfig {
  return {
    groups: {
      ...(config.TELEGRAM_ADMIN_CHAT_ID ? { telegram: config.TELEGRAM_ADMIN_CHAT_ID } : {}),
      ...(config.WHATSAPP_ADMIN_GROUP_JID ? { whatsapp: config.WHATSAPP_ADMIN_GROUP_JID } : {}),
    },
    admins: {
      telegram: new Set(config.ADMIN_TELEGRAM_IDS),
      whatsapp: new Set(config.ADMIN_WHATSAPP_NUMBERS),
    },
  };
}

/** Decides where the sender of a message stands (see the module comment). */
export class AdminAccess {
  constructor(private readonly config: AdminAccessConfig) {}

  /** Where the sender of `inbound` stands. */
  standing(inbound: Pick<Inbound, "channel" | "chatId" | "userId" | "isGroup">): Standing {
    if (!this.isAdminGroup(inbound)) return "elsewhere";
    return this.config.admins[inbound.channel]?.has(inbound.userId) ? "admin" : "stranger";
  }

  /** True for a group message in the channel's configured admin group. */
  isAdminGroup(inbound: Pick<Inbound, "channel" | "chatId" | "isGroup">): boolean {
    const group = this.config.groups[inbound.channel];
    return inbound.isGroup && group !== undefined && inbound.chatId === group;
  }
}
