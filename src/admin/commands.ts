/**
 * Admin commands as typed: the command names (English on every channel), how a message is read
 * as one, and a zod schema per command that turns its arguments into a typed command or a
 * usage error. Nothing here touches state.
 */
import { z } from "zod";
import { msg, type Msg } from "../core/message.js";
import type { Channel } from "../core/inbound.js";
import { parseIntent } from "../bot/intent.js";
import { normalizeCode } from "../commerce/catalog.js";
import { parseRupiahAmount } from "../core/money.js";
import { orderIdPattern, orderStatuses, type OrderStatus } from "../commerce/orders.js";
import { topupIdPattern } from "../payments/payment-store.js";
import { providerIds } from "../providers/types.js";
import { markupSchema, parseMarkupValue, type MarkupTarget } from "./markup.js";
import { statsPeriods } from "./stats.js";

/** Every admin command, in the order `/help` lists them. */
export const adminCommandNames = [
  "help",
  "balance",
  "deposit",
  "orders",
  "order",
  "paid",
  "refund",
  "retry",
  "markup",
  "product",
  "maintenance",
  "user",
  "credit",
  "broadcast",
  "stats",
  "audit",
] as const;
/** The name of an admin command. */
export type AdminCommandName = (typeof adminCommandNames)[number];

function isAdminCommandName(name: string): name is AdminCommandName {
  return (adminCommandNames as readonly string[]).includes(name);
}

/**
 * Names that are not also buyer commands (`/help`, `/orders`, `/order`, `/balance` are). Outside
 * the admin group only these draw a refusal; the shared ones belong to the shop there.
 */
export const adminOnlyCommands: ReadonlySet<AdminCommandName> = new Set(
  adminCommandNames.filter((name) => parseIntent({ text: `/${name}` }).kind === "unknown_command"),
);

/** A message read as an admin command, before its arguments are checked. */
export interface CommandText {
  name: AdminCommandName;
  /** Everything after the name, trimmed; inner line breaks kept (broadcasts keep their layout). */
  args: string;
  /** The bot named after `@` (Telegram `/help@shop_bot`), if any. */
  mention?: string;
}

/** Longest message looked at, like the buyer side: a huge paste is refused, never parsed. */
const maxCommandLength = 5_000;
const commandPattern = /^([/.])([A-Za-z]+)(?:@(\w+))?(?:\s+([\s\S]*))?$/;

/**
 * Reads `text` as an admin command. WhatsApp users also type `.paid …` (a slash opens nothing
 * there, and many bots use dots), so the dot prefix counts on WhatsApp only.
 */
export function readCommand(text: string | undefined, channel: Channel): CommandText | null {
  const trimmed = (text ?? "").trim();
  if (trimmed.length > maxCommandLength) return null;
  const match = commandPattern.exec(trimmed);
  if (!match) return null;
  const [, prefix, rawName, mention, args] = match;
  if (prefix === "." && channel !== "whatsapp") return null;
  const name = rawName!.toLowerCase();
  if (!isAdminCommandName(name)) return null;
  return { name, args: (args ?? "").trim(), ...(mention ? { mention } : {}) };
}

/**
 * The first `count` words of `text`, then the rest as it was written, so a reason or a message
 * keeps its spaces and line breaks. Missing parts are "".
 */
function headAndRest(text: string, count: number): string[] {
  const parts: string[] = [];
  let rest = text.trim();
  for (let i = 0; i < count; i++) {
    const match = /^(\S*)\s*([\s\S]*)$/.exec(rest)!;
    parts.push(match[1]!);
    rest = match[2]!;
  }
  return [...parts, rest.trim()];
}

const words = z.string().transform((text) => text.split(/\s+/).filter((word) => word.length > 0));
const keyword = z.string().transform((word) => word.toLowerCase());
const orderId = z
  .string()
  .transform((text) => text.toUpperCase())
  .pipe(z.string().regex(orderIdPattern));
const paymentId = z
  .string()
  .transform((text) => text.toUpperCase())
  .pipe(z.string().refine((id) => orderIdPattern.test(id) || topupIdPattern.test(id)));
