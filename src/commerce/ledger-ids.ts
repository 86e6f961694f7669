/**
 * The ids of wallet ledger entries. Every money movement has a deterministic id, so applying it
 * twice (a retried job, a repeated callback, two admins) is applied once: the ledger refuses an
 * id it already holds. Ids are made here and nowhere else.
 *
 * @example
 * await wallet.debit(buyer, price, { id: ledgerIds.orderPayment(order.id), reason: "purchase", orderId: order.id });
 */
export const ledgerIds = {
  /** The debit that pays for an order. */
  orderPayment: (orderId: string) => `pay:${orderId}`,
  /** Money given back for an order that failed or was refunded by an admin: once per order. */
  refund: (orderId: string) => `refund:${orderId}`,
  /** An order's payment given back because the order expired after the money was taken. */
  expiredOrderPayback: (orderId: string) => `payback:${orderId}`,
  /** A QRIS payment credited to the payer's wallet. */
  qrisPayment: (paymentId: string) => `qris:${paymentId}`,
  /** Another transfer naming a QRIS payment already paid, once per gateway reference. */
  qrisExtra: (paymentId: string, reference: string) => `qris-extra:${paymentId}:${reference}`,
  /** A QRIS payment that arrived after it expired. */
  latePayment: (paymentId: string) => `late:${paymentId}`,
  /** An admin's manual credit or debit, named by the message that asked for it. */
  manual: (messageKey: string) => `manual:${messageKey}`,
  /**
   * A subscription renewal paid from the wallet: once per order and paid-until date it extends,
   * so a repeated tap (or a retry after a crash) never pays the same extension twice.
   */
  renewal: (orderId: string, fromExpiresAt: number) => `renew:${orderId}:${fromExpiresAt}`,
  /** A referrer's reward for a delivered order of the buyer they referred: once per order. */
  referral: (orderId: string) => `referral:${orderId}`,
  /** That reward taken back because the order was refunded: once per order. */
  referralReversal: (orderId: string) => `referral-reversal:${orderId}`,
  /** Sandbox money (demo only): a fresh id each time. */
  sandboxTopup: (nonce: string) => `sandbox:${nonce}`,
} as const;
