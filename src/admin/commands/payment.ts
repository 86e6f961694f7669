/**
 * `/payment <id>`: one QRIS payment (an order's or a top-up's) as we recorded it — status, amount,
 * which source served it (the static QRIS or a gateway, its transaction, total, fee and who bears
 * it), times in WIB, who confirmed it — and, for a gateway payment, what the gateway's status API
 * says right now. Read only: `/paid` stays the manual override. Text from the gateway (transaction
 * ids, references, states) is escaped like every outside text shown in the group.
 */
import { z } from "zod";
import { msg, type Msg } from "../../core/message.js";
import { formatRupiah } from "../../core/money.js";
import type { Payment, PaymentInspection } from "../../payments/payment-service.js";
import { formatDateTime } from "../format.js";
import { sanitizeOutsideText } from "../sanitize.js";
import { answer } from "./answer.js";
import { paymentId, words } from "./args.js";
import { defineAdminCommand } from "./command.js";

export const paymentCommand = defineAdminCommand({
  name: "payment",
  args: words.pipe(z.tuple([paymentId])).transform(([id]) => ({ id })),
  usage: msg("admin-usage-payment"),
  run: async ({ id }, { services }) => {
    const found = await services.payments.inspect(id);
    if (found.kind === "not_found") return answer("not_found", msg("admin-payment-not-found", { id }));
    return answer("shown", ...paymentLines(found));
  },
});

/** The lines of `/payment` for a payment found. */
export function paymentLines({ payment, live }: Extract<PaymentInspection, { kind: "found" }>): Msg[] {
  const gateway = payment.gateway;
  const lines: Msg[] = [
    msg("admin-payment-head", {
      id: payment.id,
      kind: payment.kind === "order" ? msg("admin-payment-kind-order") : msg("admin-payment-kind-topup"),
      status: statusText(payment.status),
      amount: formatRupiah(gateway?.total ?? payment.amount),
      buyer: payment.buyer,
    }),
    gateway
      ? msg("admin-payment-gateway", {
          gateway: gateway.id,
          transaction: sanitizeOutsideText(gateway.transactionId),
          total: formatRupiah(gateway.total),
          fee: formatRupiah(gateway.fee),
          payer: gateway.feeCost > 0 ? msg("admin-payment-fee-payer-shop") : msg("admin-payment-fee-payer-buyer"),
          credit: formatRupiah(gateway.credit),
        })
      : msg("admin-payment-static", { code: formatRupiah(payment.uniqueCode) }),
    msg("admin-payment-times", {
      created: formatDateTime(payment.createdAt),
      expires: formatDateTime(payment.expiresAt),
      paid: payment.paidAt === undefined ? "-" : formatDateTime(payment.paidAt),
    }),
  ];
  if (payment.confirmedBy) {
    lines.push(msg("admin-payment-confirmed", { by: sanitizeOutsideText(payment.confirmedBy), reference: sanitizeOutsideText(payment.reference ?? "-") }));
  }
  if (gateway && live.kind === "status") {
    lines.push(
      msg("admin-payment-live", {
        gateway: gateway.id,
        state: live.status.state,
        amount: formatRupiah(live.status.amount),
        currency: sanitizeOutsideText(live.status.currency),
        id: sanitizeOutsideText(live.status.paymentId),
      }),
    );
  } else if (gateway && live.kind === "error") {
    lines.push(msg("admin-payment-live-error", { gateway: gateway.id, detail: live.detail }));
  } else if (gateway && live.kind === "gateway_off") {
    lines.push(msg("admin-payment-live-off", { gateway: gateway.id }));
  }
  return lines;
}

function statusText(status: Payment["status"]): Msg {
  if (status === "open") return msg("admin-payment-status-open");
  return status === "paid" ? msg("admin-payment-status-paid") : msg("admin-payment-status-expired");
}
