/**
 * Paying by QRIS (see `payment-service.ts`): for an order or a wallet top-up, issued by the first
 * of `QRIS_GATEWAYS` that can — the owner's static QRIS made dynamic per payment, or an API
 * gateway's charge. Buyers see one "QRIS" choice either way. Confirmed by an admin's `/paid`, by
 * the signed callback (`POST /payments/callback`, static payments, served when
 * `PAYMENT_CALLBACK_SECRET` is set), or by a gateway's notification (`POST /payments/<gateway>`,
 * one route per listed API gateway) and its status poll. The sweep expires unpaid payments
 * (cancelling gateway charges), polls open gateway payments, and finishes paid ones a crash left
 * half applied, as does start-up.
 */
import { msg } from "../../core/message.js";
import { paymentCallbackRoute } from "../callback-route.js";
import { gatewayNotificationRoute } from "../gateway-route.js";
import { definePaymentMethod, type PaymentMethod, type PaymentRoute } from "../method.js";

export const ownerQrisMethod = definePaymentMethod({
  id: "qris",
  awaitsOutsidePayment: true,
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
    for (const gateway of qris.gateways) routes.push({ method: "POST", path: `/payments/${gateway.id}`, handler: gatewayNotificationRoute(gateway, qris) });
    const topup: PaymentMethod["topup"] = (recipient, amount) => qris.startTopup(recipient, amount);
    return {
      offeredFor: () => true,
      start: async ({ order }) => qris.startOrderPayment(await orders.create(order)),
      // Top-ups need only the owner's QRIS, whether or not orders may be paid with it.
      ...(qris.enabled ? { topup } : {}),
      routes,
      chores: [
        { name: "expire payments", run: () => qris.expireDue() },
        { name: "poll QRIS gateways", run: () => qris.pollGateways() },
        { name: "finish paid payments", run: () => qris.finishUnsettled() },
      ],
      resume: (active) => qris.finishUnsettled(active),
    };
  },
});
