/**
 * `/paid <id>`: confirms a manual QRIS payment (order or top-up); idempotent in the payment service.
 */
import { z } from "zod";
import { msg } from "../../core/message.js";
import { formatRupiah } from "../../core/money.js";
import { answer } from "./answer.js";
import { paymentId, words } from "./args.js";
import { defineAdminCommand } from "./command.js";

export const paidCommand = defineAdminCommand({
  name: "paid",
  args: words.pipe(z.tuple([paymentId])).transform(([id]) => ({ id })),
  usage: msg("admin-usage-paid"),
  run: async ({ id }, { services, actor }) => {
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
  },
});
