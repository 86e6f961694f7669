/**
 * Tells the admin group what happens in the shop: alerts from the core (unknown outcomes, late
 * or overpaid payments, bad callbacks), order milestones (paid, delivered, failed, refunded) and
 * provider news. Lines are collected for a short window and sent as one message, so a burst of
 * orders or a provider outage reads as one post instead of flooding the group (and Telegram's
 * limit of about 20 messages a minute per group).
 */
import type { Logger } from "pino";
import { msg, type Msg } from "../core/message.js";
import { textReply } from "../core/reply.js";
import type { AdminAlerts } from "../core/alerts.js";
import { formatRupiah } from "../core/money.js";
import type { Order, OrderStatus } from "../commerce/orders.js";
import type { AdminGroup } from "./admin-group.js";

/** Where notifications go and how long a burst is collected. */
export interface AdminNotifierDeps {
  group: Pick<AdminGroup, "post">;
  logger: Logger;
  /** How long to collect lines before sending them as one message (default 2 s). */
  burstMs?: number;
}

/** The longest provider detail quoted in a failure line; the full text is in the order history. */
const maxDetailLength = 160;

/** Collects alerts and order news into bursts for the admin group; it is the app's `alerts`. */
export class AdminNotifier implements AdminAlerts {
  private pending: Msg[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** The latest post; the group sends posts in order, so it settles after every earlier one. */
  private sending: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(private readonly deps: AdminNotifierDeps) {}

  /** The core's alerts: logged at once, posted with the next burst. */
  async alert(message: Msg, orderId?: string): Promise<void> {
    this.deps.logger.warn({ orderId, alert: message.key }, "admin alert");
    this.notify(message);
  }

  /** Order status changes worth a line; subscribe with `orders.onTransition`. */
  readonly onTransition = (order: Order, from: OrderStatus): void => {
    const line = transitionLine(order, from);
    if (line) this.notify(line);
  };

  /** Queues a line for the next burst; the same line twice in one burst is sent once. */
  notify(line: Msg): void {
    if (this.stopped) return;
    const text = JSON.stringify(line);
    if (this.pending.some((queued) => JSON.stringify(queued) === text)) return;
    this.pending.push(line);
    if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), this.deps.burstMs ?? 2_000);
      this.timer.unref?.();
    }
  }

  /** Sends what is queued now, as one message; resolves when every send so far is done. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const lines = this.pending.splice(0);
    if (lines.length > 0) {
      const reply = lines.length === 1 ? textReply(lines[0]!) : textReply(msg("admin-notify-burst", { count: lines.length }), ...lines);
      this.sending = this.deps.group.post([reply]);
    }
    return this.sending;
  }

  /** Sends what is left and takes no more lines. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.flush();
  }
}

/** The line for an order's status change, or null when the change is routine. */
export function transitionLine(order: Order, from: OrderStatus): Msg | null {
  switch (order.status) {
    case "paid":
      // `placing → paid` is a turned-away purchase being tried again, `failed → paid` an admin's retry.
      return from === "awaiting_payment"
        ? msg("admin-notify-paid", {
            order: order.id,
            product: order.product.name,
            price: formatRupiah(order.price),
            // Which QRIS gateway served it, when one did.
            method: order.payment.gateway ? msg("pay-method-qris-gateway", { gateway: order.payment.gateway }) : msg(`pay-method-${order.payment.method}`),
            buyer: order.buyer,
          })
        : null;
    case "delivered":
      return msg("admin-notify-delivered", { order: order.id, product: order.product.name, provider: order.product.provider });
    case "failed": {
      const detail = order.history.at(-1)?.note ?? "-";
      return msg("admin-notify-failed", {
        order: order.id,
        product: order.product.name,
        provider: order.product.provider,
        reason: msg(order.failureReason ?? "provider-error-failed"),
        detail: detail.slice(0, maxDetailLength),
      });
    }
    case "refunded":
      return msg("admin-notify-refunded", { order: order.id, amount: formatRupiah(order.payment.amount), buyer: order.buyer });
    default:
      return null;
  }
}
