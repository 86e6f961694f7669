/**
 * The rule for purchases: never repeat one blindly. When an order call gets no clear answer
 * (timeout, reset, 5xx, garbage), look the order up by our reference first; only when the
 * provider says it has no such order is it safe to send the purchase again.
 */
import { ProviderError } from "./errors.js";
import type { OrderOutcome } from "./types.js";

export interface PlaceSafelyOptions {
  /** Sends the purchase once. */
  place: () => Promise<OrderOutcome>;
  /**
   * Looks the order up by our reference: the outcome if the provider has it, null if it has
   * definitely not got it. Omit when the API cannot look orders up by our reference.
   */
  lookup?: () => Promise<OrderOutcome | null>;
  /** How many purchase calls at most (default 2: the first and one after a lookup said "none"). */
  maxAttempts?: number;
}

/**
 * Places an order, resolving an unknown outcome by lookup. Throws the ProviderError of an
 * unknown outcome when no lookup is possible or the lookup itself fails, so the caller keeps
 * the order waiting (and asks an admin) rather than buying twice or refunding on a guess.
 */
export async function placeSafely({ place, lookup, maxAttempts = 2 }: PlaceSafelyOptions): Promise<OrderOutcome> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await place();
    } catch (error) {
      if (!(error instanceof ProviderError) || !error.outcomeUnknown) throw error;
      if (!lookup) throw error;
      let found: OrderOutcome | null;
      try {
        found = await lookup();
      } catch {
        // Whatever the lookup said ("auth", "not_found"…), we still do not know whether the
        // purchase happened: report the purchase's own unknown outcome, never a definitive error.
        throw error;
      }
      if (found) return found;
      if (attempt >= maxAttempts) throw error;
    }
  }
}
