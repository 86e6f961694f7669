/**
 * The payment methods of one running shop: every module built once, and the ones `PAYMENT_METHODS`
 * offers to buyers, in its order. The buyer bot asks it what to offer for an item or a top-up and
 * which method to start; the root serves its routes and runs its chores and resume step.
 *
 * A built method that is not offered for orders still runs its routes and chores: the owner's
 * QRIS tops up wallets, and its open payments must expire, whatever `PAYMENT_METHODS` says.
 *
 * @example
 * const offer = buildPaymentOffer(paymentMethodModules, config.paymentMethods, deps);
 * for (const route of offer.routes) http.route(route.method, route.path, route.handler);
 */
import type { CatalogItem } from "../../commerce/catalog.js";
import type { Order } from "../../commerce/orders.js";
import type { Chore } from "../../commerce/sweeper.js";
import type { PaymentMethod, PaymentMethodDeps, PaymentMethodId, PaymentMethodModule, PaymentRoute } from "../method.js";

export interface PaymentOffer {
  /**
   * The ids buyers may choose for `item`, in menu order. With `discounted` (the order's price is
   * not the normal one, or it carries a voucher), methods `pricedByProvider` are left out.
   */
  forItem(item: CatalogItem, discounted?: boolean): PaymentMethodId[];
  /** The method `id` when it is offered for `item`; null when not (an old button, a changed setup). */
  chosen(id: PaymentMethodId, item: CatalogItem): PaymentMethod | null;
  /** How wallet top-ups are paid; null when no method can take them. */
  readonly topup: NonNullable<PaymentMethod["topup"]> | null;
  readonly routes: readonly PaymentRoute[];
  readonly chores: readonly Chore[];
  /** Each method's start-up step, in registry order. */
  resume(active: Order[]): Promise<void>;
}

/** Builds every module once; `offered` (ids from `PAYMENT_METHODS`) picks and orders the ones for orders. */
export function buildPaymentOffer(modules: readonly PaymentMethodModule[], offered: readonly PaymentMethodId[], deps: PaymentMethodDeps): PaymentOffer {
  const built = modules.map((module) => module.create(deps));
  const byId = new Map(built.map((method) => [method.id, method]));
  const unknown = offered.filter((id) => !byId.has(id));
  if (unknown.length > 0) throw new Error(`payment methods without a module: ${unknown.join(", ")}`);
  const forOrders = offered.map((id) => byId.get(id)!);
  const topupMethod = built.find((method) => method.topup);
  return {
    forItem: (item, discounted = false) => forOrders.filter((method) => method.offeredFor(item) && !(discounted && method.pricedByProvider)).map((method) => method.id),
    chosen: (id, item) => forOrders.find((method) => method.id === id && method.offeredFor(item)) ?? null,
    topup: topupMethod?.topup ?? null,
    routes: built.flatMap((method) => method.routes),
    chores: built.flatMap((method) => method.chores),
    async resume(active) {
      for (const method of built) await method.resume?.(active);
    },
  };
}
