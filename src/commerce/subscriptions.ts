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
import type { Outbox } from "../core/outbox.js";
import { msg } from "../core/message.js";
import { textReply } from "../core/reply.js";
import { formatWib } from "../core/time.js";
import { bareError } from "../core/bare-error.js";

const dayMs = 24 * 60 * 60_000;
/** Reminders before the paid-until date, latest first: the 1-day one replaces a 3-day one not yet sent. */
const reminders = [
  { which: "1d", days: 1 },
  { which: "3d", days: 3 },
] as const;

export interface SubscriptionsDeps {
  orders: Pick<OrderStore, "subscribedUntil">;
  providers: ReadonlyMap<ProviderId, Provider>;
  redis: Redis;
  logger: Logger;
  /** How often the providers are asked (default 15 min). */
  everyMs?: number;
  /** Where reminders go. */
  outbox: Outbox;
  now?: () => number;
}

export class Subscriptions {
  constructor(private readonly deps: SubscriptionsDeps) {}

  private now(): number {
    return this.deps.now?.() ?? Date.now();
  }

  /**
   * Reminds each buyer whose subscription ends within 3 days, and again within 1 day: once each
   * per paid-until date (claimed in Redis before sending; a send that fails gives the claim back,
   * so the next sweep tries again). A renewal moves the date, which earns new reminders.
   */
  async remind(): Promise<number> {
    const now = this.now();
    let sent = 0;
    for (const order of await this.deps.orders.subscribedUntil(now + 1)) {
      const expiresAt = order.expiresAt;
      if (expiresAt === undefined || order.status !== "delivered") continue;
      const due = reminders.find((reminder) => expiresAt - now <= reminder.days * dayMs);
      if (!due) continue;
      // Within a day, the 3-day reminder is no longer news: claim it too, so it never follows.
      const claims = reminders.filter((reminder) => reminder.days >= due.days).map((reminder) => keys.subscriptionReminded(order.id, expiresAt, reminder.which));
      const key = keys.subscriptionReminded(order.id, expiresAt, due.which);
      const ttlMs = Math.max(expiresAt - now, 0) + 7 * dayMs;
      if ((await this.deps.redis.set(key, "1", "PX", ttlMs, "NX")) !== "OK") continue;
      for (const other of claims) if (other !== key) await this.deps.redis.set(other, "1", "PX", ttlMs, "NX");
      try {
        const reply = textReply(msg("vps-expiry-reminder", { name: order.product.name, order: order.id, date: formatWib(expiresAt), days: due.days }));
        await this.deps.outbox.send({ channel: order.channel, chatId: order.chatId, locale: order.locale }, [reply]);
        sent += 1;
      } catch (error) {
        await this.deps.redis.del(key);
        this.deps.logger.warn({ orderId: order.id, err: bareError(error) }, "could not send an expiry reminder; next sweep tries again");
      }
    }
    return sent;
  }

  /** Syncs every running subscription; skipped when another run did within `everyMs` (unless `force`). */
  async sync(options: { force?: boolean } = {}): Promise<number> {
    const everyMs = this.deps.everyMs ?? 15 * 60_000;
    if (!options.force) {
      const claimed = await this.deps.redis.set(keys.subscriptionsSwept(), String(Date.now()), "PX", everyMs, "NX");
      if (claimed !== "OK") return 0;
    }
    let synced = 0;
    for (const order of await this.deps.orders.subscribedUntil(this.now())) {
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