const count = (max: number) =>
  z
    .string()
    .regex(/^\d{1,4}$/)
    .transform(Number)
    .pipe(z.number().int().min(1).max(max));
const status = keyword.pipe(z.enum(orderStatuses));
const provider = keyword.pipe(z.enum(providerIds));
const productCode = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,32}$/)
  .transform(normalizeCode);
const positiveRupiah = z
  .string()
  .transform((text) => parseRupiahAmount(text))
  .pipe(z.number().int().positive().max(100_000_000));
/** `+50000`, `-20.000`, `50rb`: a signed whole rupiah amount, never zero. */
const signedRupiah = z
  .string()
  .transform((text) => {
    const match = /^([+-]?)(.*)$/.exec(text)!;
    const amount = parseRupiahAmount(match[2]!);
    return amount === null ? null : match[1] === "-" ? -amount : amount;
  })
  .pipe(z.number().int().min(-100_000_000).max(100_000_000));
/** A short free text (reason, message), bounded so the audit log and the group stay readable. */
const note = (max: number) => z.string().max(max);

/** Indonesian numbers are often typed local (`0812…`) or with `+`; WhatsApp ids are `62812…`. */
function whatsappDigits(text: string): string {
  const digits = text.replace(/^\+/, "");
  return digits.startsWith("0") ? `62${digits.slice(1)}` : digits;
}

/**
 * A buyer as an admin names one, read as the buyer keys to look for: `telegram:123` and
 * `whatsapp:628…` name one; a bare id or number is tried on both channels.
 */
const userRef = z.string().transform((text, ctx): string[] => {
  const prefixed = /^(telegram|whatsapp|tg|wa):(\+?\d{1,20})$/i.exec(text);
  if (prefixed) {
    const telegram = /^(telegram|tg)$/i.test(prefixed[1]!);
    return [telegram ? `telegram:${prefixed[2]!.replace(/^\+/, "")}` : `whatsapp:${whatsappDigits(prefixed[2]!)}`];
  }
  if (/^\+?\d{3,20}$/.test(text)) return [...new Set([`telegram:${text.replace(/^\+/, "")}`, `whatsapp:${whatsappDigits(text)}`])];
  ctx.addIssue({ code: "custom", message: "not a user reference" });
  return z.NEVER;
});

const markupTarget = z.string().transform((text, ctx): MarkupTarget => {
  const lower = text.toLowerCase();
  if (lower === "global") return { level: "global" };
  const asProvider = z.enum(providerIds).safeParse(lower);
  if (asProvider.success) return { level: "provider", provider: asProvider.data };
  const asCode = productCode.safeParse(text);
  if (asCode.success) return { level: "product", code: asCode.data };
  ctx.addIssue({ code: "custom", message: "not a markup target" });
  return z.NEVER;
});
/** A markup, or null for `off` (remove the rule so the next less specific one applies). */
const markupValue = z.union([
  keyword.pipe(z.literal("off")).transform(() => null),
  z
    .string()
    .transform((text) => parseMarkupValue(text))
    .pipe(markupSchema),
]);

