/**
 * `POST /payments/<gateway>`: a QRIS gateway's notification that one of our payments changed.
 *
 * A notification is only a hint. The gateway module authenticates it (Midtrans' signature,
 * Tripay's `X-Callback-Signature` over the raw body; Pakasir signs nothing, so its hint is only
 * parsed) and names our payment; the payment service then asks the gateway's status API and
 * checks order id, transaction, currency and amount before any money moves
 * (`PaymentService.confirmAtGateway`).
 *
 * Answers: handled, repeated or nothing to do → the gateway's own acknowledgement (Tripay wants
 * `{"success": true}`), so it stops retrying; refused (unsigned, bad signature, malformed, another
 * merchant's, a payment that is not ours or not this gateway's, a contradicting amount or
 * transaction) → 401/400, nothing moves, and the admins are told (at most once a minute per
 * gateway, with a count); the status API unavailable → 503, so the gateway retries later (the
 * status poll goes on meanwhile). A hint the status API does not confirm (still pending) moves
 * nothing and is acknowledged without an alert: gateways notify pending states too.
 *
 * @example
 * http.route("POST", `/payments/${gateway.id}`, gatewayNotificationRoute(gateway, payments));
 */
import { fail, type RouteHandler } from "../core/http.js";
import type { QrisGateway } from "./gateway.js";
import type { PaymentService } from "./payment-service.js";

export function gatewayNotificationRoute(gateway: QrisGateway, payments: Pick<PaymentService, "confirmAtGateway" | "notificationRejected">): RouteHandler {
  return async (request) => {
    const check = gateway.readNotification(request);
    if (check.kind === "ignored") return gateway.acknowledgement;
    if (check.kind === "rejected") {
      await payments.notificationRejected(gateway.id, check.reason);
      return fail(check.reason === "unsigned" || check.reason === "bad_signature" ? 401 : 400, check.reason);
    }
    const result = await payments.confirmAtGateway(
      check.paymentId,
      gateway.id,
      {
        ...(check.transactionId !== undefined ? { transactionId: check.transactionId } : {}),
        ...(check.amount !== undefined ? { amount: check.amount } : {}),
        ...(check.askedAmount !== undefined ? { askedAmount: check.askedAmount } : {}),
      },
      `gateway:${gateway.id}`,
    );
    switch (result.kind) {
      case "rejected":
        return fail(400, result.reason);
      case "unavailable":
        return fail(503, "gateway status unavailable; retry later");
      default:
        return gateway.acknowledgement;
    }
  };
}
