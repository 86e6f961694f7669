/**
 * The shop's own stock as a provider module. Unlike an API module it needs no variables (it is
 * always on; its catalog is empty until the owner creates products) but it needs the shop's store
 * and secret, so the composition root builds it with {@link StoreBackedShared} once Redis is up.
 * `DATA_ENCRYPTION_KEY` seals the items; without it uploads are refused with a clear message.
 *
 * @example
 * const stock = ownStockModule.build({ redis, dataKey, alerts, outbox, logger, onChange });
 */
import type { Logger } from "pino";
import type { AdminAlerts } from "../../core/alerts.js";
import type { Outbox } from "../../core/outbox.js";
import type { Redis } from "../../store/redis.js";
import type { ProviderCapabilities } from "../module.js";
import type { ProviderId } from "../types.js";
import { OwnStockProvider } from "./adapter.js";
import { StockStore } from "./stock-store.js";

/** What a module that keeps its data in the shop's own store is built from. */
export interface StoreBackedShared {
  redis: Redis;
  /** The 32-byte `DATA_ENCRYPTION_KEY`, or null. */
  dataKey: Buffer | null;
  alerts: AdminAlerts;
  outbox: Outbox;
  logger: Logger;
  /** Called when its products or counts changed (the catalog reads them again). */
  onChange?: () => Promise<void>;
}

/** A provider module kept in the shop's store: always on, built by the composition root. */
export interface StoreBackedProviderModule {
  readonly id: ProviderId;
  readonly capabilities: ProviderCapabilities;
  build(shared: StoreBackedShared): OwnStockProvider;
}

export const ownStockModule: StoreBackedProviderModule = {
  id: "stock",
  // Taking is idempotent and keyed by our order id, so a lost answer is found again.
  capabilities: { lookupByReference: true, providerQris: false, deposit: false, webhook: false, history: false },
  build: ({ redis, dataKey, alerts, outbox, logger, onChange }) =>
    new OwnStockProvider({ store: new StockStore(redis, dataKey), alerts, outbox, logger: logger.child({ provider: "stock" }), ...(onChange ? { onChange } : {}) }),
};
