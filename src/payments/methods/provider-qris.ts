/**
 * Paying the provider directly with its own QRIS (ALxZen): the order is placed at once asking
 * for a QRIS, whose QR the buyer sees like ours. The provider confirms the payment; fulfilment's
 * status follow-up sees it and delivers, or sees the order expire unpaid. No money of ours moves.
 */
import { definePaymentMethod } from "../method.js";

export const providerQrisMethod = definePaymentMethod({
  id: "provider_qris",
  create: ({ orders, fulfilment, qris, providerQris }) => ({
    offeredFor: (item) => providerQris(item.provider),
    async start({ order: newOrder }) {
      const order = await orders.create(newOrder);
      return fulfilment.placeWithProviderQris(order, (payload, amount, expiresAt) => qris.providerQrReply(order, payload, amount, expiresAt));
    },
    routes: [],
    chores: [],
  }),
});
