/**
 * What confirming a QRIS payment can do, shared by the payment service (the static QRIS, `/paid`,
 * the callback) and the gateway payments that confirm through it (see `gateway-payments.ts`).
 */
import type { Rupiah } from "../core/money.js";
import type { Payment } from "./payment-store.js";

/** Who or what confirms a payment, and what it knows. */
export interface Confirmation {
  /** `admin:<id>`, `callback`, … (for the audit trail). */
  by: string;
  /** What arrived; defaults to the amount asked. */
  paidAmount?: Rupiah;
  reference?: string;
}

/** What confirming a payment (by hand, or a report naming or matching it) did. */
export type ConfirmResult =
  | { kind: "confirmed"; payment: Payment; overpaid: Rupiah }
  /** `finished`: its money was not fully applied yet (a crash) and this call finished it. */
  | { kind: "already_paid"; payment: Payment; finished: boolean }
  | { kind: "late"; payment: Payment; credited: Rupiah }
  | { kind: "underpaid"; payment: Payment }
  | { kind: "not_found" };

/** What money reported by the gateway did. */
export type ReceiveResult =
  | ConfirmResult
  | { kind: "unmatched" }
  /** A second transfer naming a paid payment: credited to its buyer's wallet. */
  | { kind: "extra"; payment: Payment; credited: Rupiah }
  /** The reference was seen before; `finished` when its payment's money was not fully applied and now is. */
  | { kind: "repeated"; finished: boolean; id?: string };

/**
 * How a confirmation found its payment: by hand (an admin, by id), or the gateway's report of
 * money, which named the payment's id or matched its total.
 */
export type Via = "hand" | "named" | "amount";
