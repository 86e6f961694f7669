/**
 * Every payment method the shop knows. Adding one is a file beside this one plus one line in the
 * list below; `PAYMENT_METHODS` then accepts its id, and the root builds it, serves its routes and
 * runs its chores.
 *
 * @example
 * const offer = buildPaymentOffer(paymentMethodModules, config.paymentMethods, deps);
 * offer.forItem(item); // ["wallet", "qris"]
 */
import { ownerQrisMethod } from "./owner-qris.js";
import { providerQrisMethod } from "./provider-qris.js";
import { walletMethod } from "./wallet.js";

/** The built-in methods; the wallet first, as the instant one. */
export const paymentMethodModules = [walletMethod, ownerQrisMethod, providerQrisMethod] as const;

/** The id of a built-in method: what `PAYMENT_METHODS` may name. */
export type BuiltInPaymentMethodId = (typeof paymentMethodModules)[number]["id"];

/** The built-in ids, in registry order (a non-empty tuple, as `z.enum` wants it). */
export const paymentMethodIds = paymentMethodModules.map((module) => module.id) as [BuiltInPaymentMethodId, ...BuiltInPaymentMethodId[]];
