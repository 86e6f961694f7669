/**
 * One order in full for the admin group: buyer, product, target, money, payment, provider
 * references, delivery and status history. Delivered secrets (logins, passwords) are never
 * shown: the group has more members than the buyer's chat, and its history outlives the order.
 */
import { msg, type Msg } from "../core/message.js";
import { attentionMessage } from "../commerce/attention.js";
import type { DeliveryVault } from "../commerce/delivery-vault.js";
import { describeInputs } from "../providers/inputs.js";
import { formatRupiah } from "../core/money.js";
import type { Order } from "../commerce/orders.js";
import { formatDateTime } from "./format.js";

/** The lines of `/order <id>`. */
export function orderDetailLines(order: Order, vault: Pick<DeliveryVault, "open">): Msg[] {
  const lines: Msg[] = [
    msg("admin-order-head", { order: order.id, status: msg(`status-${order.status}`), date: formatDateTime(order.createdAt) }),
    msg("admin-order-buyer", { buyer: order.buyer, chat: `${order.channel}:${order.chatId}`, locale: order.locale }),
    msg("admin-order-product", { product: order.product.name, code: order.product.code, provider: order.product.provider, sku: order.product.sku }),
  ];
  if (Object.keys(order.inputs).length > 0) lines.push(msg("confirm-target", { target: describeInputs(order.inputs) }));
  lines.push(
    msg("admin-order-money", { price: formatRupiah(order.price), cost: formatRupiah(order.cost), profit: formatRupiah(order.price - order.cost) }),
    msg("admin-order-payment", {
      method: order.payment.gateway ? msg("pay-method-qris-gateway", { gateway: order.payment.gateway }) : msg(`pay-method-${order.payment.method}`),
      amount: formatRupiah(order.payment.amount),
      paid: order.payment.paidAt === undefined ? "-" : formatDateTime(order.payment.paidAt),
      reference: order.payment.reference ?? "-",
    }),
    msg("admin-order-refs", { ref: order.refId, providerRef: order.providerRef ?? "-" }),
  );
  // Failure reasons are `provider-error-*` keys; the fallback names one for the locale check.
  if (order.failureReason) lines.push(msg("admin-order-failure", { reason: msg(order.failureReason ?? "provider-error-failed") }));
  if (order.attention) lines.push(msg("admin-order-attention", { why: attentionMessage(order.attention) }));
  if (order.delivered) lines.push(...deliveryLines(order.delivered, vault));
  lines.push(msg("admin-order-history-title"));
  for (const step of order.history) {
    const args = { date: formatDateTime(step.at), status: msg(`status-${step.status}`) };
    lines.push(step.note ? msg("admin-order-history-note", { ...args, note: step.note }) : msg("admin-order-history-line", args));
  }
  return lines;
}

/** Non-secret delivered items, and a note in place of the secret ones. */
function deliveryLines(delivered: string, vault: Pick<DeliveryVault, "open">): Msg[] {
  const { items, secretsWithheld } = vault.open(delivered, false);
  const lines = items.map((item) => msg(`delivery-${item.label}`, { value: item.value }));
  if (secretsWithheld) lines.push(msg("admin-order-secrets-hidden"));
  return lines;
}