const schemas = {
  help: z.string().transform(() => ({ name: "help" as const })),
  balance: z.string().transform(() => ({ name: "balance" as const })),
  deposit: words
    .pipe(z.tuple([provider, positiveRupiah]))
    .transform(([providerId, amount]) => ({ name: "deposit" as const, provider: providerId, amount })),
  orders: words
    .pipe(z.union([z.tuple([]), z.tuple([status]), z.tuple([count(50)]), z.tuple([status, count(50)])]))
    .transform((parts: readonly (OrderStatus | number)[]) => {
      let wanted: OrderStatus | null = null;
      let limit = 10;
      for (const part of parts) {
        if (typeof part === "number") limit = part;
        else wanted = part;
      }
      return { name: "orders" as const, status: wanted, limit };
    }),
  order: words.pipe(z.tuple([orderId])).transform(([id]) => ({ name: "order" as const, id })),
  paid: words.pipe(z.tuple([paymentId])).transform(([id]) => ({ name: "paid" as const, id })),
  refund: z
    .string()
    .transform((text) => headAndRest(text, 1))
    .pipe(z.tuple([orderId, note(200)]))
    .transform(([id, reason]) => ({ name: "refund" as const, id, reason: reason === "" ? null : reason })),
  retry: words.pipe(z.tuple([orderId])).transform(([id]) => ({ name: "retry" as const, id })),
  markup: words
    .pipe(z.union([z.tuple([]), z.tuple([markupTarget, z.string().pipe(markupValue)])]))
    .refine((parts) => parts.length === 0 || parts[0].level !== "global" || parts[1] !== null, { message: "the global markup cannot be removed" })
    .transform((parts) => (parts.length === 0 ? { name: "markup" as const, set: null } : { name: "markup" as const, set: { target: parts[0], markup: parts[1] } })),
  product: words
    .pipe(z.tuple([keyword.pipe(z.enum(["on", "off"])), productCode]))
    .transform(([state, code]) => ({ name: "product" as const, visible: state === "on", code })),
  maintenance: z
    .string()
    .transform((text) => headAndRest(text, 1))
    .pipe(
      z.union([
        z.tuple([z.literal(""), z.literal("")]).transform(() => ({ name: "maintenance" as const, change: null })),
        z.tuple([keyword.pipe(z.literal("on")), note(500)]).transform(([, message]) => ({ name: "maintenance" as const, change: { on: true as const, message: message === "" ? null : message } })),
        z.tuple([keyword.pipe(z.literal("off")), z.literal("")]).transform(() => ({ name: "maintenance" as const, change: { on: false as const } })),
      ]),
    ),
  user: words.pipe(z.tuple([userRef])).transform(([user]) => ({ name: "user" as const, user })),
  credit: z
    .string()
    .transform((text) => headAndRest(text, 2))
    .pipe(z.tuple([userRef, signedRupiah.refine((amount) => amount !== 0), note(200).min(1)]))
    .transform(([user, amount, reason]) => ({ name: "credit" as const, user, amount, reason })),
  broadcast: note(3_500)
    .min(1)
    .transform((text) => ({ name: "broadcast" as const, text })),
  stats: words
    .pipe(z.union([z.tuple([]), z.tuple([keyword.pipe(z.enum(statsPeriods))])]))
    .transform((parts) => ({ name: "stats" as const, period: parts[0] ?? ("today" as const) })),
  audit: words
    .pipe(z.union([z.tuple([]), z.tuple([count(50)])]))
    .transform((parts) => ({ name: "audit" as const, limit: parts[0] ?? 10 })),
} satisfies Record<AdminCommandName, z.ZodType<{ name: AdminCommandName }, string>>;

/** A checked admin command. */
export type AdminCommand = { [K in AdminCommandName]: z.output<(typeof schemas)[K]> }[AdminCommandName];

/** One admin command of a given name. */
export type AdminCommandOf<K extends AdminCommandName> = Extract<AdminCommand, { name: K }>;

/** One usage line per command, in the order of the help list. */
export const usages: Record<AdminCommandName, Msg> = {
  help: msg("admin-usage-help"),
  balance: msg("admin-usage-balance"),
  deposit: msg("admin-usage-deposit"),
  orders: msg("admin-usage-orders"),
  order: msg("admin-usage-order"),
  paid: msg("admin-usage-paid"),
  refund: msg("admin-usage-refund"),
  retry: msg("admin-usage-retry"),
  markup: msg("admin-usage-markup"),
  product: msg("admin-usage-product"),
  maintenance: msg("admin-usage-maintenance"),
  user: msg("admin-usage-user"),
  credit: msg("admin-usage-credit"),
  broadcast: msg("admin-usage-broadcast"),
  stats: msg("admin-usage-stats"),
  audit: msg("admin-usage-audit"),
};

/** Checks a command's arguments: the typed command, or the usage line to show. */
export function parseCommand(text: CommandText): { ok: true; command: AdminCommand } | { ok: false; usage: Msg } {
  const parsed = schemas[text.name].safeParse(text.args);
  return parsed.success ? { ok: true, command: parsed.data } : { ok: false, usage: usages[text.name] };
}
