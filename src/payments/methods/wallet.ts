/**
 * Paying from the shop wallet: the balance is checked, the order made and paid at once
 * (atomically: a second tap finds the balance already spent or the order already paid), and the
 * order handed to fulfilment. Nothing to confirm later, so no routes or chores.
 */
import { payFromWallet } from "../../commerce/pay-from-wallet.js";
import { msg } from "../../core/message.js";
import { formatRupiah } from "../../core/money.js";
import { textReply } from "../../core/reply.js";
import { describeInputs } from "../../providers/inputs.js";
import { definePaymentMethod } from "../method.js";

export const walletMethod = definePaymentMethod({
  id: "wallet",
  create: (deps) => ({
    offeredFor: () => true,
    routes: [],
    chores: [],
    async start({ item, order: newOrder }) {
      const topupHint = msg(deps.sandbox ? "wallet-topup-hint-sandbox" : "wallet-topup-hint");
      const balance = await deps.wallet.balance(newOrder.buyer);
      if (balance < newOrder.price) {
        return [textReply(msg("wallet-insufficient", { price: formatRupiah(newOrder.price), balance: formatRupiah(balance) }), topupHint)];
      }
      const order = await deps.orders.create(newOrder);
      const paid = await payFromWallet(deps, order, { amount: newOrder.price });
      if (paid.kind === "insufficient") {
        await deps.orders.transition(order.id, ["awaiting_payment"], "expired", () => ({}), "wallet balance too low");
        return [textReply(msg("wallet-insufficient", { price: formatRupiah(newOrder.price), balance: formatRupiah(paid.balance) }))];
      }
      return [
        textReply(
          msg("order-paid", { order: order.id, product: item.name, price: formatRupiah(newOrder.price), balance: formatRupiah(paid.balance) }),
          ...(Object.keys(order.inputs).length > 0 ? [msg("confirm-target", { target: describeInputs(order.inputs) })] : []),
          msg("order-processing"),
        ),
      ];
    },
  }),
});
