/**
 * Paying the provider directly with its own QRIS (ALxZen): the order is placed at once asking
 * for a QRIS, whose QR the buyer sees like ours. The provider confirms the payment; fulfilment's
 * status follow-up sees it and delivers, or sees the order expire unpaid. No money of ours moves.
 *
 * The QR's amount is the provider's own price, so the method is `pricedByProvider`: it is not
 * offered for an order with a tier or voucher discount (the buyer would be charged the normal
 * price while the order recorded a discount, and the voucher use would be spent for nothing).
 */
import { definePaymentMethod } from "../method.js";

export const providerQrisMethod = definePaymentMethod({
  id: "provider_qris",
  awaitsOutsidePayment: true,
  create: ({ orders, fulfilment, qris, providerQris }) => ({
    offeredFor: (item) => providerQris(item.provider),
    pricedByProvider: true,
    async start({ order: newOrder }) {
      const order = await orders.create(newOrder);
      return fulfilment.placeWithProviderQris(order, (payload, amount, expiresAt) => qris.providerQrReply(order, payload, amount, expiresAt));
    },
    routes: [],
    chores: [],
  }),
});
