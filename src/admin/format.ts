/**
 * Small pieces shared by the admin replies: times in the shop's clock, signed amounts, and the
 * one-line form of an order used by `/orders` and `/user`.
 */
import { msg, type Msg } from "../core/message.js";
import { formatRupiah, type Rupiah } from "../core/money.js";
import type { Order } from "../commerce/orders.js";

// Swedish formatting is ISO-like (`2025-01-31 14:05`): sortable, and the same for every admin.
const jakarta = new Intl.DateTimeFormat("sv-SE", {
  timeZone: "Asia/Jakarta",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  hour12: false,
});

/** `2025-01-31 14:05` in Jakarta time (WIB), the owner's clock. */
export function formatDateTime(at: number): string {
  return jakarta.format(new Date(at));
}

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
