/**
 * Why an order was set aside for a person to look at. Stored on the order as a short code (with
 * a detail such as a provider error code), so the admin group reads it in its own language.
 */
import { msg, type Msg } from "../core/message.js";

/**
 * - `failing`: every retry of a fulfilment run failed (detail: the last error).
 * - `qris-unclear`: a provider QRIS order got no clear answer (detail: the error code).
 * - `no-lookup`: the outcome is unknown and the provider cannot look orders up by our reference.
 * - `unknown-outcome`: the outcome is unknown after an error; not retried, to never buy twice
 *   (detail: the code).
 * - `still-pending`: still pending after the follow-up window.
 * - `purchase-cap`: `PURCHASE_MAX_ATTEMPTS` purchases were sent without a clear outcome (detail: how many).
 * - `provision-issue`: the provider holds the charge but could not deliver, and its one repair
 *   did not help (detail: why); never refunded automatically.
 */
export const attentionReasons = ["failing", "qris-unclear", "no-lookup", "unknown-outcome", "still-pending", "purchase-cap", "provision-issue"] as const;
export type AttentionReason = (typeof attentionReasons)[number];

/** The admin-facing text of each reason, given the stored detail ("-" when there is none). */
const reasonMessages: Record<AttentionReason, (detail: string) => Msg> = {
  failing: (detail) => msg("attention-failing", { detail }),
  "qris-unclear": (detail) => msg("attention-qris-unclear", { detail }),
  "no-lookup": () => msg("attention-no-lookup"),
  "unknown-outcome": (detail) => msg("attention-unknown-outcome", { detail }),
  "still-pending": () => msg("attention-still-pending"),
  "purchase-cap": (detail) => msg("attention-purchase-cap", { detail }),
  "provision-issue": (detail) => msg("attention-provision-issue", { detail }),
};

function isAttentionReason(value: string): value is AttentionReason {
  return (attentionReasons as readonly string[]).includes(value);
}

/** The value kept in `order.attention`. */
export function attention(reason: AttentionReason, detail?: string): string {
  return detail === undefined ? reason : `${reason}: ${detail}`;
}

/** The admin-facing text of a stored `order.attention`; one set by hand shows as written. */
export function attentionMessage(stored: string): Msg {
  const separator = stored.indexOf(": ");
  const reason = separator === -1 ? stored : stored.slice(0, separator);
  const detail = separator === -1 ? "-" : stored.slice(separator + 2);
  return isAttentionReason(reason) ? reasonMessages[reason](detail) : msg("attention-other", { text: stored });
}
