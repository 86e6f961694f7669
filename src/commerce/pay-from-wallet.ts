/**
 * The one way an order is paid from a buyer's wallet, whatever brought the money there (the
 * balance, a confirmed QRIS credit, a debit a crash left without its "paid"):
 *
 *   debit `pay:<order>` → compare-and-set awaiting_payment → paid → hand to fulfilment
 *
 * Each step is idempotent, so a second call for the same order (a double tap, a repeated
 * confirmation, recovery) changes nothing. When the order left `awaiting_payment` meanwhile and
 * ended expired, the debit bought nothing and is given back once (`payback:<order>`).
 *
 * @example
 * const paid = await payFromWallet({ orders, wallet, fulfilment }, order, { amount: order.price });
 * if (paid.kind === "insufficient") await orders.transition(order.id, ["awaiting_payment"], "expired", () => ({}), "wallet balance too low");
 */
import type { Rupiah } from "../core/money.js";
import type { Fulfilment } from "./fulfilment.js";
import { ledgerIds } from "./ledger-ids.js";
import type { Order, OrderStore } from "./orders.js";
import type { Wallet } from "./wallet.js";

export interface WalletPaymentPorts {
  orders: OrderStore;
  wallet: Wallet;
  fulfilment: Pick<Fulfilment, "enqueue">;
}

export interface WalletPaymentRequest {
  /** What the order costs the wallet: its price, or the QRIS total asked. */
  amount: Rupiah;
  /** When the money was paid (a QRIS payment's confirmation); default now. */
  paidAt?: number;
  /** The gateway's reference of the money, kept on the order. */
  reference?: string;
  /** Written to the order's history with the move to paid. */
  note?: string;
}

export type WalletPaymentResult =
  /** Debited (now or before: `debitApplied` false) and paid by this call: fulfilment has it. */
  | { kind: "paid"; order: Order; balance: Rupiah; debitApplied: boolean }
  /** The balance does not cover it: nothing moved; the caller decides what becomes of the order. */
  | { kind: "insufficient"; balance: Rupiah }
  /** Someone else moved the order first; `paidBack` when our debit was given back because it expired. */
  | { kind: "lost"; balance: Rupiah; debitApplied: boolean; paidBack: boolean };

/** Pays `order` (awaiting payment) from its buyer's wallet; see the module comment. */
export async function payFromWallet(ports: WalletPaymentPorts, order: Pick<Order, "id" | "buyer">, request: WalletPaymentRequest): Promise<WalletPaymentResult> {
  const { orders, wallet, fulfilment } = ports;
  const payId = ledgerIds.orderPayment(order.id);
  const debit = await wallet.debit(order.buyer, request.amount, { id: payId, reason: "purchase", orderId: order.id });
  if (!debit.ok) return { kind: "insufficient", balance: debit.balance };
  const paid = await orders.transition(
    order.id,
    ["awaiting_payment"],
    "paid",
    (o) => ({ payment: { ...o.payment, paidAt: request.paidAt ?? Date.now(), ...(request.reference ? { reference: request.reference } : {}) } }),
    request.note,
  );
  if (!paid) {
    // Another settlement got there first. If it expired the order, the debit bought nothing:
    // give it back (once). If it paid the order, the debit was that same `pay:` entry.
    const now = await orders.get(order.id);
    let paidBack = false;
    if (now?.status === "expired" && (await wallet.hasEntry(order.buyer, payId))) {
      await wallet.credit(order.buyer, request.amount, { id: ledgerIds.expiredOrderPayback(order.id), reason: "refund", orderId: order.id, note: "order expired" });
      paidBack = true;
    }
    return { kind: "lost", balance: debit.balance, debitApplied: debit.applied, paidBack };
  }
  await fulfilment.enqueue(paid);
  return { kind: "paid", order: paid, balance: debit.balance, debitApplied: debit.applied };
}
