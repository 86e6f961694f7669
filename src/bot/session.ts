/**
 * A chat's checkout state. Sessions are stored as JSON (Redis, or memory in the demo) and read
 * back through the zod schema, so a corrupt or outdated session simply starts over.
 */
import { z } from "zod";
import { locales, type Locale } from "../core/message.js";
import { paymentMethodIdSchema, type PaymentMethodId } from "../payments/method.js";
import { categoryIds } from "../providers/types.js";
import type { BuyerCommand } from "./intent.js";

/** A payment method's id (see `payments/methods/registry.ts`); checked against the offer when chosen. */
export type PaymentMethod = PaymentMethodId;

/** Buyer commands a menu item can stand for; a tap runs one like the typed command. */
export const menuCommands = ["saldo", "orders", "help", "topup"] as const satisfies readonly BuyerCommand[];
export type MenuCommand = (typeof menuCommands)[number];

const category = z.enum(categoryIds);
const inputs = z.record(z.string(), z.string());
/** A voucher's money terms applied at the confirm step (re-checked against the store when the order is made). */
const voucher = z.object({
  code: z.string(),
  kind: z.enum(["percent", "flat"]),
  value: z.number().positive(),
  min: z.number().int().optional(),
  max: z.number().int().optional(),
  allowLoss: z.boolean().optional(),
});

/** What one position of the current menu stands for. */
export const menuEntrySchema = z.discriminatedUnion("t", [
  z.object({ t: z.literal("cat"), category }),
  z.object({ t: z.literal("grp"), category, group: z.string() }),
  z.object({ t: z.literal("prod"), code: z.string() }),
  z.object({ t: z.literal("page"), page: z.number().int().min(0) }),
  z.object({ t: z.literal("pay"), method: paymentMethodIdSchema }),
  z.object({ t: z.literal("confirm") }),
  z.object({ t: z.literal("retarget") }),
  z.object({ t: z.literal("os"), id: z.number().int().positive() }),
  z.object({ t: z.literal("back") }),
  z.object({ t: z.literal("main") }),
  z.object({ t: z.literal("cancel") }),
  z.object({ t: z.literal("cmd"), command: z.enum(menuCommands) }),
  /** "🎟️ Pakai voucher" on the confirm step, and back from the voucher prompt to the confirm step. */
  z.object({ t: z.literal("voucher") }),
  z.object({ t: z.literal("unvoucher") }),
  /** How many to buy (own stock). */
  z.object({ t: z.literal("qty"), n: z.number().int().min(1).max(10) }),
  /** "Kabari saya": tell me when this sold-out product is back. */
  z.object({ t: z.literal("notify"), code: z.string() }),
]);
export type MenuEntry = z.infer<typeof menuEntrySchema>;

/** Where the buyer is in the checkout. */
export const stepSchema = z.discriminatedUnion("name", [
  z.object({ name: z.literal("idle") }),
  z.object({ name: z.literal("main") }),
  z.object({ name: z.literal("group"), category }),
  z.object({ name: z.literal("product"), category, group: z.string().optional(), page: z.number().int().min(0) }),
  z.object({ name: z.literal("input"), code: z.string() }),
  /** The product offers operating systems (aluy VPS): the buyer picks one after the other inputs. */
  z.object({ name: z.literal("os"), code: z.string(), inputs }),
  z.object({ name: z.literal("confirm"), code: z.string(), inputs, voucher: voucher.optional(), qty: z.number().int().min(1).max(10).optional() }),
  /** The buyer is asked to type a voucher code for the order on the confirm step. */
  z.object({ name: z.literal("voucher"), code: z.string(), inputs, voucher: voucher.optional(), qty: z.number().int().min(1).max(10).optional() }),
  z.object({ name: z.literal("payment"), code: z.string(), inputs, price: z.number().int(), voucher: voucher.optional(), qty: z.number().int().min(1).max(10).optional() }),
  /** How many to buy, for a product sold by the unit with more than one left (own stock). */
  z.object({ name: z.literal("qty"), code: z.string(), inputs }),
  /** A sold-out own-stock product: the buyer may ask to be told when it is back. */
  z.object({ name: z.literal("soldout"), code: z.string() }),
]);
export type Step = z.infer<typeof stepSchema>;

export const sessionSchema = z.object({
  v: z.literal(1),
  locale: z.enum(locales),
  step: stepSchema,
  /** The menu shown last: its id and what each position means. */
  menu: z.object({ id: z.number().int(), entries: z.array(menuEntrySchema) }).nullable(),
  /** Counter for menu ids; only grows, so old buttons never match a new menu. */
  menuSeq: z.number().int().min(0),
  /**
   * The buyer feature whose menus are open (see `buyer-features.ts`): its namespace and its own
   * state, opaque here and read back by the feature's schema. Absent in the checkout.
   */
  feature: z.object({ ns: z.string(), state: z.unknown() }).optional(),
  updatedAt: z.number(),
});
export type Session = z.infer<typeof sessionSchema>;

/** A fresh session in `locale`. */
export function newSession(locale: Locale, now = Date.now()): Session {
  return { v: 1, locale, step: { name: "idle" }, menu: null, menuSeq: 0, updatedAt: now };
}

/** True when the buyer is in the middle of buying something (an expiry is worth telling). */
export function isMidCheckout(session: Session): boolean {
  return ["input", "confirm", "voucher", "payment"].includes(session.step.name);
}

/** Reads a stored session; null when absent, unreadable or from an older format. */
export function parseSession(raw: string | null): Session | null {
  if (!raw) return null;
  try {
    const parsed = sessionSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
