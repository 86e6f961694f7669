/**
 * Small pieces shared by the admin replies: times in the shop's clock, signed amounts, and the
 * one-line form of an order used by `/orders` and `/user`.
 */
import { msg, type Msg } from "../core/message.js";
import { formatRupiah, type Rupiah } from "../core/money.js";
import type { Order } from "../commerce/orders.js";
import { formatWib } from "../core/time.js";

/** `2025-01-31 14:05` in Jakarta time (WIB), the owner's clock. */
export const formatDateTime = formatWib;

/** `+Rp 5.000` / `-Rp 5.000`: a ledger movement reads better with its sign. */
export function formatSignedRupiah(amount: Rupiah): string {
  return amount > 0 ? `+${formatRupiah(amount)}` : formatRupiah(amount);
}

/** One order on one line: id, time, product, price, status, buyer. */
export function orderLine(order: Order): Msg {
  return msg("admin-orders-line", {
    order: order.id,
    date: formatDateTime(order.createdAt),
    product: order.product.name,
    price: formatRupiah(order.price),
    status: msg(`status-${order.status}`),
    buyer: order.buyer,
  });
}
