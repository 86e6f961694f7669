/**
 * The {@link OwnedServices} port over the order store: what a buyer feature (My VPS) may act on.
 * Only a delivered order of the buyer's own, from the feature's provider, with a provider
 * reference counts; anything else looks exactly like a missing order.
 */
import type { OwnedService, OwnedServices } from "../core/buyer-feature.js";
import type { Order, OrderStore } from "./orders.js";

/** How far back a buyer's orders are searched for services. */
const searchedOrders = 50;

/**
 * @example
 * const services = ownedServices(app.orders);
 * await services.owned("telegram:42", "ORD-7KQ2", "aluy"); // null unless delivered, theirs and aluy's
 */
export function ownedServices(orders: Pick<OrderStore, "get" | "ofBuyer">): OwnedServices {
  return {
    async delivered(buyer, provider) {
      const mine = await orders.ofBuyer(buyer, searchedOrders);
      return mine.flatMap((order) => asService(order, buyer, provider) ?? []);
    },
    async owned(buyer, orderId, provider) {
      const order = await orders.get(orderId);
      return order ? asService(order, buyer, provider) : null;
    },
  };
}

function asService(order: Order, buyer: string, provider: string): OwnedService | null {
  if (order.buyer !== buyer || order.product.provider !== provider || order.status !== "delivered" || !order.providerRef) return null;
  return {
    orderId: order.id,
    productName: order.product.name,
    providerRef: order.providerRef,
    ...(order.expiresAt !== undefined ? { expiresAt: order.expiresAt } : {}),
    deliveredAt: (order.history ?? []).findLast((step) => step.status === "delivered")?.at ?? order.updatedAt,
  };
}
