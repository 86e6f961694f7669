/**
 * `/refund <id> [reason]`: the order's payment back to the buyer's wallet, once.
 */
import { z } from "zod";
import { msg, type Msg } from "../../core/message.js";
import { formatRupiah } from "../../core/money.js";
import { answer } from "./answer.js";
import { headAndRest, note, orderId } from "./args.js";
import { defineAdminCommand, type CommandOutcome } from "./command.js";
import type { RefundResult } from "../operations.js";

export const refundCommand = defineAdminCommand({
  name: "refund",
  args: z
    .string()
    .transform((text) => headAndRest(text, 1))
    .pipe(z.tuple([orderId, note(200)]))
    .transform(([id, reason]) => ({ id, reason: reason === "" ? null : reason })),
  usage: msg("admin-usage-refund"),
  run: async ({ id, reason }, { services, actor }) =>
    refundAnswer(id, await services.operations.refund(id, actor.id, reason, { delivered: true }), (status) => msg("admin-refund-not-allowed", { order: id, status })),
});

/**
 * The answer to a refund by an admin (`/refund`, `/resolve … failed`); `notAllowed` words the
 * answer for an order whose state (given as a message) cannot be refunded.
 */
export function refundAnswer(id: string, result: RefundResult, notAllowed: (status: Msg) => Msg): CommandOutcome {
  switch (result.kind) {
    case "refunded":
      return answer(
        "refunded",
        msg("admin-refund-done", { order: id, amount: formatRupiah(result.order.payment.amount), buyer: result.order.buyer, balance: formatRupiah(result.balance) }),
      );
    case "already_refunded":
      return answer("already_refunded", msg("admin-refund-already", { order: id }));
    case "needs_reason":
      return answer("needs_reason", msg("admin-refund-delivered-needs-reason", { order: id }));
    case "not_refundable":
      return answer("not_refundable", notAllowed(msg(`status-${result.order.status}`)));
    case "not_found":
      return answer("not_found", msg("admin-order-not-found", { order: id }));
  }
}
