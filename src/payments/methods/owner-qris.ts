/**
 * Paying by the owner's static QRIS, made dynamic per payment (see `payment-service.ts`): for an
 * order or a wallet top-up. Confirmed by an admin's `/paid` or by a gateway's signed callback
 * (`POST /payments/callback`, served when `PAYMENT_CALLBACK_SECRET` is set); the sweep expires
 * unpaid payments and finishes paid ones a crash left half applied, as does start-up.
 */
import { msg } from "../../core/message.js";
import { paymentCallbackRoute } from "../callback-route.js";
import { definePaymentMethod, type PaymentMethod, type PaymentRoute } from "../method.js";

export const ownerQrisMethod = definePaymentMethod({
  id: "qris",
  create: ({ qris, orders, alerts, callbackSecret }) => {
    const routes: PaymentRoute[] = callbackSecret
      ? [
          {
            method: "POST",
            path: "/payments/callback",
            handler: paymentCallbackRoute({
              secret: callbackSecret,
              payments: qris,
              onRejected: (reason) => alerts.alert(msg("admin-alert-bad-callback", { reason })),
            }),
          },
        ]
      : [];
    const topup: PaymentMethod["topup"] = (recipient, amount) => qris.startTopup(recipient, amount);
    return {
      offeredFor: () => true,
      start: async ({ order }) => qris.startOrderPayment(await orders.create(order)),
      // Top-ups need only the owner's QRIS, whether or not orders may be paid with it.
      ...(qris.enabled ? { topup } : {}),
      routes,
      chores: [
        { name: "expire payments", run: () => qris.expireDue() },
        { name: "finish paid payments", run: () => qris.finishUnsettled() },
      ],
      resume: (active) => qris.finishUnsettled(active),
    };
  },
});
