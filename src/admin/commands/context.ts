/**
 * Who is asking and what the shop lends to admin commands: the services they read and change,
 * and the admin who sent the message.
 *
 * @example
 * const outcome = await prepared.run({ services, actor: { id: "telegram:501", chat: "telegram:-100…", messageKey }, locale, commands });
 */
import type { Logger } from "pino";
import type { Translator } from "../../i18n/translator.js";
import type { Outbox } from "../../core/outbox.js";
import type { CatalogService } from "../../commerce/catalog-service.js";
import type { DeliveryVault } from "../../commerce/delivery-vault.js";
import type { Rupiah } from "../../core/money.js";
import type { OrderStore } from "../../commerce/orders.js";
import type { Wallet } from "../../commerce/wallet.js";
import type { PaymentService } from "../../payments/payment-service.js";
import type { Provider, ProviderId } from "../../providers/types.js";
import type { OwnStockProvider } from "../../providers/ownstock/adapter.js";
import type { Redis } from "../../store/redis.js";
import type { SessionStore } from "../../bot/session-store.js";
import type { AuditLog } from "../audit-log.js";
import type { Backups } from "../backups.js";
import type { Broadcaster } from "../broadcast.js";
import type { AdminOperations } from "../operations.js";
import type { ProviderWatch } from "../provider-watch.js";
import type { AdminSettings } from "../settings.js";
import type { ProviderPromos } from "../../commerce/provider-promos.js";
import type { TierStore } from "../../commerce/tiers.js";
import type { VoucherStore } from "../../commerce/vouchers.js";

/** The parts of the shop admin commands read and change. */
export interface AdminServices {
  orders: OrderStore;
  wallet: Wallet;
  payments: Pick<PaymentService, "confirm" | "inspect" | "gatewayFeesSince">;
  catalog: Pick<CatalogService, "view">;
  providers: ReadonlyMap<ProviderId, Provider>;
  vault: Pick<DeliveryVault, "open" | "seal">;
  sessions: Pick<SessionStore, "load">;
  outbox: Pick<Outbox, "send">;
  redis: Redis;
  translator: Translator;
  settings: AdminSettings;
  operations: AdminOperations;
  audit: AuditLog;
  watch: ProviderWatch;
  broadcaster: Broadcaster;
  /** Vouchers, price tiers and provider promo codes (issue 17). */
  pricing: { vouchers: VoucherStore; tiers: TierStore; promos: ProviderPromos };
  /** `/backup`: makes, saves and rotates encrypted backups. */
  backups: Backups;
  /** The shop's own stock (`/stock`, `/replace`). */
  stock: OwnStockProvider;
  /** Reseller balances below this are flagged. */
  lowBalance: Rupiah;
  logger: Logger;
}

/** The admin who sent a command. */
export interface Actor {
  /** `<channel>:<user id>`: what the audit log and ledger entries record as `by`. */
  id: string;
  name?: string;
  /** `<channel>:<chat id>` of the group. */
  chat: string;
  /**
   * Names this one message (channel, chat, message id), so the same message handled twice — a
   * redelivered update — is recognised as one action (`/credit` and `/broadcast` claim by it).
   */
  messageKey: string;
}
