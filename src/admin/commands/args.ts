/**
 * Argument pieces several admin commands share: words, order and payment ids, counts, money,
 * product codes, buyers. Each is a zod schema from text, so a command's schema is a pipe of them
 * and anything that does not fit becomes its usage line.
 *
 * @example
 * args: words.pipe(z.tuple([orderId])).transform(([id]) => ({ id })),
 */
import { z } from "zod";
import { normalizeCode } from "../../commerce/catalog.js";
import { orderIdPattern } from "../../commerce/orders.js";
import { parseBuyerRefs } from "../../core/buyer-ref.js";
import { parseRupiahAmount } from "../../core/money.js";
import { topupIdPattern } from "../../payments/payment-store.js";
import { providerIds } from "../../providers/types.js";

/**
 * The first `count` words of `text`, then the rest as it was written, so a reason or a message
 * keeps its spaces and line breaks. Missing parts are "".
 */
export function headAndRest(text: string, count: number): string[] {
  const parts: string[] = [];
  let rest = text.trim();
  for (let i = 0; i < count; i++) {
    const match = /^(\S*)\s*([\s\S]*)$/.exec(rest)!;
    parts.push(match[1]!);
    rest = match[2]!;
  }
  return [...parts, rest.trim()];
}

/** Any text, for commands that take no arguments (extra words are ignored, as they always were). */
export const nothing = z.string().transform(() => ({}));
/** The text split on white space. */
export const words = z.string().transform((text) => text.split(/\s+/).filter((word) => word.length > 0));
/** A word compared case-insensitively. */
export const keyword = z.string().transform((word) => word.toLowerCase());
export const orderId = z
  .string()
  .transform((text) => text.toUpperCase())
  .pipe(z.string().regex(orderIdPattern));
/** An order id or a top-up id: both can be paid by QRIS. */
export const paymentId = z
  .string()
  .transform((text) => text.toUpperCase())
  .pipe(z.string().refine((id) => orderIdPattern.test(id) || topupIdPattern.test(id)));
/** How many to list: 1 to `max`. */
export const count = (max: number) =>
  z
    .string()
    .regex(/^\d{1,4}$/)
    .transform(Number)
    .pipe(z.number().int().min(1).max(max));
export const provider = keyword.pipe(z.enum(providerIds));
export const productCode = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,32}$/)
  .transform(normalizeCode);
export const positiveRupiah = z
  .string()
  .transform((text) => parseRupiahAmount(text))
  .pipe(z.number().int().positive().max(100_000_000));
/** `+50000`, `-20.000`, `50rb`: a signed whole rupiah amount. */
export const signedRupiah = z
  .string()
  .transform((text) => {
    const match = /^([+-]?)(.*)$/.exec(text)!;
    const amount = parseRupiahAmount(match[2]!);
    return amount === null ? null : match[1] === "-" ? -amount : amount;
  })
  .pipe(z.number().int().min(-100_000_000).max(100_000_000));
/** A short free text (reason, message), bounded so the audit log and the group stay readable. */
export const note = (max: number) => z.string().max(max);

/**
 * A buyer as an admin names one, read as the buyer keys to look for: `telegram:123` and
 * `whatsapp:628…` name one; a bare id or number is tried on every channel (formats in
 * core/buyer-ref.ts, which each channel module exposes).
 */
export const userRef = z.string().transform((text, ctx): string[] => {
  const buyers = parseBuyerRefs(text);
  if (buyers.length > 0) return buyers;
  ctx.addIssue({ code: "custom", message: "not a user reference" });
  return z.NEVER;
});
