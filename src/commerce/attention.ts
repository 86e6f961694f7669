/**
 * Why an order was set aside for a person to look at. Stored on the order as a short code (with
 * a detail such as a provider error code), so the admin group reads it in its own language.
 */
import { msg, type Msg } from "../core/message.js";

export type AttentionReason =
  /** Every retry of a fulfilment run failed (detail: the last error). */
  | "failing"
  /** A provider QRIS order got no clear answer (detail: the error code). */
  | "qris-unclear"
  /** The outcome is unknown and the provider cannot look orders up by our reference. */
  | "no-lookup"
  /** The outcome is unknown after an error; not retried, to never buy twice (detail: the code). */
  | "unknown-outcome"
  /** Still pending after the follow-up window. */
  | "still-pending"
  /** `PURCHASE_MAX_ATTEMPTS` purchases were sent without a clear outcome (detail: how many). */
  | "purchase-cap";

/** The value kept in `order.attention`. */
export function attention(reason: AttentionReason, detail?: string): string {
  return detail === undefined ? reason : `${reason}: ${detail}`;
}

/** The admin-facing text of a stored `order.attention`; one set by hand shows as written. */
export function attentionMessage(stored: string): Msg {
  const separator = stored.indexOf(": ");
  const reason = separator === -1 ? stored : stored.slice(0, separator);
  const detail = separator === -1 ? "-" : stored.slice(separator + 2);
  switch (reason) {
    case "failing":
      return msg("attention-failing", { detail });
    case "qris-unclear":
      return msg("attention-qris-unclear", { detail });
    case "no-lookup":
      return msg("attention-no-lookup");
    case "unknown-outcome":
      return msg("attention-unknown-outcome", { detail });
    case "still-pending":
      return msg("attention-still-pending");
    case "purchase-cap":
      return msg("attention-purchase-cap", { detail });
    default:
      return msg("attention-other", { text: stored });
  }
}
