/**
 * Typed provider failures. Adapters map each API's codes and messages onto these; the bot shows
 * the buyer a short localised line (`provider-error-<code>`) and logs the detail for admins.
 */

export const providerErrorCodes = [
  "auth",
  "forbidden_ip",
  "insufficient_balance",
  "out_of_stock",
  "invalid_input",
  "not_found",
  "rate_limited",
  "upstream",
  "unavailable",
  "malformed",
  "timeout",
] as const;
export type ProviderErrorCode = (typeof providerErrorCodes)[number];

/**
 * Codes after which we do not know whether a purchase happened. An order call that fails this
 * way must be looked up at the provider, never refunded or repeated on a guess.
 */
const outcomeUnknown: ReadonlySet<ProviderErrorCode> = new Set(["timeout", "upstream", "malformed"]);

/** Codes where the request was turned away for now: nothing happened, and a later try may work. */
const transient: ReadonlySet<ProviderErrorCode> = new Set(["rate_limited", "unavailable"]);

export class ProviderError extends Error {
  override readonly name = "ProviderError";
  constructor(
    readonly code: ProviderErrorCode,
    message: string,
    readonly details: {
      provider?: string;
      status?: number;
      retryAfterMs?: number;
      /**
       * The provider's document says not to retry this answer as it is (aluy: "4xx errors should
       * not be retried without changes"): nothing happened, and trying again later on our own
       * would not change that, so it is not transient whatever its code.
       */
      noRetry?: boolean;
    } = {},
  ) {
    super(message);
  }

  /** True when a purchase that failed like this may still have gone through. */
  get outcomeUnknown(): boolean {
    return outcomeUnknown.has(this.code);
  }

  /** True when nothing happened but trying again later may work (429, 503). */
  get transient(): boolean {
    return this.details.noRetry !== true && transient.has(this.code);
  }

  /** True when the provider definitively refused: the order did not and will not happen. */
  get definitive(): boolean {
    return !this.outcomeUnknown && !this.transient;
  }
}

export function isProviderError(error: unknown): error is ProviderError {
  return error instanceof ProviderError;
}
