/**
 * What a buyer must type before an order can be placed ("target"), per product.
 *
 * Products are cached as JSON (Redis, sessions), so a product names its input by an
 * {@link InputKind}; the zod schema for that kind lives here and turns one chat message into
 * the typed fields a provider needs. A failed parse carries a locale key for the reason, which
 * the bot shows before asking again.
 */
import { z } from "zod";

/** The kinds of target a product can ask for. */
export const inputKinds = [
  "none",
  "game_id",
  "game_id_zone",
  "phone",
  "email",
  "gmail",
  "panel_username",
  "months",
] as const;
export type InputKind = (typeof inputKinds)[number];

/** Parsed target fields, always strings so they serialise as they are. */
export type TargetInputs = Record<string, string>;

/**
 * Normalises an Indonesian mobile number to the local `08…` form.
 * Accepts `08…`, `628…`, `+62 8…`, with spaces, dots or dashes. Returns null when it is not one.
 */
export function normalizeIndonesianPhone(raw: string): string | null {
  const digits = raw.replace(/[\s.\-()]/g, "").replace(/^\+/, "");
  if (!/^\d+$/.test(digits)) return null;
  let local: string;
  if (digits.startsWith("62")) local = `0${digits.slice(2)}`;
  else if (digits.startsWith("8")) local = `0${digits}`;
  else local = digits;
  if (!/^08\d+$/.test(local)) return null;
  if (local.length < 10 || local.length > 14) return null;
  return local;
}

// Each schema maps a message to fields. Issue messages are locale keys (see locales/*.ftl).
const gameIdSchema = z
  .string()
  .trim()
  .regex(/^\d{4,20}$/, { message: "input-error-game-id" })
  .transform((userId) => ({ userId }));

/** "12345678 1234", "12345678(1234)", "12345678 (1234)", "12345678|1234". */
const gameIdZoneSchema = z
  .string()
  .trim()
  .transform((text, ctx) => {
    const match = /^(\d{4,20})\s*[\s(|/:,.-]\s*(\d{1,8})\s*\)?$/.exec(text);
    if (!match) {
      ctx.addIssue({ code: "custom", message: "input-error-game-id-zone" });
      return z.NEVER;
    }
    return { userId: match[1]!, zoneId: match[2]! };
  });

const phoneSchema = z.string().transform((text, ctx) => {
  const phone = normalizeIndonesianPhone(text);
  if (!phone) {
    ctx.addIssue({ code: "custom", message: "input-error-phone" });
    return z.NEVER;
  }
  return { phone };
});

const emailSchema = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.email({ message: "input-error-email" }))
  .transform((email) => ({ email }));

const gmailSchema = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.email({ message: "input-error-email" }))
  .refine((email) => /@(gmail|googlemail)\.com$/.test(email), { message: "input-error-gmail" })
  .transform((email) => ({ email }));

/** Pterodactyl usernames: start with a letter, then letters, digits, `_`, `-`, `.`; 3–30 long. */
const panelUsernameSchema = z
  .string()
  .trim()
  .regex(/^[a-zA-Z][a-zA-Z0-9_.-]{2,29}$/, { message: "input-error-panel-username" })
  .transform((username) => ({ username: username.toLowerCase() }));

/** The subscription periods a buyer may choose (aluy VPS), in months. */
export const subscriptionMonths = [1, 3, 6, 12] as const;

/** "3", "3 bulan", "12 months": one of {@link subscriptionMonths}. */
const monthsSchema = z.string().transform((text, ctx) => {
  const match = /^\s*(\d{1,2})\s*(bulan|bln|months?|mo)?\s*$/i.exec(text);
  const months = match ? Number(match[1]) : Number.NaN;
  if (!(subscriptionMonths as readonly number[]).includes(months)) {
    ctx.addIssue({ code: "custom", message: "input-error-months" });
    return z.NEVER;
  }
  return { months: String(months) };
});

const noneSchema = z.string().transform(() => ({}));

/** The zod schema for each input kind: raw message text → target fields. */
export const inputSchemas: Record<InputKind, z.ZodType<TargetInputs, string>> = {
  none: noneSchema,
  game_id: gameIdSchema,
  game_id_zone: gameIdZoneSchema,
  phone: phoneSchema,
  email: emailSchema,
  gmail: gmailSchema,
  panel_username: panelUsernameSchema,
  months: monthsSchema,
};

/**
 * How many units of the product an order buys: the months of a subscription, else 1. The price
 * and cost of the order are the product's times this.
 */
export function orderUnits(inputs: TargetInputs): number {
  const months = Number(inputs.months);
  return (subscriptionMonths as readonly number[]).includes(months) ? months : 1;
}

/**
 * An operating system a buyer can choose for a product (aluy VPS: a VirtFusion template). The
 * choices travel with the product as the JSON string `meta.osChoices` (meta holds plain values,
 * and the product is cached and snapshotted into orders as it is), read back with zod.
 */
export const osChoiceSchema = z.object({ id: z.number().int().positive(), label: z.string().min(1).max(100) });
export type OsChoice = z.infer<typeof osChoiceSchema>;
const osChoicesSchema = z.array(osChoiceSchema).max(50);

/** The meta value that carries a product's OS choices. */
export function osChoicesMeta(choices: readonly OsChoice[]): string {
  return JSON.stringify(choices.map(({ id, label }) => ({ id, label })));
}

/** A product's OS choices; none (the step is skipped) when it has none or they are unreadable. */
export function osChoicesOf(meta: Readonly<Record<string, string | number | boolean>> | undefined): OsChoice[] {
  const raw = meta?.osChoices;
  if (typeof raw !== "string") return [];
  try {
    const parsed = osChoicesSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : [];
  } catch {
    return [];
  }
}

/**
 * The OS the buyer chose (`inputs.os`), validated against the product's choices: null when the
 * buyer chose none (the provider's default OS), a choice when it is one of the list, and
 * "invalid" when it is not (a stale session or a changed list: never sent to the provider).
 */
export function chosenOs(
  inputs: TargetInputs,
  meta: Readonly<Record<string, string | number | boolean>> | undefined,
): OsChoice | null | "invalid" {
  if (inputs.os === undefined) return null;
  const choices = osChoicesOf(meta);
  const id = z.coerce.number().int().positive().safeParse(inputs.os);
  if (!id.success || !/^\d+$/.test(inputs.os)) return "invalid";
  return choices.find((choice) => choice.id === id.data) ?? "invalid";
}

/** Result of reading a target from a message: fields, or the locale key of the reason. */
export type InputParseResult = { ok: true; inputs: TargetInputs } | { ok: false; reason: string };

/** Parses one message as the target for `kind`. Text is capped so a pasted novel is just invalid. */
export function parseTargetInput(kind: InputKind, text: string): InputParseResult {
  if (text.length > 200) return { ok: false, reason: "input-error-too-long" };
  const result = inputSchemas[kind].safeParse(text);
  if (result.success) return { ok: true, inputs: result.data };
  const message = result.error.issues[0]?.message ?? "";
  return { ok: false, reason: message.startsWith("input-error-") ? message : "input-error-generic" };
}

/** Shows target fields on one line, e.g. `12345678 (1234)` or `081234567890`. */
export function describeInputs(inputs: TargetInputs): string {
  if (inputs.userId && inputs.zoneId) return `${inputs.userId} (${inputs.zoneId})`;
  // The chosen OS is a template id, meaningless without the product's list: not part of the target.
  const { os: _os, ...target } = inputs;
  return Object.values(target).join(" ");
}
