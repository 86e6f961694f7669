/**
 * The subscriptions sweep: delivered orders with a paid-until date (aluy VPS bought for several
 * months) whose provider keeps a renewal that must follow what the buyer paid. A chore of the
 * shop's sweeper; it asks each such order's provider to sync (`Provider.syncSubscription`), at
 * most once per `everyMs` across every worker (claimed in Redis), since each sync is a provider
 * call per order.
 */
import type { Logger } from "pino";
import type { Redis } from "../store/redis.js";
import { keys } from "../store/keys.js";
import type { Provider, ProviderId } from "../providers/types.js";
import type { OrderStore } from "./orders.js";

export interface SubscriptionsDeps {
  orders: Pick<OrderStore, "subscribedUntil">;
  providers: ReadonlyMap<ProviderId, Provider>;
  redis: Redis;
  logger: Logger;
  /** How often the providers are asked (default 15 min). */
  everyMs?: number;
}

export class Subscriptions {
  constructor(private readonly deps: SubscriptionsDeps) {}

  /** Syncs every running subscription; skipped when another run did within `everyMs` (unless `force`). */
  async sync(options: { force?: boolean } = {}): Promise<number> {
    const everyMs = this.deps.everyMs ?? 15 * 60_000;
    if (!options.force) {
      const claimed = await this.deps.redis.set(keys.subscriptionsSwept(), String(Date.now()), "PX", everyMs, "NX");
      if (claimed !== "OK") return 0;
    }
    let synced = 0;
    for (const order of await this.deps.orders.subscribedUntil(Date.now())) {
      const provider = this.deps.providers.get(order.product.provider);
      if (!provider?.syncSubscription || !order.providerRef || order.expiresAt === undefined) continue;
      try {
        await provider.syncSubscription({ providerRef: order.providerRef, paidUntil: order.expiresAt });
        synced += 1;
      } catch (error) {
        this.deps.logger.warn({ err: error, orderId: order.id }, "subscription sync failed; next sweep tries again");
      }
    }
    return synced;
  }
}
