/**
 * WhatsApp in a worker process: it never holds the connection or takes messages, it only hands
 * the shop's messages (deliveries, refunds) to the process that does, through the relay. Kept
 * apart from `start.ts` so a worker never loads Baileys.
 *
 * @example
 * const whatsApp = whatsAppRelayModule({ redis, vault, adminGroup: config.WHATSAPP_ADMIN_GROUP_JID ?? null });
 * const outbox = new ChannelOutbox([whatsApp.sender]);
 */
import { whatsappBuyerRefs } from "../../core/buyer-ref.js";
import type { DeliveryVault } from "../../commerce/delivery-vault.js";
import type { Redis } from "../../store/redis.js";
import type { ChannelModule } from "../module.js";
import { WhatsAppRelaySender } from "./relay.js";

export function whatsAppRelayModule(options: { redis: Redis; vault: DeliveryVault; adminGroup: string | null }): ChannelModule {
  return {
    id: "whatsapp",
    sender: new WhatsAppRelaySender(options.redis, options.vault),
    adminGroup: options.adminGroup,
    ...whatsappBuyerRefs,
    start: async () => {},
    stop: async () => {},
    health: () => "standby",
  };
}
