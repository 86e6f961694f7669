/**
 * Order commands: `/orders`, `/order`, `/paid`, `/refund`, `/retry`.
 */
import { msg } from "../core/message.js";
import { formatRupiah } from "../core/money.js";
import type { Order } from "../commerce/orders.js";
import { answer, type CommandHandler } from "./command-context.js";
import { orderLine } from "./format.js";
import { orderDetailLines } from "./order-view.js";

/** How far back a status filter looks among finished orders; open ones are all looked at. */
const statusScanLimit = 1_000;

/** `/orders [status] [n]`: the newest orders, optionally of one status. */
export const ordersCommand: CommandHandler<"orders"> = async ({ status, limit }, { services }) => {
  let orders: Order[];
  if (status === null) orders = await services.orders.recent(limit);
  else {
    const pool = status === "paid" || status === "placing" || status === "pending" ? await services.orders.active() : await services.orders.recent(statusScanLimit);
    orders = pool
      .filter((order) => order.status === status)
      .sort((a, b) => b.createdAt - a.createdAt)
      .slice(0, limit);
  }
  if (orders.length === 0) return answer("empty", msg("admin-orders-empty"));
  return answer(`listed ${orders.length}`, msg("admin-orders-title", { count: orders.length }), ...orders.map(orderLine));
};

/** `/order <id>`: one order in full, without delivered secrets. */
export const orderCommand: CommandHandler<"order"> = async ({ id }, { services }) => {
  const order = await services.orders.get(id);
  if (!order) return answer("not_found", msg("admin-order-not-found", { order: id }));
  return answer("shown", ...orderDetailLines(order, services.vault));
};

/** `/paid <id>`: confirms a manual QRIS payment (order or top-up); idempotent in the core. */
export const paidCommand: CommandHandler<"paid"> = async ({ id }, { services, actor }) => {
  const result = await services.payments.confirm(id, { by: `admin:${actor.id}` });
  switch (result.kind) {
    case "confirmed":
      return answer(
        "confirmed",
        msg("admin-paid-confirmed", { id, amount: formatRupiah(result.payment.amount), buyer: result.payment.buyer }),
        ...(result.overpaid > 0 ? [msg("admin-paid-overpaid", { amount: formatRupiah(result.overpaid) })] : []),
      );
    case "already_paid":
      // A crash had left its money half applied: say that this /paid finished it.
      if (result.finished) return answer("finished", msg("admin-paid-finished", { id }));
      return answer("already_paid", msg("admin-paid-already", { id }));
    case "late":
      return answer("late", msg("admin-paid-late", { id, amount: formatRupiah(result.credited) }));
    case "underpaid":
      return answer("underpaid", msg("admin-paid-underpaid", { id }));
    case "not_found":
      return answer("not_found", msg("admin-paid-not-found", { id }));
  }
};

/** `/refund <id> [reason]`: the order's payment back to the buyer's wallet, once. */
export const refundCommand: CommandHandler<"refund"> = async ({ id, reason }, { services, actor }) => {
  const result = await services.operations.refund(id, actor.id, reason);
  switch (result.kind) {
    case "refunded":
      return answer(
        "refunded",
        msg("admin-refund-done", { order: id, amount: formatRupiah(result.order.payment.amount), buyer: result.order.buyer, balance: formatRupiah(result.balance) }),
      );
    case "already_refunded":
      return answer("already_refunded", msg("admin-refund-already", { order: id }));
    case "not_refundable":
      return answer("not_refundable", msg("admin-refund-not-allowed", { order: id, status: msg(`status-${result.order.status}`) }));
    case "not_found":
      return answer("not_found", msg("admin-order-not-found", { order: id }));
  }
};

/** `/retry <id>`: runs fulfilment of a failed or stuck order again. */
export const retryCommand: CommandHandler<"retry"> = async ({ id }, { services, actor }) => {
  const result = await services.operations.retry(id, actor.id);
  switch (result.kind) {
    case "queued":
      return answer("queued", msg("admin-retry-queued", { order: id }));
    case "refunded":
      return answer("refunded", msg("admin-retry-refunded", { order: id }));
    case "not_retryable":
      return answer("not_retryable", msg("admin-retry-not-allowed", { order: id, status: msg(`status-${result.order.status}`) }));
    case "not_found":
      return answer("not_found", msg("admin-order-not-found", { order: id }));
  }
};
