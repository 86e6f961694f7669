/**
 * Holds of what an order will buy (own stock), across the order's life:
 *
 * - made when the order is created for payment (`OrderStore.create` calls {@link reserve}), for the
 *   payment's lifetime, so a QRIS payer does not lose the units while scanning;
 * - taken by the purchase (the provider's `placeOrder`);
 * - given back when the order expires or is refunded ({@link onTransition}), and by the sweep
 *   ({@link sweep}) for holds whose deadline passed while their order is missing, final, failed or
 *   still unpaid: a process killed mid-checkout loses no unit. A paid order's hold is extended.
 *
 * Only providers that implement `reserve` take part; for the others every call is a no-op.
 *
 * @example
 * const reservations = new Reservations({ providers, holdMs: 16 * 60_000, logger });
 * const orders = new OrderStore(redis, [reservations.onTransition], reservations);
 * sweeper chore: () => reservations.sweep(orders)
 */
import type { Logger } from "pino";
import type { Provider, ProviderId } from "../providers/types.js";
import type { Order, OrderReservations, OrderStatus, OrderStore, TransitionListener } from "./orders.js";

export interface ReservationsDeps {
  providers: ReadonlyMap<ProviderId, Provider>;
  /** How long a hold lasts unless paid: the payment's lifetime plus a margin. */
  holdMs: number;
  logger: Logger;
}

/** Orders whose hold goes back to stock. */
const releasedStatuses: ReadonlySet<OrderStatus> = new Set(["expired", "refunded", "failed"]);
/** Orders paid and on their way: their hold stays until taken. */
const payingStatuses: ReadonlySet<OrderStatus> = new Set(["paid", "placing", "pending"]);

export class Reservations implements OrderReservations {
  constructor(private readonly deps: ReservationsDeps) {}

  async reserve(order: Order): Promise<boolean> {
    const provider = this.deps.providers.get(order.product.provider);
    if (!provider?.reserve) return true;
    return provider.reserve({ orderId: order.id, product: order.product, quantity: order.quantity ?? 1, untilMs: Date.now() + this.deps.holdMs });
  }

  /** Gives an order's hold back (nothing when it was taken or there is none). */
  async release(order: Pick<Order, "id" | "product">): Promise<void> {
    const provider = this.deps.providers.get(order.product.provider);
    await provider?.release?.(order.id);
  }

  /** An order transition listener: expired and refunded orders give their hold back. */
  readonly onTransition: TransitionListener = (order) => {
    if (order.status !== "expired" && order.status !== "refunded") return;
    void this.release(order).catch((error: unknown) => this.deps.logger.warn({ orderId: order.id, err: error }, "could not release an order's hold; the sweep will"));
  };

  /** Releases or extends every hold whose deadline passed; the number released. */
  async sweep(orders: Pick<OrderStore, "get">, now = Date.now()): Promise<number> {
    let released = 0;
    for (const provider of this.deps.providers.values()) {
      if (!provider.dueReservations || !provider.release) continue;
      for (const orderId of await provider.dueReservations(now, 200)) {
        const order = orderId.startsWith("ORD-") ? await orders.get(orderId) : null;
        if (order && payingStatuses.has(order.status)) {
          await provider.extendReservation?.(orderId, now + this.deps.holdMs);
          continue;
        }
        // Missing (a hold made just before a crash, a replacement cut short), final, failed, or
        // unpaid past the payment's lifetime: back to stock. A late payment holds again.
        if (!order || releasedStatuses.has(order.status) || order.status === "awaiting_payment" || order.status === "delivered") {
          await provider.release(orderId);
          released++;
        }
      }
    }
    return released;
  }
}
